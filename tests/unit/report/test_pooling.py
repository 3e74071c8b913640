"""拼车 figures for the dashboard, from a real pooled plan's summary."""

from __future__ import annotations

from chunnuan.planner import plan
from chunnuan.report import pooling
from tests.unit.planner.support import GX, make_fleet
from tests.unit.planner.test_pool import DONGGUAN, GUIPING, PINGNAN, riders


def test_pooled_figures_come_from_the_plan_summary():
    result = plan(riders([(PINGNAN, DONGGUAN, 8, 0, 0), (GUIPING, DONGGUAN, 8, 0, 0)]), make_fleet({19: 2}), GX,
                  workers=1)
    got = pooling.figures(result.summary)
    pooled = result.trips[result.trips["stops"] != ""]
    assert got == {"pooled_trips": len(pooled), "pooled_stops": len(result.stops),
                   "pooled_riders": int(pooled["passengers"].sum()), "pooled_cost": float(pooled["cost"].sum()),
                   "referral_floor": 0}
    assert got["pooled_trips"] == 1 and got["pooled_riders"] == 16
    assert pooling.figures(None) == dict.fromkeys(pooling.FIGURES, 0)
