"""Openings, fair results and service-item progress through the intake: each mistake quarantines its row
with a reason a clerk can act on; valid variants (out-of-province opening, 市本级, money decimals) pass."""

from __future__ import annotations

import pytest

from chunnuan.config import campaign
from chunnuan.intake.gate import check_submission
from chunnuan.intake.kinds.fair_results import FAIR_RESULT_KIND
from chunnuan.intake.kinds.openings import OPENING_KIND
from chunnuan.intake.kinds.progress import PROGRESS_KIND
from tests.support.jobs import fair_result_row, opening_row, progress_row, uscc, write_rows

GX, SD = campaign.load("guangxi-2024"), campaign.load("shandong-2024")


def check(tmp_path, kind, rows, the_campaign=GX):
    return check_submission(write_rows(tmp_path / f"{kind.name}.csv", kind.schema, rows), the_campaign, "gx", kind)


OPENING_BAD = {
    "uscc_checksum": ({"统一社会信用代码": uscc(2)[:-1] + ("0" if uscc(2)[-1] != "0" else "1")}, "uscc_invalid",
                      "校验不通过"),
    "unknown_province": ({"岗位所在省份": "粤港澳"}, "province_unknown", "岗位所在省份「粤港澳」无法识别"),
    "outside_without_province": ({"岗位所在县(市、区)": "深圳市宝安区"}, "county_unknown",
                                 "省外岗位请同时填写「岗位所在省份」"),
    "industry": ({"所属行业": "工业"}, "choice_invalid", "「所属行业」只能填"),
    "headcount_zero": ({"招聘人数": "0"}, "count_invalid", "「招聘人数」应为 1 至 5000 的整数"),
    "wage_yearly": ({"月薪上限(元)": "120000"}, "wage_invalid", "「月薪上限(元)」应为按月计的元数"),
    "wage_order": ({"月薪下限(元)": "6000"}, "wage_order", "月薪上限 5000 低于月薪下限 6000"),
    "closed": ({"招聘截止日期": "2024-01-10"}, "closed_before_campaign", "该岗位已过期"),
    "missing_trade": ({"招聘工种": ""}, "missing", "「招聘工种」未填写"),
}

FAIR_BAD = {
    "intentions_over_attendance": ({"达成意向人数": "901"}, "count_inconsistent", "达成意向人数 901 多于进场人数 900"),
    "poor_over_attendance": ({"其中脱贫人口": "901"}, "count_inconsistent", "其中脱贫人口 901 多于进场人数 900"),
    "poor_intentions": ({"其中脱贫人口达成意向": "301"}, "count_inconsistent", "其中脱贫人口达成意向 301 多于达成意向人数 300"),
    "positions_under_employers": ({"提供岗位数": "39"}, "count_inconsistent", "提供岗位数 39 少于参会企业数 40"),
    "fair_no_other_county": ({"招聘会编号": "450881-01"}, "fair_no_county", "前6位不是本行县(市、区)的代码"),
    "fair_no_format": ({"招聘会编号": "第1场"}, "fair_no_invalid", "招聘会编号应为「县代码-序号」"),
    "mode": ({"形式": "户外"}, "choice_invalid", "「形式」只能填 现场 / 直播带岗 / 线上"),
    "out_of_window": ({"举办日期": "2024-03-20"}, "date_out_of_window", "不在春风行动招聘会时段"),
    "county_elsewhere": ({"县(市、区)": "历下区", "招聘会编号": ""}, "county_unknown", "是山东省的县(市、区)"),
    "negative": ({"参会企业数": "-3"}, "count_invalid", "「参会企业数」应为 0 至 1000000 的整数"),
}

PROGRESS_BAD = {
    "area": ({"地区": "平南乡"}, "area_unknown", "地区「平南乡」不是广西壮族自治区的县(市、区)或市"),
    "item": ({"服务项目": "送温暖"}, "item_unknown", "服务项目「送温暖」不是本次行动的服务项目"),
    "figure_of_other_item": ({"统计指标": "欠薪案件"}, "figure_unknown", "统计指标「欠薪案件」不属于服务项目「送关爱帮扶」"),
    "negative": ({"累计数值": "-5"}, "value_invalid", "「累计数值」应为不小于 0 的数"),
    "fraction_of_people": ({"累计数值": "320.5"}, "value_not_whole", "应为整数"),
    "as_of_outside": ({"截至日期": "2024-05-01"}, "date_out_of_window", "不在本次行动时段"),
}


def _one_bad(kind, make, change):
    return [make(1), make(2, **change), *(make(n) for n in range(3, 7))]  # 1 bad in 6: under the 20% limit


@pytest.mark.parametrize(("kind", "make", "case", "bad"), [
    *((OPENING_KIND, opening_row, c, b) for c, b in OPENING_BAD.items()),
    *((FAIR_RESULT_KIND, fair_result_row, c, b) for c, b in FAIR_BAD.items()),
    *((PROGRESS_KIND, lambda n, **o: progress_row(**{"截至日期": f"2024-02-{n + 10}", **o}), c, b)
      for c, b in PROGRESS_BAD.items()),
], ids=lambda v: v if isinstance(v, str) else None)
def test_each_mistake_is_quarantined_row_by_row_with_its_reason(tmp_path, kind, make, case, bad):
    change, code, reason = bad
    result = check(tmp_path, kind, _one_bad(kind, make, change))

    assert result.error is None
    assert result.counts == {"rows": 6, "valid": 5, "quarantined": 1, "duplicates": 0}
    [problem] = result.problems.to_dict(orient="records")
    assert problem["row"] == 3 and problem["code"] == code
    assert reason in problem["reason"]


def test_fair_results_file_with_several_mistakes_keeps_every_good_row(tmp_path):
    changes = [c for c, _, _ in FAIR_BAD.values()]
    rows = [fair_result_row(n, **c) for n, c in enumerate(changes, start=1)]
    rows += [fair_result_row(n % 9 + 1, 招聘会名称=f"第{n}场", 招聘会编号="") for n in range(11, 51)]
    result = check(tmp_path, FAIR_RESULT_KIND, rows)

    assert result.counts == {"rows": 50, "valid": 40, "quarantined": 10, "duplicates": 0}
    assert sorted(result.problems["row"]) == list(range(2, 12))  # exactly the ten rows with a mistake
    assert result.valid["county_code"].eq("450821").all() and result.valid["intentions"].sum() == 40 * 300


def test_out_of_province_opening_resolves_and_keys_replace_within_file(tmp_path):
    rows = [opening_row(1, 岗位所在省份="广东省", **{"岗位所在县(市、区)": "深圳市宝安区"}),
            opening_row(2),
            opening_row(2, 招聘人数="35", 填报日期="2024-02-05", 重点企业或重点园区="重点园区"),  # same enterprise, place and trade: later wins
            *(opening_row(n) for n in range(3, 6))]
    result = check(tmp_path, OPENING_KIND, rows)

    assert result.counts == {"rows": 6, "valid": 5, "quarantined": 0, "duplicates": 1}
    valid = result.valid.set_index("uscc")
    assert valid.loc[uscc(1), ["county_code", "city_code", "province_code"]].tolist() == ["440306", "440300", "440000"]
    assert valid.loc[uscc(2), "headcount"] == 35 and bool(valid.loc[uscc(2), "key_enterprise"])


def test_progress_areas_items_and_money(tmp_path):
    rows = [progress_row(地区="贵港市"),  # 市本级
            progress_row(地区="广西壮族自治区", 服务项目="送劳动权益保障", 统计指标="追回欠薪金额", 累计数值="12.35"),
            progress_row(服务项目='送“点对点”返乡返岗运输服务', 统计指标="charter_trips", 累计数值="15"),
            progress_row(截至日期="2024-03-01"),
            progress_row(地区="桂平市"), progress_row(地区="450802")]
    result = check(tmp_path, PROGRESS_KIND, rows)

    assert result.counts["quarantined"] == 0, result.problems
    got = result.valid.sort_values("source_row")
    assert got["area_code"].tolist() == ["450800", "450000", "450821", "450821", "450881", "450802"]
    assert got["city_code"].tolist() == ["450800", "450000", "450800", "450800", "450800", "450800"]
    assert got["item_code"].tolist()[1:3] == ["labour_rights", "point_to_point"]
    assert got["value"].tolist()[1] == pytest.approx(12.35)
    assert got["entry"].tolist()[0] == "450800|care|2024-02-23"


def test_shandong_items_are_its_own(tmp_path):
    rows = [*(progress_row(地区="济南市历下区", 服务项目="暖心关爱服务", 统计指标="走访慰问农村外出务工人员",
                           截至日期=f"2024-02-{d}") for d in range(10, 15)),
            progress_row(地区="济南市历下区")]  # Guangxi's 送关爱帮扶 is not a Shandong item
    result = check(tmp_path, PROGRESS_KIND, rows, SD)

    assert result.counts["valid"] == 5 and set(result.valid["item_code"]) == {"care"}
    [problem] = result.problems.to_dict(orient="records")
    assert problem["code"] == "item_unknown" and "暖心关爱服务、暖心出行服务" in problem["reason"]
