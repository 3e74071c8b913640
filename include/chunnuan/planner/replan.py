"""Re-planning against a published plan: kept trips stay as they are, only what changed is planned.

    from chunnuan.planner.replan import Published, replan
    published = Published.from_plan(result, plan_id)    # or read from the database (chunnuan.charter.steps)
    result = replan(requests, fleet, campaign, published)              # stable: keep published trips
    result = replan(requests, fleet, campaign, published, keep=False)  # 全部重新规划: from scratch

Rules (issue 3: re-planning after new survey data keeps already-published trips stable):

1. A published rider is *kept* when their request is still present (needs a charter), leads to the
   same route, has the same planned date, and the day of their published trip is still inside their
   window (planned date ± flex days). Kept riders stay on their trip.
2. A published trip is *kept* when at least one of its riders is kept: same trip_id, route, date,
   seats, vehicle class, carrier, cost; its riders are the kept ones (withdrawn or changed riders
   free their seats). A published trip none of whose riders is kept is *cancelled*.
3. Everyone else (new requests, changed requests, riders referred before) is planned around the kept
   trips: first into free seats of kept trips of their route on a day of their window (per trip in
   date order: riders planned for that day first, then earliest last day, then input order), then
   the planner (`core.plan`) with the fleet less the coaches the kept trips use (per carrier, day and
   size), so the carriers' daily limits count the kept trips.
4. New trips get fresh numbers: per route, after the highest number any published plan used, so a
   trip_id is never reused for another coach.
5. A kept trip that has fallen below the minimum fill (riders withdrew and nobody new fits) stays and
   is listed in the summary (`replan.under_filled_kept`); the gate accepts it only as a kept trip
   identical to the published one.

With keep=False the plan is made from scratch (`core.plan` on all requests); only rule 4 applies, and
every published trip counts as cancelled.

The result is a `model.Plan` whose trips carry a `change` column (kept / added) and whose summary has
a `replan` section (figures and trip ids only, no personal data). Deterministic: no clock, no
randomness, ties broken by trip_id and input order.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from types import SimpleNamespace

import numpy as np
import pandas as pd

from chunnuan.config.campaign import Campaign
from chunnuan.planner import demand
from chunnuan.planner.assign import build_summary, day_labels, with_rail_columns
from chunnuan.planner.core import plan
from chunnuan.planner.fleet import Fleet, less_used, min_load, qualify
from chunnuan.planner.model import (
    ADDED,
    ASSIGNMENT_COLUMNS,
    KEPT,
    MODE_COACH,
    REASON_NO_VEHICLES,
    REASON_SHORTAGE,
    STATUS_CHARTER,
    STOP_COLUMNS,
    TRIP_COLUMNS,
    Plan,
    crosses_provinces,
    truthy,
)
from chunnuan.planner.route import DEFAULT_MAX_WAITING

UNDER_FILLED_LISTED = 100  # trip ids listed in the summary; the count is always exact

PUBLISHED_TRIP_COLUMNS = ["trip_id", "route_id", "route", "date", "seats", "vehicle_class", "carrier_uscc",
                          "passengers", "km", "drivers", "cost", "stops"]
PUBLISHED_ASSIGNMENT_COLUMNS = ["id_number", "status", "route_id", "planned_date", "travel_date", "shift_days",
                                "trip_id", "reason"]


def _day_str(values: pd.Series) -> pd.Series:
    """Dates (date objects, timestamps or ISO strings; empty/None allowed) as 'YYYY-MM-DD' or ''."""
    stamps = pd.to_datetime(values.astype(object).where(values.notna() & (values.astype(str) != ""), None),
                            errors="coerce")
    return stamps.dt.strftime("%Y-%m-%d").fillna("")


@dataclass
class Published:
    """The plan in force: its trips and assignments, and the highest trip number used per route by any
    published plan of the campaign (so new trips never reuse a number)."""

    plan_id: int
    trips: pd.DataFrame  # PUBLISHED_TRIP_COLUMNS (+ carrier, carrier_contact, carrier_phone if known)
    assignments: pd.DataFrame  # PUBLISHED_ASSIGNMENT_COLUMNS (+ served_by_code if known)
    max_seq: dict[str, int] = field(default_factory=dict)  # "origin-destination" -> highest number used
    stops: pd.DataFrame | None = None  # pooled trips' stops (pool.STOP_COLUMNS)

    def __post_init__(self) -> None:
        t = self.trips.copy()
        t["stops"] = t["stops"].fillna("").astype(str) if "stops" in t else ""
        t["mode"] = t["mode"].fillna(MODE_COACH).astype(str) if "mode" in t else MODE_COACH
        t["date"] = _day_str(t["date"])
        t["trip_id"] = t["trip_id"].astype(str)
        for c in ("seats", "passengers", "drivers"):
            t[c] = t[c].astype(np.int64)
        a = self.assignments.copy()
        a["id_number"] = a["id_number"].astype(str)
        for c in ("planned_date", "travel_date"):
            a[c] = _day_str(a[c])
        for c in ("route_id", "trip_id", "reason"):
            a[c] = a[c].astype(object).where(a[c].notna(), "").astype(str)
        a["shift_days"] = pd.to_numeric(a["shift_days"], errors="coerce").fillna(0).astype(np.int64)
        self.trips, self.assignments = t, a
        seq = trip_numbers(t["trip_id"])
        for key, n in seq.groupby(level=0).max().items():
            self.max_seq[key] = max(int(n), int(self.max_seq.get(key, 0)))

    @classmethod
    def from_plan(cls, result: Plan, plan_id: int) -> Published:
        return cls(plan_id, result.trips[TRIP_COLUMNS].copy(), result.assignments[ASSIGNMENT_COLUMNS].copy(),
                   stops=result.stops)


def trip_numbers(trip_ids: pd.Series) -> pd.Series:
    """Trip number per trip id, indexed by "origin-destination" (ids are YYYYMMDD-origin-dest-NNN)."""
    parts = trip_ids.astype(str).str.split("-", expand=True) if len(trip_ids) else pd.DataFrame(columns=range(4))
    if parts.shape[1] < 4:
        return pd.Series(dtype=np.int64)
    return pd.Series(pd.to_numeric(parts[3], errors="coerce").fillna(0).astype(np.int64).to_numpy(),
                     index=(parts[1] + "-" + parts[2]).to_numpy())


def _renumber(trips: pd.DataFrame, assignments: pd.DataFrame, max_seq: dict[str, int], stops=None
              ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame | None]:
    """New trips numbered per route after the highest number published (date, then old number, order);
    the pooled trips' stops follow their trips' new numbers."""
    if trips.empty:
        return trips, assignments, stops
    t = trips.copy()
    parts = t["trip_id"].str.split("-", expand=True)
    key = parts[1] + "-" + parts[2]
    old_seq = pd.to_numeric(parts[3]).astype(np.int64)
    order = np.lexsort((old_seq.to_numpy(), t["date"].to_numpy(), key.to_numpy()))
    rank = np.empty(len(t), dtype=np.int64)
    sorted_keys = key.to_numpy()[order]
    starts = np.r_[0, np.flatnonzero(sorted_keys[1:] != sorted_keys[:-1]) + 1]
    run = np.arange(len(t)) - np.repeat(starts, np.diff(np.r_[starts, len(t)]))
    rank[order] = run + 1
    base = key.map(lambda k: int(max_seq.get(k, 0))).to_numpy(dtype=np.int64)
    seq = base + rank
    new_ids = (parts[0] + "-" + key + "-" + pd.Series(seq, index=t.index).astype(str).str.zfill(3)).to_numpy()
    mapping = dict(zip(t["trip_id"], new_ids, strict=True))
    t["trip_id"] = new_ids
    a = assignments.copy()
    a["trip_id"] = a["trip_id"].map(lambda x: mapping.get(x, x))
    if stops is not None:
        stops = stops.assign(trip_id=stops["trip_id"].map(lambda x: mapping.get(x, x)))
    return t, a, stops


def _min_riders(fleet: Fleet, campaign: Campaign) -> dict:
    seats = sorted(int(s) for s in qualify(fleet, campaign).fleet.vehicles["seats"].unique())
    return {str(s): int(n) for s, n in zip(seats, min_load(campaign, seats), strict=True)}


def _objects(values) -> np.ndarray:
    """Values as a numpy object array (Arrow-backed strings are slow to iterate and to test with sets)."""
    if isinstance(values, (pd.Series, pd.Index)):
        return values.to_numpy(dtype=object)
    return np.asarray(values, dtype=object)


def _member(values, pool) -> np.ndarray:
    """values.isin(pool) as a bool array, by hashing object arrays (same result, much faster at 1M)."""
    return pd.Series(_objects(values), dtype=object).isin(_objects(pool)).to_numpy(dtype=bool)


def _positions(cur: pd.DataFrame, id_numbers: pd.Series) -> np.ndarray:
    """Input position (cur["pos"]) of each id number; NaN where unknown; the last one for a repeated id."""
    ids = pd.Index(_objects(cur["id_number"]), dtype=object)
    pos = cur["pos"].to_numpy()
    if not ids.is_unique:
        position = dict(zip(ids, pos, strict=True))
        return id_numbers.map(position).to_numpy(dtype=float)
    where = ids.get_indexer(_objects(id_numbers))
    return np.where(where >= 0, pos[np.maximum(where, 0)], np.nan) if len(pos) else np.full(len(where), np.nan)


def _fill_free_seats(open_riders: pd.DataFrame, trips: pd.DataFrame, day0: dt.date) -> pd.DataFrame:
    """Open riders (id_number, route_id, start, deadline, planned, pos) into free seats of kept trips.

    Returns rows id_number, trip_id, day. Per route, trips in (date, trip_id) order; each takes riders
    whose window holds its day: planned for that day first, then earliest last day, then input order.
    """
    free = trips["seats"] - trips["passengers"]
    t = trips.loc[free > 0].assign(free=free[free > 0])
    empty = pd.DataFrame({"id_number": pd.Series(dtype=object), "trip_id": pd.Series(dtype=object),
                          "day": pd.Series(dtype=np.int64)})
    if t.empty or open_riders.empty:
        return empty
    t = t.assign(day=(pd.to_datetime(t["date"]) - pd.Timestamp(day0)).dt.days).sort_values(
        ["route_id", "date", "trip_id"], kind="stable")
    t_route = _objects(t["route_id"])
    t_day, t_free = t["day"].to_numpy(dtype=np.int64), t["free"].to_numpy(dtype=np.int64)
    t_id = _objects(t["trip_id"])
    t_cuts = np.r_[0, np.flatnonzero(t_route[1:] != t_route[:-1]) + 1, len(t)]
    trip_span = {t_route[a]: (a, b) for a, b in zip(t_cuts[:-1], t_cuts[1:], strict=True)}

    riders = open_riders[_member(open_riders["route_id"], t_route)]
    if riders.empty:
        return empty
    by_route = riders["route_id"].sort_values(kind="stable").index  # routes ascending, input order within
    riders = riders.loc[by_route]
    r_route = _objects(riders["route_id"])
    start, deadline = riders["start"].to_numpy(dtype=np.int64), riders["deadline"].to_numpy(dtype=np.int64)
    planned, pos = riders["planned"].to_numpy(dtype=np.int64), riders["pos"].to_numpy(dtype=np.int64)
    ids = _objects(riders["id_number"])
    r_cuts = np.r_[0, np.flatnonzero(r_route[1:] != r_route[:-1]) + 1, len(riders)]
    out_rows, out_trips, out_days = [], [], []
    for a, b in zip(r_cuts[:-1], r_cuts[1:], strict=True):
        ta, tb = trip_span[r_route[a]]
        s, d, p, q = start[a:b], deadline[a:b], planned[a:b], pos[a:b]
        free_rider = np.ones(b - a, dtype=bool)  # not yet seated (routes are independent)
        for i in range(ta, tb):
            day = t_day[i]
            ok = np.flatnonzero(free_rider & (s <= day) & (d >= day))
            if not len(ok):
                continue
            ok = ok[np.lexsort((q[ok], d[ok], p[ok] != day))][: t_free[i]]
            free_rider[ok] = False
            out_rows.append(ok + a)
            out_trips.append(np.full(len(ok), i))
            out_days.append(np.full(len(ok), day, dtype=np.int64))
            if not free_rider.any():
                break
    if not out_rows:
        return empty
    rows, which = np.concatenate(out_rows), np.concatenate(out_trips)
    return pd.DataFrame({"id_number": pd.Series(ids[rows], dtype=object),
                         "trip_id": pd.Series(t_id[which], dtype=object),
                         "day": pd.Series(np.concatenate(out_days), dtype=np.int64)})


def _with_carriers(trips: pd.DataFrame, fleet: Fleet) -> pd.DataFrame:
    by_code = {c.uscc: c for c in fleet.carriers}
    t = trips.copy()
    for col, attr in (("carrier", "name"), ("carrier_contact", "contact_name"), ("carrier_phone", "contact_phone")):
        known = t[col] if col in t else pd.Series("", index=t.index)
        t[col] = [getattr(by_code[c], attr) if c in by_code else (k if isinstance(k, str) and k else
                                                                 (c if col == "carrier" else ""))
                  for c, k in zip(t["carrier_uscc"], known, strict=True)]
    return t


def _cross(route_ids: pd.Series) -> np.ndarray:
    return crosses_provinces(route_ids)


def replan(requests: pd.DataFrame, fleet: Fleet, campaign: Campaign, published: Published | None, *,
           keep: bool = True, max_waiting: int = DEFAULT_MAX_WAITING, workers: int | None = None,
           rail: pd.DataFrame | None = None) -> Plan:
    """A plan for `requests` that keeps `published`'s trips stable (see the module doc); keep=False
    plans from scratch (trip numbers still continue after the published ones)."""
    if published is None:
        result = plan(requests, fleet, campaign, max_waiting=max_waiting, workers=workers, rail=rail)
        result.trips = result.trips.assign(change=ADDED)
        return result
    if not keep:
        result = plan(requests, fleet, campaign, max_waiting=max_waiting, workers=workers, rail=rail)
        trips, assignments, stops = _renumber(result.trips[TRIP_COLUMNS], result.assignments, published.max_seq,
                                              result.stops)
        result.trips = trips.assign(cross=_cross(trips["route_id"]), change=ADDED)
        result.assignments, result.stops = assignments, stops
        result.summary = {**result.summary, "replan": _changes(result, published, keep=False, counts={})}
        return result
    return _stable(requests, fleet, campaign, published, max_waiting, workers, rail)


def _stable(requests, fleet, campaign, published: Published, max_waiting, workers, rail=None) -> Plan:
    riders = demand.prepare(requests, campaign)
    day0 = riders.day0
    frame = riders.frame
    route_ids = riders.routes["route_id"].to_numpy()
    on_route = frame["route"].to_numpy() >= 0
    cur = pd.DataFrame({
        "id_number": frame["id_number"].astype(str).to_numpy(),
        "pos": np.arange(len(frame)),
        "route_id": np.where(on_route, route_ids[np.maximum(frame["route"].to_numpy(), 0)] if len(route_ids) else "",
                             ""),
        "planned": frame["planned"].to_numpy(), "start": frame["start"].to_numpy(),
        "deadline": frame["deadline"].to_numpy(),
    })
    cur["planned_date"] = np.where(on_route, day_labels(day0, cur["planned"].to_numpy(dtype=np.int64)), "")

    pa = published.assignments
    prev = pa[(pa["status"] == STATUS_CHARTER) & (pa["trip_id"] != "")]
    m = prev.merge(cur, on="id_number", how="left", suffixes=("", "_now"))
    travel_day = (pd.to_datetime(m["travel_date"]) - pd.Timestamp(day0)).dt.days
    kept_mask = (m["pos"].notna() & (m["route_id"] == m["route_id_now"]) & (m["planned_date"] == m["planned_date_now"])
                 & (travel_day >= m["start"]) & (travel_day <= m["deadline"])).to_numpy(dtype=bool)
    kept_riders = m.loc[kept_mask]
    kept_trips = published.trips[_member(published.trips["trip_id"], kept_riders["trip_id"])].copy()
    kept_trips["passengers"] = kept_trips["trip_id"].map(kept_riders.groupby("trip_id").size()).astype(np.int64)

    kept_ids = _objects(kept_riders["id_number"])
    open_cur = cur[~_member(cur["id_number"], kept_ids) & (cur["route_id"] != "").to_numpy(dtype=bool)]
    filled = _fill_free_seats(open_cur, kept_trips, day0)
    kept_trips["passengers"] += kept_trips["trip_id"].map(filled.groupby("trip_id").size()).fillna(0).astype(np.int64)

    seated = np.concatenate([kept_ids, _objects(filled["id_number"])])
    rest = requests.reset_index(drop=True)
    if "needs_charter" in rest.columns:
        rest = rest[truthy(rest["needs_charter"])].reset_index(drop=True)
    rest = rest[~_member(rest["id_number"].astype(str), seated)].reset_index(drop=True)
    less = less_used(fleet, kept_trips)
    sub = plan(rest, less, campaign, max_waiting=max_waiting, workers=workers, rail=rail) if len(rest) else None

    # Trips: kept ones as published (passengers updated), new ones numbered after the published ones.
    if sub is not None:
        new_trips, sub_a, new_stops = _renumber(sub.trips[TRIP_COLUMNS], sub.assignments, published.max_seq,
                                                sub.stops)
        # A route whose coaches all went to its kept trips is short of coaches, not without any.
        busy = _member(sub_a["route_id"], kept_trips["route_id"]) & (sub_a["reason"] == REASON_NO_VEHICLES).to_numpy()
        sub_a.loc[busy, "reason"] = REASON_SHORTAGE
    else:
        new_trips, sub_a = pd.DataFrame(columns=TRIP_COLUMNS), pd.DataFrame(columns=ASSIGNMENT_COLUMNS)
        new_stops = None
    kept_trips = _with_carriers(kept_trips, fleet).assign(change=KEPT)
    trips = pd.concat([kept_trips[[*TRIP_COLUMNS, "change"]], new_trips.assign(change=ADDED)], ignore_index=True)
    trips = trips.sort_values(["date", "route_id", "trip_id"], kind="stable").reset_index(drop=True)
    for c in ("seats", "passengers", "drivers"):
        trips[c] = trips[c].astype(np.int64)
    for c in ("km", "cost"):
        trips[c] = trips[c].astype(float)
    trips["cross"] = _cross(trips["route_id"])

    # Assignments: kept riders, riders in free seats of kept trips, the sub-plan's; in input order.
    labels = dict(zip(trips["route_id"], trips["route"], strict=False))
    kept_rows = pd.DataFrame({
        "id_number": kept_riders["id_number"].to_numpy(), "status": STATUS_CHARTER,
        "route_id": kept_riders["route_id"].to_numpy(), "planned_date": kept_riders["planned_date"].to_numpy(),
        "travel_date": kept_riders["travel_date"].to_numpy(), "trip_id": kept_riders["trip_id"].to_numpy(),
        "reason": ""})
    fill_info = filled.merge(cur, on="id_number", how="left")
    fill_rows = pd.DataFrame({
        "id_number": fill_info["id_number"].to_numpy(), "status": STATUS_CHARTER,
        "route_id": fill_info["route_id"].to_numpy(), "planned_date": fill_info["planned_date"].to_numpy(),
        "travel_date": (pd.Timestamp(day0) + pd.to_timedelta(fill_info["day"], unit="D")).dt.strftime("%Y-%m-%d")
        .to_numpy(dtype=object),
        "trip_id": fill_info["trip_id"].to_numpy(), "reason": ""})
    ours = pd.concat([kept_rows, fill_rows], ignore_index=True)
    ours["route"] = ours["route_id"].map(labels)
    ours["shift_days"] = ((pd.to_datetime(ours["travel_date"]) - pd.to_datetime(ours["planned_date"])).dt.days
                          .astype(np.int64) if len(ours) else pd.Series(dtype=np.int64))
    assignments = pd.concat([with_rail_columns(ours), sub_a[ASSIGNMENT_COLUMNS]], ignore_index=True)
    assignments = (assignments.assign(_pos=_positions(cur, assignments["id_number"]))
                   .sort_values("_pos", kind="stable").drop(columns="_pos").reset_index(drop=True))
    assignments["shift_days"] = assignments["shift_days"].astype(np.int64)

    routes = _routes(trips, assignments, sub)
    kept_stops = (published.stops[_member(published.stops["trip_id"], kept_trips["trip_id"])]
                   if published.stops is not None and len(published.stops) else None)
    stops = pd.concat([s for s in (kept_stops, new_stops) if s is not None and len(s)]
                      or [pd.DataFrame(columns=STOP_COLUMNS)], ignore_index=True)
    stops = stops if len(stops) else pd.DataFrame(columns=STOP_COLUMNS)
    result = Plan(trips, assignments, routes, list(sub.shortages) if sub else [],
                  tuple(sub.rejected_carriers) if sub else qualify(fleet, campaign).rejected, stops=stops,
                  cars=sub.cars if sub else None)
    seats_min = _min_riders(fleet, campaign)
    net = SimpleNamespace(seats=[int(s) for s in seats_min], min_load=list(seats_min.values()))
    pooled = {k: v for k, v in sub.summary.items() if k.startswith("pool")} if sub else {}
    result.summary = build_summary(result, net, pooled)
    counts = {"kept_riders": len(kept_riders), "seated_in_kept_trips": len(filled),
              "withdrawn": int((~_member(prev["id_number"], cur["id_number"])).sum())
              + int((~_member(pa.loc[pa["status"] != STATUS_CHARTER, "id_number"], cur["id_number"])).sum()),
              "changed": int((m["pos"].notna().to_numpy() & ~kept_mask).sum()),
              "new_requests": int((~_member(cur["id_number"], pa["id_number"])).sum())}
    result.summary["replan"] = _changes(result, published, keep=True, counts=counts, campaign=campaign)
    return result


def _routes(trips: pd.DataFrame, assignments: pd.DataFrame, sub: Plan | None) -> pd.DataFrame:
    """Per route: riders, carried, referred, vehicles, cost; bound = kept trips' cost + the new part's bound."""
    a = assignments[assignments["route_id"] != ""]
    charter = a["status"] == STATUS_CHARTER
    s = pd.DataFrame({"riders": a.groupby("route_id").size()})
    s["carried"] = a[charter].groupby("route_id").size().reindex(s.index).fillna(0).astype(int)
    s["referred"] = s["riders"] - s["carried"]
    s["vehicles"] = trips.groupby("route_id").size().reindex(s.index).fillna(0).astype(int)
    s["cost"] = trips.groupby("route_id")["cost"].sum().reindex(s.index).fillna(0.0)
    kept_cost = trips[trips["change"] == KEPT].groupby("route_id")["cost"].sum().reindex(s.index).fillna(0.0)
    sub_bound = (sub.routes.set_index("route_id")["lower_bound"].reindex(s.index).fillna(0.0)
                 if sub is not None and len(sub.routes) else 0.0)
    s["lower_bound"] = kept_cost + sub_bound
    s["ratio"] = np.where(s["lower_bound"] > 0, s["cost"] / s["lower_bound"].replace(0, np.nan), 1.0)
    s["shifted"] = a[charter & (a["shift_days"] != 0)].groupby("route_id").size().reindex(s.index).fillna(0).astype(int)
    s["route_label"] = a.groupby("route_id")["route"].first().reindex(s.index)
    s = s.reset_index().rename(columns={"index": "route_id"})
    s.insert(0, "route", np.arange(len(s)))
    return s


def _changes(result: Plan, published: Published, *, keep: bool, counts: dict, campaign: Campaign | None = None
             ) -> dict:
    t = result.trips
    kept = t[t["change"] == KEPT]
    under = []
    if campaign is not None and len(kept):
        under = kept.loc[kept["passengers"].to_numpy() < min_load(campaign, kept["seats"]), "trip_id"].tolist()
    return {
        "base_plan": int(published.plan_id),
        "mode": "stable" if keep else "all",
        "kept_trips": int(len(kept)),
        "added_trips": int((t["change"] == ADDED).sum()),
        "cancelled_trips": int((~_member(published.trips["trip_id"], kept["trip_id"])).sum()),
        **{k: int(v) for k, v in counts.items()},
        "under_filled_kept_count": len(under),
        "under_filled_kept": under[:UNDER_FILLED_LISTED],
    }
