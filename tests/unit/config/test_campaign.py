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
