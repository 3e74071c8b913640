"""Charter requests -> riders on routes with departure windows.

Input columns (the `survey_worker` fields; the intake's normalised CSV uses the same names):
    id_number, home_county_code, work_province, work_city, trip_type (返岗/返乡), travel_date,
    flex_days, and optionally needs_charter (rows with 否/False are left out) and work_county_code.
返岗 goes from the home county to the work place; 返乡 the reverse. Either end may be outside the
campaign's province: 本省籍 workers leave from and return to the province's counties, 外省籍 ones travel
between a county anywhere in China and their work place in the province. The work place is the work
county where the survey names one (车门到厂门), else the work city found in the division data (cities,
then counties of the work province, by full or short name; a municipality is its own city); it gives
the coordinates for the route distance.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from chunnuan.config import divisions
from chunnuan.config.campaign import Campaign
from chunnuan.planner.model import (
    REASON_OUT_OF_WINDOW,
    REASON_SAME_PLACE,
    REASON_UNKNOWN_HOME,
    REASON_UNKNOWN_PLACE,
    truthy,
)

REQUIRED = ("id_number", "home_county_code", "work_province", "work_city", "trip_type", "travel_date",
            "flex_days")
EARTH_RADIUS_KM = 6371.0


class DemandError(ValueError):
    """The request file cannot be used as a whole (missing columns); the message says what to fix."""


@cache
def home_county(code: str) -> divisions.Division | None:
    code = str(code)
    if not code.isdigit() or len(code) != 6:
        return None
    try:  # the province's table fills in coordinates of lately re-designated counties
        return divisions.province(code[:2] + "0000").counties.get(code)
    except LookupError:
        return None


def road_km(a: divisions.Division, b: divisions.Division, factor: float) -> float:
    """Great-circle distance between the two centres × the campaign's road factor."""
    if None in (a.latitude, a.longitude, b.latitude, b.longitude):
        return math.nan
    lat1, lon1, lat2, lon2 = map(math.radians, (a.latitude, a.longitude, b.latitude, b.longitude))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h)) * factor


def place_km(a: str, b: str, factor: float) -> float:
    """road_km between two division codes (a county, or a city / province); NaN where one is unknown."""
    places = [home_county(c) or divisions.all_divisions().get(c) for c in (a, b)]
    return road_km(places[0], places[1], factor) if None not in places else math.nan


def road_km_between(a: np.ndarray, b: np.ndarray, factor: float) -> np.ndarray:
    """road_km for arrays of (latitude, longitude) points: a (n, 2) × b (m, 2) -> (n, m); NaN where unknown."""
    lat1, lon1 = np.radians(a[:, :1]), np.radians(a[:, 1:2])
    lat2, lon2 = np.radians(b[:, 0])[None, :], np.radians(b[:, 1])[None, :]
    h = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0, 1))) * factor


@dataclass
class Riders:
    """Planner input after resolution. Days are integers counted from the travel window's start."""

    frame: pd.DataFrame  # one row per request: id_number, route (int, -1 if referred up front), start,
    #                      deadline, planned (days), reason (pre-planning referral or "")
    routes: pd.DataFrame  # one row per route: route_id, origin/destination code+name, km, cross_province,
    #                       origin_at / destination_at ((latitude, longitude) of each end)
    day0: dt.date
    days: int


def _as_day(values: pd.Series, day0: dt.date) -> np.ndarray:
    stamps = pd.to_datetime(values, errors="coerce")
    return ((stamps - pd.Timestamp(day0)) // pd.Timedelta(days=1)).to_numpy(dtype="float64")


PLACE_KEYS = ["home_county_code", "work_province", "work_city", "work_county_code"]


def _places(frame: pd.DataFrame) -> pd.DataFrame:
    """Resolve each distinct (home county, work province, work city, work county) once."""
    keys = frame[PLACE_KEYS].drop_duplicates()
    home = [home_county(c) for c in keys["home_county_code"]]
    work = [home_county(k) if isinstance(k, str) and k else divisions.work_place(p, c)
            for p, c, k in zip(keys["work_province"], keys["work_city"], keys["work_county_code"], strict=True)]
    return keys.assign(_home=home, _work=work)


def prepare(requests: pd.DataFrame, campaign: Campaign) -> Riders:
    missing = [c for c in REQUIRED if c not in requests.columns]
    if missing:
        raise DemandError(f"包车需求数据缺少字段：{'、'.join(missing)}")
    frame = requests.reset_index(drop=True)
    if "needs_charter" in frame.columns:
        frame = frame[truthy(frame["needs_charter"])].reset_index(drop=True)
    rules = campaign.transport
    window = campaign.travel_window
    day0, days = window.start, (window.end - window.start).days + 1

    frame = frame.assign(
        home_county_code=frame["home_county_code"].astype("string").str.strip(),
        work_province=frame["work_province"].astype("string").str.strip(),
        work_city=frame["work_city"].astype("string").str.strip(),
        work_county_code=(frame["work_county_code"] if "work_county_code" in frame else pd.Series(pd.NA, index=frame.index))
        .astype("string").str.strip().fillna(""),
    )
    places = _places(frame)
    frame = frame.merge(places, on=PLACE_KEYS, how="left", sort=False)

    planned = _as_day(frame["travel_date"], day0)
    flex = pd.to_numeric(frame["flex_days"], errors="coerce").fillna(0).clip(0, rules.max_shift_days).to_numpy()
    reason = np.full(len(frame), "", dtype=object)
    reason[frame["_work"].isna().to_numpy()] = REASON_UNKNOWN_PLACE
    reason[frame["_home"].isna().to_numpy()] = REASON_UNKNOWN_HOME
    outside = ~((planned >= 0) & (planned < days))
    reason[(reason == "") & outside] = REASON_OUT_OF_WINDOW.format(window=window.label())

    ok = reason == ""
    home_code = np.array([d.code if d is not None else "" for d in frame["_home"]], dtype=object)
    work_code = np.array([d.code if d is not None else "" for d in frame["_work"]], dtype=object)
    same = ok & (home_code == work_code)
    reason[same] = REASON_SAME_PLACE
    ok &= ~same
    returning = frame["trip_type"].astype("string").str.strip().to_numpy() == "返乡"
    origin = np.where(returning, work_code, home_code)
    destination = np.where(returning, home_code, work_code)
    route_key = pd.Series(np.where(ok, origin + ">" + destination, ""), dtype="string")
    codes, uniques = pd.factorize(route_key.where(ok), sort=True)

    planned_i = np.where(ok, planned, 0).astype(np.int64)
    flex_i = flex.astype(np.int64)
    out = pd.DataFrame({
        "id_number": frame["id_number"].astype("string").to_numpy(),
        "route": np.where(ok, codes, -1),
        "planned": planned_i,
        "start": np.maximum(planned_i - flex_i, 0),
        "deadline": np.minimum(planned_i + flex_i, days - 1),
        "reason": reason,
    })
    routes = _route_table(list(uniques), frame, ok, codes, campaign)
    return Riders(out, routes, day0, days)


def _route_table(route_ids: list[str], frame: pd.DataFrame, ok: np.ndarray, codes: np.ndarray,
                 campaign: Campaign) -> pd.DataFrame:
    first = pd.Series(np.flatnonzero(ok)).groupby(codes[ok]).first()
    rows = []
    factor = campaign.transport.road_distance_factor
    for r, rid in enumerate(route_ids):
        origin_code, dest_code = rid.split(">")
        i = int(first[r])
        home, work = frame.at[i, "_home"], frame.at[i, "_work"]
        origin, dest = (work, home) if origin_code == work.code else (home, work)
        rows.append({
            "route_id": rid,
            "origin_code": origin.code,
            "origin": divisions.place_label(origin.code),
            "destination_code": dest.code,
            "destination": divisions.place_label(dest.code),
            "km": round(road_km(origin, dest, factor), 1),
            "cross_province": origin.province_code != dest.province_code,
            "origin_at": (origin.latitude, origin.longitude),  # for pooled routes' stop distances
            "destination_at": (dest.latitude, dest.longitude),
        })
    return pd.DataFrame(rows, columns=["route_id", "origin_code", "origin", "destination_code", "destination",
                                       "km", "cross_province", "origin_at", "destination_at"])
