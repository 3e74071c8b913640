"""The parts the report's summary is made of, as pure functions: each department's reporting this period,
the change between two report versions, and the two sources side by side against the tolerance."""

from __future__ import annotations

import datetime as dt
import math
from types import SimpleNamespace

import pandas as pd
import pytest

from chunnuan.config import campaign
from chunnuan.report import departments, reconcile, versions
from chunnuan.report.steps import COUNTY_FIGURES

GX = campaign.load("guangxi-2024")
AS_OF = dt.date(2024, 2, 23)


def reported(*rows: tuple[str, str, str]) -> pd.DataFrame:
    return pd.DataFrame([{"department": d, "item_code": i, "latest": dt.date.fromisoformat(day), "areas": 1}
                         for d, i, day in rows], columns=["department", "item_code", "latest", "areas"])


def test_department_status_this_period():
    table = departments.status(GX, reported(
        ("工会", "care", "2024-02-23"), ("工会", "health", "2024-02-17"),  # both in the 7 days to 02-23
        ("司法", "legal_aid", "2024-02-16"),  # a week old: silent this period
        ("公安", "safety", "2024-02-20")), AS_OF).set_index("department")

    assert departments.period_label(AS_OF) == "2024-02-17至2024-02-23"
    assert table.loc["工会", "status"] == departments.REPORTED and table.loc["工会", "not_reported"] == []
    assert table.loc["司法", "status"] == departments.SILENT and table.loc["司法", "latest"] == "2024-02-16"
    assert table.loc["公安", "status"] == departments.REPORTED  # answers for two figures of 送安全保障 only
    hr = table.loc["自治区人力资源社会保障厅"]
    assert hr["status"] == departments.NEVER and hr["latest"] == "" and len(hr["not_reported"]) == 7
    assert table.loc["铁路", "email"] == "" and table.loc["铁路", "items"] == ["送出行保障"]
    assert set(departments.silent(table.reset_index())) == {
        d.name for d in GX.departments} - {"工会", "公安"}


def test_changes_are_the_difference_of_two_versions():
    history = pd.DataFrame([
        {"version": "weekly-2024-W06", "kind": "weekly", "as_of": dt.date(2024, 2, 9),
         **dict.fromkeys(versions.HEADLINE, 10)},
        {"version": "weekly-2024-W07", "kind": "weekly", "as_of": dt.date(2024, 2, 16),
         **{k: 10 + n for n, k in enumerate(versions.HEADLINE)}},
        {"version": "final", "kind": "final", "as_of": dt.date(2024, 3, 8), **dict.fromkeys(versions.HEADLINE, 5)}])

    week7 = versions.changes(history, "weekly-2024-W07")
    assert week7["since"] == "weekly-2024-W06"
    assert [r["change"] for r in week7["rows"]] == list(range(len(versions.HEADLINE)))
    final = versions.changes(history, "final")
    assert final["since"] == "weekly-2024-W07" and final["rows"][1]["change"] == 5 - 11
    assert versions.changes(history, "weekly-2024-W06") is None  # the first has nothing before it
    assert versions.changes(history.iloc[:1], "weekly-2024-W06") is None


def services(**typed: float) -> pd.DataFrame:
    rows = [{"item_code": i.code, "figure_code": f.code, "item_name": i.name, "figure_name": f.name, "unit": f.unit,
             "total": typed.get(f.code, math.nan), "areas": int(f.code in typed)}
            for i in GX.service_items for f in i.figures]
    return pd.DataFrame(rows)


@pytest.mark.parametrize("typed, named", [(105, False), (106, True), (94, True), (95, False)])
def test_gaps_beyond_the_tolerance_are_named(typed, named):
    system = dict.fromkeys(reconcile.SYSTEM_LABELS, 100)
    gaps = reconcile.table(GX, services(charter_passengers=typed, job_fairs=100), system).set_index("figure_name")

    assert GX.report.tolerance == 0.05
    assert list(gaps.index) == [f.name for i in GX.service_items for f in i.figures if f.counterpart]
    row = gaps.loc["点对点运送农民工"]
    assert (row["typed"], row["system"], row["gap"], bool(row["beyond"])) == (typed, 100, typed - 100, named)
    assert not gaps.loc["专场招聘会(直播带岗)场次", "beyond"]
    assert math.isnan(gaps.loc["培训人次", "typed"]) and not gaps.loc["培训人次", "beyond"]  # nobody reported it
    lines = reconcile.lines(GX, gaps.reset_index())
    assert len(lines) == int(named)
    if named:
        assert (f"部门填报 {typed} 人，点对点包车运送人数（包车回执实际乘车，未交回执车次按计划计） 100 人，"
                f"相差 {typed - 100:+d}%") in lines[0]


def test_a_figure_the_system_has_none_of_is_named():
    gaps = reconcile.table(GX, services(job_fairs=3), dict.fromkeys(reconcile.SYSTEM_LABELS, 0))
    [line] = reconcile.lines(GX, gaps)
    assert "专场招聘会(直播带岗)场次」部门填报 3 场" in line and "系统无记录" in line


def test_system_values_are_the_riders_carried_and_the_subsidies_paid():
    """运送 is the returns' figure (boarded + riders of trips not returned), not the plan's; the subsidy pair is
    the people the claims returns paid, and only where the campaign pays the subsidy."""
    province = dict.fromkeys(COUNTY_FIGURES, 0) | {"chartered": 120, "boarded": 90, "not_returned": 20,
                                                   "transported": 110, "fairs_held": 3}
    subsidy = pd.DataFrame({"county_code": ["450821", "450881"], "paid": [7, 5], "paid_amount": [3500, 4000]})
    figures = SimpleNamespace(province=province, totals={"trips": 4}, subsidy=subsidy)

    values = reconcile.system_values(figures)
    assert set(values) == set(reconcile.SYSTEM_LABELS)
    assert (values["transported"], values["chartered"], values["trips"], values["subsidy_paid"]) == (110, 120, 4, 12)
    assert "subsidy_paid" not in reconcile.system_values(SimpleNamespace(province=province, totals={"trips": 4},
                                                                         subsidy=None))
    gaps = reconcile.table(GX, services(charter_passengers=110, travel_subsidies=14), values).set_index("figure_name")
    assert gaps.loc["点对点运送农民工", "gap"] == 0 and not gaps.loc["点对点运送农民工", "beyond"]
    paid = gaps.loc["发放跨省就业交通补助人数"]
    assert (paid["counterpart"], paid["system"], paid["gap"], bool(paid["beyond"])) == (
        "已发放交通补助人数（补助申领核验表）", 12, 2, True)
