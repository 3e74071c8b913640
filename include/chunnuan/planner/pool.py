"""拼车: pooled coach trips for the riders the route plan leaves without a coach (too few on their route).

A pooled trip runs on one day; it picks up in up to `max_pickups` counties and drops in up to
`max_drops` cities (返乡: the reverse), every pickup before every drop: a corridor coach, which may
collect across prefectures along its way. A rider may board one when their origin is a pickup, their
destination a drop, the day inside their own window, and their ride along the coach's route is at most
(1 + max_detour_ratio) × their direct distance. Consecutive pickups (drops) are at most `pickup_gap_km`
(`drop_gap_km`) apart, and the whole route — driving at `speed_kmh` plus `stop_minutes` at each stop
after the first — takes at most `max_route_hours` (drivers' hours, 三超一疲劳). Stops are ordered to keep
the route shortest (every order up to 3 × 3 stops, a sweep order beyond). The coach's seats, minimum
fill, two drivers over `long_route_km` (on the whole route), the carriers' daily coaches left after
the route plan, and the interprovincial permit (any stop in another province) hold as for any trip; a
route of more than two drivers' day (`DRIVER_HOURS` each) takes a third, paid as the second (`crew`).

Only riders referred for "人数不足最低发车人数" are pooled, so the route plan is unchanged where it
fills coaches — except that a pooled coach may absorb whole route trips on smaller coaches running that
day along its way (same riders, same day; their coach is freed), when a bigger, fuller coach carrying them
and leftovers costs less than they did. Cost per chartered rider never rises above the route plan's
plus the campaign's `max_extra_cost_per_rider` (0: no higher; `Budget`: every coach's cost, less the
trips it absorbs, is paid by that cost per rider for each new rider plus what earlier coaches saved). The search (`pool_riders`):
- legs = (origin, destination) routes with such riders (and absorbable trips); two legs are neighbours
  when a coach can carry both (the two-leg route meets every limit) — all pairs at once with numpy;
- greedy, lazily evaluated: for a (leg, day), grow a trip from the leg by adding the neighbour legs
  with most riders free that day while the whole route still meets the limits; take the (leg, day)
  whose trip carries most riders (an upper bound orders a heap, so few trips are grown) with the coach
  size and absorbed trips carrying most leftovers within the budget (`_best_option`); in passes
  (`STEPS`): coaches paying for themselves first, then dearer ones as the savings allow; then stops on
  route trips with spare seats (`fill_spare_seats`) with what is left of the budget;
- small instances (`EXACT_MAX_RIDERS`) are solved exactly with CP-SAT over every candidate trip
  (stop sets × days × sizes), within the budget: fewest referrals, then least cost (`pool_exact`); route
  trips untouched.

Lower bound: a rider of direct distance k rides a coach whose route is at least k long (distances are
great-circle × a factor: a metric), so a coach of seats s carrying them costs at least c_s(k); spread
over its seats, Σ_riders min_s c_s(k_rider) / s bounds the cost of any coach carrying them. The plan's
bound: the routes' own bounds for routes whose coaches are as planned, that per-rider bound for every
rider on a pooled coach or on a route whose trips were absorbed (`_pooled_bound`). Valid for plans that
charter the same riders; riders in a route coach's spare seats add nothing (its route's bound counts it).
"""

from __future__ import annotations

import heapq
import itertools
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from chunnuan.config import divisions
from chunnuan.config.campaign import Campaign, PoolingRules
from chunnuan.planner.demand import road_km_between
from chunnuan.planner.fleet import Fleet, coach_cost, per_seat_cost
from chunnuan.planner.model import ACTION_DROP, ACTION_PICKUP, STATUS_CHARTER, STATUS_REFERRED, STOP_COLUMNS

MAX_GROWS = 20000  # trips the greedy grows at most, all passes (the demo province stays below it) …
MAX_GROWS_MANY = 10000  # … and with more than ABSORB_ANY_MAX leftovers: bounds the time at 1M
ABSORB_ANY_MAX = 10000  # up to this many leftovers, route trips on any route may be absorbed; beyond, on theirs
MAX_SPARE_GROWS = 3000  # route coaches the spare-seat pass tries at most (most seats free first)
ACCEPT = 0.9  # a trip is taken when it carries this share of the best upper bound left (fewer re-grows)
GROW_CANDIDATES = 40  # a trip grows from the neighbour legs with most riders that day, this many at most
EXACT_MAX_RIDERS = 60  # leftovers up to this many are pooled exactly (CP-SAT); beyond, greedily
EXACT_MAX_LEGS = 8  # … on at most this many legs (every set of legs is a candidate)
EXACT_SECONDS = 10.0
STEPS = (0.0, 50.0, 200.0, np.inf)  # the greedy's passes (Budget.step, 元 per new rider)
DROP_PENALTY = 10**7  # per referred rider in the exact model: referrals first, then cost
EPS_KM = 1e-6
DRIVER_HOURS = 8  # 每名驾驶员24小时内累计驾驶不超过8小时（《道路旅客运输企业安全管理规范》）


@dataclass
class Legs:
    """The leftover riders' routes (legs) and the places they join."""

    origin: np.ndarray  # (L,) place index
    destination: np.ndarray  # (L,) place index
    km: np.ndarray  # (L,) direct road km
    codes: list[str]  # place index -> division code
    dist: np.ndarray  # (P, P) road km between places

    def __post_init__(self) -> None:
        self.near = self.dist.tolist()  # the same as lists: fast scalar look-ups in the stop-order search
        self.orders: dict = {}  # (pickups, drops) -> stop orders meeting the gaps, shortest first
        self._neighbours = None

    def neighbours(self, rules: PoolingRules) -> list[np.ndarray]:
        """`neighbours(self, rules)`, computed once (the greedy and the spare-seat pass share them)."""
        if self._neighbours is None:
            self._neighbours = neighbours(self, rules)
        return self._neighbours


@dataclass
class Geometry:
    """A pooled route: pickups then drops in driving order, km from the first stop at each."""

    pickups: tuple[int, ...]
    drops: tuple[int, ...]
    at_km: tuple[float, ...]

    @property
    def km(self) -> float:
        return self.at_km[-1]

    @property
    def positions(self) -> dict[int, int]:
        return {x: i for i, x in enumerate((*self.pickups, *self.drops))}

    def position(self, place: int, pickup: bool) -> int:
        return (self.pickups.index(place) if pickup else len(self.pickups) + self.drops.index(place))


@dataclass
class PooledTrip:
    day: int
    geometry: Geometry
    seats: int
    riders: list[int]  # rider indexes in the Leftovers (riders of absorbed route trips included)
    carrier: str = ""
    cost: float = 0.0
    trip_id: str = ""
    base: int = -1  # a route trip given stops for leftovers in its spare seats: its row in the trips
    base_riders: int = 0  # … and the riders it carried already (boarding at its origin)
    absorbed: list[int] = field(default_factory=list)  # route trips (rows) whose riders ride this coach instead


@dataclass
class Leftovers:
    """Riders to pool: leg, window (days), planned day; and the coaches left per (day, seats)."""

    leg: np.ndarray
    start: np.ndarray
    deadline: np.ndarray
    planned: np.ndarray
    legs: Legs
    seats: np.ndarray  # (K,) ascending
    min_load: np.ndarray  # (K,)
    cross_province: np.ndarray  # (P,) province code of each place
    days: int
    supply: dict = field(default_factory=dict)  # (day, seats) -> [[uscc, coaches left, permit], ...] best first
    base_leg: dict = field(default_factory=dict)  # row of a route trip with spare seats -> its leg
    # Riders of route trips a pooled coach may absorb whole (their coach is then freed): per rider the trip's
    # row, -1 for a leftover; per such trip (seats, carrier, cost, permit).
    block: np.ndarray | None = None
    blocks: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.block is None:
            self.block = np.full(len(self.leg), -1, dtype=np.int64)


BRUTE_FORCE_ORDERS = 36  # up to 3 pickups × 3 drops every order is tried; beyond, a sweep order


def route_geometry(pickups, drops, legs_od, legs: Legs, rules: PoolingRules) -> Geometry | None:
    """The shortest stop order meeting the gaps and every leg's detour limit; None when none is found.

    Every order of the pickups and of the drops is tried when there are at most BRUTE_FORCE_ORDERS;
    beyond, one sweep order: pickups farthest from the drops first, drops nearest the last pickup first."""
    if set(pickups) & set(drops):
        return None
    limit = 1 + rules.max_detour_ratio
    for geometry in _orders(tuple(sorted(pickups)), tuple(sorted(drops)), legs, rules):
        pos = geometry.positions
        at = geometry.at_km
        if all(at[pos[dst]] - at[pos[org]] <= limit * km + EPS_KM for org, dst, km in legs_od):
            return geometry
    return None


def _orders(pickups: tuple, drops: tuple, legs: Legs, rules: PoolingRules) -> list[Geometry]:
    """The stop orders meeting the gaps, shortest first (cached per stop set: trips grow alike every day)."""
    key = (pickups, drops)
    if key in legs.orders:
        return legs.orders[key]
    d = legs.near
    if _factorial(len(pickups)) * _factorial(len(drops)) <= BRUTE_FORCE_ORDERS:
        orders = itertools.product(itertools.permutations(pickups), itertools.permutations(drops))
    else:
        p = tuple(sorted(pickups, key=lambda x: (-sum(d[x][y] for y in drops), x)))
        orders = [(p, tuple(sorted(drops, key=lambda x: (d[p[-1]][x], x))))]
    n_p = len(pickups)
    gap_p, gap_d = rules.pickup_gap_km + EPS_KM, rules.drop_gap_km + EPS_KM
    found = []
    for p, q in orders:
        stops = (*p, *q)
        at = [0.0]
        for i in range(1, len(stops)):
            g = d[stops[i - 1]][stops[i]]
            if g > (gap_p if i < n_p else gap_d if i > n_p else np.inf):
                break
            at.append(at[-1] + g)
        else:
            if route_minutes(at[-1], len(stops), rules) <= rules.max_route_hours * 60 + EPS_KM:
                found.append(Geometry(p, q, tuple(at)))
    found.sort(key=lambda g: (g.km, g.pickups, g.drops))
    legs.orders[key] = found
    return found


def route_minutes(km: float, stops: int, rules: PoolingRules) -> float:
    """First pickup to last drop: driving at `speed_kmh` plus `stop_minutes` at each stop after the first."""
    return km / rules.speed_kmh * 60 + rules.stop_minutes * (stops - 1)


def _factorial(n: int) -> int:
    out = 1
    for i in range(2, n + 1):
        out *= i
    return out


def neighbours(legs: Legs, rules: PoolingRules) -> list[np.ndarray]:
    """Per leg, the other legs one coach might carry with it: their ends within reach (the gaps × the
    stops between) and a two-leg route meeting both legs' detour limits (gaps are checked as trips grow:
    stops in between may bridge them)."""
    n = len(legs.km)
    o, q, d = legs.origin, legs.destination, legs.dist
    out: list[np.ndarray] = []
    reach_p = rules.pickup_gap_km * max(rules.max_pickups - 1, 0)
    reach_d = rules.drop_gap_km * max(rules.max_drops - 1, 0)
    for a in range(n):
        b = np.flatnonzero((d[o[a], o] <= reach_p) & (d[q[a], q] <= reach_d) & (o != q[a]) & (q != o[a]))
        b = b[b != a]
        out.append(b[together(legs, a, b, rules)])
    return out


def together(legs: Legs, a: int, b: np.ndarray, rules: PoolingRules, hours: bool = False) -> np.ndarray:
    """Per leg of `b`: some order of leg a's and its pickup and drop (pickups first) meets both legs' detour
    limits and, with `hours`, the crew's day (`route_minutes`)."""
    o, q, d = legs.origin, legs.destination, legs.dist
    limit = 1 + rules.max_detour_ratio
    ok = np.zeros(len(b), dtype=bool)
    stops = 2 + (o[b] != o[a]) + (q[b] != q[a])  # places, not legs: a shared pickup is one stop
    for first_a, drop_a_first in itertools.product((True, False), repeat=2):
        p1, p2 = (o[a], o[b]) if first_a else (o[b], o[a])
        d1, d2 = (q[a], q[b]) if drop_a_first else (q[b], q[a])
        at_p2 = d[p1, p2]
        at_d1 = at_p2 + d[p2, d1]
        at_d2 = at_d1 + d[d1, d2]
        pos_oa, pos_ob = (0, at_p2) if first_a else (at_p2, 0)
        pos_qa, pos_qb = (at_d1, at_d2) if drop_a_first else (at_d2, at_d1)
        fits = (pos_qa - pos_oa <= limit * legs.km[a] + EPS_KM) & (pos_qb - pos_ob <= limit * legs.km[b] + EPS_KM)
        if hours:
            fits &= route_minutes(at_d2, stops, rules) <= rules.max_route_hours * 60 + EPS_KM
        ok |= fits
    return ok


def crew(km: float, campaign: Campaign) -> int:
    """Drivers a pooled coach needs: two over `long_route_km` (as any coach), and one per DRIVER_HOURS of driving."""
    rules = campaign.transport
    hours = km / rules.pooling.speed_kmh
    return max(2 if km > rules.long_route_km else 1, int(np.ceil(hours / DRIVER_HOURS - 1e-9)))


def trip_cost(campaign: Campaign, seats: int, km: float) -> float:
    """A coach's price on a route of `km` (fleet.coach_cost: the same rule as the route plan's costs), and each
    driver beyond the long-route rule's paid as the second (`crew`: a crew's day longer than 16 h driving)."""
    rules = campaign.transport
    extra = crew(km, campaign) - (2 if km > rules.long_route_km else 1)
    return float(coach_cost(campaign, seats, km)) + extra * rules.second_driver_cost


def _finite(per: np.ndarray) -> np.ndarray:
    """A rider no size prices (∞) adds nothing to the bound."""
    return np.where(np.isfinite(per), per, 0.0)


def _is_cross(left: Leftovers, geometry: Geometry) -> bool:
    return len({left.cross_province[p] for p in (*geometry.pickups, *geometry.drops)}) > 1


@dataclass
class _Search:
    """What the greedy steps share: per leg and day the riders still free, their neighbour legs."""

    cnt: np.ndarray  # (legs, days) free riders whose window holds the day
    free: np.ndarray  # (riders,) bool
    by_leg: list[np.ndarray]
    nbrs: list[np.ndarray]
    od: list[tuple[int, int, float]]

    @classmethod
    def start(cls, left: Leftovers, rules: PoolingRules, seated=()) -> _Search:
        legs = left.legs
        n_legs = len(legs.km)
        free = np.ones(len(left.leg), dtype=bool)
        free[list(seated)] = False
        cnt = np.zeros((n_legs, left.days + 1), dtype=np.int64)
        np.add.at(cnt, (left.leg[free], left.start[free]), 1)
        np.add.at(cnt, (left.leg[free], left.deadline[free] + 1), -1)
        order = np.argsort(left.leg, kind="stable")
        by_leg = np.split(order, np.searchsorted(left.leg[order], np.arange(1, n_legs)))
        return cls(np.cumsum(cnt, axis=1)[:, : left.days], free, by_leg,
                   legs.neighbours(rules),
                   [(int(legs.origin[a]), int(legs.destination[a]), float(legs.km[a])) for a in range(n_legs)])

    def seat(self, left: Leftovers, chosen: list[int]) -> None:
        for i in chosen:
            self.free[i] = False
            self.cnt[left.leg[i], left.start[i] : left.deadline[i] + 1] -= 1


@dataclass
class Budget:
    """Pooling keeps the plan's cost per chartered rider at most `per_rider` (the route plan's, plus the campaign's
    allowance): every coach taken adds its cost less the route coaches it absorbs, and `per_rider` for each new
    rider it carries; `left` is what the coaches taken so far saved below that (never negative)."""

    per_rider: float
    left: float = 0.0
    allowance: float = 0.0  # the campaign's part of `per_rider` (the greedy's passes step from the route plan's)
    step: float = 0.0  # the greedy's pass: a coach may cost at most this above the route plan's per new rider

    def passes(self):
        """The greedy's passes: coaches paying for themselves first (their savings fund the later ones)."""
        for self.step in STEPS:
            yield self.step

    def excess(self, cost: float, riders: int) -> float:
        return cost - self.per_rider * riders


@dataclass
class _Option:
    seats: int
    carrier: str
    cost: float
    new: int  # leftovers carried
    blocks: list[int]  # route trips absorbed (rows)
    excess: float


def _best_option(left: Leftovers, t: int, geometry: Geometry, new: int, blocks: list[tuple[int, int]],
                 campaign: Campaign, budget: Budget) -> _Option | None:
    """The coach for a trip on day t: most leftovers (`new` free), then least excess cost, within the budget.
    Route trips (row, riders) running that day along the route may ride it too (most costly per rider first):
    their coaches are freed, so a bigger coach carrying them and leftovers can cost less than they did."""
    cross = _is_cross(left, geometry)
    order = sorted(blocks, key=lambda b: (-left.blocks[b[0]][2] / b[1], b[0]))
    best = None
    for k, s in enumerate(left.seats.tolist()):
        cost = trip_cost(campaign, s, geometry.km)
        if not np.isfinite(cost):
            continue
        used, saved, taken = 0, 0.0, []
        for j in range(len(order) + 1):
            if j:
                row, n = order[j - 1]
                if used + n > s:
                    break
                used, saved, taken = used + n, saved + left.blocks[row][2], [*taken, row]
            carried = min(new, s - used)
            if used + carried < left.min_load[k] or (not carried and not taken):
                continue
            excess = budget.excess(cost - saved, carried)
            if excess > budget.left + EPS_KM or excess > (budget.step - budget.allowance) * carried + EPS_KM:
                continue
            key = (-carried, excess, s)
            if best is not None and key >= best[0]:
                continue
            reuse = next((r for r in taken if left.blocks[r][0] == s and (left.blocks[r][3] or not cross)), None)
            if reuse is None and not any(x[1] > 0 and (x[2] or not cross) for x in left.supply.get((t, s), [])):
                continue
            best = (key, _Option(s, left.blocks[reuse][1] if reuse is not None else "", cost, carried, taken, excess),
                    reuse, cross)
    if best is None:
        return None
    _, option, reuse, cross = best
    if reuse is None:
        slot = next(x for x in left.supply[(t, option.seats)] if x[1] > 0 and (x[2] or not cross))
        slot[1] -= 1
        option.carrier = slot[0]
    for row in option.blocks:  # the absorbed trips' coaches are free again that day (but the one reused)
        if row != reuse:
            seats, carrier, _, permit = left.blocks[row]
            left.supply.setdefault((t, seats), []).append([carrier, 1, permit])
    return option


def pool_greedy(left: Leftovers, campaign: Campaign, budget: Budget, spare: list[tuple], costs: np.ndarray
                ) -> tuple[list[PooledTrip], list[PooledTrip]]:
    """(new coaches, route trips given stops): coaches paying for themselves first, then coaches costing
    more per rider as their savings allow, then stops on route trips with spare seats with what is left.
    (Stops first did worse on the demo: route trips that could be absorbed into fuller coaches kept theirs.)"""
    s = _Search.start(left, campaign.transport.pooling)
    trips: list[PooledTrip] = []
    grows = [0 if (left.block < 0).sum() <= ABSORB_ANY_MAX else MAX_GROWS - MAX_GROWS_MANY]  # all passes together
    for _ in budget.passes():
        trips += _greedy_pass(left, campaign, budget, s, grows)
    absorbed = {b for p in trips for b in p.absorbed}
    added = fill_spare_seats(left, campaign, [x for x in spare if x[0] not in absorbed],
                             [i for p in trips for i in p.riders], costs, budget)
    return trips, added


def _greedy_pass(left: Leftovers, campaign: Campaign, budget: Budget, s: _Search, grown: list[int]) -> list[PooledTrip]:
    rules = campaign.transport.pooling
    legs = left.legs
    cap = int(left.seats.max())
    fewest = int(left.min_load.min())
    cnt, nbrs = s.cnt, s.nbrs
    heap = []
    for a in range(len(legs.km)):
        upper = cnt[a] + (cnt[nbrs[a]].sum(axis=0) if len(nbrs[a]) else 0)
        for t in np.flatnonzero(upper >= fewest):
            heap.append((-min(int(upper[t]), cap), a, int(t)))
    heapq.heapify(heap)
    trips: list[PooledTrip] = []
    dead: set[tuple[int, int]] = set()
    while heap and -heap[0][0] >= fewest and grown[0] < MAX_GROWS:
        _, a, t = heapq.heappop(heap)
        if (a, t) in dead or cnt[a, t] == 0:
            continue
        members, geometry, total = _grow(a, t, cnt, nbrs, s.od, legs, rules, cap)
        grown[0] += 1
        if total < fewest:
            continue
        if heap and total < ACCEPT * -heap[0][0]:
            heapq.heappush(heap, (-total, a, t))  # lazy: another (leg, day) may do better now
            continue
        pool = _free_on(left, members, t, s.free, s.by_leg)
        block = left.block[pool]
        option = _best_option(left, t, geometry, int((block < 0).sum()),
                              list(Counter(block[block >= 0].tolist()).items()), campaign, budget)
        if option is None:
            dead.add((a, t))
            continue
        budget.left -= option.excess
        chosen = [*_choose_riders(left, pool[block < 0], t, option.new),
                  *pool[np.isin(block, option.blocks)].tolist()]
        s.seat(left, chosen)
        trips.append(PooledTrip(t, geometry, option.seats, chosen, option.carrier, option.cost, absorbed=option.blocks))
        heapq.heappush(heap, (-min(max(total - len(chosen), 0), cap), a, t))
    return trips


def fill_spare_seats(left: Leftovers, campaign: Campaign, spare: list[tuple], seated, costs: np.ndarray,
                     budget: Budget) -> list[PooledTrip]:
    """Leftovers still free board route trips with spare seats at added stops (the route's riders keep
    their coach and day; every ride stays within the detour limit), where the added stops cost at most
    the budget allows (`Budget`: the route plan's cost per chartered rider per rider they add, plus what the
    new coaches saved), so pooling does not raise the cost per rider. `spare`: (row in the trips, leg, day, seats, seats free, carrier, permit, passengers) per
    route trip, most seats free first; `costs`: the route trips' costs."""
    rules = campaign.transport.pooling
    s = _Search.start(left, rules, [*seated, *np.flatnonzero(left.block >= 0).tolist()])  # those ride route coaches
    out = []
    grows = 0
    for row, leg, day, seats, room, carrier, permit, passengers in sorted(spare, key=lambda x: (-x[4], x[0])):
        if grows >= MAX_SPARE_GROWS:
            break
        if not s.cnt[s.nbrs[leg], day].any():
            continue
        grows += 1
        members, geometry, total = _grow(leg, day, s.cnt, s.nbrs, s.od, left.legs, rules, room)
        if not total or len(geometry.pickups) + len(geometry.drops) < 3 or (_is_cross(left, geometry) and not permit):
            continue
        cost = trip_cost(campaign, seats, geometry.km)
        excess = budget.excess(cost - costs[row], total)
        if excess > budget.left + EPS_KM:
            continue
        budget.left -= excess
        chosen = _choose_riders(left, _free_on(left, members, day, s.free, s.by_leg), day, total)
        s.seat(left, chosen)
        out.append(PooledTrip(day, geometry, seats, chosen, carrier, cost, base=row, base_riders=passengers))
    return out


def _grow(a, t, cnt, nbrs, od, legs, rules, cap) -> tuple[list[int], Geometry | None, int]:
    """A trip from leg a on day t: add the neighbour legs with most free riders while the route holds
    (passes until none can be added: a stop added may bridge the gap to a farther one). No trip (None, 0
    riders) when leg a alone is longer than the crew's hours: a route trip the route plan made on it may not
    become a pooled one."""
    members = [a]
    pickups, drops = [od[a][0]], [od[a][1]]
    geometry = route_geometry(pickups, drops, [od[a]], legs, rules)
    if geometry is None:
        return members, None, 0
    total = int(cnt[a, t])
    cand = nbrs[a][cnt[nbrs[a], t] > 0]
    todo = cand[np.argsort(-cnt[cand, t], kind="stable")][:GROW_CANDIDATES].tolist()
    limit = 1 + rules.max_detour_ratio
    grown = True
    while grown and todo and total < cap:
        grown, later = False, []
        for b in todo:
            o, q, km = od[b]
            if o in pickups and q in drops:  # no new stop: only b's own detour to check
                if geometry.at_km[geometry.position(q, False)] - geometry.at_km[geometry.position(o, True)] \
                        <= limit * km + EPS_KM:
                    members.append(b)
                    total += int(cnt[b, t])
                    grown = True
                continue
            new_p = pickups if o in pickups else [*pickups, o]
            new_d = drops if q in drops else [*drops, q]
            if total >= cap or len(new_p) > rules.max_pickups or len(new_d) > rules.max_drops:
                continue
            trial = route_geometry(new_p, new_d, [od[m] for m in (*members, b)], legs, rules)
            if trial is None:
                later.append(b)
                continue
            members.append(b)
            pickups, drops, geometry = new_p, new_d, trial
            total += int(cnt[b, t])
            grown = True
        todo = later
    return members, geometry, min(total, cap)


def _free_on(left: Leftovers, members: list[int], t: int, free, by_leg) -> np.ndarray:
    """The members' free riders whose window holds day t."""
    pool = np.concatenate([by_leg[m] for m in members])
    return pool[free[pool] & (left.start[pool] <= t) & (left.deadline[pool] >= t)]


def _choose_riders(left: Leftovers, pool: np.ndarray, t: int, n: int) -> list[int]:
    """n of the riders `pool` (free on day t): earliest deadline, then planned day nearest."""
    order = np.lexsort((pool, np.abs(left.planned[pool] - t), left.deadline[pool]))
    return pool[order[:n]].tolist()


def pool_exact(left: Leftovers, campaign: Campaign, budget: Budget, seconds: float = EXACT_SECONDS
               ) -> tuple[list[PooledTrip], bool]:
    """The fewest referrals, then least cost, over every candidate trip within the budget (CP-SAT); (trips,
    proven optimal); the budget is charged with what they cost above its rate.

    Candidates: every set of legs one coach may carry together (its stops within the limits, the
    shortest order meeting every leg's detour) × each day × each coach size; riders by (leg, window).
    """
    from ortools.sat.python import cp_model

    rules = campaign.transport.pooling
    legs = left.legs
    n_legs = len(legs.km)
    od = [(int(legs.origin[a]), int(legs.destination[a]), float(legs.km[a])) for a in range(n_legs)]
    shapes = []  # (legs, geometry)
    for size in range(1, n_legs + 1):
        for members in itertools.combinations(range(n_legs), size):
            p = sorted({od[m][0] for m in members})
            q = sorted({od[m][1] for m in members})
            if len(p) > rules.max_pickups or len(q) > rules.max_drops:
                continue
            geometry = route_geometry(p, q, [od[m] for m in members], legs, rules)
            if geometry is not None:
                shapes.append((members, geometry))
    groups = pd.DataFrame({"leg": left.leg, "start": left.start, "deadline": left.deadline})
    groups = groups.groupby(["leg", "start", "deadline"]).size().rename("n").reset_index()
    model = cp_model.CpModel()
    coaches, riders_on = {}, {}
    on_group: dict[int, list] = {g: [] for g in range(len(groups))}
    for c, (members, geometry) in enumerate(shapes):
        cross = _is_cross(left, geometry)
        for t in range(left.days):
            inside = [g for g in range(len(groups)) if groups.at[g, "leg"] in members
                      and groups.at[g, "start"] <= t <= groups.at[g, "deadline"]]
            n = int(groups.loc[inside, "n"].sum()) if inside else 0
            for k, s in enumerate(left.seats.tolist()):
                have = sum(x[1] for x in left.supply.get((t, s), []) if x[2] or not cross)
                if n < left.min_load[k] or not have or not np.isfinite(trip_cost(campaign, s, geometry.km)):
                    continue
                y = model.new_int_var(0, min(have, n // int(left.min_load[k])), f"y{c}_{t}_{k}")
                coaches[(c, t, k)] = (y, cross)
                zs = []
                for g in inside:
                    z = model.new_int_var(0, int(groups.at[g, "n"]), f"z{c}_{t}_{k}_{g}")
                    riders_on[(c, t, k, g)] = z
                    on_group[g].append(z)
                    zs.append(z)
                model.add(sum(zs) <= s * y)
                model.add(sum(zs) >= int(left.min_load[k]) * y)
    for g, zs in on_group.items():
        if zs:
            model.add(sum(zs) <= int(groups.at[g, "n"]))
    for (t, s) in {(t, int(left.seats[k])) for (_, t, k) in coaches}:
        slots = left.supply.get((t, s), [])
        permit = sum(x[1] for x in slots if x[2])
        here = [(y, cross) for (_, tt, kk), (y, cross) in coaches.items() if tt == t and int(left.seats[kk]) == s]
        model.add(sum(y for y, _ in here) <= sum(x[1] for x in slots))
        model.add(sum(y for y, cross in here if cross) <= permit)
    carried = sum(z for zs in on_group.values() for z in zs)
    cost = sum(int(trip_cost(campaign, int(left.seats[k]), shapes[c][1].km)) * y for (c, _, k), (y, _) in coaches.items())
    if np.isfinite(budget.left):  # in fen: integers for CP-SAT
        model.add(100 * cost - int(round(100 * budget.per_rider)) * carried <= int(np.floor(100 * budget.left)))
    model.minimize(-DROP_PENALTY * carried + cost)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = 1
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return [], False
    trips = _exact_trips(left, campaign, shapes, groups, coaches, riders_on, solver)
    budget.left -= budget.excess(sum(p.cost for p in trips), sum(len(p.riders) for p in trips))
    return trips, status == cp_model.OPTIMAL


def _exact_trips(left, campaign, shapes, groups, coaches, riders_on, solver) -> list[PooledTrip]:
    """The solution's coaches with riders: each coach its minimum first, the rest fill in turn."""
    unused = {g: np.flatnonzero((left.leg == groups.at[g, "leg"]) & (left.start == groups.at[g, "start"])
                                & (left.deadline == groups.at[g, "deadline"])).tolist() for g in range(len(groups))}
    trips = []
    for (c, t, k), (y, cross) in sorted(coaches.items(), key=lambda kv: kv[0]):
        count = int(solver.value(y))
        if not count:
            continue
        seated = []
        for (cc, tt, kk, g), z in riders_on.items():
            if (cc, tt, kk) == (c, t, k):
                take = int(solver.value(z))
                seated += unused[g][:take]
                unused[g] = unused[g][take:]
        s = int(left.seats[k])
        loads = [int(left.min_load[k])] * count
        extra = len(seated) - sum(loads)
        for j in range(count):
            add = min(extra, s - loads[j])
            loads[j] += add
            extra -= add
        geometry = shapes[c][1]
        for n in loads:
            slot = next(x for x in left.supply[(t, s)] if x[1] > 0 and (x[2] or not cross))
            slot[1] -= 1
            trips.append(PooledTrip(t, geometry, s, seated[:n], slot[0], trip_cost(campaign, s, geometry.km)))
            seated = seated[n:]
    return trips


def small(left: Leftovers) -> bool:
    """Leftovers few enough for the exact search (every set of legs a candidate)."""
    return len(left.leg) <= EXACT_MAX_RIDERS and len(left.legs.km) <= EXACT_MAX_LEGS


def pool_riders(left: Leftovers, campaign: Campaign, budget: Budget, spare: list[tuple], costs: np.ndarray
                ) -> tuple[list[PooledTrip], list[PooledTrip], str]:
    """(new pooled coaches, route trips given stops, how they were found: "exact" = the new coaches proven
    optimal, "greedy"). `spare`, `costs`: as for `fill_spare_seats`."""
    if not len(left.leg):
        return [], [], "none"
    if small(left) and not left.blocks:
        saved = {key: [list(x) for x in slots] for key, slots in left.supply.items()}
        unspent = budget.left
        trips, proven = pool_exact(left, campaign, budget)
        if proven:
            added = fill_spare_seats(left, campaign, spare, [i for p in trips for i in p.riders], costs, budget)
            return trips, added, "exact"
        left.supply, budget.left = saved, unspent
    return (*pool_greedy(left, campaign, budget, spare, costs), "greedy")


def leftovers(net, assignments: pd.DataFrame, trips: pd.DataFrame, fleet: Fleet, campaign: Campaign,
              reason: str, absorb: bool = False) -> tuple[Leftovers, np.ndarray, list[tuple]]:
    """The riders referred for `reason` (人数不足) as Leftovers, with their rows in the assignments; the
    coaches the route plan left per (day, seats), best carrier first; the route trips with spare seats
    (fill_spare_seats's `spare`). `absorb`: the riders of route trips on coaches smaller than the largest
    come too, fixed to their trip's day, as blocks a pooled coach takes whole (`Leftovers.block`)."""
    frame, routes = net.riders.frame, net.riders.routes
    rows = np.flatnonzero(((assignments["status"] == STATUS_REFERRED) & (assignments["reason"] == reason)).to_numpy())
    start, deadline = frame["start"].to_numpy()[rows], frame["deadline"].to_numpy()[rows]
    block = np.full(len(rows), -1, dtype=np.int64)
    if absorb and len(rows) and len(trips):
        small_coach = (trips["seats"] < int(net.seats.max())).to_numpy()
        if len(rows) > ABSORB_ANY_MAX:  # many leftovers: only trips on their own routes (bounds the time)
            small_coach = small_coach & np.isin(trips["route_num"].to_numpy(), frame["route"].to_numpy()[rows])
        small_coach = np.flatnonzero(small_coach)
        position = dict(zip(trips["trip_id"].iloc[small_coach], small_coach.tolist(), strict=True))
        on = assignments["trip_id"].map(position)
        extra = np.flatnonzero(on.notna().to_numpy())
        their = on.to_numpy()[extra].astype(np.int64)
        day = trips["day"].to_numpy().astype(np.int64)[their]
        rows, block = np.concatenate([rows, extra]), np.concatenate([block, their])
        start, deadline = np.concatenate([start, day]), np.concatenate([deadline, day])
    route = frame["route"].to_numpy()[rows]
    roomy = np.flatnonzero((trips["passengers"] < trips["seats"]).to_numpy()) if len(rows) else np.array([], dtype=int)
    used_routes = np.unique(np.concatenate([route, trips["route_num"].to_numpy()[roomy]]).astype(np.int64))
    leg = np.searchsorted(used_routes, route)
    legs = route_legs(routes.iloc[used_routes], campaign)
    permit = {c.uscc: c.interprovincial for c in fleet.carriers}
    b = np.unique(block[block >= 0])
    carrier = trips["carrier_uscc"].to_numpy()[b].tolist()
    blocks = dict(zip(b.tolist(), zip(trips["seats"].to_numpy()[b].astype(int).tolist(), carrier,
                                      trips["cost"].to_numpy()[b].astype(float).tolist(),
                                      [permit.get(c, False) for c in carrier], strict=True), strict=True))
    left = Leftovers(leg.astype(np.int64), start, deadline, frame["planned"].to_numpy()[rows], legs, net.seats,
                     net.min_load, np.array([c[:2] for c in legs.codes]), net.riders.days,
                     _supply_left(fleet, trips, net.riders.day0), block=block, blocks=blocks)
    t = trips.iloc[roomy]
    spare = list(zip(roomy.tolist(), np.searchsorted(used_routes, t["route_num"].to_numpy()).tolist(),
                     t["day"].astype(int).tolist(), t["seats"].astype(int).tolist(),
                     (t["seats"] - t["passengers"]).astype(int).tolist(), t["carrier_uscc"].tolist(),
                     [permit.get(c, False) for c in t["carrier_uscc"]], t["passengers"].astype(int).tolist(), strict=True))
    left.base_leg = {row: leg for row, leg, *_ in spare}
    return left, rows, spare


def route_legs(r: pd.DataFrame, campaign: Campaign) -> Legs:
    """Legs for routes `r` (rows of `Riders.routes`, in order): their places and road km between every two."""
    codes = list(dict.fromkeys([*r["origin_code"], *r["destination_code"]]))
    at = {**dict(zip(r["origin_code"], r["origin_at"], strict=True)),
          **dict(zip(r["destination_code"], r["destination_at"], strict=True))}
    index = {c: i for i, c in enumerate(codes)}
    points = np.array([at[c] for c in codes], dtype=float).reshape(-1, 2)
    return Legs(np.array([index[c] for c in r["origin_code"]], dtype=np.int64),
                np.array([index[c] for c in r["destination_code"]], dtype=np.int64),
                r["km"].to_numpy(dtype=float), codes,
                np.nan_to_num(road_km_between(points, points, campaign.transport.road_distance_factor), nan=np.inf))


def _supply_left(fleet: Fleet, trips: pd.DataFrame, day0) -> dict:
    v = fleet.vehicles
    if v.empty:
        return {}
    used = trips.groupby(["carrier_uscc", "seats", "date"]).size() if len(trips) else pd.Series(dtype=int)
    grade = {c.uscc: (c.grade_rank, c.uscc) for c in fleet.carriers}
    permit = {c.uscc: c.interprovincial for c in fleet.carriers}
    out: dict = {}
    for rec in sorted(v.itertuples(index=False), key=lambda x: grade[x.uscc]):
        left = int(rec.count) - int(used.get((rec.uscc, int(rec.seats), f"{rec.date:%Y-%m-%d}"), 0))
        if left > 0:
            out.setdefault(((rec.date - day0).days, int(rec.seats)), []).append([rec.uscc, left, permit[rec.uscc]])
    return out


def _clock(minutes: float) -> str:
    minutes = int(round(minutes))
    day, rest = divmod(minutes, 24 * 60)
    return ("次日" if day == 1 else f"第{day + 1}日" if day else "") + f"{rest // 60:02d}:{rest % 60:02d}"


def trip_frames(pooled: list[PooledTrip], left: Leftovers, fleet: Fleet, campaign: Campaign, day0
                ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(trips in TRIP_COLUMNS + day, cross; stops in STOP_COLUMNS); numbers each trip (its trip_id)."""
    rules = campaign.transport
    pooling = rules.pooling
    by_code = {c.uscc: c for c in fleet.carriers}
    codes, labels = left.legs.codes, {c: divisions.place_label(c) for c in left.legs.codes}
    start_min = int(pooling.first_departure[:2]) * 60 + int(pooling.first_departure[3:])
    trip_rows, stop_rows, seq = [], [], {}
    for trip in sorted(pooled, key=lambda p: (p.day, codes[p.geometry.pickups[0]], codes[p.geometry.drops[0]], p.base)):
        g = trip.geometry
        date = pd.Timestamp(day0) + pd.Timedelta(days=trip.day)
        if trip.base < 0:  # a new coach, numbered apart from the route trips ("P" after the first drop)
            key = (trip.day, codes[g.pickups[0]], codes[g.drops[0]])
            seq[key] = seq.get(key, 0) + 1
            trip.trip_id = f"{date:%Y%m%d}-{key[1]}-{key[2]}P-{seq[key]:03d}"
        trip_id = trip.trip_id
        board = Counter(left.legs.origin[left.leg[trip.riders]].tolist())
        alight = Counter(left.legs.destination[left.leg[trip.riders]].tolist())
        if trip.base >= 0:  # the route trip's own riders board at its origin and alight at its end
            base = left.base_leg[trip.base]
            board[int(left.legs.origin[base])] += trip.base_riders
            alight[int(left.legs.destination[base])] += trip.base_riders
        stops = [*((p, ACTION_PICKUP) for p in g.pickups), *((q, ACTION_DROP) for q in g.drops)]
        text, clock = [], start_min
        for i, (place, action) in enumerate(stops):
            if i:
                clock += pooling.stop_minutes + (g.at_km[i] - g.at_km[i - 1]) / pooling.speed_kmh * 60
            label = labels[codes[place]]
            stop_rows.append((trip_id, i + 1, action, codes[place], label, pooling.boarding_point.format(place=label),
                              _clock(clock), round(g.at_km[i], 1), int(board.get(place, 0)) if action == ACTION_PICKUP else 0,
                              int(alight.get(place, 0)) if action == ACTION_DROP else 0))
            text.append(f"{i + 1}.{label}{action} {_clock(clock)}")
        carrier = by_code.get(trip.carrier)
        trip_rows.append({
            "trip_id": trip_id, "route_id": "+".join(codes[p] for p in g.pickups) + ">" + "+".join(codes[q] for q in g.drops),
            "route": "+".join(labels[codes[p]] for p in g.pickups) + "→" + "+".join(labels[codes[q]] for q in g.drops),
            "date": f"{date:%Y-%m-%d}", "seats": trip.seats, "vehicle_class": rules.vehicle_class(trip.seats).name,
            "carrier_uscc": trip.carrier, "carrier": carrier.name if carrier else "",
            "carrier_contact": carrier.contact_name if carrier else "", "carrier_phone": carrier.contact_phone if carrier else "",
            "passengers": trip.base_riders + len(trip.riders), "km": round(g.km, 1), "drivers": crew(g.km, campaign),
            "cost": trip.cost, "stops": "；".join(text), "day": trip.day, "cross": _is_cross(left, g)})
    return pd.DataFrame(trip_rows), pd.DataFrame(stop_rows, columns=STOP_COLUMNS)


def pool_plan(net, trips: pd.DataFrame, assignments: pd.DataFrame, campaign: Campaign, reason: str,
              route_bounds: pd.Series | None = None) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, dict]:
    """The route plan's trips and assignments with the riders referred for `reason` pooled: new pooled
    coaches first (which may absorb route trips running along their way on smaller coaches), then stops
    added to route trips with spare seats for those still left; the cost per chartered rider never rises
    above the route plan's plus the campaign's allowance (`Budget`). A crew's day longer than two drivers'
    is searched with and without third drivers, an allowance with the greedy's passes stepping from the route
    plan's cost per rider and from the allowed one: the plan carrying most is kept (then the cheapest).
    (trips, assignments, stops, figures for the summary);
    `route_bounds`: each route's bound (route_id -> 元), replaced for the routes whose trips were absorbed."""
    rules = campaign.transport.pooling
    empty_stops = pd.DataFrame(columns=STOP_COLUMNS)
    trips = trips.assign(stops="")
    if rules is None or not rules.enabled:
        return trips, assignments, empty_stops, {"pooling": "off"}
    before = trips["cost"].to_numpy()
    referred = (assignments["status"] == STATUS_REFERRED) & (assignments["reason"] == reason)
    absorb = int(referred.sum()) > EXACT_MAX_RIDERS  # small leftovers: the exact search, route trips untouched

    def search(hours: float, passes_from_route_plan: bool):
        rules_for = campaign.transport.model_copy(update={"pooling": rules.model_copy(update={"max_route_hours": hours})})
        within = campaign.model_copy(update={"transport": rules_for})
        left, rows, spare = leftovers(net, assignments, trips, net.fleet, within, reason, absorb=absorb)
        budget = _budget(trips, rules)
        if not passes_from_route_plan:
            budget.allowance = 0.0
        coaches, added, how = pool_riders(left, within, budget, spare, before)
        new_riders = int(sum((left.block[p.riders] < 0).sum() for p in coaches + added))
        return (-new_riders, _net_cost(coaches, added, before)), (left, rows, coaches, added, how)

    # The greedy is a heuristic: when the office loosens a rule, the looser search may spend the budget worse
    # (three-driver coaches first; dear coaches in its first passes), so the stricter searches run too and the
    # plan carrying most (then cheapest) is kept.
    hours = {rules.max_route_hours, min(rules.max_route_hours, 2 * DRIVER_HOURS)}
    passes = {True, rules.max_extra_cost_per_rider == 0}
    found = [search(h, p) for h in sorted(hours, reverse=True) for p in sorted(passes)]
    left, rows, coaches, added, how = min(found, key=lambda x: x[0])[1]
    absorbed = {b for p in coaches for b in p.absorbed}
    pooled = coaches + added
    figures = {"pooling": how, "pool_candidates": int(referred.sum()), "pooled_trips": len(pooled),
               "pooled_new_coaches": len(coaches), "pooled_route_trips": len(added),
               "pooled_absorbed_trips": len(absorbed),
               "pooled_riders": int(sum((left.block[p.riders] < 0).sum() for p in pooled)),
               "pooled_stops": sum(len(p.geometry.pickups) + len(p.geometry.drops) for p in pooled),
               "pooled_cost": round(_net_cost(coaches, added, before), 2),
               "pooled_three_drivers": sum(crew(p.geometry.km, campaign) >= 3 for p in pooled)}
    if not pooled:
        return trips, assignments, empty_stops, {**figures, "pooled_lower_bound": 0.0}
    for p in added:  # a route trip keeps its number
        p.trip_id = str(trips["trip_id"].iloc[p.base])
    new_trips, stops = trip_frames(pooled, left, net.fleet, campaign, net.riders.day0)
    who = np.concatenate([p.riders for p in pooled]).astype(np.int64)
    a = assignments.copy()
    at = rows[who]
    day = np.concatenate([[p.day] * len(p.riders) for p in pooled])
    a.loc[at, "status"] = STATUS_CHARTER
    a.loc[at, "travel_date"] = (pd.Timestamp(net.riders.day0) + pd.to_timedelta(day, unit="D")).strftime("%Y-%m-%d")
    a.loc[at, "shift_days"] = day - left.planned[who]
    a.loc[at, "trip_id"] = np.concatenate([[p.trip_id] * len(p.riders) for p in pooled])
    a.loc[at, "reason"] = ""
    figures["pooled_lower_bound"] = _pooled_bound(net, campaign, a, left, rows, coaches, trips.iloc[list(absorbed)],
                                                  route_bounds)
    replaced = trips.index[[p.base for p in added] + sorted(absorbed)]
    kept = trips.drop(index=replaced)
    new_trips = new_trips.assign(route_num=-1, seq=0)
    trips = pd.concat([kept, new_trips[[c for c in kept.columns if c in new_trips.columns]]], ignore_index=True)
    trips = trips.sort_values(["date", "route_id", "trip_id"], kind="stable").reset_index(drop=True)
    return trips, a, stops, figures


def _net_cost(coaches: list[PooledTrip], added: list[PooledTrip], before: np.ndarray) -> float:
    """New coaches' cost less the route trips they absorbed, and what stops added to route trips cost."""
    absorbed = sorted({b for p in coaches for b in p.absorbed})
    return float(sum(p.cost - (before[p.base] if p.base >= 0 else 0) for p in coaches + added) - before[absorbed].sum())


def _budget(trips: pd.DataFrame, rules: PoolingRules) -> Budget:
    """The route plan's cost per chartered rider plus the campaign's allowance X, the route plan's riders' X each
    to spend (so the average rises by X at most); no route coach at all: no cost per rider to keep to (unbounded)."""
    carried = int(trips["passengers"].sum())
    if not carried:
        return Budget(0.0, np.inf)
    extra = rules.max_extra_cost_per_rider
    return Budget(float(trips["cost"].sum()) / carried + extra, extra * carried, extra)


def _pooled_bound(net, campaign: Campaign, a: pd.DataFrame, left: Leftovers, rows: np.ndarray,
                  coaches: list[PooledTrip], absorbed: pd.DataFrame, route_bounds: pd.Series | None) -> float:
    """What pooling adds to the routes' bounds. Each new coach costs at least its riders' seat bounds
    (`fleet.per_seat_cost`). A route whose trips a coach absorbed loses its own bound (it assumed its riders ride its
    coaches); its riders still on its coaches count their seat bounds instead. Riders seated in a route coach's
    spare seats add nothing: that coach's cost is already in its route's bound (or its riders' seat bounds)."""
    on_new = np.concatenate([p.riders for p in coaches] or [[]]).astype(np.int64)
    km = [left.legs.km[left.leg[on_new]]]
    lost = 0.0
    if len(absorbed):
        routes = set(absorbed["route_id"])
        lost = float(route_bounds.reindex(list(routes)).fillna(0.0).sum()) if route_bounds is not None else 0.0
        staying = (a["route_id"].isin(routes) & (a["status"] == STATUS_CHARTER)
                   & ~a["trip_id"].isin({p.trip_id for p in coaches})).to_numpy()
        route_km = net.riders.routes["km"].to_numpy(dtype=float)
        km.append(route_km[net.riders.frame["route"].to_numpy()[np.flatnonzero(staying)]])
    return round(float(_finite(per_seat_cost(campaign, net.seats, np.concatenate(km))).sum()) - lost, 2)
