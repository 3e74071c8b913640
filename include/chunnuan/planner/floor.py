"""人数不足 that no plan can avoid: riders whom no coach meeting the campaign's rules could carry.

A coach carrying rider i on day t carries at least the smallest coach's minimum load, all on that day and
each one sharing the coach with i. Two riders share a coach only if their legs do: the same route, or a
two-leg route, pickups first, meeting both detour limits and the crew's day (`pool.together` with hours) —
a pooled coach's route through more stops only lengthens both riders' rides and the day (road km is a
metric). So when, on every day of i's window, fewer than that minimum riders (i included, every rider the
plan has to place, whatever their status) could share with i, no plan carries i: a floor on the riders
referred for too few, valid for any plan under the rules, and the measure of what pooling could still do.
Carriers' coaches and other riders' conflicts are left out, so the floor is low, never high.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from chunnuan.config.campaign import Campaign
from chunnuan.planner.demand import Riders
from chunnuan.planner.model import STATUS_REFERRED
from chunnuan.planner.pool import route_legs, together

MAX_PAIRS = 50_000_000  # leftover legs × legs beyond which the floor is not computed (the 1M bench stays below it)


def uncarriable(net, assignments: pd.DataFrame, reason: str, campaign: Campaign, everyone: Riders | None = None
                ) -> np.ndarray | None:
    """The rows of the riders the assignments refer for `reason` (rows of `net.riders.frame`) whom no coach under
    the rules could carry; None when the province is too large to check in reasonable time. `everyone`: all the
    riders who could share a coach (with rail offers, those the rail step took too; routes numbered alike)."""
    referred = np.flatnonzero(((assignments["status"] == STATUS_REFERRED) & (assignments["reason"] == reason)).to_numpy())
    if not len(referred) or not len(net.min_load):  # no coach at all: nobody can be carried
        return referred
    frame, others = net.riders.frame, (everyone if everyone is not None else net.riders).frame
    placed = others[others["reason"] == ""]  # every rider a plan has to place
    used = np.unique(placed["route"].to_numpy())
    their_leg = np.searchsorted(used, frame["route"].to_numpy()[referred])
    if len(np.unique(their_leg)) * len(used) > MAX_PAIRS:
        return None
    days = net.riders.days
    on_day = np.zeros((len(used), days + 1), dtype=np.int64)  # per leg, riders whose window holds the day
    leg = np.searchsorted(used, placed["route"].to_numpy())
    np.add.at(on_day, (leg, placed["start"].to_numpy().astype(np.int64)), 1)
    np.add.at(on_day, (leg, placed["deadline"].to_numpy().astype(np.int64) + 1), -1)
    on_day = np.cumsum(on_day, axis=1)[:, :days]
    start, deadline = frame["start"].to_numpy().astype(np.int64), frame["deadline"].to_numpy().astype(np.int64)
    legs = route_legs(net.riders.routes.iloc[used], campaign)
    fewest = int(net.min_load.min())
    out = []
    for a in np.unique(their_leg):
        could = on_day[_mates(legs, int(a), campaign)].sum(axis=0)
        for i in referred[their_leg == a]:
            if could[start[i] : deadline[i] + 1].max() < fewest:
                out.append(i)
    return np.array(out, dtype=np.int64)


def _mates(legs, a: int, campaign: Campaign) -> np.ndarray:
    """Leg a and the legs whose riders could share a coach with its riders (the same route always can)."""
    rules = campaign.transport.pooling
    if rules is None or not rules.enabled:
        return np.array([a])
    o, q = legs.origin, legs.destination
    everyone = np.arange(len(o))
    others = everyone[(everyone != a) & (o != q[a]) & (q != o[a])
                      & ((o == o[a]) | (rules.max_pickups > 1)) & ((q == q[a]) | (rules.max_drops > 1))]
    return np.concatenate([[a], others[together(legs, a, others, rules, hours=True)]])
