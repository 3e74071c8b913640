"""拼车 figures for the dashboard, from the published charter plan's summary (planner.pool.pool_plan's
figures: pooled trips, their stops, riders chartered thanks to pooling; planner.floor's referral_floor, the
referred no coach under the rules could carry; the report's e-mail template reads the same keys). Plans made
before pooling, or with pooling off, have none: every figure is then 0."""

from __future__ import annotations

FIGURES = ("pooled_trips", "pooled_stops", "pooled_riders", "pooled_cost", "referral_floor")


def figures(plan: dict | None) -> dict:
    """{pooled_trips, pooled_stops, pooled_riders, pooled_cost, referral_floor} of a plan summary (0 when none)."""
    plan = plan or {}
    return {k: (float(plan.get(k) or 0) if k == "pooled_cost" else int(plan.get(k) or 0)) for k in FIGURES}
