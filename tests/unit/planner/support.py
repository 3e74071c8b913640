"""Builders the planner tests share: the Guangxi campaign, carriers, fleets, requests, a re-plan case."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from chunnuan.config import campaign
from chunnuan.planner import Carrier, Fleet, plan
from chunnuan.planner.fleet import qualify
from chunnuan.planner.replan import Published
from chunnuan.synth.charter import uscc_for

GX = campaign.load("guangxi-2024")
PEAK = dt.date(2024, 2, 18)  # 正月初九, first working days after the holiday
COUNTIES = ("450821", "450881", "450923")  # 平南县 桂平市 博白县
CITIES = (("广东省", "深圳市"), ("广东省", "东莞市"), ("广西壮族自治区", "南宁市"))


def make_carrier(i: int, grade: str = "AAA", permit: bool = True, accident: dt.date | None = None) -> Carrier:
    return Carrier(uscc_for("450800", i), f"贵港第{i}运输公司", grade, accident, f"调度{i}", f"0775-42000{i:02d}", permit)


def make_fleet(per_day: dict[int, int], carriers: int = 2, days: tuple[dt.date, dt.date] | None = None,
               permit: bool = True) -> Fleet:
    first, last = days or (GX.travel_window.start, GX.travel_window.end)
    cs = [make_carrier(i, permit=permit) for i in range(carriers)]
    offers = [(c.uscc, seats, first, last, n) for c in cs for seats, n in per_day.items()]
    return Fleet.build(cs, offers)


def make_requests(rng: np.random.Generator, n: int, spread: int = 5, flex_max: int = 4,
                  counties=COUNTIES, cities=CITIES) -> pd.DataFrame:
    county = rng.integers(0, len(counties), n)
    city = rng.integers(0, len(cities), n)
    offset = np.clip(np.round(rng.normal(0, spread, n)), -10, 20).astype(int)
    return pd.DataFrame({
        "id_number": [f"45082119900101{i:04d}" for i in range(n)],
        "home_county_code": np.array(counties)[county],
        "work_province": [cities[c][0] for c in city],
        "work_city": [cities[c][1] for c in city],
        "trip_type": np.where(rng.random(n) < 0.8, "返岗", "返乡"),
        "travel_date": [f"{PEAK + dt.timedelta(days=int(o)):%Y-%m-%d}" for o in offset],
        "flex_days": rng.integers(0, flex_max + 1, n),
        "needs_charter": "是",
    })


def riders_by_trip(assignments: pd.DataFrame) -> dict[str, set[str]]:
    on = assignments[assignments["trip_id"].fillna("") != ""]
    return {t: set(g) for t, g in on.groupby("trip_id")["id_number"]}


def replan_case():
    """A published plan, then new survey data: 60 new requests, one chartered rider withdrawn, one
    chartered rider's planned date moved out of their published trip's reach."""
    rng = np.random.default_rng(21)
    requests = make_requests(rng, 700)
    fleet = make_fleet({19: 2, 35: 2, 53: 3})
    first = plan(requests, fleet, GX, workers=1)
    published = Published.from_plan(first, 1)
    charter = first.assignments[first.assignments["status"] == "包车"].reset_index(drop=True)
    withdrawn = charter.loc[0, "id_number"]
    changed = charter.loc[len(charter) // 2, "id_number"]
    new = make_requests(np.random.default_rng(22), 60).assign(
        id_number=[f"45092319900101{i:04d}" for i in range(60)])
    after = requests[requests["id_number"] != withdrawn].copy()
    row = after["id_number"] == changed
    after.loc[row, "flex_days"] = 0
    after.loc[row, "travel_date"] = f"{pd.Timestamp(after.loc[row, 'travel_date'].iloc[0]) + pd.Timedelta(days=9):%Y-%m-%d}"
    after = pd.concat([after, new], ignore_index=True)
    return first, published, fleet, after, withdrawn, changed, set(new["id_number"])


def check_limits(trips: pd.DataFrame, fleet: Fleet) -> None:
    offer = qualify(fleet, GX).fleet.vehicles.assign(date=lambda v: v["date"].map(str)).set_index(
        ["uscc", "date", "seats"])["count"]
    used = trips.groupby(["carrier_uscc", "date", "seats"]).size()
    assert all(n <= offer.get(key, 0) for key, n in used.items())
