"""Employer openings (岗位信息归集表): each mistake quarantines its row with a reason a clerk can act on;
an out-of-province opening resolves; the template's drop-downs pass the gate."""

from __future__ import annotations

import datetime as dt

import pytest

from chunnuan.config import campaign
from chunnuan.intake.kinds.openings import KIND, MAX_WAGE, OPENINGS
from tests.support.jobs import check, filled, one_bad, opening_row, options, uscc

GX, SD = campaign.load("guangxi-2024"), campaign.load("shandong-2024")

BAD = {
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


@pytest.mark.parametrize("case", list(BAD))
def test_each_mistake_is_quarantined_row_by_row_with_its_reason(tmp_path, case):
    change, code, reason = BAD[case]
    result = check(tmp_path, KIND, one_bad(opening_row, change), GX)

    assert result.error is None
    assert result.counts == {"rows": 6, "valid": 5, "quarantined": 1, "duplicates": 0}
    [problem] = result.problems.to_dict(orient="records")
    assert problem["row"] == 3 and problem["code"] == code
    assert reason in problem["reason"]


def test_out_of_province_opening_resolves_and_keys_replace_within_file(tmp_path):
    rows = [opening_row(1, 岗位所在省份="广东省", **{"岗位所在县(市、区)": "深圳市宝安区"}),
            opening_row(2),
            opening_row(2, 招聘人数="35", 填报日期="2024-02-05", 重点企业或重点园区="重点园区"),  # same enterprise, place and trade: later wins
            *(opening_row(n) for n in range(3, 6))]
    result = check(tmp_path, KIND, rows, GX)

    assert result.counts == {"rows": 6, "valid": 5, "quarantined": 0, "duplicates": 1}
    valid = result.valid.set_index("uscc")
    assert valid.loc[uscc(1), ["county_code", "city_code", "province_code"]].tolist() == ["440306", "440300", "440000"]
    assert valid.loc[uscc(2), "headcount"] == 35 and bool(valid.loc[uscc(2), "key_enterprise"])


def test_a_county_directly_under_its_province_is_its_own_city(tmp_path):
    """As Province.city_of and the matcher's input have it: 五指山市 and 仙桃市 have no prefecture-level city."""
    rows = [opening_row(1, 岗位所在省份="海南省", **{"岗位所在县(市、区)": "五指山市"}),
            opening_row(2, 岗位所在省份="湖北省", **{"岗位所在县(市、区)": "仙桃市"})]
    result = check(tmp_path, KIND, rows, GX)

    assert result.counts["valid"] == 2
    got = result.valid.set_index("uscc")[["county_code", "city_code", "province_code"]]
    assert got.loc[uscc(1)].tolist() == ["469001", "469001", "460000"]
    assert got.loc[uscc(2)].tolist() == ["429004", "429004", "420000"]


def test_the_wage_bound_is_the_same_in_the_check_and_the_template(tmp_path, capsys):
    from openpyxl import load_workbook

    from chunnuan.cli import main

    path = tmp_path / "岗位.xlsx"
    assert main(["template", "openings", str(path), "--campaign", GX.id]) == 0
    sheet = load_workbook(path)["岗位信息"]
    letters = {c.value: c.column_letter for c in sheet[1]}
    wages = [v for v in sheet.data_validations.dataValidation if str(v.sqref).startswith(letters["月薪上限(元)"])]
    assert [(v.formula1, v.formula2) for v in wages] == [("1", str(MAX_WAGE))]
    result = check(tmp_path, KIND, one_bad(opening_row, {"月薪上限(元)": str(MAX_WAGE + 1)}), GX)
    assert result.problems["code"].tolist() == ["wage_invalid"]
    assert check(tmp_path, KIND, one_bad(opening_row, {"月薪上限(元)": str(MAX_WAGE)}), GX).counts["quarantined"] == 0


# --- the template ---------------------------------------------------------------------------------


@pytest.mark.parametrize("the_campaign", [GX, SD], ids=lambda c: c.id)
def test_drop_downs_pass_the_gate(tmp_path, capsys, the_campaign):
    day = dt.datetime.combine(the_campaign.job_fairs.window.start, dt.time()) + dt.timedelta(days=20)

    def openings(book):
        counties, trades = options(book, "县(市、区)选项"), options(book, "工种选项")
        assert trades == the_campaign.training.trades and "广东省" in options(book, "省份选项")
        return [[uscc(i), f"企业{i}", None, county, "制造业", trades[i % len(trades)], 10, 3000, 5000, day, "是",
                 "人社局", day] for i, county in enumerate(counties)]

    rows, out = filled(tmp_path, capsys, "openings", the_campaign, OPENINGS, openings)
    assert out["rows"] == out["valid"] == len(rows) > 100 and out["problems"] == []
