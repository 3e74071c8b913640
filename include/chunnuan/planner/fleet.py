"""Carriers and the coaches they can send each day; the campaign's qualification rules.

A fleet comes from carrier submissions (运力报表, `chunnuan template fleet`), checked by the same
intake as the survey (`chunnuan.intake.kinds.fleet`): from a file (`read_fleet`, for `chunnuan plan`) or
from the campaign database's `fleet_offer` rows (`Fleet.from_rows`, for the DAG).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from chunnuan.config.campaign import Campaign
from chunnuan.intake.kinds.fleet import FLEET, GRADES, KIND


class FleetError(ValueError):
    """A fleet file that cannot be used; the message lists each problem with its row (Chinese)."""


@dataclass(frozen=True)
class Carrier:
    uscc: str
    name: str
    credit_grade: str
    last_serious_incident: dt.date | None
    contact_name: str
    contact_phone: str
    interprovincial: bool

    @property
    def grade_rank(self) -> int:
        """0 for AAA (best) … 3 for B."""
        return GRADES.index(self.credit_grade)


@dataclass(frozen=True)
class Fleet:
    carriers: tuple[Carrier, ...]
    # One row per carrier × seats × day: columns uscc, seats, date (datetime.date), count.
    vehicles: pd.DataFrame = field(repr=False)

    def carrier(self, code: str) -> Carrier:
        return next(c for c in self.carriers if c.uscc == code)

    @classmethod
    def from_rows(cls, offers: pd.DataFrame) -> Fleet:
        """From checked fleet rows (intake's clean frame or `fleet_offer` rows): carrier columns, seats,
        date_from, date_to, per_day. The last row of a carrier gives its facts."""
        carriers = {}
        for rec in offers.to_dict("records"):
            incident = rec["last_serious_incident"]
            carriers[rec["uscc"]] = Carrier(
                rec["uscc"], rec["name"], rec["credit_grade"], None if pd.isna(incident) else pd.Timestamp(incident).date(),
                rec["contact_name"], rec["contact_phone"], bool(rec["interprovincial"]))
        spans = [(r["uscc"], int(r["seats"]), pd.Timestamp(r["date_from"]).date(), pd.Timestamp(r["date_to"]).date(),
                  int(r["per_day"])) for r in offers.to_dict("records")]
        return cls.build(list(carriers.values()), spans)

    @classmethod
    def build(cls, carriers: list[Carrier], offers: list[tuple[str, int, dt.date, dt.date, int]]) -> Fleet:
        """From carriers and (uscc, seats, first day, last day, coaches per day) offers."""
        rows = []
        for code, seats, first, last, per_day in offers:
            for i in range((last - first).days + 1):
                rows.append((code, int(seats), first + dt.timedelta(days=i), int(per_day)))
        frame = pd.DataFrame(rows, columns=["uscc", "seats", "date", "count"])
        frame = frame.groupby(["uscc", "seats", "date"], as_index=False)["count"].sum()
        return cls(tuple(sorted(carriers, key=lambda c: c.uscc)), frame)


@dataclass(frozen=True)
class Qualification:
    fleet: Fleet  # only qualified carriers and seat counts the campaign prices
    rejected: tuple[tuple[str, str, str], ...]  # (uscc, name, reason in Chinese)


def qualify(fleet: Fleet, campaign: Campaign) -> Qualification:
    """Keep carriers meeting the credit grade and safety record rules, and coaches of a priced class."""
    rules = campaign.transport.carriers
    worst_allowed = GRADES.index(rules.min_credit_grade)
    since = campaign.travel_window.start.replace(year=campaign.travel_window.start.year
                                                 - rules.no_serious_incident_years)
    kept, rejected = [], []
    for c in fleet.carriers:
        if c.grade_rank > worst_allowed:
            rejected.append((c.uscc, c.name, f"质量信誉等级 {c.credit_grade} 低于要求的 {rules.min_credit_grade}"))
        elif c.last_serious_incident is not None and c.last_serious_incident >= since:
            rejected.append((c.uscc, c.name, f"近{rules.no_serious_incident_years}年内发生较大及以上道路交通责任事故"
                                             f"（{c.last_serious_incident:%Y-%m-%d}）"))
        else:
            kept.append(c)
    codes = {c.uscc for c in kept}
    vehicles = fleet.vehicles[fleet.vehicles["uscc"].isin(codes)]
    priced = vehicles["seats"].map(lambda s: campaign.transport.vehicle_class(int(s)) is not None)
    for seats in sorted(vehicles.loc[~priced, "seats"].unique()):
        rejected.append(("", "", f"{seats}座车辆不属于行动配置中任何车型（vehicle_classes），未使用"))
    return Qualification(Fleet(tuple(kept), vehicles[priced].reset_index(drop=True)), tuple(rejected))


def read_fleet(path: Path, campaign: Campaign) -> Fleet:
    """A fleet file through the intake's checks; for planning from files every row must pass."""
    return Fleet.from_rows(checked_rows(path, campaign, KIND))


def read_rail(path: Path, campaign: Campaign) -> pd.DataFrame:
    """The railway's offer file (铁路运力报表) through the rail intake's checks: its rows as `rail_offer` holds
    them (the planner's `rail` input); every row must pass, as for the fleet file."""
    from chunnuan.intake.kinds.rail import KIND as RAIL_KIND

    return checked_rows(path, campaign, RAIL_KIND)


def checked_rows(path: Path, campaign: Campaign, kind) -> pd.DataFrame:
    """The clean rows of a submission file of `kind`; FleetError listing each failing row's reason (Chinese)."""
    from chunnuan.intake.gate import check_submission

    path = Path(path)
    result = check_submission(path, campaign, engine="pandas", kind=kind)
    lines = [f"  - 第{p.row}行 {p.reason}" for p in result.problems.itertuples()] if result.problems is not None else []
    if result.error or lines:
        raise FleetError(f"{path.name} 有误：{result.error or ''}\n" + "\n".join(lines))
    return result.valid


def write_fleet(fleet: Fleet, path: Path) -> None:
    """The submission format, consecutive days with the same count as one date range; used by tests,
    the demo and the benchmark."""
    by_code = {c.uscc: c for c in fleet.carriers}
    v = fleet.vehicles.sort_values(["uscc", "seats", "date"]).reset_index(drop=True)
    day = pd.to_datetime(v["date"])
    same_run = ((v["uscc"] == v["uscc"].shift()) & (v["seats"] == v["seats"].shift())
                & (v["count"] == v["count"].shift()) & (day - day.shift() == pd.Timedelta(days=1)))
    runs = v.assign(run=(~same_run).cumsum()).groupby("run").agg(
        uscc=("uscc", "first"), seats=("seats", "first"), first=("date", "first"), last=("date", "last"),
        count=("count", "first"))
    rows = []
    for rec in runs.to_dict("records"):
        c = by_code[rec["uscc"]]
        rows.append({
            "uscc": c.uscc, "name": c.name, "credit_grade": c.credit_grade,
            "last_serious_incident": f"{c.last_serious_incident:%Y-%m-%d}" if c.last_serious_incident else "",
            "contact_name": c.contact_name, "contact_phone": c.contact_phone,
            "interprovincial": "是" if c.interprovincial else "否",
            "seats": rec["seats"], "date_from": f"{rec['first']:%Y-%m-%d}", "date_to": f"{rec['last']:%Y-%m-%d}",
            "per_day": rec["count"],
        })
    frame = pd.DataFrame(rows, columns=[c.field for c in FLEET.columns])
    frame.rename(columns={c.field: c.header for c in FLEET.columns}).to_csv(path, index=False, encoding="utf-8-sig")


def coach_cost(campaign: Campaign, seats: int, km) -> np.ndarray:
    """A coach's price on routes of `km` road km: its class's fixed part + rate × km, plus the second
    driver over the long-route limit (rounded to the yuan); ∞ without a class for `seats` or a distance."""
    rules = campaign.transport
    km = np.asarray(km, dtype=float)
    cls = rules.vehicle_class(int(seats))
    if cls is None:
        return np.full(km.shape, np.inf)
    drivers = np.where(km > rules.long_route_km, rules.second_driver_cost, 0.0)
    return np.where(np.isfinite(km), np.round(cls.fixed_cost + cls.per_km_cost * km + drivers), np.inf)


def min_load(campaign: Campaign, seats) -> np.ndarray:
    """Riders a coach of each of `seats` must carry to leave: the campaign's minimum fill, at least one."""
    seats = np.asarray(seats, dtype=float)
    return np.maximum(np.ceil(campaign.transport.min_fill_ratio * seats - 1e-9), 1).astype(np.int64)


def per_seat_cost(campaign: Campaign, seats, km) -> np.ndarray:
    """Per rider, the least a coach of any of `seats` costs a seat on `km` (c_s(km) / s): a coach's rider costs at
    least this on such a route; ∞ where no size is priced."""
    km = np.asarray(km, dtype=float)
    per = np.full(km.shape, np.inf)
    for s in seats:
        per = np.minimum(per, coach_cost(campaign, int(s), km) / int(s))
    return per


def daily_supply(fleet: Fleet, seats: np.ndarray, day0, days: int) -> tuple[np.ndarray, np.ndarray]:
    """Coaches per (day from day0, size in `seats`) of carriers with the interprovincial permit, and of the others."""
    permit = np.zeros((days, len(seats)), dtype=np.int64)
    other = np.zeros_like(permit)
    if fleet.vehicles.empty:
        return permit, other
    v = fleet.vehicles
    day = np.array([(d - day0).days for d in v["date"]], dtype=np.int64)
    k = np.searchsorted(seats, v["seats"].to_numpy())
    inside = (day >= 0) & (day < days)
    has_permit = v["uscc"].map({c.uscc: c.interprovincial for c in fleet.carriers}).to_numpy(dtype=bool)
    np.add.at(permit, (day[inside & has_permit], k[inside & has_permit]), v["count"].to_numpy()[inside & has_permit])
    np.add.at(other, (day[inside & ~has_permit], k[inside & ~has_permit]), v["count"].to_numpy()[inside & ~has_permit])
    return permit, other


def less_used(fleet: Fleet, trips: pd.DataFrame) -> Fleet:
    """The fleet minus the coaches `trips` use (per carrier, size and day); never below zero."""
    if trips.empty or fleet.vehicles.empty:
        return fleet
    used = trips.groupby(["carrier_uscc", "seats", "date"]).size().rename("used")
    v = fleet.vehicles.copy()
    key = pd.MultiIndex.from_arrays([v["uscc"], v["seats"].astype(np.int64),
                                     pd.to_datetime(v["date"]).dt.strftime("%Y-%m-%d")])
    taken = used.reindex(key).fillna(0).to_numpy(dtype=np.int64)
    v["count"] = np.maximum(v["count"].to_numpy(dtype=np.int64) - taken, 0)
    v = v[v["count"] > 0].reset_index(drop=True)
    return Fleet(fleet.carriers, v)
