"""人数不足 that no plan can avoid: riders whom no coach meeting the campaign's rules could carry.

A coach carrying rider i on day t carries at least the smallest coach's minimum load, all on that day and
each one sharing the coach with i. Two riders share a coach only if their legs do: the same route, or a
two-leg route, pickups first, meeting both detour limits and the crew's day (`pool.together` with hours) —
a pooled coach's route through more stops only lengthens both riders' rides and the day (road km is a
metric). And every rider on that coach is carried on day t, so a rider whom no coach could carry on day t
is no one's mate that day. So, counting every rider the plan has to place (whatever their status), the
referred ones are peeled day by day until nothing changes; a rider who is peeled on every day of the window
is carried by no plan: a floor on the riders referred for too few, valid for any plan under the rules, and
the measure of what pooling could still do. Carriers' coaches, the cost limit and conflicts between riders
are left out (and riders the plan carries are never peeled), so the floor is low, never high.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse

from chunnuan.config.campaign import Campaign
from chunnuan.planner.demand import Riders
from chunnuan.planner.model import STATUS_REFERRED
from chunnuan.planner.pool import route_legs, together

MAX_PAIRS = 50_000_000  # leftover legs × legs beyond which the floor is not computed (the 1M bench stays below it)


def uncarriable(net, assignments: pd.DataFrame, reason: str, campaign: Campaign, everyone: Riders | None = None,
                min_load: np.ndarray | None = None) -> np.ndarray | None:
    """The rows of the riders the assignments refer for `reason` (rows of `net.riders.frame`) whom no coach under
    the rules could carry; None when the province is too large to check in reasonable time. With rail offers,
    what the rail step took is given back: `everyone`, all the riders who could share a coach (those on trains
    too; routes numbered alike), and `min_load`, the sizes' minimum loads in the whole fleet (feeders included:
    a plan without that feeder could use its coach)."""
    min_load = net.min_load if min_load is None else min_load
    referred = np.flatnonzero(((assignments["status"] == STATUS_REFERRED) & (assignments["reason"] == reason)).to_numpy())
    if not len(referred) or not len(min_load):  # no coach at all: nobody can be carried
        return referred
    frame, others = net.riders.frame, (everyone if everyone is not None else net.riders).frame
    placed = others[others["reason"] == ""]  # every rider a plan has to place
    used = np.unique(placed["route"].to_numpy())
    their_leg = np.searchsorted(used, frame["route"].to_numpy()[referred])
    legs_referred = np.unique(their_leg)
    if len(legs_referred) * len(used) > MAX_PAIRS:
        return None
    days = net.riders.days
    everybody = _on_day(np.searchsorted(used, placed["route"].to_numpy()), placed, len(used), days)
    peelable = _on_day(their_leg, frame.iloc[referred], len(used), days)
    legs = route_legs(net.riders.routes.iloc[used], campaign)
    mates = [_mates(legs, int(a), campaign) for a in legs_referred]
    share = sparse.csr_matrix((np.ones(sum(map(len, mates))), np.concatenate(mates),
                               np.cumsum([0, *map(len, mates)])), shape=(len(legs_referred), len(used)))
    fewest = int(min_load.min())
    can = np.ones((len(used), days), dtype=bool)  # (leg, day): its referred riders could still be on a coach
    while True:  # a rider no coach could carry on a day is no one's mate that day: peel until nothing changes
        could = share @ (everybody - peelable * ~can)
        now = could >= fewest
        if (now == can[legs_referred]).all():
            break
        can[legs_referred] = now
    start, deadline = frame["start"].to_numpy().astype(np.int64), frame["deadline"].to_numpy().astype(np.int64)
    return np.array([i for i, a in zip(referred, their_leg, strict=True)
                     if not can[a, start[i] : deadline[i] + 1].any()], dtype=np.int64)


def _on_day(leg: np.ndarray, riders: pd.DataFrame, legs: int, days: int) -> np.ndarray:
    """(leg, day): riders whose window holds the day."""
    out = np.zeros((legs, days + 1), dtype=np.int64)
    np.add.at(out, (leg, riders["start"].to_numpy().astype(np.int64)), 1)
    np.add.at(out, (leg, riders["deadline"].to_numpy().astype(np.int64) + 1), -1)
    return np.cumsum(out, axis=1)[:, :days]


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
