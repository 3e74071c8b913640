"""Campaign configuration files: both seeds load, and a bad file is refused with a clear message."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from chunnuan.config import campaign


def test_guangxi_follows_its_notice():
    gx = campaign.load("guangxi-2024")
    assert gx.source.document == "桂农工办发〔2024〕1号"
    assert gx.report.deadline == dt.date(2024, 3, 8)
    assert gx.report.to == ["nmggzc@rst.gxzf.gov.cn"]
    assert len(gx.service_items) == 12
    assert [i.name for i in gx.service_items][0] == "送安全保障"
    assert gx.training.min_pre_dispatch_classes_per_county == 1
    assert gx.province_code == "450000"
    assert {"脱贫人口", "监测对象"} <= set(gx.priority_groups)


def test_shandong_follows_its_notice():
    sd = campaign.load("shandong-2024")
    assert sd.report.deadline == dt.date(2024, 3, 31)
    assert len(sd.service_items) == 7
    assert all(i.name.startswith("暖心") for i in sd.service_items)
    assert len(sd.departments) == 10 and all(d.contact and d.contact.phone for d in sd.departments)
    assert sd.window.start == dt.date(2024, 1, 1) and sd.window.end == dt.date(2024, 3, 31)
    assert "pre_dispatch_class" not in sd.training.rules  # 山东通知未规定每县开班数
    assert sd.subsidy is None  # 山东通知未要求跨省就业交通补助


def test_guangxi_subsidy_bands_by_work_province():
    rules = campaign.load("guangxi-2024").subsidy
    assert rules.groups == ["脱贫人口", "监测对象"] and rules.min_months_employed == 3 and rules.claims_per_year == 1
    bands = rules.band_of()
    assert bands["广东省"] == ("邻省", 500) and bands["新疆维吾尔自治区"] == ("远途省份", 1000)
    assert "浙江省" not in bands and rules.default_amount == 800  # 未列入档次的省份按默认标准


def _write(tmp_path: Path, data: dict, name: str = "guangxi-2024") -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _base() -> dict:
    return yaml.safe_load(Path(campaign.campaigns_dir() / "guangxi-2024.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "change, words",
    [
        (lambda d: d.pop("report"), "report"),
        (lambda d: d.update(province="火星省"), "未知的省份"),
        (lambda d: d["window"].update(end="2023-01-01"), "早于开始日期"),
        (lambda d: d["report"].update(to=["not-an-email"]), "report.to"),
        (lambda d: d.update(extra_field=1), "extra_field"),
        (lambda d: d["service_items"].append(d["service_items"][0]), "重复"),
        (lambda d: d["training"]["rules"].append("every_class_has_a_teacher"), "training.rules"),
        (lambda d: d["training"].update(min_pre_dispatch_classes_per_county=0), "pre_dispatch_class"),
        (lambda d: d["subsidy"].update(groups=["就业困难人员"]), "subsidy.groups"),
        (lambda d: d["subsidy"]["bands"][0]["provinces"].append("火星"), "未知的省份"),
        (lambda d: d["subsidy"]["bands"][1]["provinces"].append("广东省"), "同时列在"),
        (lambda d: d["subsidy"]["bands"][0]["provinces"].append("广西"), "不能包含本省"),
        (lambda d: d["subsidy"].update(evidence=["村委会证明"]), "subsidy.evidence"),
        (lambda d: d["rail"]["stations"].append("南宁火车站"), "不在12306车站表中"),
        (lambda d: d["rail"]["stations"].append("南宁东"), "车站重复"),
        (lambda d: d["rail"]["stations"].append("重庆北"), "place"),
        (lambda d: d["departments"][1]["items"].append("flying"), "「flying」不是本行动的服务项目或统计指标"),
        (lambda d: d["departments"][1]["items"].append("culture.performances"), "统计指标 culture.performances 同时由「公安」和「文化和旅游」负责"),
        (lambda d: d["departments"].pop(), "没有负责部门（departments.items）：travel.group_tickets"),
        (lambda d: d["departments"][-1].update(receives=["final"]), "「铁路」设置了 receives 却没有 contact.email"),
        (lambda d: d["departments"][-1].update(receives=["monthly"]), "receives"),
        (lambda d: d["report"].update(tolerance=1.5), "report.tolerance"),
        (lambda d: d["transport"]["pooling"].update(max_route_hours=20), "凌晨2时至5时"),  # 07:00 + 20 h
        (lambda d: d["transport"]["pooling"].update(first_departure="04:30"), "发车不早于05:00"),
        (lambda d: d["transport"]["pooling"].update(max_extra_cost_per_rider=-1), "max_extra_cost_per_rider"),
        (lambda d: d["service_items"][0]["figures"][0].update(counterpart="ghosts"), "counterpart"),
        (lambda d: d.pop("subsidy"), "counterpart 为 subsidy_paid（已发放交通补助），但本行动未设 subsidy"),
    ],
)
def test_bad_file_is_refused_with_the_field_named(tmp_path, change, words):
    data = _base()
    change(data)
    with pytest.raises(campaign.CampaignConfigError) as err:
        campaign.load_file(_write(tmp_path, data))
    assert words in str(err.value) and "guangxi-2024.yaml" in str(err.value)


def test_id_must_match_file_name(tmp_path):
    with pytest.raises(campaign.CampaignConfigError, match="文件名"):
        campaign.load_file(_write(tmp_path, _base(), name="other-2024"))


def test_unknown_campaign_lists_the_known_ones():
    with pytest.raises(campaign.CampaignConfigError, match="guangxi-2024"):
        campaign.load("hunan-2024")


@pytest.mark.parametrize("campaign_id", ["guangxi-2024", "shandong-2024"])
def test_every_figure_has_one_department_and_the_notices_owners(campaign_id):
    """送法律维权服务 → 司法, 送健康服务 → 疾控 / 卫生健康委 and 工会 (健康包), as the notices assign them."""
    c = campaign.load(campaign_id)
    owners = c.owners()
    assert set(owners) == {(i.code, f.code) for i in c.service_items for f in i.figures}
    assert {d.name for d in c.departments} == set(owners.values())  # every department answers for something
    if campaign_id == "guangxi-2024":
        assert {owners[("legal_aid", f)] for f in ("legal_consultations", "legal_aid_cases")} == {"司法"}
        assert owners[("health", "free_clinics")] == "疾控" and owners[("health", "health_kits")] == "工会"
    else:
        assert owners[("labour_rights", "legal_consultations")] == "省司法厅"
        assert owners[("health", "disease_guidance")] == "省卫生健康委" and owners[("health", "health_kits")] == "省总工会"


@pytest.mark.parametrize("campaign_id", ["guangxi-2024", "shandong-2024"])
def test_reports_copy_the_departments_that_receive_them(campaign_id):
    from chunnuan.report.steps import recipients

    c = campaign.load(campaign_id)
    weekly, final = (recipients(c, kind) for kind in ("weekly", "final"))
    assert weekly[0] == final[0] == c.report.to
    assert weekly[1] and set(weekly[1]) < set(final[1])  # meaningful: some departments on both, more on the final
    assert set(final[1]) == {d.email for d in c.departments if "final" in d.receives} - set(c.report.to)
    assert not set(final[1]) & set(c.report.to)
