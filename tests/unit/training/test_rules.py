"""Training compliance rules on crafted counties, for both campaign configurations."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from chunnuan.config import campaign
from chunnuan.training.rules import COMPLIANT, LATE, NO_CLASS, SHORT, compliance, dispatch_peaks, trade_gaps

GX, SD = campaign.load("guangxi-2024"), campaign.load("shandong-2024")
PEAK = dt.date(2024, 2, 18)
OK, MISSING, LATE_C, SHORT_C, NO_TRIP = "450821", "450881", "450802", "450803", "450804"


def classes(*rows) -> pd.DataFrame:
    columns = ["county_code", "class_name", "class_type", "trade", "start_date", "places", "enrolled", "completed"]
    frame = pd.DataFrame(rows, columns=columns)
    frame["start_date"] = pd.to_datetime(frame["start_date"])
    return frame


def demand(*rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["county_code", "trade", "people"])


CLASSES = classes(
    (OK, "电工一期", "送工前", "电工", "2024-02-05", 50, 40, 0),
    (OK, "家政班", "其他", "家政服务员", "2024-03-01", 30, 10, 0),
    (LATE_C, "焊工班", "送工前", "焊工", "2024-02-16", 60, 50, 0),  # peak 02-18 - 3 days = 02-15: one day late
    (SHORT_C, "电工班", "送工前", "电工", "2024-02-01", 20, 20, 0),
    (NO_TRIP, "茶艺班", "送工前", "茶艺师", "2024-03-05", 20, 5, 0),
)
DEMAND = demand((OK, "电工", 40), (OK, "家政服务员", 30), (SHORT_C, "电工", 35), (SHORT_C, "焊工", 5),
                (MISSING, "焊工", 12))  # SHORT_C's 5 welders: under min_trade_demand (10), served by city classes
PEAKS = {code: PEAK for code in (OK, MISSING, LATE_C, SHORT_C)}  # NO_TRIP: nobody leaves after the festival


def table(the_campaign=GX, counties=(OK, MISSING, LATE_C, SHORT_C, NO_TRIP)) -> pd.DataFrame:
    return compliance(the_campaign, list(counties), CLASSES, DEMAND, PEAKS).set_index("county_code")


def texts(row) -> list[str]:
    return [f.text for f in row.findings]


def test_guangxi_statuses_and_what_each_reminder_says():
    t = table()

    assert t["status"].to_dict() == {OK: COMPLIANT, MISSING: NO_CLASS, LATE_C: LATE, SHORT_C: SHORT, NO_TRIP: COMPLIANT}
    assert t.loc[OK, "findings"] == []
    [missing, short_weld] = t.loc[MISSING, "findings"]
    assert missing.rule == "pre_dispatch_class" and missing.due == dt.date(2024, 2, 15)
    assert "应至少 1 期，目前报送 0 期" in missing.text and "2024-02-15 前开班" in missing.text
    assert short_weld.text.startswith("「焊工」培训需求 12 人，计划名额 0 个，缺 12 个")  # both listed; status is the worst
    [late] = t.loc[LATE_C, "findings"]
    assert late.key == "before_dispatch_peak:2024-02-18" and "「焊工班」02月16日" in late.text
    assert [f.key for f in t.loc[SHORT_C, "findings"]] == ["places_cover_demand:电工"]
    assert "缺 15 个" in texts(t.loc[SHORT_C])[0]


def test_figures_per_county():
    t = table()
    assert t.loc[OK, ["classes", "pre_dispatch_classes", "places", "enrolled", "demand"]].tolist() == [2, 1, 80, 50, 70]
    assert t.loc[MISSING, ["classes", "places", "demand"]].tolist() == [0, 0, 12]
    assert t.loc[NO_TRIP, "dispatch_peak"] is None


def test_without_a_dispatch_peak_the_due_date_is_the_report_deadline():
    lonely = compliance(GX, ["450805"], CLASSES.iloc[:0], DEMAND.iloc[:0], {})
    [finding] = lonely.loc[0, "findings"]
    assert finding.due == GX.report.deadline and lonely.loc[0, "status"] == NO_CLASS


def test_shandong_sets_no_class_count_but_checks_places_and_timing():
    t = table(SD)
    assert t["status"].to_dict() == {OK: COMPLIANT, MISSING: SHORT, LATE_C: LATE, SHORT_C: SHORT, NO_TRIP: COMPLIANT}
    assert all(f.rule != "pre_dispatch_class" for fs in t["findings"] for f in fs)


def test_a_later_second_class_does_not_make_an_early_one_late():
    both = pd.concat([CLASSES, classes((LATE_C, "焊工二期", "送工前", "焊工", "2024-02-10", 40, 0, 0))])
    t = compliance(GX, [LATE_C], both, DEMAND, PEAKS).set_index("county_code")
    assert t.loc[LATE_C, "status"] == COMPLIANT


@pytest.mark.parametrize("needed, status", [(1, COMPLIANT), (2, NO_CLASS)])
def test_class_count_is_configuration(needed, status):
    rules = GX.training.model_copy(update={"min_pre_dispatch_classes_per_county": needed})
    t = compliance(GX.model_copy(update={"training": rules}), [OK], CLASSES, DEMAND, PEAKS)
    assert t.loc[0, "status"] == status


def test_dispatch_peak_is_the_busiest_day_earliest_on_ties():
    days = pd.DataFrame({"county_code": ["A", "A", "A", "B", "B"],
                         "day": ["2024-02-20", "2024-02-18", "2024-02-19", "2024-02-21", "2024-02-17"],
                         "people": [30, 30, 10, 5, 9]})
    assert dispatch_peaks(days) == {"A": dt.date(2024, 2, 18), "B": dt.date(2024, 2, 17)}
    assert dispatch_peaks(days.iloc[:0]) == {}


def test_trade_gaps_list_only_shortfalls_of_trades_with_enough_demand():
    gaps = trade_gaps(GX, CLASSES, DEMAND)
    assert gaps[["county_code", "trade", "demand", "places", "short"]].values.tolist() == [
        [SHORT_C, "电工", 35, 20, 15], [MISSING, "焊工", 12, 0, 12]]  # by county code
    every_trade = GX.model_copy(update={"training": GX.training.model_copy(update={"min_trade_demand": 1})})
    assert [SHORT_C, "焊工", 5, 0, 5] in trade_gaps(every_trade, CLASSES, DEMAND)[
        ["county_code", "trade", "demand", "places", "short"]].values.tolist()
