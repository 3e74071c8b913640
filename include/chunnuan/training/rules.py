"""Training-class compliance per county: pure functions over frames, no database, no Airflow.

Each rule is named in the campaign configuration (`training.rules`), so Guangxi and Shandong differ
by configuration only:

    pre_dispatch_class    每个县（市、区）至少开展 N 期送工前技能培训班
    before_dispatch_peak  a pre-dispatch class starts at least `lead_days` before the county's dispatch
                          peak (the day most of its 返岗 workers leave), so workers can attend first
    places_cover_demand   per county and trade, the classes' places cover the survey's training demand
                          (trades with fewer than `min_trade_demand` people are left to city classes)
    records_consistent    completed ≤ enrolled ≤ places (+ tolerance), dates in the window, known trades
                          and brands: checked row by row at intake (training_intake), so a county's
                          compliance is computed on records that are consistent

A finding names exactly what is missing and by when; its `key` is stable from one weekly check to
the next, so a reminder is never sent twice for the same finding.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

import pandas as pd

from chunnuan.config.campaign import Campaign
from chunnuan.intake.kinds.training import PRE_DISPATCH

COMPLIANT, NO_CLASS, LATE, SHORT = "达标", "未开班", "开班晚于送工高峰", "名额不足"
STATUS_ORDER = (NO_CLASS, LATE, SHORT, COMPLIANT)  # the first that applies is the county's status
STATUS_OF_RULE = {"pre_dispatch_class": NO_CLASS, "before_dispatch_peak": LATE, "places_cover_demand": SHORT}


@dataclass(frozen=True)
class Finding:
    rule: str
    key: str  # stable across checks: the same problem next week has the same key
    text: str  # what is missing, in the clerk's words
    due: dt.date | None  # by when it must be fixed

    def as_dict(self) -> dict:
        d = asdict(self)
        d["due"] = self.due.isoformat() if self.due else None
        return d


@dataclass(frozen=True)
class County:
    """What the rules know about one county."""

    code: str
    classes: pd.DataFrame  # its training_class rows
    demand: pd.DataFrame  # county_code, trade, people: its workers asking for training
    peak: dt.date | None  # day most of its 返岗 workers leave (None: no 返岗 demand)


def dispatch_peaks(days: pd.DataFrame) -> dict[str, dt.date]:
    """county_code, day, people -> each county's busiest departure day (the earliest of equal days)."""
    if days.empty:
        return {}
    ordered = days.assign(day=pd.to_datetime(days["day"])).sort_values(
        ["county_code", "people", "day"], ascending=[True, False, True], kind="stable")
    first = ordered.drop_duplicates("county_code")
    return dict(zip(first["county_code"], first["day"].dt.date, strict=True))


def _latest_start(campaign: Campaign, county: County) -> dt.date:
    """The last day a pre-dispatch class may start: lead_days before the peak, else the report deadline."""
    if county.peak is None:
        return campaign.report.deadline
    return county.peak - dt.timedelta(days=campaign.training.lead_days)


def _pre_dispatch(county: County) -> pd.DataFrame:
    return county.classes[county.classes["class_type"] == PRE_DISPATCH]


def pre_dispatch_class(campaign: Campaign, county: County) -> list[Finding]:
    need = campaign.training.min_pre_dispatch_classes_per_county
    have = len(_pre_dispatch(county))
    if have >= need:
        return []
    due = _latest_start(campaign, county)
    return [Finding("pre_dispatch_class", "pre_dispatch_class",
                    f"送工前技能培训班应至少 {need} 期，目前报送 {have} 期：请于 {due:%Y-%m-%d} 前开班并报送培训班报表", due)]


def before_dispatch_peak(campaign: Campaign, county: County) -> list[Finding]:
    classes = _pre_dispatch(county)
    if county.peak is None or classes.empty:
        return []  # nothing leaves, or no pre-dispatch class to judge (pre_dispatch_class says so)
    due = _latest_start(campaign, county)
    starts = pd.to_datetime(classes["start_date"]).dt.date
    need = max(1, campaign.training.min_pre_dispatch_classes_per_county)
    if int((starts <= due).sum()) >= need:
        return []
    late = "、".join(f"「{n}」{s:%m月%d日}" for n, s in sorted(zip(classes["class_name"], starts, strict=True),
                                                            key=lambda pair: pair[1]))
    return [Finding("before_dispatch_peak", f"before_dispatch_peak:{county.peak.isoformat()}",
                    f"本县送工高峰为 {county.peak:%Y-%m-%d}，送工前培训班须提前 {campaign.training.lead_days} 天"
                    f"即 {due:%Y-%m-%d} 前开班，现开班时间为 {late}：请调整开班时间或增开一期", due)]


def trade_gaps(campaign: Campaign, classes: pd.DataFrame, demand: pd.DataFrame) -> pd.DataFrame:
    """county_code, trade, demand, places, short: the (county, trade) pairs whose places fall short. Trades
    fewer than `min_trade_demand` people of a county ask for are left to city or neighbouring classes."""
    places = classes.groupby(["county_code", "trade"], as_index=False)["places"].sum()
    wanted = demand[demand["people"] >= campaign.training.min_trade_demand]
    gaps = wanted.rename(columns={"people": "demand"}).merge(places, on=["county_code", "trade"], how="left")
    gaps["places"] = gaps["places"].fillna(0).astype("int64")
    gaps["short"] = gaps["demand"] - gaps["places"]
    return gaps[gaps["short"] > 0].sort_values(["county_code", "trade"]).reset_index(drop=True)


def places_cover_demand(campaign: Campaign, county: County) -> list[Finding]:
    due = _latest_start(campaign, county)
    return [Finding("places_cover_demand", f"places_cover_demand:{g.trade}",
                    f"「{g.trade}」培训需求 {g.demand} 人，计划名额 {g.places} 个，缺 {g.short} 个："
                    f"请于 {due:%Y-%m-%d} 前增开或扩大该工种培训班", due)
            for g in trade_gaps(campaign, county.classes, county.demand).itertuples()]


RULES = {"pre_dispatch_class": pre_dispatch_class, "before_dispatch_peak": before_dispatch_peak,
         "places_cover_demand": places_cover_demand}


def status(findings: list[Finding]) -> str:
    found = {STATUS_OF_RULE[f.rule] for f in findings}
    return next(s for s in STATUS_ORDER if s in found or s == COMPLIANT)


def compliance(campaign: Campaign, counties: list[str], classes: pd.DataFrame, demand: pd.DataFrame,
               peaks: dict[str, dt.date]) -> pd.DataFrame:
    """One row per county of the province: status, figures and findings (list of Finding).

    classes: training_class rows; demand: county_code, trade, people (survey, needs training)."""
    by_county = dict(tuple(classes.groupby("county_code")))
    wanted = dict(tuple(demand.groupby("county_code")))
    rules = [RULES[name] for name in campaign.training.rules if name in RULES]
    rows = []
    for code in counties:
        county = County(code, by_county.get(code, classes.iloc[:0]), wanted.get(code, demand.iloc[:0]),
                        peaks.get(code))
        findings = [f for rule in rules for f in rule(campaign, county)]
        rows.append({
            "county_code": code,
            "status": status(findings),
            "classes": len(county.classes),
            "pre_dispatch_classes": len(_pre_dispatch(county)),
            "places": int(county.classes["places"].sum()),
            "enrolled": int(county.classes["enrolled"].sum()),
            "completed": int(county.classes["completed"].sum()),
            "demand": int(county.demand["people"].sum()),
            "dispatch_peak": county.peak,
            "findings": findings,
        })
    return pd.DataFrame(rows)
