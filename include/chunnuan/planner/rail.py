"""专列（车厢）: riders put on the railway's trains before the coach plan, with feeder coaches (接驳车) to the station.

A rider may take an offer (one row of the railway's 铁路运力报表: a train on a date, a carriage type, so many
carriages or the whole train) when
- they board at one of its boarding stations (始发站 or a 经停站) that is the campaign's station nearest their
  origin (`railway.nearest`) or lies in their origin's city;
- its 到达站 serves their destination (the station nearest it, or one in its city);
- its date lies inside their window (planned date ± flex days).

Which riders go (the mode choice), by the campaign's `rail` rules:
- riders whose road trip is longer than `prefer_above_km` go by rail whenever a seat exists (三超一疲劳);
- below it, a rider goes by rail only when it saves a referral (their route can never fill the smallest coach
  on any day of the windows) or is cheaper: group fare + their share of a full feeder coach < the least a
  coach seat costs on their route (`fleet.per_seat_cost`);
- a whole 专列 is booked when the riders who may take it fill `min_train_fill` of its 定员; reserved carriages
  are booked one by one, each carrying at least `min_carriage_fill` of its 定员; never more riders than 定员.

Search (greedy; offers in order of the riders they can take, most first): each offer takes the riders who
may take it, safety riders first, then those it saves from a referral, then the cheaper ones by saving;
among equals those planned for the train's day first (fewer date shifts), then earliest last day, then
input order.

Feeders: a rail rider whose origin is not the station's county (or city, for a city-level origin) rides a
feeder coach from their origin to the station on the train's day. Feeder coaches are planned per (origin,
station, day) with the route plan's machinery (`mix.bounded_mix_table`: least cost mix of the sizes left that
day, each coach at least the campaign's minimum fill; carriers best grade first) and **take the fleet's
coaches before the coach plan** (the coach plan gets what they leave). A group no mix can carry is cut to
the most riders a mix can carry (possibly none) and the offers are searched again without the riders cut.

Cost: the group fare is per person, also on a 专列 (the campaign pays for the riders it seats): a carriage
costs riders × fare. Lower bound: each rail rider costs at least their fare; each feeder rider at least a
full coach seat on their feeder leg (`per_seat_cost`), as routes are bounded.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from chunnuan.config import divisions, railway
from chunnuan.config.campaign import Campaign
from chunnuan.planner.assign import _carriers_for, _vehicle_loads, day_labels
from chunnuan.planner.demand import Riders, place_km
from chunnuan.planner.fleet import Fleet, coach_cost, daily_supply, min_load, per_seat_cost
from chunnuan.planner.mix import INF, bounded_mix_table, mix_tables
from chunnuan.planner.model import (
    ASSIGNMENT_COLUMNS,
    CAR_COLUMNS,
    MODE_CARRIAGE,
    MODE_FEEDER,
    MODE_TRAIN,
    STATUS_RAIL,
    TRIP_COLUMNS,
)
from chunnuan.planner.route import schedule_one_label

MAX_ROUNDS = 10  # offer searches at most (each after cutting riders no feeder can carry)
SAFETY, REFERRAL, CHEAPER, NOT_RAIL = 0, 1, 2, 3  # why a rider takes an offer (lower goes first)
MIX_RIDERS = 400  # a day's coach cost is read off exact mix tables up to this many riders of a route
GUARD_RIDERS = 400  # routes up to this many riders get their rail share checked against their coach plan
GUARD_STEPS = 8  # rail shares tried per route and offer (besides none, the current one and the most), refined …
GUARD_WAITING = 120  # riders a state of the guard's route search may leave waiting (fewer than the planner: faster)
GUARD_ALL = 80  # … or every share when at most this many riders may take the offer
GUARD_BUDGET = 800  # route plans judged at most (bounds the time at 1M; beyond, small routes' riders stay on coaches
#                    unless rail is required or saves a referral)


@dataclass
class Offer:
    """One offer row, for the search."""

    row: int
    train_id: str
    day: int
    board: list[railway.Station]
    arrive: railway.Station
    fare: float
    whole: bool
    per_car: int  # 每厢定员
    cars: int  # carriages offered (a whole train: as many as its 定员 needs)
    seats: int  # 定员 of what is offered


@dataclass
class RailPart:
    """What the rail step decided: riders (rows of Riders.frame) on trains, feeder trips, carriages."""

    rows: np.ndarray  # rider rows (of Riders.frame) on a train
    assignments: pd.DataFrame  # ASSIGNMENT_COLUMNS for those rows, same order
    trips: pd.DataFrame  # feeder trips (TRIP_COLUMNS + day, cross)
    cars: pd.DataFrame  # CAR_COLUMNS
    figures: dict = field(default_factory=dict)  # rail_lower_bound, feeder_lower_bound


def empty_part() -> RailPart:
    return RailPart(np.zeros(0, dtype=np.int64), pd.DataFrame(columns=ASSIGNMENT_COLUMNS),
                    pd.DataFrame(columns=[*TRIP_COLUMNS, "day", "cross"]), pd.DataFrame(columns=CAR_COLUMNS),
                    {"rail_lower_bound": 0.0, "feeder_lower_bound": 0.0})


def _offers(rail: pd.DataFrame, campaign: Campaign, day0, days: int) -> tuple[list[Offer], pd.DataFrame]:
    stations = {s.name: s for s in campaign.rail.station_list()}
    frame = rail.reset_index(drop=True)
    out = []
    for i, rec in enumerate(frame.to_dict("records")):
        day = (pd.Timestamp(rec["travel_date"]).date() - day0).days
        names = [rec["from_station"], *[s for s in str(rec.get("stops") or "").split("、") if s]]
        board = [stations[n] for n in names if n in stations]
        arrive = stations.get(rec["to_station"])
        if not (0 <= day < days) or not board or arrive is None:
            continue  # the intake refuses such rows; a stale row is skipped rather than trusted
        per_car = int(rec["seats_per_carriage"])
        whole = bool(rec["whole_train"])
        seats = int(rec["seats"])
        cars = math.ceil(seats / per_car) if whole else int(rec["carriages"])
        train_id = f"{pd.Timestamp(rec['travel_date']):%Y%m%d}-{rec['train_no']}"
        out.append(Offer(i, train_id, day, board, arrive, float(rec["fare"]), whole, per_car, cars, seats))
    return out, frame


def serves(place: str, station: railway.Station, nearest: dict[str, railway.Station], stations) -> bool:
    """Whether `station` serves riders of `place`: the campaign's station nearest it, or one in its city
    (`nearest` caches railway.nearest per place)."""
    if place not in nearest:
        nearest[place] = railway.nearest(place, stations)
    return nearest[place].name == station.name or station.city_code == divisions.city_code(place)


# A feeder leg is never shorter than this: a county the division data gives no coordinates shares its city's
# centre, so its leg to a station placed at the city would measure 0 km, yet it needs a coach (feeder_needed).
MIN_FEEDER_KM = 5.0


def feeder_needed(origin: str, station: railway.Station) -> bool:
    """A rider of `origin` needs a feeder coach to `station` unless it lies in their county (or their city,
    for a city-level origin such as a work city)."""
    return not (station.place_code == origin or (divisions.city_code(origin) == origin
                                                 and station.city_code == origin))


@dataclass
class _Search:
    """The riders and offers the search works on (arrays over candidate riders, tables over offers × routes)."""

    rows: np.ndarray  # rider rows of Riders.frame
    route: np.ndarray
    start: np.ndarray
    deadline: np.ndarray
    planned: np.ndarray
    board: np.ndarray  # (offers, routes) station index on the offer, -1: route may not take it
    why: np.ndarray  # (offers, routes) SAFETY / REFERRAL / CHEAPER / NOT_RAIL
    saving: np.ndarray  # (offers, routes) coach seat cost − (fare + feeder seat cost)
    feeder_km: np.ndarray  # (offers, routes) km of the feeder leg, 0 without one
    feeder_seat: np.ndarray  # (offers, routes) a full feeder coach's seat cost, 0 without a feeder
    coach_tables: dict  # route -> MixTable of its coaches' least cost per day load (routes with few riders)
    plans: dict = field(default_factory=dict)  # (route, riders left) -> (referred, cost) of its coach plan
    may: list | None = None  # per offer, the candidates who may take it (_who_may)
    by_route: dict = field(default_factory=dict)  # route -> its candidates (ascending)
    order: list | None = None  # offers in search order


def _tables(riders: Riders, offers: list[Offer], campaign: Campaign, seats: np.ndarray, min_load: np.ndarray
            ) -> _Search | None:
    routes = riders.routes
    stations = campaign.rail.station_list()
    rules, factor = campaign.rail, campaign.transport.road_distance_factor
    n_r, nearest = len(routes), {}
    board = np.full((len(offers), n_r), -1, dtype=np.int64)
    feeder_km = np.zeros((len(offers), n_r))
    origins, dests = routes["origin_code"].to_numpy(), routes["destination_code"].to_numpy()
    by_origin = pd.Series(np.arange(n_r)).groupby(origins).indices  # origin -> its routes
    dest_codes, dest_of = np.unique(dests.astype(str), return_inverse=True) if n_r else (np.array([]), np.array([]))
    for o, offer in enumerate(offers):
        served = np.array([serves(d, offer.arrive, nearest, stations) for d in dest_codes], dtype=bool)[dest_of]
        for origin in sorted(set(origins[served].tolist())):
            usable = [(max(place_km(origin, s.place_code, factor), MIN_FEEDER_KM) if feeder_needed(origin, s)
                       else 0.0, j)
                      for j, s in enumerate(offer.board) if serves(origin, s, nearest, stations)]
            if not usable:
                continue
            km, j = min(usable)
            if not np.isfinite(km):
                continue
            hit = by_origin[origin][served[by_origin[origin]]]
            board[o, hit], feeder_km[o, hit] = j, km
    if not (board >= 0).any():
        return None
    frame = riders.frame
    route = frame["route"].to_numpy()
    rows = np.flatnonzero(route >= 0)
    rows = rows[(board >= 0).any(axis=0)[route[rows]]]
    if not len(rows):
        return None
    r_of = route[rows]
    start, deadline = frame["start"].to_numpy()[rows], frame["deadline"].to_numpy()[rows]
    coach_seat = per_seat_cost(campaign, seats, routes["km"].to_numpy(dtype=float))
    feeder_seat = np.where(feeder_km > 0, per_seat_cost(campaign, seats, feeder_km), 0.0)
    fares = np.array([o.fare for o in offers])[:, None]
    per_rider, tables = _coach_per_rider(offers, r_of, start, deadline, routes, campaign, seats, min_load, coach_seat)
    saving = per_rider - (fares + feeder_seat)
    hopeless = _hopeless(r_of, start, deadline, n_r, riders.days, int(min_load.min()) if len(min_load) else 1)
    hopeless |= ~np.isfinite(coach_seat)
    why = np.where(saving > 0, CHEAPER, NOT_RAIL)
    why = np.where(hopeless[None, :], REFERRAL, why)
    why = np.where((routes["km"].to_numpy(dtype=float) > rules.prefer_above_km)[None, :], SAFETY, why)
    why = np.where(board >= 0, why, NOT_RAIL)
    return _Search(rows, r_of, start, deadline, frame["planned"].to_numpy()[rows], board, why, saving, feeder_km,
                   feeder_seat, tables, by_route=pd.Series(np.arange(len(rows))).groupby(r_of).indices)


def _coach_per_rider(offers: list[Offer], route: np.ndarray, start: np.ndarray, deadline: np.ndarray,
                     routes: pd.DataFrame, campaign: Campaign, seats: np.ndarray, min_load: np.ndarray,
                     coach_seat: np.ndarray) -> tuple[np.ndarray, dict]:
    """(offers, routes): what a rider of the route would cost on coaches on the offer's day: the least cost of
    coaches (each at its minimum fill) carrying the route's riders whose window holds that day, per rider — a
    full big coach's seat where they are more than `MIX_RIDERS` or no mix carries them; and the mix tables
    (route -> MixTable) it read."""
    n_r = len(routes)
    count = np.zeros((len(offers), n_r), dtype=np.int64)
    for o, offer in enumerate(offers):
        inside = (start <= offer.day) & (deadline >= offer.day)
        count[o] = np.bincount(route[inside], minlength=n_r)
    out = np.broadcast_to(coach_seat, count.shape).copy()
    small = (count > 0) & (count <= MIX_RIDERS)
    if not small.any() or not len(seats):
        return out, {}
    used = np.unique(route)
    costs = np.stack([coach_cost(campaign, int(q), routes["km"].to_numpy(dtype=float)[used]) for q in seats], axis=1)
    tables = mix_tables(costs, seats, min_load, MIX_RIDERS)
    small[:, np.setdiff1d(np.arange(n_r), used)] = False
    for k, r in enumerate(used.tolist()):
        rows = np.flatnonzero(small[:, r])
        g = tables[k].lookup(count[rows, r]) / count[rows, r]
        out[rows, r] = np.where(np.isfinite(g), g, out[rows, r])
    return out, dict(zip(used.tolist(), tables, strict=True))


def _hopeless(route: np.ndarray, start: np.ndarray, deadline: np.ndarray, n_routes: int, days: int,
              fewest: int) -> np.ndarray:
    """Routes whose riders can never fill the smallest coach: on no day do `fewest` of their windows meet."""
    change = np.zeros((n_routes, days + 1), dtype=np.int64)
    np.add.at(change, (route, start), 1)
    np.add.at(change, (route, deadline + 1), -1)
    return change.cumsum(axis=1).max(axis=1) < fewest


def _take(offer: Offer, waiting: int, rules) -> tuple[int, int]:
    """(riders, carriages) an offer takes of `waiting` riders who may take it: (0, 0) when it is not booked."""
    if offer.whole:
        if waiting < math.ceil(rules.min_train_fill * offer.seats - 1e-9):
            return 0, 0
        return min(waiting, offer.seats), offer.cars
    least = max(math.ceil(rules.min_carriage_fill * offer.per_car - 1e-9), 1)
    cars = min(offer.cars, math.ceil(waiting / offer.per_car), waiting // least)
    return min(waiting, cars * offer.per_car), cars


def _who_may(s: _Search, offers: list[Offer]) -> tuple[list[np.ndarray], list[int]]:
    """Per offer, the candidates who may take it (route served, day in their window, a reason to go by rail), and
    the order offers are searched in: most riders who must or should go by rail (safety, a referral saved)
    first, then most riders, then date and train."""
    may = [np.flatnonzero((s.why[o, s.route] < NOT_RAIL) & (s.start <= offer.day) & (s.deadline >= offer.day))
           for o, offer in enumerate(offers)]
    order = sorted(range(len(offers)), key=lambda o: (-int((s.why[o, s.route[may[o]]] < CHEAPER).sum()),
                                                      -len(may[o]), offers[o].day, offers[o].train_id))
    return may, order


def _search(s: _Search, offers: list[Offer], rules, caps: dict, fewest: int) -> tuple[np.ndarray, dict[int, int]]:
    """Offer index per candidate rider (-1: not on a train) and carriages booked per offer. `fewest`: the least
    riders a coach carries (the smallest coach's minimum fill)."""
    n = len(s.rows)
    on = np.full(n, -1, dtype=np.int64)
    booked: dict[int, int] = {}
    if s.may is None:
        s.may, s.order = _who_may(s, offers)
    may, order = s.may, s.order
    for o in order:
        offer = offers[o]
        pool = may[o][on[may[o]] < 0]
        if not len(pool):
            continue
        r = s.route[pool]
        pool = pool[np.lexsort((s.rows[pool], s.deadline[pool], s.planned[pool] != offer.day, -s.saving[o, r],
                                s.why[o, r]))]
        pool = _within_caps(pool, s, o, offer, caps)
        riders, cars = _take(offer, len(pool), rules)
        if riders:
            on[pool[:riders]] = o
            booked[o] = cars
            _keep_coaches_full(s, o, offer, on, booked, rules, fewest, caps)
    return on, booked


def _keep_coaches_full(s: _Search, o: int, offer: Offer, on: np.ndarray, booked: dict, rules, fewest: int,
                       caps: dict) -> None:
    """Riders who took `offer` only because it is cheaper: per route (of up to `GUARD_RIDERS` riders), how many
    of the route's riders that day go by rail is chosen again, each share judged by the route's own coach plan
    for the riders left (`route.schedule_route`, unlimited coaches): fewest referrals, then rail fares + coach
    cost — so rail never leaves the rest of a route too few to fill its coaches. Every share is tried up to
    `GUARD_ALL` riders, beyond a grid refined around the best. The offer keeps its minimum fill (an offer left
    below it is given up)."""
    taken = np.flatnonzero(on == o)
    for r in np.unique(s.route[taken][s.why[o, s.route[taken]] == CHEAPER]).tolist():
        of_route = s.by_route[r][(on[s.by_route[r]] < 0) | (on[s.by_route[r]] == o)]
        if s.coach_tables.get(r) is None or len(of_route) > GUARD_RIDERS:
            continue  # a big route keeps plenty of riders for its coaches
        if len(s.plans) >= GUARD_BUDGET:  # no route plan left to judge by: the cheaper riders stay on coaches
            on[of_route[on[of_route] == o]] = -1
            taken = np.flatnonzero(on == o)
            continue
        here = of_route[(s.start[of_route] <= offer.day) & (s.deadline[of_route] >= offer.day)]
        here = here[np.lexsort((s.rows[here], s.deadline[here], s.planned[here] != offer.day))]
        share = _Share(s, o, offer, r, of_route, here, len(taken) - int((on[here] == o).sum()), rules,
                       min(len(here), caps.get((r, int(s.board[o, r]), o), len(here))))
        k = share.best(int((on[here] == o).sum()))
        if k is None:
            continue
        on[here[on[here] == o]] = -1
        on[here[:k]] = o
        taken = np.flatnonzero(on == o)
    total, cars = _take(offer, len(taken), rules)
    if not len(taken) or total < len(taken):  # too few left for a carriage (or the train): not booked
        on[taken] = -1
        booked.pop(o, None)
    else:
        booked[o] = cars


@dataclass
class _Share:
    """The rail share of one route on one offer: k of its riders that day (`here`, in order) by rail."""

    s: _Search
    o: int
    offer: Offer
    r: int
    of_route: np.ndarray  # the route's riders not on another offer (candidate indices, ascending)
    here: np.ndarray  # those whose window holds the offer's day, most wanting rail first
    others: int  # riders of other routes on the offer
    rules: object
    most: int  # at most this many (what feeders can carry)
    seen: dict = field(default_factory=dict)

    def judge(self, k: int) -> tuple | None:
        """(referrals, cost) with k riders by rail; None when the offer cannot book that many."""
        total = self.others + k
        if k < 0 or k > self.most or (total and _take(self.offer, total, self.rules)[0] != total):
            return None
        if k not in self.seen:
            left = np.setdiff1d(self.of_route, self.here[:k])
            key = (self.r, left.tobytes())
            if key not in self.s.plans:  # the same route plan recurs across rounds and offers
                self.s.plans[key] = _coach_plan(self.s, left, self.s.coach_tables[self.r])
            referred, cost = self.s.plans[key]
            fare = self.offer.fare + float(self.s.feeder_seat[self.o, self.r])
            self.seen[k] = (referred, k * fare + cost)
        return self.seen[k]

    def best(self, now: int) -> int | None:
        tries = (range(self.most + 1) if self.most <= GUARD_ALL
                 else np.linspace(0, self.most, GUARD_STEPS).round().astype(int).tolist())
        for k in sorted({0, now, self.most, *tries}):
            self.judge(int(k))
        if not self.seen:
            return None
        step = max(self.most // GUARD_STEPS, 1)
        while step > 1:  # refine around the best share found
            step //= 2
            centre = min(self.seen, key=self.seen.get)
            self.judge(centre - step)
            self.judge(centre + step)
        return min(self.seen, key=lambda k: (self.seen[k], k))


def _coach_plan(s: _Search, idx: np.ndarray, table) -> tuple[int, float]:
    """(referred, cost) of the route plan for the candidates `idx` (one route) with unlimited coaches."""
    if not len(idx):
        return 0, 0.0
    lo, hi = int(s.start[idx].min()), int(s.deadline[idx].max())
    width = s.deadline[idx] - s.start[idx]
    arrivals = np.zeros((hi - lo + 1, int(width.max()) + 1), dtype=np.int64)
    np.add.at(arrivals, (s.start[idx] - lo, width), 1)
    planned = np.bincount(s.planned[idx] - lo, minlength=hi - lo + 1).astype(np.int64)
    sched = schedule_one_label(arrivals, [table], np.zeros(hi - lo + 1, dtype=np.int64), GUARD_WAITING, planned)
    return int(sched.referred), float(sched.cost)


def _within_caps(pool: np.ndarray, s: _Search, o: int, offer: Offer, caps: dict) -> np.ndarray:
    """The pool less riders beyond a feeder group's cap (riders a feeder could not carry)."""
    capped = {r: n for (r, j, oo), n in caps.items() if oo == o and s.board[o, r] == j}
    if not capped:
        return pool
    route = s.route[pool]
    cap = pd.Series(route).map(capped).to_numpy(dtype=float)
    nth = pd.Series(route).groupby(route).cumcount().to_numpy()  # place of each rider among their route's
    return pool[np.isnan(cap) | (nth < cap)]


@dataclass
class _Group:
    """Riders of one origin boarding at one station of one offer, and the feeder coaches carrying them."""

    origin: str
    offer: int
    board: int  # station index on the offer
    members: np.ndarray  # candidate indices (of _Search)
    mix: np.ndarray  # coaches per size
    cross: bool
    km: float


class _Supply:
    """Coaches left per day and size (permit holders / others) and the feeder cost table per leg."""

    def __init__(self, fleet: Fleet, riders: Riders, campaign: Campaign, seats: np.ndarray, min_load: np.ndarray):
        self.permit, self.other = daily_supply(fleet, seats, riders.day0, riders.days)
        self.campaign, self.seats, self.min_load = campaign, seats, min_load

    def table(self, day: int, km: float, cross: bool, n: int):
        avail = self.permit[day] + (0 if cross else self.other[day])
        costs = np.array([float(coach_cost(self.campaign, int(q), km)) for q in self.seats])
        return bounded_mix_table(np.where(avail > 0, costs, INF), self.seats, self.min_load, avail, n)

    def most(self, day: int, km: float, cross: bool, n: int) -> tuple[int, object]:
        """The most riders ≤ n feeder coaches left that day can carry (each at its minimum fill), and the table."""
        table = self.table(day, km, cross, n)
        while n and not np.isfinite(table.values[n]):
            n -= 1
        return n, table

    def use(self, mix: np.ndarray, day: int, cross: bool) -> None:
        if cross:
            self.permit[day] -= mix
            return
        from_other = np.minimum(mix, self.other[day])  # keep permit holders for cross-province trips
        self.other[day] -= from_other
        self.permit[day] -= mix - from_other


def _group_key(s: _Search, offers: list[Offer], origins: np.ndarray, i: int, o: int) -> tuple:
    j = int(s.board[o, s.route[i]])
    station = offers[o].board[j]
    return origins[s.route[i]], o, j, station.place_code[:2] != origins[s.route[i]][:2]


def _feeders(s: _Search, on: np.ndarray, which: np.ndarray, offers: list[Offer], origins: np.ndarray,
             supply: _Supply) -> tuple[list[_Group], dict]:
    """Feeder coaches for the riders `which` (candidate indices on a train) per (origin, station, day), biggest
    groups first, taking the coaches from `supply`; and the groups no coaches can carry whole, as caps
    (route, board, offer) -> riders the feeders can carry."""
    need = which[s.feeder_km[on[which], s.route[which]] > 0]
    groups: dict = {}
    for i in need:
        groups.setdefault(_group_key(s, offers, origins, i, int(on[i])), []).append(i)
    out, cut = [], {}
    for key in sorted(groups, key=lambda k: (offers[k[1]].day, -len(groups[k]), k)):
        origin, o, j, cross = key
        members = np.array(groups[key], dtype=np.int64)
        km = float(s.feeder_km[o, s.route[members[0]]])
        n, table = supply.most(offers[o].day, km, cross, len(members))
        if n < len(members):
            for i in members:  # every route of this group is capped to what the feeders can carry
                cut[(int(s.route[i]), j, o)] = 0
            for i in members[:n]:
                cut[(int(s.route[i]), j, o)] += 1
            continue
        mix = table.mix(n)
        supply.use(mix, offers[o].day, cross)
        out.append(_Group(origin, o, j, members, mix, cross, km))
    return out, cut


@dataclass
class RailState:
    """The search's state between the steps of core.plan: before the coach plan, then the referral rescue."""

    riders: Riders
    offers: list[Offer]
    frame: pd.DataFrame  # the offer rows
    s: _Search
    on: np.ndarray  # offer per candidate rider, -1 none
    booked: dict[int, int]  # offer -> carriages booked
    groups: list[_Group]  # feeder groups planned before the coach plan
    seats: np.ndarray
    min_load: np.ndarray
    rescued: list[_Group] = field(default_factory=list)  # feeder groups of riders the rescue seated
    rest: np.ndarray | None = None  # rows left for the coach plan (core sets it, with fleet and feeders)
    fleet: Fleet | None = None  # the qualified fleet
    feeders: pd.DataFrame | None = None  # the feeder trips planned before the coach plan
    left: Riders | None = None  # the riders left for the coach plan

    @property
    def rows(self) -> np.ndarray:
        return np.sort(self.s.rows[self.on >= 0])


def rail_search(riders: Riders, fleet: Fleet, rail: pd.DataFrame | None, campaign: Campaign) -> RailState | None:
    """Riders on trains and their feeder coaches, before the coach plan (see the module doc). `fleet`: qualified."""
    if rail is None or rail.empty or campaign.rail is None or fleet.vehicles.empty:
        return None
    offers, frame = _offers(rail, campaign, riders.day0, riders.days)
    seats = np.array(sorted(fleet.vehicles["seats"].unique()), dtype=np.int64)
    least = min_load(campaign, seats)
    s = _tables(riders, offers, campaign, seats, least) if offers else None
    if s is None:
        return None
    origins = riders.routes["origin_code"].to_numpy()
    caps: dict = {}
    for _ in range(MAX_ROUNDS):
        on, booked = _search(s, offers, campaign.rail, caps, int(least.min()))
        groups, cut = _feeders(s, on, np.flatnonzero(on >= 0), offers, origins,
                               _Supply(fleet, riders, campaign, seats, least))
        if not cut:
            break
        caps.update({k: min(v, caps.get(k, v)) for k, v in cut.items()})
    else:  # still cut after the last round: the offers whose riders feeders cannot carry are not booked
        dropped = list({o for _, _, o in cut})
        on = np.where(np.isin(on, dropped), -1, on)
        booked = {o: c for o, c in booked.items() if o not in dropped}
        groups, _ = _feeders(s, on, np.flatnonzero(on >= 0), offers, origins,
                             _Supply(fleet, riders, campaign, seats, least))
    return RailState(riders, offers, frame, s, on, booked, groups, seats, least)


def rail_rescue(state: RailState, referred: np.ndarray, fleet_left: Fleet, campaign: Campaign,
                spare: pd.DataFrame | None = None) -> tuple[np.ndarray, pd.DataFrame]:
    """After the coach plan: riders it referred (rows of Riders.frame) take seats left on trains — in booked
    carriages or trains, or in more carriages / a train they fill to the minimum — whenever a train may take
    them (a referral saved), with feeder coaches from `fleet_left` (what the coach plan left).

    When they are too few to fill a carriage (or a train) to its minimum, riders of coach trips with seats above
    the coach's minimum fill (`spare`: row, trip_id, slack = passengers − the coach's minimum) may move to the
    train too: every coach keeps its minimum fill and cost, and the referrals are saved. Returns the rows of
    the referred riders seated, and the moved riders (row, trip_id)."""
    s, offers, on = state.s, state.offers, state.on
    cand = np.isin(s.rows, referred) & (on < 0)
    moved = pd.DataFrame({"row": pd.Series(dtype=np.int64), "trip_id": pd.Series(dtype=object)})
    if not cand.any():
        return np.zeros(0, dtype=np.int64), moved
    spare = spare if spare is not None else pd.DataFrame(columns=["row", "trip_id", "slack"])
    where = pd.Index(s.rows).get_indexer(spare["row"].to_numpy())
    codes, trip_ids = pd.factorize(spare["trip_id"])
    lender = np.full(len(s.rows), -1, dtype=np.int64)  # each candidate's coach (code) when it has slack
    lender[where[where >= 0]] = codes[where >= 0]
    slack = np.zeros(len(trip_ids), dtype=np.int64)  # per coach code: riders it may still lose
    slack[codes] = spare["slack"].to_numpy(dtype=np.int64)
    supply = _Supply(fleet_left, state.riders, campaign, state.seats, state.min_load)
    origins = state.riders.routes["origin_code"].to_numpy()
    seated, lent = [], []
    for o in sorted(range(len(offers)), key=lambda o: (offers[o].day, offers[o].train_id, o)):
        offer = offers[o]
        fits_offer = (on < 0) & (s.board[o, s.route] >= 0) & (s.start <= offer.day) & (s.deadline >= offer.day)
        pool = np.flatnonzero(cand & fits_offer)
        if not len(pool):
            continue
        pool = pool[np.lexsort((s.rows[pool], s.deadline[pool], s.planned[pool] != offer.day))]
        had = int((on == o).sum())
        if _take(offer, had + len(pool), campaign.rail)[0] <= had:  # too few alone: coach riders with slack join
            pool = np.concatenate([pool, _lenders(s, fits_offer & (lender >= 0), lender, slack, offer,
                                                  had + len(pool), campaign.rail)])
        for _ in range(3):  # cut to what feeders can carry, until the take and the feeders agree
            total, cars = _take(offer, had + len(pool), campaign.rail)
            chosen = pool[: max(total - had, 0)]
            fits = _fed(s, chosen, o, offers, origins, supply)
            if len(fits) == len(chosen):
                break
            pool = fits
        else:
            continue
        if not len(chosen) or not cand[chosen].any():
            continue
        on[chosen] = o
        state.booked[o] = cars
        groups, _ = _feeders(s, on, chosen, offers, origins, supply)
        state.rescued += groups
        seated.append(s.rows[chosen[cand[chosen]]])
        for i in chosen[~cand[chosen]]:
            slack[lender[i]] -= 1
            lent.append((int(s.rows[i]), trip_ids[lender[i]]))
    if lent:
        moved = pd.DataFrame(lent, columns=["row", "trip_id"])
    return (np.concatenate(seated) if seated else np.zeros(0, dtype=np.int64)), moved


def _lenders(s: _Search, may: np.ndarray, lender: np.ndarray, slack: np.ndarray, offer: Offer,
             have: int, rules) -> np.ndarray:
    """Coach riders who may move to `offer` so that `have` riders become the least it books (a carriage or a
    train at its minimum fill), at most each coach's slack; none when even all of them are too few."""
    need = (math.ceil(rules.min_train_fill * offer.seats - 1e-9) if offer.whole
            else max(math.ceil(rules.min_carriage_fill * offer.per_car - 1e-9), 1)) - have
    idx = np.flatnonzero(may)
    if need <= 0 or not len(idx):
        return np.zeros(0, dtype=np.int64)
    trips = lender[idx]
    room = slack[trips]
    order = np.lexsort((s.rows[idx], trips, -room))  # coaches with most slack first
    idx, trips, room = idx[order], trips[order], room[order]
    nth = pd.Series(trips).groupby(trips).cumcount().to_numpy()
    idx = idx[nth < room]
    return idx[:need] if len(idx) >= need else np.zeros(0, dtype=np.int64)


def _fed(s: _Search, chosen: np.ndarray, o: int, offers: list[Offer], origins: np.ndarray, supply: _Supply
         ) -> np.ndarray:
    """`chosen` less the riders of each feeder group beyond what the coaches left can carry (the groups take the
    coaches in the order `_feeders` will, on a copy of the supply)."""
    keep = np.ones(len(chosen), dtype=bool)
    groups: dict = {}
    for k, i in enumerate(chosen):
        if s.feeder_km[o, s.route[i]] > 0:
            groups.setdefault(_group_key(s, offers, origins, i, o), []).append(k)
    trial = copy.copy(supply)
    trial.permit, trial.other = supply.permit.copy(), supply.other.copy()
    for key in sorted(groups, key=lambda k: (-len(groups[k]), k)):
        ks, cross, day = groups[key], key[3], offers[o].day
        n, table = trial.most(day, float(s.feeder_km[o, s.route[chosen[ks[0]]]]), cross, len(ks))
        keep[ks[n:]] = False
        if n:
            trial.use(table.mix(n), day, cross)
    return chosen[keep]


def rail_part(state: RailState | None, fleet: Fleet, campaign: Campaign, fleet_left: Fleet | None = None) -> RailPart:
    """The rail plan as frames: feeder trips (those planned before the coach plan driven by `fleet`'s carriers,
    the rescue's by `fleet_left`'s), carriages, the rail riders' assignments."""
    if state is None:
        return empty_part()
    s, offers, on, riders = state.s, state.offers, state.on, state.riders
    day0, routes = riders.day0, riders.routes
    trip_of = np.full(len(s.rows), "", dtype=object)
    seq: dict = {}
    trips = [_feeder_trips(g, s, offers, day0, campaign, state, seq, trip_of) for g in (state.groups, state.rescued)]
    trips = [_with_carriers(t, f, day0) for t, f in zip(trips, (fleet, fleet_left or fleet), strict=True)]
    trips = pd.concat([t for t in trips if len(t)] or [trips[0]], ignore_index=True)
    trips = trips.drop(columns="seq").sort_values(["date", "route_id", "trip_id"], kind="stable").reset_index(drop=True)
    cars, car_of = _cars(state)

    chosen = np.flatnonzero(on >= 0)
    chosen = chosen[np.argsort(s.rows[chosen], kind="stable")]
    o_of = on[chosen]
    day = np.array([offers[o].day for o in o_of], dtype=np.int64)
    r = s.route[chosen]
    label = (routes["origin"] + "→" + routes["destination"]).to_numpy()
    a = pd.DataFrame({
        "id_number": riders.frame["id_number"].to_numpy()[s.rows[chosen]],
        "status": STATUS_RAIL,
        "route_id": routes["route_id"].to_numpy()[r] if len(r) else [],
        "route": label[r] if len(r) else [],
        "planned_date": day_labels(day0, s.planned[chosen]),
        "travel_date": day_labels(day0, day),
        "shift_days": day - s.planned[chosen],
        "trip_id": trip_of[chosen],
        "reason": "",
        "train_id": [offers[o].train_id for o in o_of],
        "carriage_no": car_of[chosen],
        "board_station": [offers[o].board[s.board[o, rr]].name for o, rr in zip(o_of, r, strict=True)],
        "arrive_station": [offers[o].arrive.name for o in o_of],
    }, columns=ASSIGNMENT_COLUMNS)
    feeder_bound = sum(float(per_seat_cost(campaign, state.seats, g.km)) * len(g.members)
                       for g in (*state.groups, *state.rescued))
    figures = {"rail_lower_bound": round(float(cars["cost"].sum()), 2), "feeder_lower_bound": round(feeder_bound, 2)}
    return RailPart(s.rows[chosen], a, trips, cars, figures)


def _feeder_trips(groups: list[_Group], s: _Search, offers: list[Offer], day0, campaign: Campaign,
                  state: RailState, seq: dict, trip_of: np.ndarray) -> pd.DataFrame:
    """Trip rows of feeder groups (carriers not yet chosen); writes each rider's trip into `trip_of`."""
    rules = campaign.transport
    rows = []
    for g in groups:
        station, day = offers[g.offer].board[g.board], offers[g.offer].day
        date = pd.Timestamp(day0) + pd.Timedelta(days=day)
        members = g.members[np.argsort(s.rows[g.members], kind="stable")]
        first = 0
        for q, n in _vehicle_loads(g.mix, state.seats, state.min_load, len(members)):
            key = (day, g.origin, station.place_code)
            seq[key] = seq.get(key, 0) + 1
            trip_id = f"{date:%Y%m%d}-{g.origin}-{station.place_code}F-{seq[key]:03d}"
            trip_of[members[first:first + n]] = trip_id
            first += n
            rows.append({"trip_id": trip_id, "route_id": f"{g.origin}>{station.place_code}",
                         "route": f"{divisions.place_label(g.origin)}→{station.name}站", "date": f"{date:%Y-%m-%d}",
                         "seats": q, "vehicle_class": rules.vehicle_class(q).name, "passengers": n,
                         "km": round(g.km, 1), "drivers": 2 if g.km > rules.long_route_km else 1,
                         "cost": float(coach_cost(campaign, q, g.km)), "stops": "", "mode": MODE_FEEDER,
                         "day": day, "cross": g.cross, "seq": seq[key]})
    return pd.DataFrame(rows, columns=[*TRIP_COLUMNS, "day", "cross", "seq"])


def _with_carriers(trips: pd.DataFrame, fleet: Fleet, day0) -> pd.DataFrame:
    if trips.empty:
        return trips
    by_code = {c.uscc: c for c in fleet.carriers}
    trips["carrier_uscc"] = _carriers_for(trips, fleet, day0)
    trips["carrier"] = [by_code[c].name if c else "" for c in trips["carrier_uscc"]]
    trips["carrier_contact"] = [by_code[c].contact_name if c else "" for c in trips["carrier_uscc"]]
    trips["carrier_phone"] = [by_code[c].contact_phone if c else "" for c in trips["carrier_uscc"]]
    return trips


def _cars(state: RailState) -> tuple[pd.DataFrame, np.ndarray]:
    """One row per carriage booked, and each candidate's carriage number: riders fill a 专列's carriages in
    order (by boarding station); reserved carriages share their riders evenly (each keeps its minimum)."""
    s, offers, on, frame = state.s, state.offers, state.on, state.frame
    rows, car_of = [], np.zeros(len(s.rows), dtype=np.int64)
    numbered: dict[str, int] = {}
    for o in sorted(state.booked, key=lambda o: (offers[o].train_id, offers[o].row)):
        offer, rec = offers[o], frame.iloc[offers[o].row]
        members = np.flatnonzero(on == o)
        members = members[np.lexsort((s.rows[members], s.board[o, s.route[members]]))]
        cars = state.booked[o]
        if offer.whole:
            capacity = [offer.per_car] * (cars - 1) + [offer.seats - offer.per_car * (cars - 1)]
            loads, left = [], len(members)
            for c in capacity:
                loads.append(min(c, left))
                left -= loads[-1]
        else:
            capacity = [offer.per_car] * cars
            loads = [len(members) // cars + (k < len(members) % cars) for k in range(cars)]
        first, at = numbered.get(offer.train_id, 0), 0
        for k, (cap, n) in enumerate(zip(capacity, loads, strict=True)):
            car_of[members[at:at + n]] = first + k + 1
            at += n
            rows.append({"train_id": offer.train_id, "train_no": rec["train_no"],
                         "date": f"{pd.Timestamp(state.riders.day0) + pd.Timedelta(days=offer.day):%Y-%m-%d}",
                         "mode": MODE_TRAIN if offer.whole else MODE_CARRIAGE, "carriage_no": first + k + 1,
                         "carriage_type": rec["carriage_type"], "capacity": int(cap), "riders": int(n),
                         "from_station": rec["from_station"], "to_station": rec["to_station"],
                         "fare": offer.fare, "cost": round(n * offer.fare, 2), "bureau": rec["bureau"],
                         "contact_name": rec["contact_name"], "contact_phone": rec["contact_phone"]})
        numbered[offer.train_id] = first + len(capacity)
    return pd.DataFrame(rows, columns=CAR_COLUMNS), car_of
