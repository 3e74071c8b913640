"""The shared rule builders: each passes what it should and fails the rest, with the reason's exact text."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from chunnuan.config.campaign import DateRange
from chunnuan.intake import expectations as quality
from chunnuan.intake import rules
from chunnuan.intake.schema import Column

WINDOW = DateRange(start=dt.date(2024, 2, 1), end=dt.date(2024, 2, 29))


def failing(check: rules.Check, values) -> list[int]:
    """Positions the check fails, by both engines (they must agree)."""
    frame = pd.DataFrame({check.column: values})
    by_pandas = quality.failing_rows_pandas(frame, [check])[check.key].tolist()
    by_gx = quality.failing_rows_gx(frame, [check], "rules")[check.key].tolist()
    assert by_pandas == by_gx
    return by_pandas


def test_required_checks_skip_optional_and_skipped_columns():
    columns = (Column("a", "甲"), Column("b", "乙", required=False), Column("c", "丙"))
    [check] = rules.required_checks(columns, skip=("c",))
    assert (check.code, check.field, check.column) == ("missing", "a", "a")
    assert failing(check, pd.Series(["x", None], dtype="string")) == [1]
    assert check.reason(None, {}) == "「甲」未填写"


def test_date_check_fails_only_unreadable_dates():
    typed = pd.Series(["2024-02-18", "明天", None], dtype="string")
    parsed = pd.Series(pd.to_datetime(["2024-02-18", None, None]))
    ok = rules.read_ok(parsed, typed)
    assert ok.tolist() == [True, False, pd.NA]
    check = rules.date_check("travel_date", "_ok", "计划出行日期", "2024-02-18")
    assert check.code == "date_invalid" and failing(check, ok) == [1]
    assert check.reason("明天", {}) == "「计划出行日期」无法识别：「明天」，请写成 2024-02-18 这样的日期"


def test_window_check_keeps_the_days_of_the_window_and_names_it():
    dates = pd.Series(pd.to_datetime(["2024-01-31", "2024-02-01", "2024-02-29", "2024-03-01", None]))
    days = rules.day_numbers(dates)
    assert days.iloc[1] == rules.day_number(dt.date(2024, 2, 1)) == 19754
    check = rules.window_check("fair_date", "_day", "举办日期", "春风行动招聘会时段", WINDOW)
    assert check.code == "date_out_of_window" and failing(check, days) == [0, 3]
    assert check.reason("2024-03-01", {}) == f"举办日期「2024-03-01」不在春风行动招聘会时段（{WINDOW.label()}）内"


def test_window_check_may_accept_days_after_the_window_still_naming_the_window():
    days = rules.day_numbers(pd.Series(pd.to_datetime(["2024-03-05", "2024-03-06"])))
    check = rules.window_check("as_of", "_day", "截至日期", "本次行动时段", WINDOW, last=dt.date(2024, 3, 5))
    assert failing(check, days) == [1]
    assert WINDOW.label() in check.reason("2024-03-06", {})


def test_order_check():
    first = pd.Series(pd.to_datetime(["2024-02-01", "2024-02-05", None]))
    last = pd.Series(pd.to_datetime(["2024-02-01", "2024-02-04", "2024-02-04"]))
    ordered = rules.in_order(first, last)
    assert ordered.tolist() == [True, False, pd.NA]
    check = rules.order_check("date_to", "_ordered", "结束日期", "开始日期")
    assert check.code == "date_order" and failing(check, ordered) == [1]
    assert check.reason("2024-02-04", {}) == "「结束日期」早于「开始日期」"


def test_count_check_bounds_are_inclusive_and_unreadable_fails():
    typed = pd.Series(["0", "15", "16", "三", None], dtype="string")
    values = pd.Series([0, 15, 16, -1, 0])  # small_int: unreadable -1, blank the default
    counts = rules.unless_blank(values, typed)
    assert counts.tolist() == [0, 15, 16, -1, pd.NA]
    check = rules.count_check("per_day", "每日可派车辆数", 0, 15)
    assert (check.code, check.column) == ("count_invalid", "_per_day")
    assert failing(check, counts) == [2, 3]
    assert check.reason("16", {}) == "「每日可派车辆数」应为 0 至 15 的整数，实际为「16」"
    own = rules.count_check("flex_days", "可提前或推迟天数", 0, 15, column="flex_days", code="flex_invalid")
    assert (own.code, own.column, own.key) == ("flex_invalid", "flex_days", "flex_invalid:flex_days")


def test_at_most_check():
    part, whole = pd.Series([5, 6, -1, 3]), pd.Series([5, 5, 5, -1])
    within = rules.at_most(part, whole)
    assert within.tolist() == [True, False, pd.NA, pd.NA]
    check = rules.at_most_check("completed", "_within", "结业人数", "enrolled", "报名人数")
    assert check.code == "count_inconsistent" and failing(check, within) == [1]
    assert check.reason(6, {"enrolled": 5}) == "结业人数 6 多于报名人数 5"


def test_choice_check_lists_the_columns_choices():
    column = Column("mode", "形式", choices=("现场", "直播带岗", "线上"))
    check = rules.choice_check(column)
    assert (check.code, check.field, check.column) == ("choice_invalid", "mode", "mode")
    assert failing(check, pd.Series(["现场", "户外", None, "线上"], dtype="string")) == [1]
    assert check.reason("户外", {}) == "「形式」只能填 现场 / 直播带岗 / 线上，实际为「户外」"


def test_uscc_check():
    check = rules.uscc_check()
    assert (check.code, check.field, check.column) == ("uscc_invalid", "uscc", "_uscc_ok")
    assert failing(check, pd.Series([True, False, pd.NA], dtype="boolean")) == [1]
    assert check.reason("X", {}) == "统一社会信用代码「X」校验不通过，请与营业执照逐位核对"


@pytest.mark.parametrize(("province", "value", "reason"), [
    ("广西壮族自治区", "平南县", None),
    ("山东省", "市中区", "县(市、区)「市中区」在山东省有重名，请写明所属市，如「某某市市中区」"),
    ("广西壮族自治区", "历下区", "县(市、区)「历下区」是山东省的县(市、区)，不是广西壮族自治区的"),
    ("广西壮族自治区", "平南乡", "县(市、区)「平南乡」不是广西壮族自治区的县(市、区)，请按行政区划全称填写，如「南宁市兴宁区」"),
    ("山东省", "平南乡", "县(市、区)「平南乡」不是山东省的县(市、区)，请按行政区划全称填写，如「济南市历下区」"),
])
def test_county_check_says_why_a_county_did_not_resolve(province, value, reason):
    from chunnuan.config import divisions
    from chunnuan.intake.places import county_ok, county_status

    _, status = county_status(pd.Series([value], dtype="string"), divisions.province(province))
    check = rules.county_check("county", province, "县(市、区)")
    assert (check.code, check.column) == ("county_unknown", "_county_ok")
    assert failing(check, county_ok(status)) == ([] if reason is None else [0])
    if reason is not None:
        assert check.reason(value, {}) == reason
