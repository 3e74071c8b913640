"""The subsidy claims return (补助申领核验表): checked against the roster and the payments the system keeps; each
mistake quarantines its row with a reason the county can act on, never showing a whole ID number; a person is paid
once a year across counties."""

from __future__ import annotations

import pandas as pd
import pytest

from chunnuan.config import campaign
from chunnuan.intake.kinds.subsidy_claims import KIND
from chunnuan.subsidy import register
from tests.support.claims import NOT_ELIGIBLE, claim_row, claimant_id, publish_small_roster
from tests.support.jobs import check, one_bad
from tests.support.rows import make_id

GX, SD = campaign.load("guangxi-2024"), campaign.load("shandong-2024")


@pytest.fixture(autouse=True)
def roster(chunnuan_home):
    publish_small_roster(GX.id)


BAD = {
    "not_surveyed": ({"身份证号": make_id("450821", seq=999)}, "not_eligible", "不在需求摸排数据中"),
    "works_in_province": ({"身份证号": claimant_id(NOT_ELIGIBLE)}, "not_eligible",
                          "不符合补助条件：在本省内务工，非跨省就业"),
    "amount": ({"发放金额(元)": "800"}, "amount_wrong", "发放金额「800」元与补助标准不符：该人务工地属「邻省」档，应为 500 元"),
    "unverified_paid": ({"核验通过": "否", "证明材料": ""}, "claim_unverified_paid", "核验未通过，不能发放"),
    "no_evidence": ({"证明材料": ""}, "missing", "核验通过的须填写「证明材料」"),
    "evidence_word": ({"证明材料": "口头说明"}, "choice_invalid", "「证明材料」只能填 用工单位证明 / 劳动合同"),
    "paid_before_posted": ({"公示日期": "2024-03-20"}, "date_order", "「发放日期」早于「公示日期」"),
    "not_posted": ({"公示日期": ""}, "missing", "已发放的须填写「公示日期」"),
    "no_amount": ({"发放金额(元)": ""}, "missing", "已发放的须填写「发放金额(元)」"),
    "checksum": ({"身份证号": claimant_id(2)[:-1] + ("0" if claimant_id(2)[-1] != "0" else "1")}, "id_checksum",
                 "身份证号校验位不对"),
    "year": ({"申领年度": "去年"}, "count_invalid", "「申领年度」应为 2000 至 2099 的整数"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_each_mistake_is_quarantined_row_by_row_with_its_reason(tmp_path, case):
    change, code, reason = BAD[case]
    result = check(tmp_path, KIND, one_bad(claim_row, change), GX)

    assert result.error is None
    assert result.counts == {"rows": 6, "valid": 5, "quarantined": 1, "duplicates": 0}
    [problem] = result.problems[result.problems["code"] == code].to_dict(orient="records")
    assert problem["row"] == 3 and reason in problem["reason"]
    assert claimant_id(2) not in str(result.summary())


def test_a_claim_checked_but_not_paid_needs_no_dates_or_amount(tmp_path):
    unpaid = {"公示日期": "", "发放日期": "", "发放金额(元)": ""}
    result = check(tmp_path, KIND, one_bad(claim_row, unpaid), GX)
    assert result.counts["valid"] == 6
    assert result.valid["paid_on"].isna().sum() == 1 and result.valid["band"].eq("邻省").all()


def test_a_person_is_paid_once_a_year_across_counties(tmp_path):
    """Another county paid claimant 2 for 2024: this county's paid row for 2024 is quarantined, naming who paid;
    2025, or the county's own earlier payment (which its new return replaces), are fine."""
    register.write_paid(GX.id, pd.DataFrame({"id_number": [claimant_id(2), claimant_id(3)], "claim_year": [2024, 2024],
                                             "county_code": ["450881", "450821"],
                                             "paid_on": pd.to_datetime(["2024-03-10", "2024-03-12"])}))
    rows = [claim_row(n) for n in range(1, 7)] + [claim_row(2, 申领年度="2025", 发放日期="2025-03-15",
                                                            公示日期="2025-03-01")]
    result = check(tmp_path, KIND, rows, GX)

    assert result.counts == {"rows": 7, "valid": 6, "quarantined": 1, "duplicates": 0}
    [problem] = result.problems.to_dict(orient="records")
    assert problem["row"] == 3 and problem["code"] == "paid_twice"
    assert "2024 年度的补助已由贵港市桂平市（2024-03-10）发放，每人每年限 1 次" in problem["reason"]


def test_two_counties_paying_one_person_in_one_run_keep_the_first(tmp_path):
    from chunnuan.intake.gate import check_submissions
    from tests.support.jobs import write_rows

    pingnan = write_rows(tmp_path / "平南.csv", KIND.schema, [claim_row(n) for n in range(1, 6)])
    guiping = write_rows(tmp_path / "桂平.csv", KIND.schema,
                         [claim_row(n, **{"户籍县(市、区)": "贵港市桂平市"}) for n in (1, 6, 7, 8)])
    first, second = check_submissions([pingnan, guiping], GX, "pandas", kind=KIND)
    assert first.counts["quarantined"] == 0
    assert second.problems[["row", "code"]].values.tolist() == [[2, "paid_twice"]]


def test_a_campaign_without_the_subsidy_says_so(tmp_path):
    result = check(tmp_path, KIND, [claim_row(1)], SD)
    assert "未设跨省就业交通补助" in " ".join(result.problems["reason"])
