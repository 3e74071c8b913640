"""The planner: riders and a qualified fleet in, trips, manifests, referrals and a bound out.

Steps (each a function below):
0. `rail.rail_search` (专列（车厢）, when the railway offers trains): riders put on trains first, with feeder
   coaches to the station that take the fleet's coaches before the coach plan; the steps below plan the rest,
   and step 8 (`rail.rail_rescue`) seats riders they still refer in seats left on trains.
1. `demand.prepare`: requests -> riders on routes with windows (days from the travel window start).
2. `fleet.qualify`: carriers meeting the campaign's rules; coach supply per day and seat count, in
   two pools (with / without the interprovincial permit that cross-province routes need).
3. Per route, `route.schedule_route` picks the day loads (so the coach mix of each day) with the
   least referrals then cost, as if coaches were unlimited (a type absent on a day is not offered):
   exactly on routes of up to `route.EXACT_MAX_RIDERS` riders, by the faster one-label search above.
4. `_allocate`: routes take coaches from the shared daily supply one after another (cross-province
   routes first, then by size). A route whose plan does not fit what is left first tries other sizes
   on the short days (same riders, e.g. 2×35 seats for a 53); if that fails it is planned again under
   hard caps: its riders move to other days in their windows (错峰) or, failing that, are referred.
   Each route-day-size that lacked coaches is reported as a shortage.
5. `assign.assign_riders`: who travels when (earliest deadline first; among equal deadlines, riders whose
   planned day it is first), then who sits in which coach, and which carrier drives it (best credit
   grade first).
6. `route.interval_bound` for the riders each route carries.
7. `pool.pool_plan` (拼车): riders still referred for too few on their route are pooled into coaches
   stopping in several nearby counties and cities, with the coaches left; summary without personal data.
8. `rail.rail_rescue` (with rail offers): riders still referred take seats left on trains (booked carriages,
   or more carriages / a train they fill to the minimum), with feeders from the coaches left.
9. `floor.uncarriable`: of the riders step 5 referred for too few, those no coach under the rules could carry;
   the summary's `referral_floor` counts those still referred (what no plan avoids).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from chunnuan.config.campaign import Campaign
from chunnuan.planner import demand
from chunnuan.planner.assign import assign_riders, build_summary
from chunnuan.planner.fleet import Fleet, coach_cost, daily_supply, less_used, min_load, qualify
from chunnuan.planner.floor import uncarriable
from chunnuan.planner.mix import INF, MixTable, bounded_mix_table, cover_tables, mix_tables
from chunnuan.planner.model import MODE_COACH, REASON_TOO_FEW, STATUS_REFERRED, Plan, Shortage, truthy
from chunnuan.planner.network import Network, RouteWork, min_riders
from chunnuan.planner.parallel import default_workers, parallel_map, start_server
from chunnuan.planner.pool import pool_plan
from chunnuan.planner.rail import RailState, rail_part, rail_rescue, rail_search
from chunnuan.planner.route import (
    DEFAULT_MAX_WAITING,
    RouteSchedule,
    interval_bounds,
    schedule_job,
    schedule_route,
)

MIX_TABLE_SIZE = 400  # exact mixes up to 400 riders a day; beyond, whole big coaches are added


def _route_costs(routes: pd.DataFrame, seats: np.ndarray, campaign: Campaign) -> np.ndarray:
    km = routes["km"].to_numpy(dtype=float)
    costs = np.full((len(routes), len(seats)), INF)
    for k, s in enumerate(seats):
        costs[:, k] = coach_cost(campaign, int(s), km)
    return costs


def _network(requests: pd.DataFrame, fleet: Fleet, campaign: Campaign, riders: demand.Riders | None = None
             ) -> tuple[Network, tuple]:
    riders = demand.prepare(requests, campaign) if riders is None else riders
    qual = qualify(fleet, campaign)
    seats = np.array(sorted(qual.fleet.vehicles["seats"].unique()), dtype=np.int64)
    costs = _route_costs(riders.routes, seats, campaign)
    permit, other = daily_supply(qual.fleet, seats, riders.day0, riders.days)
    on_route = riders.frame[riders.frame["route"] >= 0]
    groups = (on_route.groupby(["route", "start", "deadline", "planned"], sort=True).size()
              .rename("count").reset_index())
    spans = np.zeros((len(riders.routes), 2), dtype=np.int64)
    if len(groups):
        agg = groups.groupby("route").agg(lo=("start", "min"), hi=("deadline", "max"))
        spans[agg.index.to_numpy()] = agg[["lo", "hi"]].to_numpy()
    return Network(riders, seats, min_load(campaign, seats), costs, permit, other, groups, spans, qual.fleet), qual.rejected


def _arrivals(start: np.ndarray, deadline: np.ndarray, count: np.ndarray, lo: int, hi: int) -> np.ndarray:
    width = deadline - start
    arr = np.zeros((hi - lo + 1, int(width.max()) + 1), dtype=np.int64)
    np.add.at(arr, (start - lo, width), count)
    return arr


def _largest_gathering(arr: np.ndarray) -> int:
    """Most riders who could all travel on one same day (their windows share it)."""
    days, width = arr.shape
    change = np.zeros(days + 1, dtype=np.int64)
    for j in range(width):  # riders opening on s with width j cover days s .. s + j
        change[:days] += arr[:, j]
        change[j + 1 :] -= arr[: days - j, j]
    return int(np.cumsum(change[:days]).max())


def _planned_per_day(net: Network, r: int) -> np.ndarray:
    _, _, planned, count = net.group_arrays(r)
    lo, hi = net.spans[r]
    return np.bincount(planned - lo, weights=count, minlength=hi - lo + 1).astype(np.int64)


def _usable(net: Network, r: int, lo: int, hi: int, permit_left: np.ndarray, other_left: np.ndarray) -> np.ndarray:
    cross = bool(net.cross[r])
    avail = permit_left[lo : hi + 1] + (0 if cross else other_left[lo : hi + 1])
    return avail


def _initial_work(net: Network, max_waiting: int, workers: int) -> dict[int, RouteWork]:
    """Cost tables per (route, set of sizes offered that day) and the uncapped schedules."""
    work: dict[int, RouteWork] = {}
    rows, keys = [], {}
    day_keys: dict[int, np.ndarray] = {}
    arrivals: dict[int, np.ndarray] = {}
    fewest = int(net.min_load.min()) if len(net.min_load) else 1
    no_coaches: set[int] = set()
    weights = 1 << np.arange(len(net.seats))
    for r in range(len(net.riders.routes)):
        start, deadline, _, count = net.group_arrays(r)
        if not len(count):
            continue
        lo, hi = net.spans[r]
        arrivals[r] = _arrivals(start, deadline, count, lo, hi)
        usable = _usable(net, r, lo, hi, net.supply_permit, net.supply_other) > 0
        usable &= np.isfinite(net.costs[r])[None, :]
        masks = usable @ weights
        if not masks.any():
            no_coaches.add(r)  # no qualified carrier offers a coach this route may use
            continue
        if _largest_gathering(arrivals[r]) < fewest:
            continue  # nobody can ever fill a coach here: no table, no search
        idx = np.empty(len(masks), dtype=np.int64)
        for i, mask in enumerate(masks.tolist()):
            key = (r, mask)
            if key not in keys:
                keys[key] = len(rows)
                rows.append(np.where(usable[i], net.costs[r], INF))
            idx[i] = keys[key]
        day_keys[r] = idx
    tables = mix_tables(np.array(rows), net.seats, net.min_load, MIX_TABLE_SIZE) if rows else []
    for r, arr in arrivals.items():
        if r not in day_keys:
            days = arr.shape[0]
            costs = np.full(len(net.seats), INF) if r in no_coaches else net.costs[r]
            empty = MixTable(np.array([0.0]), np.zeros((1, len(net.seats)), dtype=np.int64), -1, net.seats,
                             costs, extendable=False)
            w = RouteWork(arr, [empty], np.zeros(days, dtype=np.int64))
            w.schedule = _refer_all(arr)
            work[r] = w
            continue
        used = sorted(set(day_keys[r].tolist()))
        local = {i: j for j, i in enumerate(used)}
        w = RouteWork(arr, [tables[i] for i in used], np.array([local[i] for i in day_keys[r].tolist()]))
        w.planned = _planned_per_day(net, r)
        work[r] = w
    searched = [r for r in sorted(work) if work[r].schedule is None]
    jobs = [(work[r].arrivals, work[r].tables, work[r].day_table, max_waiting, work[r].planned) for r in searched]
    for r, sched in zip(searched, parallel_map(schedule_job, jobs, workers), strict=True):
        work[r].schedule = sched
    return work


def _refer_all(arr: np.ndarray) -> RouteSchedule:
    """Every rider referred on their last day (what the search would do, without searching)."""
    days, width = arr.shape
    drops = np.zeros(days, dtype=np.int64)
    for j in range(width):
        drops[j:] += arr[: days - j, j]
    return RouteSchedule(np.zeros(days, dtype=np.int64), drops, 0.0, int(arr.sum()))


def _vehicles_needed(w: RouteWork, k_types: int) -> np.ndarray:
    need = np.zeros((len(w.day_table), k_types), dtype=np.int64)
    for t in np.flatnonzero(w.schedule.loads):
        need[t] = w.tables[w.day_table[t]].mix(int(w.schedule.loads[t]))
    return need


def _capped_tables(net: Network, r: int, w: RouteWork, avail: np.ndarray) -> tuple[list, np.ndarray]:
    """Tables for a route planned under the coaches left: bounded where the caps can bind."""
    n_max = _largest_gathering(w.arrivals)  # no day can carry more than the riders whose window holds it
    reach = -(-n_max // net.min_load)  # coaches of each size the route could ever fill in a day
    tables, day_table, cache = list(w.tables), w.day_table.copy(), {}
    closed = MixTable(np.zeros(1), np.zeros((1, len(net.seats)), dtype=np.int64), -1, net.seats,
                      np.full(len(net.seats), INF), extendable=False)
    for t in range(len(day_table)):
        if (avail[t] >= reach).all():
            continue
        key = tuple(avail[t])
        if not any(key):
            cache.setdefault(key, len(tables))
            if cache[key] == len(tables):
                tables.append(closed)
            day_table[t] = cache[key]
            continue
        if key not in cache:
            costs = np.where(avail[t] > 0, net.costs[r], INF)
            cache[key] = len(tables)
            tables.append(bounded_mix_table(costs, net.seats, net.min_load, avail[t], n_max))
        day_table[t] = cache[key]
    return tables, day_table


def _allocate(net: Network, work: dict[int, RouteWork], max_waiting: int) -> list[Shortage]:
    routes = net.riders.routes
    cross = routes["cross_province"].to_numpy(dtype=bool)
    route_ids = routes["route_id"].to_numpy()
    labels = (routes["origin"] + "→" + routes["destination"]).to_numpy()
    running = [r for r, w in work.items() if w.schedule.loads.any()]
    order = sorted(running, key=lambda r: (not cross[r], -int(work[r].arrivals.sum()), route_ids[r]))
    permit_left, other_left = net.supply_permit.copy(), net.supply_other.copy()
    shortages: list[Shortage] = []
    k_types = len(net.seats)
    for r in order:
        w = work[r]
        lo, hi = net.spans[r]
        avail = _usable(net, r, lo, hi, permit_left, other_left)
        need = _vehicles_needed(w, k_types)
        if (need > avail).any():
            for t, k in zip(*np.nonzero(need > avail), strict=True):
                day = net.riders.day0 + pd.Timedelta(days=int(lo + t))
                shortages.append(Shortage(route_ids[r], labels[r], f"{day:%Y-%m-%d}", int(net.seats[k]),
                                          int(need[t, k]), int(avail[t, k])))
            if not _substitute(net, r, w, need, avail):
                w.tables, w.day_table = _capped_tables(net, r, w, avail)
                w.schedule = schedule_route(w.arrivals, w.tables, w.day_table, max_waiting, w.planned)
            need = _vehicles_needed(w, k_types)
        _take(need, lo, hi, permit_left, other_left, bool(cross[r]))
    return shortages


def _substitute(net: Network, r: int, w: RouteWork, need: np.ndarray, avail: np.ndarray) -> bool:
    """Quick repair: keep every day's riders and swap in other sizes left that day (2×35 for a 53 …).

    True when every short day could be covered so; otherwise nothing is changed and the route is
    planned again under the caps (riders move to other days or are referred).
    """
    short_days = np.flatnonzero((need > avail).any(axis=1))
    fixes = {}
    for t in short_days.tolist():
        load = int(w.schedule.loads[t])
        costs = np.where(avail[t] > 0, net.costs[r], INF)
        table = bounded_mix_table(costs, net.seats, net.min_load, avail[t], load)
        if not np.isfinite(table.values[load]):
            return False
        fixes[t] = table
    for t, table in fixes.items():
        w.tables = [*w.tables, table]
        w.day_table = w.day_table.copy()
        w.day_table[t] = len(w.tables) - 1
    loads = w.schedule.loads
    w.schedule.cost = float(sum(w.tables[w.day_table[t]].lookup(np.array([loads[t]]))[0]
                                for t in np.flatnonzero(loads)))
    return True


def _take(need, lo, hi, permit_left, other_left, cross: bool) -> None:
    span = slice(lo, hi + 1)
    if cross:
        permit_left[span] -= need
        return
    from_other = np.minimum(need, other_left[span])  # keep permit holders for cross-province routes
    other_left[span] -= from_other
    permit_left[span] -= need - from_other


def plan(requests: pd.DataFrame, fleet: Fleet, campaign: Campaign, *,
         max_waiting: int = DEFAULT_MAX_WAITING, workers: int | None = None, rail: pd.DataFrame | None = None) -> Plan:
    """Plan charter trips for `requests` (survey_worker rows asking for a charter) with `fleet`.

    `workers` processes search routes in parallel (default: the CPUs available, at most 8); the
    result does not depend on it. `rail`: the railway's offers (rail_offer rows); None or empty: coaches only.
    """
    workers = default_workers() if workers is None else workers
    start_server(workers, len(requests))  # its imports overlap the demand preparation
    requests, state, fleet_left = _rail_first(requests, fleet, campaign, rail)
    net, rejected = _network(requests, fleet_left, campaign, state.left if state is not None else None)
    work = _initial_work(net, max_waiting, workers)
    uncapped = {r: w.schedule.referred for r, w in work.items()}
    shortages = _allocate(net, work, max_waiting)
    trips, assignments, route_stats = assign_riders(net, work, uncapped, net.fleet, campaign, workers)
    route_stats = _with_bounds(net, work, route_stats, trips)
    too_few = REASON_TOO_FEW.format(min_riders=min_riders(net))
    pooled_trips, pooled_assignments, stops, pooled = pool_plan(net, trips, assignments, campaign, too_few,
                                                                route_stats.set_index("route_id")["lower_bound"])
    floor = (uncarriable(net, assignments, too_few, campaign) if state is None else
             uncarriable(net, assignments, too_few, campaign, state.riders, state.min_load))
    floor_ids = None if floor is None else set(assignments["id_number"].iloc[floor])
    route_stats = _with_pooled(route_stats, assignments, pooled_assignments)
    trips, assignments = pooled_trips.assign(mode=MODE_COACH), pooled_assignments
    result = Plan(trips, assignments, route_stats, shortages, rejected, stops=stops)
    figures = {}
    if state is not None:
        result, figures = _with_rail(result, state, campaign)
    a = result.assignments  # of the riders no coach could carry, those still referred (a train may seat some)
    figures["referral_floor"] = (None if floor_ids is None else
                                 int(((a["status"] == STATUS_REFERRED) & a["id_number"].isin(floor_ids)).sum()))
    result.summary = build_summary(result, net, {**pooled, **figures})
    return result


def _rail_first(requests: pd.DataFrame, fleet: Fleet, campaign: Campaign, rail: pd.DataFrame | None
                ) -> tuple[pd.DataFrame, RailState | None, Fleet]:
    """Step 0 (专列（车厢）, `rail.rail_search`): riders put on trains and their feeder coaches; the requests left
    for the coach plan and the fleet less the feeders' coaches (feeders take coaches first)."""
    if rail is None or rail.empty or campaign.rail is None:
        return requests, None, fleet
    wanted = requests.reset_index(drop=True)
    if "needs_charter" in wanted.columns:
        wanted = wanted[truthy(wanted["needs_charter"])].reset_index(drop=True)
    qualified = qualify(fleet, campaign).fleet
    riders = demand.prepare(wanted, campaign)
    state = rail_search(riders, qualified, rail, campaign)
    if state is None:
        return wanted, None, fleet
    state.rest = np.setdiff1d(np.arange(len(wanted)), state.rows)
    # the riders left for the coach plan, prepared once (the routes table is shared: routes keep their numbers)
    state.left = dataclasses.replace(riders, frame=riders.frame.iloc[state.rest].reset_index(drop=True))
    state.fleet = qualified
    state.feeders = rail_part(state, qualified, campaign).trips
    return wanted.iloc[state.rest].reset_index(drop=True), state, less_used(fleet, state.feeders)


def _with_rail(result: Plan, state: RailState, campaign: Campaign) -> tuple[Plan, dict]:
    """The coach plan with the rail riders (in input order), the feeder trips and the carriages: first riders the
    coach plan referred take seats left on trains (`rail.rail_rescue`, feeders from the coaches left)."""
    a, trips = result.assignments, result.trips
    referred = np.flatnonzero(((a["status"] == STATUS_REFERRED) & (a["route_id"] != "")).to_numpy())
    left = less_used(less_used(state.fleet, state.feeders), trips)
    rescued, moved = rail_rescue(state, state.rest[referred], left, campaign, _slack(a, trips, state.rest, campaign))
    part = rail_part(state, state.fleet, campaign, left)
    if len(moved):  # coach riders who moved to a train to fill it: their coaches keep their minimum fill
        trips = trips.assign(passengers=trips["passengers"] - trips["trip_id"].map(
            moved.groupby("trip_id").size()).fillna(0).astype(np.int64))
    keep = ~np.isin(state.rest, np.concatenate([rescued, moved["row"].to_numpy(dtype=np.int64)]))
    a = pd.concat([a[keep], part.assignments], ignore_index=True)
    order = np.argsort(np.concatenate([state.rest[keep], part.rows]), kind="stable")
    a = a.iloc[order].reset_index(drop=True)
    a["shift_days"] = a["shift_days"].astype(np.int64)
    a["carriage_no"] = a["carriage_no"].astype(np.int64)
    if len(part.trips):
        trips = pd.concat([trips, part.trips], ignore_index=True).sort_values(
            ["date", "route_id", "trip_id"], kind="stable").reset_index(drop=True)
    figures = {**part.figures, "rail_rescued": int(len(rescued)), "rail_moved_from_coaches": int(len(moved))}
    return dataclasses.replace(result, trips=trips, assignments=a, cars=part.cars), figures


def _slack(a: pd.DataFrame, trips: pd.DataFrame, rows: np.ndarray, campaign: Campaign) -> pd.DataFrame:
    """Riders of one-route coach trips carrying more than the coach's minimum fill: row (of the rail step's
    riders), trip_id, slack (riders the trip could lose and still run)."""
    single = trips[trips["stops"].fillna("") == ""]
    slack = pd.Series(single["passengers"].to_numpy() - min_load(campaign, single["seats"]), index=single["trip_id"].to_numpy())
    slack = slack[slack > 0]
    on = np.flatnonzero(a["trip_id"].isin(slack.index).to_numpy())
    ids = a["trip_id"].to_numpy()[on]
    return pd.DataFrame({"row": rows[on], "trip_id": ids, "slack": slack.reindex(ids).to_numpy(dtype=np.int64)})


def _with_pooled(stats: pd.DataFrame, before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """Route figures counting the riders pooling chartered (`pooled`) as carried, no longer referred."""
    newly = (before["status"] != after["status"]).to_numpy()
    per_route = after.loc[newly].groupby("route_id").size()
    pooled = stats["route_id"].map(per_route).fillna(0).astype(int).to_numpy() if len(stats) else []
    return stats.assign(pooled=pooled, carried=stats["carried"] + pooled, referred=stats["referred"] - pooled)


def _with_bounds(net: Network, work: dict[int, RouteWork], stats: pd.DataFrame,
                 trips: pd.DataFrame) -> pd.DataFrame:
    """Lower bound of each route for the riders it carries (all sizes offered, no caps, no min fill)."""
    bounds = np.zeros(len(net.riders.routes))
    carrying = [r for r, w in sorted(work.items()) if w.carried_arrivals is not None and w.carried_arrivals.any()]
    if carrying:
        most = max(int(work[r].carried_arrivals.sum()) for r in carrying)
        cover, q_b, c_b = cover_tables(net.costs[carrying], net.seats, most)
        bounds[carrying] = interval_bounds([work[r].carried_arrivals for r in carrying], cover, q_b, c_b)
    stats = stats.copy()
    stats["lower_bound"] = bounds[stats["route"].to_numpy()] if len(stats) else []
    stats["ratio"] = np.where(stats["lower_bound"] > 0, stats["cost"] / stats["lower_bound"].replace(0, np.nan), 1.0)
    return stats
