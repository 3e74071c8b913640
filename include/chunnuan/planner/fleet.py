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
    from chunnuan.intake.gate import check_submission

    path = Path(path)
    result = check_submission(path, campaign, engine="pandas", kind=KIND)
    lines = [f"  - 第{p.row}行 {p.reason}" for p in result.problems.itertuples()] if result.problems is not None else []
    if result.error or lines:
        raise FleetError(f"{path.name} 有误：{result.error or ''}\n" + "\n".join(lines))
    return Fleet.from_rows(result.valid)


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
