"""Job-fair results (招聘会成效报表): each mistake quarantines its row with a reason a clerk can act on;
the template's county drop-down passes the gate."""

from __future__ import annotations

import datetime as dt

import pytest

from chunnuan.config import campaign
from chunnuan.intake.kinds.fair_results import FAIR_RESULTS, KIND
from tests.support.jobs import check, fair_result_row, filled, one_bad, options

GX, SD = campaign.load("guangxi-2024"), campaign.load("shandong-2024")

BAD = {
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


@pytest.mark.parametrize("case", list(BAD))
def test_each_mistake_is_quarantined_row_by_row_with_its_reason(tmp_path, case):
    change, code, reason = BAD[case]
    result = check(tmp_path, KIND, one_bad(fair_result_row, change), GX)

    assert result.error is None
    assert result.counts == {"rows": 6, "valid": 5, "quarantined": 1, "duplicates": 0}
    [problem] = result.problems.to_dict(orient="records")
    assert problem["row"] == 3 and problem["code"] == code
    assert reason in problem["reason"]


def test_a_file_with_several_mistakes_keeps_every_good_row(tmp_path):
    changes = [c for c, _, _ in BAD.values()]
    rows = [fair_result_row(n, **c) for n, c in enumerate(changes, start=1)]
    rows += [fair_result_row(n % 9 + 1, 招聘会名称=f"第{n}场", 招聘会编号="") for n in range(11, 51)]
    result = check(tmp_path, KIND, rows, GX)

    assert result.counts == {"rows": 50, "valid": 40, "quarantined": 10, "duplicates": 0}
    assert sorted(result.problems["row"]) == list(range(2, 12))  # exactly the ten rows with a mistake
    assert result.valid["county_code"].eq("450821").all() and result.valid["intentions"].sum() == 40 * 300


# --- the template ---------------------------------------------------------------------------------


@pytest.mark.parametrize("the_campaign", [GX, SD], ids=lambda c: c.id)
def test_drop_downs_pass_the_gate(tmp_path, capsys, the_campaign):
    day = dt.datetime.combine(the_campaign.job_fairs.window.start, dt.time()) + dt.timedelta(days=20)

    def results(book):
        return [[county, None, f"第{i}场", day, "现场", 10, 100, 500, 50, 120, 20, "人社局", day]
                for i, county in enumerate(options(book, "县(市、区)选项"))]

    rows, out = filled(tmp_path, capsys, "fair_results", the_campaign, FAIR_RESULTS, results)
    assert out["rows"] == out["valid"] == len(rows) and out["problems"] == []
