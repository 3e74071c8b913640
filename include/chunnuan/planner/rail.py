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

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from chunnuan.config import divisions, railway
from chunnuan.config.campaign import Campaign
from chunnuan.planner.assign import _carriers_for, _vehicle_loads, day_labels
from chunnuan.planner.demand import Riders, place_km
from chunnuan.planner.fleet import Fleet, coach_cost, daily_supply, per_seat_cost
from chunnuan.planner.mix import INF, bounded_mix_table
from chunnuan.planner.model import (
    ASSIGNMENT_COLUMNS,
    CAR_COLUMNS,
    MODE_CARRIAGE,
    MODE_FEEDER,
    MODE_TRAIN,
    STATUS_RAIL,
    TRIP_COLUMNS,
)

MAX_ROUNDS = 10  # offer searches at most (each after cutting riders no feeder can carry)
SAFETY, REFERRAL, CHEAPER, NOT_RAIL = 0, 1, 2, 3  # why a rider takes an offer (lower goes first)


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
    rest: np.ndarray | None = None  # rider rows left for the coach plan (core sets it)


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


def _tables(riders: Riders, offers: list[Offer], campaign: Campaign, seats: np.ndarray, min_load: np.ndarray
            ) -> _Search | None:
    routes = riders.routes
    stations = campaign.rail.station_list()
    rules, factor = campaign.rail, campaign.transport.road_distance_factor
    n_r, nearest = len(routes), {}
    board = np.full((len(offers), n_r), -1, dtype=np.int64)
    feeder_km = np.zeros((len(offers), n_r))
    origins, dests = routes["origin_code"].to_numpy(), routes["destination_code"].to_numpy()
    for o, offer in enumerate(offers):
        ends = {d: serves(d, offer.arrive, nearest, stations) for d in set(dests.tolist())}
        served = np.array([ends[d] for d in dests], dtype=bool)
        for origin in sorted(set(origins[served].tolist())):
            usable = [(place_km(origin, s.place_code, factor) if feeder_needed(origin, s) else 0.0, j)
                      for j, s in enumerate(offer.board) if serves(origin, s, nearest, stations)]
            if not usable:
                continue
            km, j = min(usable)
            if not np.isfinite(km):
                continue
            hit = (origins == origin) & served
            board[o, hit], feeder_km[o, hit] = j, km
    if not (board >= 0).any():
        return None
    frame = riders.frame
    route = frame["route"].to_numpy()
    rows = np.flatnonzero(route >= 0)
    rows = rows[(board[:, route[rows]] >= 0).any(axis=0)]
    if not len(rows):
        return None
    r_of = route[rows]
    start, deadline = frame["start"].to_numpy()[rows], frame["deadline"].to_numpy()[rows]
    coach_seat = per_seat_cost(campaign, seats, routes["km"].to_numpy(dtype=float))
    feeder_seat = np.where(feeder_km > 0, per_seat_cost(campaign, seats, feeder_km), 0.0)
    fares = np.array([o.fare for o in offers])[:, None]
    saving = coach_seat[None, :] - (fares + feeder_seat)
    hopeless = _hopeless(r_of, start, deadline, n_r, riders.days, int(min_load.min()) if len(min_load) else 1)
    hopeless |= ~np.isfinite(coach_seat)
    why = np.where(saving > 0, CHEAPER, NOT_RAIL)
    why = np.where(hopeless[None, :], REFERRAL, why)
    why = np.where((routes["km"].to_numpy(dtype=float) > rules.prefer_above_km)[None, :], SAFETY, why)
    why = np.where(board >= 0, why, NOT_RAIL)
    return _Search(rows, r_of, start, deadline, frame["planned"].to_numpy()[rows], board, why, saving, feeder_km)


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


def _search(s: _Search, offers: list[Offer], rules, caps: dict) -> tuple[np.ndarray, dict[int, int]]:
    """Offer index per candidate rider (-1: not on a train) and carriages booked per offer."""
    n = len(s.rows)
    on = np.full(n, -1, dtype=np.int64)
    booked: dict[int, int] = {}
    may = [(s.why[o, s.route] < NOT_RAIL) & (s.start <= offer.day) & (s.deadline >= offer.day)
           for o, offer in enumerate(offers)]
    order = sorted(range(len(offers)), key=lambda o: (-int((may[o] & (s.why[o, s.route] < CHEAPER)).sum()),
                                                      -int(may[o].sum()), offers[o].day, offers[o].train_id))
    for o in order:
        offer = offers[o]
        pool = np.flatnonzero(may[o] & (on < 0))
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
    return on, booked


def _within_caps(pool: np.ndarray, s: _Search, o: int, offer: Offer, caps: dict) -> np.ndarray:
    """The pool less riders beyond a feeder group's cap (riders a feeder could not carry)."""
    if not caps:
        return pool
    keys = [(int(s.route[i]), int(s.board[o, s.route[i]]), o) for i in pool]
    seen: dict = {}
    keep = np.ones(len(pool), dtype=bool)
    for k, key in enumerate(keys):
        cap = caps.get(key)
        if cap is not None:
            seen[key] = seen.get(key, 0) + 1
            keep[k] = seen[key] <= cap
    return pool[keep]


@dataclass
class _Feeders:
    groups: list  # (origin, offer, board index, candidate indices, mix, cross)
    cut: dict  # (route, board, offer) -> the most riders a feeder can carry


def _feeders(s: _Search, on: np.ndarray, offers: list[Offer], riders: Riders, fleet: Fleet, campaign: Campaign,
             seats: np.ndarray, min_load: np.ndarray) -> _Feeders:
    """Feeder coaches per (origin, station, day), taking the coaches in that order (biggest groups first)."""
    permit, other = daily_supply(fleet, seats, riders.day0, riders.days)
    routes = riders.routes
    origin_of = routes["origin_code"].to_numpy()
    need = np.flatnonzero(on >= 0)
    need = need[s.feeder_km[on[need], s.route[need]] > 0]
    groups: dict = {}
    for i in need:
        o = int(on[i])
        key = (origin_of[s.route[i]], o, int(s.board[o, s.route[i]]))
        groups.setdefault(key, []).append(i)
    out, cut = [], {}
    for key in sorted(groups, key=lambda k: (offers[k[1]].day, -len(groups[k]), k)):
        origin, o, j = key
        members = np.array(groups[key], dtype=np.int64)
        station = offers[o].board[j]
        km = float(s.feeder_km[o, s.route[members[0]]])
        cross = origin[:2] != station.place_code[:2]
        day = offers[o].day
        avail = permit[day] + (0 if cross else other[day])
        costs = np.array([float(coach_cost(campaign, int(q), km)) for q in seats]) if len(seats) else np.zeros(0)
        table = bounded_mix_table(np.where(avail > 0, costs, INF), seats, min_load, avail, len(members))
        n = len(members)
        while n and not np.isfinite(table.values[n]):
            n -= 1
        if n < len(members):
            for i in members:  # every route of this group is capped to what the feeder can carry
                cut[(int(s.route[i]), j, o)] = 0
            for i in members[:n]:
                cut[(int(s.route[i]), j, o)] += 1
            continue
        mix = table.mix(n)
        _use(mix, day, permit, other, cross)
        out.append((origin, o, j, members, mix, cross, km))
    return _Feeders(out, cut)


def _use(mix: np.ndarray, day: int, permit: np.ndarray, other: np.ndarray, cross: bool) -> None:
    if cross:
        permit[day] -= mix
        return
    from_other = np.minimum(mix, other[day])  # keep permit holders for cross-province trips
    other[day] -= from_other
    permit[day] -= mix - from_other


def rail_plan(riders: Riders, fleet: Fleet, rail: pd.DataFrame | None, campaign: Campaign) -> RailPart:
    """Riders on trains, their feeder coaches and the carriages used (see the module doc). `fleet`: qualified."""
    if rail is None or rail.empty or campaign.rail is None or fleet.vehicles.empty:
        return empty_part()
    offers, frame = _offers(rail, campaign, riders.day0, riders.days)
    seats = np.array(sorted(fleet.vehicles["seats"].unique()), dtype=np.int64)
    min_load = np.maximum(np.ceil(campaign.transport.min_fill_ratio * seats - 1e-9).astype(np.int64), 1)
    s = _tables(riders, offers, campaign, seats, min_load) if offers else None
    if s is None:
        return empty_part()
    caps: dict = {}
    for _ in range(MAX_ROUNDS):
        on, booked = _search(s, offers, campaign.rail, caps)
        feeders = _feeders(s, on, offers, riders, fleet, campaign, seats, min_load)
        if not feeders.cut:
            break
        caps.update({k: min(v, caps.get(k, v)) for k, v in feeders.cut.items()})
    else:  # still cut after the last round: drop the offers whose riders a feeder cannot carry
        on, booked, feeders = _drop_uncarried(s, on, booked, feeders, offers, riders, fleet, campaign, seats, min_load)
    return _outputs(s, on, booked, feeders, offers, frame, riders, fleet, campaign, seats, min_load)


def _drop_uncarried(s, on, booked, feeders, offers, riders, fleet, campaign, seats, min_load):
    cut_offers = {o for _, _, o in feeders.cut}
    on = np.where(np.isin(on, list(cut_offers)), -1, on)
    booked = {o: c for o, c in booked.items() if o not in cut_offers}
    return on, booked, _feeders(s, on, offers, riders, fleet, campaign, seats, min_load)


def _outputs(s: _Search, on, booked, feeders: _Feeders, offers, frame: pd.DataFrame, riders: Riders,
             fleet: Fleet, campaign: Campaign, seats, min_load) -> RailPart:
    day0 = riders.day0
    routes = riders.routes
    rules = campaign.transport
    # Feeder trips and who rides which.
    trip_rows, trip_of = [], np.full(len(s.rows), "", dtype=object)
    seq: dict = {}
    feeder_bound = 0.0
    for origin, o, j, members, mix, cross, km in feeders.groups:
        station, day = offers[o].board[j], offers[o].day
        date = pd.Timestamp(day0) + pd.Timedelta(days=day)
        members = members[np.lexsort((s.rows[members],))]
        first = 0
        for q, n in _vehicle_loads(mix, seats, min_load, len(members)):
            key = (day, origin, station.place_code)
            seq[key] = seq.get(key, 0) + 1
            trip_id = f"{date:%Y%m%d}-{origin}-{station.place_code}F-{seq[key]:03d}"
            trip_of[members[first:first + n]] = trip_id
            first += n
            trip_rows.append({"trip_id": trip_id, "route_id": f"{origin}>{station.place_code}",
                              "route": f"{divisions.place_label(origin)}→{station.name}站", "date": f"{date:%Y-%m-%d}",
                              "seats": q, "vehicle_class": rules.vehicle_class(q).name, "passengers": n,
                              "km": round(km, 1), "drivers": 2 if km > rules.long_route_km else 1,
                              "cost": float(coach_cost(campaign, q, km)), "stops": "", "mode": MODE_FEEDER,
                              "day": day, "cross": cross, "seq": seq[key]})
        feeder_bound += float(per_seat_cost(campaign, seats, km)) * len(members)
    trips = pd.DataFrame(trip_rows, columns=[*TRIP_COLUMNS, "day", "cross", "seq"])
    if len(trips):
        by_code = {c.uscc: c for c in fleet.carriers}
        trips["carrier_uscc"] = _carriers_for(trips, fleet, day0)
        trips["carrier"] = [by_code[c].name if c else "" for c in trips["carrier_uscc"]]
        trips["carrier_contact"] = [by_code[c].contact_name if c else "" for c in trips["carrier_uscc"]]
        trips["carrier_phone"] = [by_code[c].contact_phone if c else "" for c in trips["carrier_uscc"]]
    trips = trips.drop(columns="seq").sort_values(["date", "route_id", "trip_id"], kind="stable").reset_index(drop=True)

    # Carriages: riders fill a 专列's carriages in order; reserved carriages share them evenly.
    car_rows, car_of = [], np.zeros(len(s.rows), dtype=np.int64)
    numbered: dict[str, int] = {}
    for o in sorted(booked, key=lambda o: (offers[o].train_id, offers[o].row)):
        offer, rec = offers[o], frame.iloc[offers[o].row]
        members = np.flatnonzero(on == o)
        members = members[np.lexsort((s.rows[members], s.board[o, s.route[members]]))]
        cars = booked[o]
        if offer.whole:
            capacity = [offer.per_car] * (cars - 1) + [offer.seats - offer.per_car * (cars - 1)]
            loads, left = [], len(members)
            for c in capacity:
                loads.append(min(c, left))
                left -= loads[-1]
        else:
            capacity = [offer.per_car] * cars
            loads = [len(members) // cars + (k < len(members) % cars) for k in range(cars)]
        first = numbered.get(offer.train_id, 0)
        at = 0
        for k, (cap, n) in enumerate(zip(capacity, loads, strict=True)):
            car_of[members[at:at + n]] = first + k + 1
            at += n
            car_rows.append({"train_id": offer.train_id, "train_no": rec["train_no"],
                             "date": f"{pd.Timestamp(day0) + pd.Timedelta(days=offer.day):%Y-%m-%d}",
                             "mode": MODE_TRAIN if offer.whole else MODE_CARRIAGE, "carriage_no": first + k + 1,
                             "carriage_type": rec["carriage_type"], "capacity": int(cap), "riders": int(n),
                             "from_station": rec["from_station"], "to_station": rec["to_station"],
                             "fare": offer.fare, "cost": round(n * offer.fare, 2), "bureau": rec["bureau"],
                             "contact_name": rec["contact_name"], "contact_phone": rec["contact_phone"]})
        numbered[offer.train_id] = first + len(capacity)
    cars_frame = pd.DataFrame(car_rows, columns=CAR_COLUMNS)

    # Assignments of the rail riders.
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
    figures = {"rail_lower_bound": round(float(cars_frame["cost"].sum()), 2),
               "feeder_lower_bound": round(feeder_bound, 2)}
    return RailPart(s.rows[chosen], a, trips, cars_frame, figures)
