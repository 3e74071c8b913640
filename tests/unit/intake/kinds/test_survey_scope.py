"""Who the survey serves (issue 16): a worker whose home (户籍, any county of China) or work place is in the
campaign's province; priority groups from the campaign file, several per worker; the work county; and the
unit in the province that serves each worker. Checked through the real gate on hand-made CSV files."""

from __future__ import annotations

import pytest

from chunnuan.config import campaign as campaigns
from chunnuan.config import divisions
from chunnuan.intake import registry
from chunnuan.intake.gate import check_submission
from tests.support.rows import make_id, valid_row, write_csv

SHANDONG = campaigns.load("shandong-2024")
GUANGXI = campaigns.load("guangxi-2024")
WANCHENG, LINQUAN, LIXIA, LANSHAN, HUANGDAO = "411302", "341221", "370102", "371302", "370211"


def sd_row(seq: int, home: str, county_code: str, **overrides) -> dict[str, str]:
    """A valid Shandong row: a worker from `home` (id from county_code) going to 青岛市黄岛区 unless overridden."""
    return valid_row(seq, **{"身份证号": make_id(county=county_code, seq=seq), "户籍县(市、区)": home,
                             "务工地省份": "山东省", "务工地城市": "青岛市", "务工地县(市、区)": "黄岛区",
                             "填报单位": "青岛市黄岛区人力资源和社会保障局", **overrides})


def run(tmp_path, rows, the_campaign=SHANDONG, name="黄岛区.csv"):
    result = check_submission(write_csv(tmp_path / name, rows), the_campaign, "pandas",
                              kind=registry.gate_kind("survey"))
    assert result.conserved()
    return result


def by_row(result, code: str) -> list[str]:
    return result.problems.loc[result.problems["code"] == code, "reason"].tolist()


def test_workers_from_anywhere_who_work_in_the_province_and_natives_anywhere_are_served(tmp_path):
    rows = [
        sd_row(1, "河南省南阳市宛城区", WANCHENG),  # inbound, work county named
        sd_row(2, "阜阳市临泉县", LINQUAN, **{"户籍省份": "安徽省", "务工地城市": "济南市", "务工地县(市、区)": ""}),
        sd_row(3, "宛城区", WANCHENG),  # a bare name only one county of China has
        sd_row(4, "临沂市兰山区", LANSHAN, **{"务工地省份": "江苏省", "务工地城市": "苏州市", "务工地县(市、区)": ""}),
        sd_row(5, "济南市历下区", LIXIA),  # a native working in the province
    ]
    result = run(tmp_path, rows)

    assert (result.error, result.counts["valid"]) == (None, 5), result.problems
    valid = result.valid.set_index("source_row").sort_index()
    assert valid["home_county_code"].tolist() == [WANCHENG, LINQUAN, WANCHENG, LANSHAN, LIXIA]
    assert valid["native"].tolist() == [False, False, False, True, True]
    # Who serves them: the receiving county (or city, when only the city is named), else the home county.
    assert valid["served_by_code"].tolist() == [HUANGDAO, "370100", HUANGDAO, LANSHAN, LIXIA]
    assert valid["work_city_code"].tolist() == ["370200", "370100", "370200", "320500", "370200"]
    assert valid["work_county_code"].fillna("").tolist() == [HUANGDAO, "", HUANGDAO, "", HUANGDAO]
    assert valid["home_city_code"].tolist()[:2] == ["411300", "341200"]


def test_neither_end_in_the_province_is_a_row_reason_in_the_provinces_words(tmp_path):
    rows = [sd_row(n, "济南市历下区", LIXIA) for n in range(1, 5)]
    rows.append(sd_row(9, "河南省南阳市宛城区", WANCHENG, **{"务工地省份": "江苏省", "务工地城市": "苏州市",
                                                          "务工地县(市、区)": ""}))
    result = run(tmp_path, rows)

    assert (result.error, result.counts["valid"], result.counts["quarantined"]) == (None, 4, 1)
    [reason] = by_row(result, "out_of_scope")
    assert "河南省南阳市宛城区" in reason and "江苏省苏州市" in reason and "都不在山东省" in reason
    assert "广西" not in reason


def test_a_file_of_another_provinces_workers_is_sent_back_whole(tmp_path):
    """A real Henan county's file (home and work in Henan) sent to Shandong's campaign."""
    rows = [sd_row(n, "南阳市宛城区", WANCHENG, **{"务工地省份": "河南省", "务工地城市": "郑州市", "务工地县(市、区)": "",
                                                  "填报单位": "南阳市宛城区人力资源和社会保障局"}) for n in range(1, 9)]
    rows.append(sd_row(20, "济南市历下区", LIXIA))
    result = run(tmp_path, rows)

    assert result.error is not None and "属于河南省" in result.error and "不是山东省的报表" in result.error
    assert result.valid is None or result.valid.empty


def test_a_file_of_mostly_inbound_workers_is_the_provinces(tmp_path):
    rows = [sd_row(n, "河南省南阳市宛城区", WANCHENG) for n in range(1, 9)] + [sd_row(20, "济南市历下区", LIXIA)]
    result = run(tmp_path, rows)
    assert (result.error, result.counts["valid"]) == (None, 9)


def test_a_guangxi_file_in_shandongs_campaign_is_still_caught(tmp_path):
    rows = [valid_row(n) for n in range(1, 6)]  # 贵港市平南县 → 广东省深圳市
    result = run(tmp_path, rows, name="平南县.csv")
    assert result.error is not None and "属于广西壮族自治区" in result.error


@pytest.mark.parametrize(("home", "extra", "expected"), [
    ("鼓楼区", {}, ("有重名", "江苏省南京市鼓楼区", "请写明省份和所属市")),
    ("市中区", {}, ("在山东省有重名", "请写明所属市")),
    ("宛城区", {"户籍省份": "河北省"}, ("不是河北省的县(市、区)", "济南市历下区")),
    ("宛城区", {"户籍省份": "火星省"}, ("户籍省份「火星省」无法识别", "山东省")),
    ("平南乡", {}, ("无法识别", "本省如「济南市历下区」", "外省如「河南省")),
])
def test_a_home_county_that_does_not_resolve_says_what_to_write(tmp_path, home, extra, expected):
    rows = [sd_row(n, "济南市历下区", LIXIA) for n in range(1, 6)] + [sd_row(9, home, WANCHENG, **extra)]
    result = run(tmp_path, rows)

    [reason] = by_row(result, "county_unknown")
    assert all(part in reason for part in expected), reason
    assert "贵港" not in reason


def test_several_priority_groups_per_worker_in_the_campaigns_order(tmp_path):
    groups = ["就业困难人员、脱贫人口", "否", "低收入农村劳动力，监测对象", "防止返贫监测对象", "低保户"]
    rows = [sd_row(n, "济南市历下区", LIXIA, **{"重点群体类别": g}) for n, g in enumerate(groups, start=1)]
    result = run(tmp_path, rows)

    valid = result.valid.set_index("source_row").sort_index()["priority_groups"].tolist()
    assert valid == ["脱贫人口、就业困难农村劳动力", "", "监测对象、低收入农村劳动力", "监测对象"]
    [reason] = by_row(result, "group_unknown")
    assert "「低保户」" in reason and "就业困难农村劳动力" in reason


def test_guangxi_takes_only_its_own_groups(tmp_path):
    rows = [valid_row(n, **{"重点群体类别": g}) for n, g in enumerate(["脱贫人口", "就业困难农村劳动力", "否", "监测对象",
                                                                      "否"], start=1)]
    result = run(tmp_path, rows, GUANGXI, name="平南县.csv")

    [reason] = by_row(result, "group_unknown")
    assert "「就业困难农村劳动力」" in reason and "脱贫人口、监测对象" in reason


def test_the_old_poverty_header_is_still_read(tmp_path):
    path = tmp_path / "old.csv"
    rows = [valid_row(n, **{"重点群体类别": "脱贫人口" if n == 1 else "否"}) for n in range(1, 4)]
    write_csv(path, rows)
    path.write_text(path.read_text(encoding="utf-8").replace("重点群体类别", "脱贫人口类别", 1), encoding="utf-8")
    result = check_submission(path, GUANGXI, "pandas", kind=registry.gate_kind("survey"))
    assert result.valid.sort_values("source_row")["priority_groups"].tolist() == ["脱贫人口", "", ""]


def test_a_work_county_outside_the_work_city_is_a_reason(tmp_path):
    rows = [sd_row(n, "济南市历下区", LIXIA) for n in range(1, 6)]
    rows.append(sd_row(9, "河南省南阳市宛城区", WANCHENG, **{"务工地县(市、区)": "历下区"}))
    result = run(tmp_path, rows)
    [reason] = by_row(result, "work_county_unknown")
    assert "历下区" in reason and "青岛市" in reason


def test_national_names_know_every_county_once():
    names = divisions.national_county_names()
    assert names.codes["河南省南阳市宛城区"] == names.codes["南阳市宛城区"] == WANCHENG
    assert "鼓楼区" not in names.codes and len(names.ambiguous["鼓楼区"]) >= 3
    assert all(names.codes[divisions.county_full_label(c)] == c for c in divisions.province("河南省").counties)
