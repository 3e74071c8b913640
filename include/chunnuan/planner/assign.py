"""From day loads to people: who travels when, in which coach, driven by which carrier.

Per route the riders are only counts by (start, deadline, planned day) until the very end; the one
pass that touches individual requests is vectorised (sort, cumulative counts, searchsorted), so a
million requests cost a few sorts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from chunnuan.config.campaign import Campaign
from chunnuan.planner.fleet import Fleet
from chunnuan.planner.model import (
    ASSIGNMENT_COLUMNS,
    MODE_CARRIAGE,
    MODE_COACH,
    MODE_FEEDER,
    MODE_TRAIN,
    REASON_NO_VEHICLES,
    REASON_SHORTAGE,
    REASON_TOO_FEW,
    STATUS_CHARTER,
    STATUS_RAIL,
    STATUS_REFERRED,
    TRIP_COLUMNS,
    Plan,
)
from chunnuan.planner.network import Network, RouteWork, min_riders
from chunnuan.planner.parallel import parallel_map

SUMMARY_SHORTAGES = 100  # the summary lists the first ones; shortages.csv has them all


def route_days(starts, deadlines, planned, counts, loads, drops, capacity=None) -> list[tuple[int, int, int]]:
    """(group, day or -1 if referred, riders) for one route, replaying the schedule group by group.

    Each day first takes riders earliest deadline first (this keeps every later day feasible: the
    schedule was built that way), then swaps in riders whose planned day it is for riders planned on
    another day as long as the riders left waiting still fit the later days — checked with the
    interval slack B(e) = seats of days t+1..e − riders whose whole window lies in t+1..e.
    A rider the schedule refers still gets a seat if a coach of some day in their window has one
    spare (`capacity` = seats of the day's coaches): same coaches, same cost, one fewer referral.
    """
    if not np.any(loads):  # nobody travels on this route: every group is referred as it stands
        return [(g, -1, int(c)) for g, c in enumerate(counts)]
    days = len(loads)
    spare = (np.zeros(days, dtype=np.int64) if capacity is None
             else np.asarray(capacity, dtype=np.int64) - np.asarray(loads, dtype=np.int64))
    arrivals = np.zeros((days, days), dtype=np.int64)
    np.add.at(arrivals, (starts, deadlines), counts)
    inside = arrivals[::-1].cumsum(axis=0)[::-1].cumsum(axis=1)  # [s, e]: start ≥ s, deadline ≤ e
    served = np.concatenate([[0], np.cumsum(np.asarray(loads) + np.asarray(drops))])
    out: list[tuple[int, int, int]] = []
    order = np.argsort(starts, kind="stable")
    pending: list[list[int]] = []  # [deadline, planned, group, remaining]
    nxt = 0
    for t in range(days):
        while nxt < len(order) and starts[order[nxt]] == t:
            g = int(order[nxt])
            pending.append([int(deadlines[g]), int(planned[g]), g, int(counts[g])])
            nxt += 1
        n, d = int(loads[t]), int(drops[t])
        if not n and not d:
            continue
        if d:  # referred: riders whose last day it is, those not planned for today first
            for p in sorted((p for p in pending if p[0] == t), key=lambda p: (p[1] == t, p[1], p[2])):
                take = min(d, p[3])
                if take:
                    left = _seat_in_spare(out, p[2], int(starts[p[2]]), t, p[1], take, spare)
                    if left:
                        out.append((p[2], -1, left))
                    p[3] -= take
                    d -= take
            pending = [p for p in pending if p[3]]
        take = {}
        for p in sorted(pending, key=lambda p: (p[0], p[1] != t, p[1], p[2])):
            if not n:
                break
            take[id(p)] = min(n, p[3])
            n -= take[id(p)]
        if t + 1 < days:
            _swap_in_planned(t, pending, take, inside, served)
        for p in pending:
            k = take.get(id(p), 0)
            if k:
                out.append((p[2], t, k))
                p[3] -= k
        pending = [p for p in pending if p[3]]
    for p in pending:  # cannot happen for a schedule from schedule_route; kept so nobody is lost
        out.append((p[2], -1, p[3]))
    if spare.any() and any(day < 0 for _, day, _ in out):
        out = _augment(out, starts, deadlines, spare)
    return out


def _augment(out: list, starts, deadlines, spare: np.ndarray) -> list[tuple[int, int, int]]:
    """Seat more referred riders by moving seated riders along their windows (augmenting paths).

    A referred rider takes a seat on day u if someone seated on u can move to a day v in their own
    window, and so on until a day with a spare seat: loads only grow, so every coach keeps its
    minimum fill and no coach is added.
    """
    seated: dict[tuple[int, int], int] = {}
    referred: dict[int, int] = {}
    for g, day, n in out:
        if day >= 0:
            seated[(g, day)] = seated.get((g, day), 0) + n
        else:
            referred[g] = referred.get(g, 0) + n
    for g in sorted(referred, key=lambda g: (deadlines[g] - starts[g], g)):  # narrow windows first
        while referred[g] and spare.any():
            path = _path_to_spare(g, seated, starts, deadlines, spare)
            if path is None:
                break
            referred[g] -= 1
            for mover, frm, to in path:  # mover −1 on frm (none for the new rider), +1 on to
                if frm >= 0:
                    seated[(mover, frm)] -= 1
                seated[(mover, to)] = seated.get((mover, to), 0) + 1
            spare[path[-1][2]] -= 1
    rows = [(g, day, n) for (g, day), n in sorted(seated.items()) if n]
    return rows + [(g, -1, n) for g, n in sorted(referred.items()) if n]


def _path_to_spare(g: int, seated: dict, starts, deadlines, spare) -> list[tuple[int, int, int]] | None:
    """Breadth-first over days: [(group, from day or -1, to day), ...] ending on a day with a spare seat."""
    parent: dict[int, tuple[int, int, int]] = {}
    frontier = []
    for day in range(int(starts[g]), int(deadlines[g]) + 1):
        parent[day] = (g, -1, day)
        frontier.append(day)
    by_day: dict[int, list[int]] = {}
    for (h, day), n in seated.items():
        if n > 0:
            by_day.setdefault(day, []).append(h)
    while frontier:
        nxt = []
        for day in frontier:
            if spare[day] > 0:
                path = []
                while True:
                    step = parent[day]
                    path.append(step)
                    if step[1] < 0:
                        return path[::-1]
                    day = step[1]
            for h in by_day.get(day, ()):
                for v in range(int(starts[h]), int(deadlines[h]) + 1):
                    if v not in parent:
                        parent[v] = (h, day, v)
                        nxt.append(v)
        frontier = nxt
    return None


def _seat_in_spare(out: list, group: int, start: int, last: int, planned: int, riders: int,
                   spare: np.ndarray) -> int:
    """Put riders about to be referred into spare seats of their window (planned day first); the rest."""
    for u in sorted(range(start, last + 1), key=lambda u: (abs(u - planned), u)):
        if not riders:
            break
        take = min(riders, int(spare[u]))
        if take > 0:
            out.append((group, u, take))
            spare[u] -= take
            riders -= take
    return riders


def _swap_in_planned(t: int, pending: list[list[int]], take: dict, inside: np.ndarray, served: np.ndarray) -> None:
    """Carry riders planned for day t instead of riders planned for other days where slack allows."""
    wanting = sorted((p for p in pending if p[1] == t and p[3] > take.get(id(p), 0)), key=lambda p: p[0])
    if not wanting:
        return
    giving = sorted((p for p in pending if p[1] != t and p[0] > t and take.get(id(p), 0)),
                    key=lambda p: (p[1] < t, -p[0]))  # planned later first: they can still go on their day
    if not giving:
        return
    days = len(served) - 1
    waiting = np.zeros(days, dtype=np.int64)
    for p in pending:
        waiting[p[0]] += p[3] - take.get(id(p), 0)
    later = np.arange(t + 1, days)
    slack = np.zeros(days, dtype=np.int64)
    slack[later] = served[later + 1] - served[t + 1] - inside[t + 1, later] - np.cumsum(waiting[t + 1 :])
    for y in wanting:
        for x in giving:
            room = y[3] - take.get(id(y), 0)
            if not room:
                break
            given = take.get(id(x), 0)
            if not given:
                continue
            span = slack[x[0] : y[0]]  # x waiting instead of y: one more rider due by each day in here
            k = min(room, given, int(span.min()) if len(span) else room)
            if k <= 0:
                continue
            span -= k
            take[id(x)] = given - k
            take[id(y)] = take.get(id(y), 0) + k


def _vehicle_loads(mix: np.ndarray, seats: np.ndarray, min_load: np.ndarray, riders: int) -> list[tuple[int, int]]:
    """(seats, passengers) per coach: every coach gets its minimum, the rest fills the biggest first."""
    coaches = [(int(seats[k]), int(min_load[k])) for k in np.argsort(-seats, kind="stable") for _ in range(mix[k])]
    extra = riders - sum(m for _, m in coaches)
    out = []
    for s, m in coaches:
        add = min(extra, s - m)
        out.append((s, m + add))
        extra -= add
    assert extra == 0, "mix cannot carry the load"
    return out


def _carrier_slots(fleet: Fleet, day0) -> dict:
    """(day, seats) -> carriers in preference order (best grade first), each repeated per coach."""
    grade = {c.uscc: (c.grade_rank, c.uscc) for c in fleet.carriers}
    permit = {c.uscc: c.interprovincial for c in fleet.carriers}
    slots: dict = {}
    v = fleet.vehicles
    for (date, seats), g in v.groupby(["date", "seats"], sort=True):
        codes = sorted(g["uscc"], key=grade.__getitem__)
        counts = dict(zip(g["uscc"], g["count"], strict=True))
        slots[((date - day0).days, int(seats))] = [[c, counts[c], permit[c]] for c in codes]
    return slots


def _carriers_for(trips: pd.DataFrame, fleet: Fleet, day0) -> list[str]:
    """Cross-province trips take permit holders first; then every trip takes the best grade left."""
    slots = _carrier_slots(fleet, day0)
    chosen = [""] * len(trips)
    order = np.lexsort((trips["seq"].to_numpy(), trips["route_id"].to_numpy(), ~trips["cross"].to_numpy()))
    day, seats, cross = trips["day"].to_numpy(), trips["seats"].to_numpy(), trips["cross"].to_numpy()
    for i in order:
        for slot in slots.get((int(day[i]), int(seats[i])), []):
            if slot[1] > 0 and (slot[2] or not cross[i]):
                chosen[i] = slot[0]
                slot[1] -= 1
                break
    return chosen


def _day_seats(net: Network, w: RouteWork) -> np.ndarray:
    """Seats of the coaches each day of the schedule runs (fixes the day's mix before any rescue)."""
    w.mixes = {t: w.tables[w.day_table[t]].mix(int(w.schedule.loads[t])) for t in np.flatnonzero(w.schedule.loads)}
    seats = np.zeros(len(w.schedule.loads), dtype=np.int64)
    for t, mix in w.mixes.items():
        seats[t] = int(mix @ net.seats)
    return seats


def route_days_job(job: tuple) -> list[tuple[int, int, int]]:
    """route_days(*job): the work function given to the process pool (parallel.PRELOAD names this module)."""
    return route_days(*job)


def assign_riders(net: Network, work: dict[int, RouteWork], uncapped: dict[int, int], fleet: Fleet,
                  campaign: Campaign, workers: int = 1) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    alloc_rows, trip_rows, stat_rows = [], [], []
    order = sorted(work)
    jobs = []
    for r in order:
        lo = int(net.spans[r][0])
        start, deadline, planned, count = net.group_arrays(r)
        sched = work[r].schedule
        jobs.append((start - lo, deadline - lo, planned - lo, count, sched.loads, sched.drops, _day_seats(net, work[r])))
    for r, job, days in zip(order, jobs, parallel_map(route_days_job, jobs, workers), strict=True):
        w = work[r]
        lo = int(net.spans[r][0])
        count = job[3]
        first_group = int(net.group_bounds[r])
        rel = job[:3]
        carried = np.zeros_like(w.arrivals)
        loads = np.zeros_like(w.schedule.loads)
        for gi, day, n in days:
            alloc_rows.append((first_group + gi, day + lo if day >= 0 else -1, n))
            if day >= 0:
                carried[rel[0][gi], rel[1][gi] - rel[0][gi]] += n
                loads[day] += n
        w.carried_arrivals = carried
        w.schedule.loads = loads  # riders seated in spare seats count now; coaches and cost unchanged
        w.schedule.referred = int(count.sum() - loads.sum())
        seq_of_route = 0
        for t in np.flatnonzero(w.schedule.loads):
            load = int(w.schedule.loads[t])
            for s, n in _vehicle_loads(w.mixes[t], net.seats, net.min_load, load):
                seq_of_route += 1
                k = int(np.searchsorted(net.seats, s))
                trip_rows.append((r, int(lo + t), seq_of_route, s, n, float(net.costs[r, k])))
        usable = any(np.isfinite(tab.costs).any() for tab in w.tables)
        stat_rows.append((r, int(count.sum()), int(w.schedule.carried), int(w.schedule.referred),
                          int(min(uncapped[r], w.schedule.referred)), bool(usable), float(w.schedule.cost)))
    trips = _trip_frame(trip_rows, net, campaign, fleet)
    assignments = _assignment_frame(net, alloc_rows, trips, stat_rows)
    stats = _route_stats(stat_rows, trips, assignments, net.riders.routes)
    return trips, assignments, stats


def _trip_frame(rows, net: Network, campaign: Campaign, fleet: Fleet) -> pd.DataFrame:
    routes = net.riders.routes
    t = pd.DataFrame(rows, columns=["route", "day", "seq", "seats", "passengers", "cost"])
    if t.empty:
        ints = {"seats", "passengers", "drivers", "route_num", "day", "seq"}
        return pd.DataFrame({c: pd.Series(dtype="int64" if c in ints else "float64" if c in ("km", "cost")
                                          else bool if c == "cross" else object)
                             for c in [*TRIP_COLUMNS, "route_num", "day", "seq", "cross"]})
    t["route_num"] = t["route"]
    t["route_id"] = routes["route_id"].to_numpy()[t["route"]]
    t["cross"] = routes["cross_province"].to_numpy(dtype=bool)[t["route"]]
    dates = pd.Timestamp(net.riders.day0) + pd.to_timedelta(t["day"], unit="D")
    t["date"] = dates.dt.strftime("%Y-%m-%d")
    origin = routes["origin_code"].to_numpy()[t["route"]]
    dest = routes["destination_code"].to_numpy()[t["route"]]
    t["trip_id"] = (dates.dt.strftime("%Y%m%d") + "-" + origin + "-" + dest + "-"
                    + t["seq"].astype(str).str.zfill(3))
    t["route"] = routes["origin"].to_numpy()[t["route"]] + "→" + routes["destination"].to_numpy()[t["route"]]
    km = routes.set_index("route_id")["km"]
    t["km"] = t["route_id"].map(km).to_numpy()
    rules = campaign.transport
    t["drivers"] = np.where(t["km"] > rules.long_route_km, 2, 1)
    t["vehicle_class"] = [rules.vehicle_class(int(s)).name for s in t["seats"]]
    by_code = {c.uscc: c for c in fleet.carriers}
    t["carrier_uscc"] = _carriers_for(t, fleet, net.riders.day0)
    t["carrier"] = [by_code[c].name if c else "" for c in t["carrier_uscc"]]
    t["carrier_contact"] = [by_code[c].contact_name if c else "" for c in t["carrier_uscc"]]
    t["carrier_phone"] = [by_code[c].contact_phone if c else "" for c in t["carrier_uscc"]]
    t["stops"] = ""  # a one-route trip: its route says where it stops
    t["mode"] = MODE_COACH
    t = t.sort_values(["date", "route_id", "seq"], kind="stable").reset_index(drop=True)
    return t[[*TRIP_COLUMNS, "route_num", "day", "seq", "cross"]]


def _assignment_frame(net: Network, alloc_rows, trips: pd.DataFrame, stat_rows) -> pd.DataFrame:
    riders = net.riders.frame
    routes = net.riders.routes
    out = pd.DataFrame({"id_number": riders["id_number"], "reason": riders["reason"].astype(object)})
    route = riders["route"].to_numpy()
    day = np.full(len(riders), -1, dtype=np.int64)
    trip_id = np.full(len(riders), "", dtype=object)
    on_route = np.flatnonzero(route >= 0)
    if len(on_route) and alloc_rows:
        sub = riders.iloc[on_route]
        # Riders in group order (same order as net.groups), stable within a group by input position.
        order = np.lexsort((on_route, sub["planned"], sub["deadline"], sub["start"], sub["route"]))
        sorted_idx = on_route[order]
        alloc = np.array(alloc_rows, dtype=np.int64)
        alloc = alloc[np.argsort(alloc[:, 0], kind="stable")]
        ends = np.cumsum(alloc[:, 2])
        row = np.searchsorted(ends, np.arange(len(sorted_idx)), side="right")
        day[sorted_idx] = alloc[row, 1]
        _seat_riders(sorted_idx, route, day, trips, trip_id)
    stats = {r: (usable, kept) for r, _, _, _, kept, usable, _ in stat_rows}
    referred_idx = np.flatnonzero((route >= 0) & (day < 0))
    reasons = out["reason"].to_numpy(dtype=object).copy()
    seen: dict[int, int] = {}
    too_few = REASON_TOO_FEW.format(min_riders=min_riders(net))
    for i in referred_idx:  # which reason: no coaches at all / too few riders / coaches short
        r = int(route[i])
        usable, fill_referrals = stats[r]
        n = seen.get(r, 0)
        seen[r] = n + 1
        reasons[i] = REASON_NO_VEHICLES if not usable else (too_few if n < fill_referrals else REASON_SHORTAGE)
    planned = day_labels(net.riders.day0, riders["planned"].to_numpy(dtype=np.int64))
    travel = day_labels(net.riders.day0, np.where(day >= 0, day, 0))
    label = (routes["origin"] + "→" + routes["destination"]).to_numpy()
    out["status"] = np.where(day >= 0, STATUS_CHARTER, STATUS_REFERRED)
    out["route_id"] = np.where(route >= 0, routes["route_id"].to_numpy()[np.maximum(route, 0)], "")
    out["route"] = np.where(route >= 0, label[np.maximum(route, 0)] if len(label) else "", "")
    out["planned_date"] = np.where(route >= 0, planned, "")
    out["travel_date"] = np.where(day >= 0, travel, "")
    out["shift_days"] = np.where(day >= 0, day - riders["planned"].to_numpy(), 0)
    out["trip_id"] = trip_id
    out["reason"] = reasons
    return with_rail_columns(out)


def with_rail_columns(a: pd.DataFrame) -> pd.DataFrame:
    """Assignments with the train columns, empty for riders not on a train (kept where present)."""
    blank = {"train_id": "", "carriage_no": 0, "board_station": "", "arrive_station": ""}
    for col, value in blank.items():
        a[col] = a[col].fillna(value) if col in a else value
    a["carriage_no"] = a["carriage_no"].astype(np.int64)
    return a[ASSIGNMENT_COLUMNS]


def day_labels(day0, days: np.ndarray) -> np.ndarray:
    """'YYYY-MM-DD' of day0 + each day (object array); each distinct day is formatted once."""
    days = np.asarray(days, dtype=np.int64)
    uniq, inverse = np.unique(days, return_inverse=True)
    text = (pd.Timestamp(day0) + pd.to_timedelta(uniq, unit="D")).strftime("%Y-%m-%d").to_numpy(dtype=object)
    return text[inverse.reshape(days.shape)]


def _seat_riders(sorted_idx: np.ndarray, route: np.ndarray, day: np.ndarray, trips: pd.DataFrame,
                 trip_id: np.ndarray) -> None:
    """Fill each (route, day)'s coaches in trip order with that day's riders (input order within a day)."""
    carried = sorted_idx[day[sorted_idx] >= 0]
    seated = carried[np.lexsort((carried, day[carried], route[carried]))]
    t = trips.sort_values(["route_num", "day", "seq"], kind="stable")
    ends = np.cumsum(t["passengers"].to_numpy())
    trip_id[seated] = t["trip_id"].to_numpy()[np.searchsorted(ends, np.arange(len(seated)), side="right")]


def _route_stats(stat_rows, trips: pd.DataFrame, assignments: pd.DataFrame, routes: pd.DataFrame) -> pd.DataFrame:
    s = pd.DataFrame(stat_rows, columns=["route", "riders", "carried", "referred", "fill_referred", "usable", "cost"])
    s["route_id"] = routes["route_id"].to_numpy()[s["route"]] if len(s) else []
    s["route_label"] = (routes["origin"] + "→" + routes["destination"]).to_numpy()[s["route"]] if len(s) else []
    s["km"] = routes["km"].to_numpy()[s["route"]] if len(s) else []
    vehicles = trips.groupby("route_id").size()
    s["vehicles"] = s["route_id"].map(vehicles).fillna(0).astype(int)
    charter = assignments[assignments["status"] == STATUS_CHARTER]
    shifted = charter[charter["shift_days"] != 0].groupby("route_id").size()
    s["shifted"] = s["route_id"].map(shifted).fillna(0).astype(int)
    return s


def build_summary(result: Plan, net: Network, pooled: dict | None = None) -> dict:
    """Figures only: no identity numbers, no names of workers. `pooled`: pool.pool_plan's figures; the
    bound adds the pooled riders' bound to the routes' ones."""
    a, t, s = result.assignments, result.trips, result.routes
    pooled = pooled or {}
    referred = a[a["status"] == STATUS_REFERRED]
    rail = rail_figures(result)
    cost = (float(t["cost"].sum()) if len(t) else 0.0) + rail["rail_cost"]
    bound = ((float(s["lower_bound"].sum()) if len(s) else 0.0) + pooled.get("pooled_lower_bound", 0.0)
             + pooled.get("rail_lower_bound", 0.0) + pooled.get("feeder_lower_bound", 0.0))
    return {
        **pooled,
        **rail,
        "requests": int(len(a)),
        "chartered": int((a["status"] == STATUS_CHARTER).sum()),
        "referred": int(len(referred)),
        "referrals_by_reason": {k: int(v) for k, v in referred["reason"].value_counts().sort_index().items()},
        "routes": int(len(s)),
        "trips": int(len(t)),
        "vehicles_by_seats": {str(k): int(v) for k, v in t.groupby("seats").size().items()} if len(t) else {},
        "passengers": int(t["passengers"].sum()) if len(t) else 0,
        "cost": round(cost, 2),
        "lower_bound": round(bound, 2),
        "cost_to_bound": round(cost / bound, 4) if bound else None,
        "shifted": int((a["shift_days"] != 0).sum()),
        "shortage_entries": len(result.shortages),
        "shortages": [x.describe() for x in result.shortages[:SUMMARY_SHORTAGES]],  # all in shortages.csv
        "rejected_carriers": [f"{name or code}：{reason}" for code, name, reason in result.rejected_carriers],
        "min_riders_per_coach": {str(q): int(m) for q, m in zip(net.seats, net.min_load, strict=True)},
    }


def rail_figures(result: Plan) -> dict:
    """专列（车厢） figures of a plan; zeros without rail, so readers need no special case."""
    a, t = result.assignments, result.trips
    cars = result.cars if result.cars is not None else pd.DataFrame(columns=["train_id", "mode", "cost"])
    on_rail = a["status"] == STATUS_RAIL
    feeders = t[t["mode"] == MODE_FEEDER] if "mode" in t else t.iloc[:0]
    return {
        "riders_by_mode": {"coach": int((a["status"] == STATUS_CHARTER).sum()), "rail": int(on_rail.sum()),
                           "feeder": int((on_rail & (a["trip_id"].fillna("") != "")).sum())},
        "rail_riders": int(on_rail.sum()),
        "trains": int(cars.loc[cars["mode"] == MODE_TRAIN, "train_id"].nunique()),
        "reserved_carriages": int((cars["mode"] == MODE_CARRIAGE).sum()),
        "train_carriages": int(len(cars)),
        "rail_cost": round(float(cars["cost"].sum()) if len(cars) else 0.0, 2),
        "feeder_trips": int(len(feeders)),
        "feeder_cost": round(float(feeders["cost"].sum()) if len(feeders) else 0.0, 2),
    }
