"""The plan gate (planner.gate): a good plan passes, each broken rule is named; kept trips of a re-plan."""

from __future__ import annotations

import dataclasses

from chunnuan.planner import plan
from chunnuan.planner.gate import check_plan, plan_markdown
from chunnuan.planner.replan import replan
from chunnuan.synth import charter as synthetic
from tests.unit.planner.support import GX, replan_case


def test_gate_passes_a_plan_and_names_each_broken_rule():
    requests = synthetic.requests(GX, 20_000, seed=8)
    fleet = synthetic.fleet(GX, 20_000, seed=8)
    result = plan(requests, fleet, GX, workers=1)
    assert result.summary["trips"] > 0 and check_plan(requests, fleet, result, GX) == []
    assert "费用 / 下界" in plan_markdown(result, GX)

    trips = result.trips.copy()
    trips.loc[0, "passengers"] = trips.loc[0, "seats"] + 1
    a = result.assignments.copy()
    a.loc[a.index[-1], "status"] = "未定"
    broken = dataclasses.replace(result, trips=trips, assignments=a)
    problems = "\n".join(check_plan(requests, fleet, broken, GX))
    assert "超员车次" in problems and "既未安排包车也未转集中购票" in problems
    assert "与名单人数不一致" in problems


def test_gate_rejects_kept_trips_that_differ_from_the_published_ones():
    _, published, fleet, after, *_ = replan_case()
    result = replan(after, fleet, GX, published, workers=1)
    trips = result.trips.copy()
    kept = trips.index[trips["change"] == "kept"]
    other = next(c.uscc for c in fleet.carriers if c.uscc != trips.loc[kept[0], "carrier_uscc"])
    trips.loc[kept[0], "carrier_uscc"] = other
    added = trips.index[trips["change"] == "added"]
    if len(added):
        trips.loc[added[0], "trip_id"] = published.trips["trip_id"].iloc[-1]
    problems = "\n".join(check_plan(after, fleet, dataclasses.replace(result, trips=trips), GX, published))
    assert "标记为保留的车次与已发布方案不一致" in problems
    assert not len(added) or "新增车次使用了已发布车次的编号" in problems
    assert "没有已发布方案" in "\n".join(check_plan(after, fleet, result, GX))
