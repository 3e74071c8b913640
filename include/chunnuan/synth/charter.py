"""Synthetic charter requests and fleets at province scale, for tests, demos and the benchmark.

Requests follow the campaign's shape: counties of the province → the usual work cities (and, on
request, workers from other provinces → the province's receiving counties), on the
survey's travel days (synth.calendar: 返岗 peaks on the days after the Spring Festival holiday and
tails off; 返乡 peaks about a week before it), flex days 0–7 with most workers flexible by a few days. Identity numbers are fake (county code +
sequence). The fleet has carriers in every city of the province with 19/35/53-seat coaches, a mix
of credit grades, a few with a recent serious accident (to be refused), and `supply` scaling how
many coaches they offer against the peak demand.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from chunnuan.common.idcodes import uscc_with_check
from chunnuan.config import divisions
from chunnuan.config.campaign import Campaign
from chunnuan.planner.fleet import Carrier, Fleet
from chunnuan.synth.calendar import day_number, travel_day_weights
from chunnuan.synth.homes import sending_homes
from chunnuan.synth.places import destinations, inbound

# The benchmark's work cities: the largest of the shared table (synth.places), 14 for Guangxi, 8 for Shandong.
PLANNER_CITIES = {
    "450000": ("深圳市", "东莞市", "广州市", "佛山市", "中山市", "惠州市", "江门市", "珠海市", "宁波市", "杭州市",
               "厦门市", "泉州市", "南宁市", "柳州市"),
    "370000": ("苏州市", "南京市", "北京市", "天津市", "上海市", "宁波市", "青岛市", "济南市"),
}
FLEX_SHARES = (0.3, 0.15, 0.15, 0.15, 0.08, 0.07, 0.05, 0.05)  # 0..7 days


def requests(campaign: Campaign, n: int, seed: int = 1, return_share: float = 0.25,
             inbound_share: float = 0.0) -> pd.DataFrame:
    """n charter requests as survey_worker rows (needs_charter = True).

    `inbound_share` of them are workers from other provinces (外省籍): from the labour-sending counties
    of synth.homes to the province's receiving cities (synth.places.INBOUND), each route (home county,
    city) to one receiving county, named in work_county_code as the survey's charter riders name it.
    """
    n_inbound = round(n * inbound_share)
    rng = np.random.default_rng(seed)
    prov = divisions.province(campaign.province)
    counties = np.array(sorted(prov.counties))
    county_w = rng.lognormal(0, 0.8, len(counties))
    county = rng.choice(len(counties), n - n_inbound, p=county_w / county_w.sum())
    places = destinations(prov, PLANNER_CITIES.get(prov.code))
    place_w = np.array([w for *_, w in places], dtype=float)
    place = rng.choice(len(places), n - n_inbound, p=place_w / place_w.sum())
    trip, day, flex = _trips(campaign, n - n_inbound, return_share, rng)
    natives = pd.DataFrame({
        "home_county_code": counties[county],
        "work_province": np.array([p for p, _, _ in places])[place],
        "work_city": np.array([c for _, c, _ in places])[place],
        "work_county_code": "",
        "trip_type": trip, "day": day, "flex_days": flex,
    })
    frame = pd.concat([natives, _inbound(campaign, n_inbound, seed, return_share)], ignore_index=True) \
        if n_inbound else natives
    dates = pd.Timestamp(campaign.travel_window.start) + pd.to_timedelta(frame.pop("day"), unit="D")
    frame.insert(0, "id_number", [f"{c}{i:012d}" for i, c in enumerate(frame["home_county_code"])])
    return frame.assign(travel_date=dates.dt.strftime("%Y-%m-%d"), needs_charter=True)[
        ["id_number", "home_county_code", "work_province", "work_city", "work_county_code", "trip_type",
         "travel_date", "flex_days", "needs_charter"]]


def _trips(campaign: Campaign, n: int, return_share: float, rng) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Trip type, travel day (from the travel window's start) and flex days of n requests."""
    trip = np.where(rng.random(n) < return_share, "返乡", "返岗")
    day = np.zeros(n, dtype=np.int64)
    for kind in ("返乡", "返岗"):
        rows = np.flatnonzero(trip == kind)
        days, p = travel_day_weights(campaign, kind)
        day[rows] = rng.choice(days - day_number(campaign.travel_window.start), len(rows), p=p)
    return trip, day, rng.choice(len(FLEX_SHARES), n, p=FLEX_SHARES)


def _inbound(campaign: Campaign, n: int, seed: int, return_share: float) -> pd.DataFrame:
    prov = divisions.province(campaign.province)
    plan = inbound(prov)
    if plan is None:
        raise ValueError(f"{prov.name} receives no workers from other provinces (synth.places.INBOUND)")
    rng = np.random.default_rng([seed, 16])
    homes = sending_homes(prov, seed)
    home = rng.choice(len(homes), n, p=_normalised([w for _, w in homes]))
    cities = [c for c, _ in plan.cities]
    city = rng.choice(len(cities), n, p=_normalised([w for _, w in plan.cities]))
    # One receiving county per route (home county, city): the coach goes 车门到厂门 to one place.
    _, first, which = np.unique(home * len(cities) + city, return_index=True, return_inverse=True)
    in_city = {c: sorted(k for k in prov.counties if prov.city_of(k).name == c) for c in cities}
    receiving = np.array([in_city[cities[city[i]]][rng.integers(len(in_city[cities[city[i]]]))] for i in first],
                         dtype=object)
    trip, day, flex = _trips(campaign, n, return_share, rng)
    return pd.DataFrame({
        "home_county_code": np.array([c for c, _ in homes], dtype=object)[home],
        "work_province": prov.name,
        "work_city": np.array(cities, dtype=object)[city],
        "work_county_code": receiving[which],
        "trip_type": trip, "day": day, "flex_days": flex,
    })


def _normalised(weights: list[float]) -> np.ndarray:
    w = np.array(weights, dtype=float)
    return w / w.sum()


def uscc_for(region: str, i: int) -> str:
    """A well-formed unified social credit code (企业, region code, sequence) for synthetic carriers."""
    return uscc_with_check(f"91{region}MA{i:05d}" + "ABCDE"[i % 5] + "8")


def fleet(campaign: Campaign, riders: int, supply: float = 1.5, seed: int = 1,
          seats: tuple[int, ...] = (19, 35, 53)) -> Fleet:
    """Carriers in each city of the province; per day they offer about `supply` × the coaches the
    peak day of `riders` requests would need."""
    rng = np.random.default_rng(seed)
    prov = divisions.province(campaign.province)
    cities = sorted(prov.cities) or [prov.code]
    carriers: list[Carrier] = []
    for j, city in enumerate(cities):
        for i in range(3):
            grade = ("AAA", "AA", "AA", "A", "B")[int(rng.integers(0, 5))] if i else "AAA"
            accident = dt.date(2023, 5, 1) if (j * 3 + i) % 17 == 5 else None
            carriers.append(Carrier(uscc_for(city, j * 3 + i), f"{divisions.all_divisions()[city].name}第{i + 1}汽车运输有限公司",
                                    grade, accident, f"调度{j * 3 + i:02d}", f"0771-{5800000 + j * 3 + i}",
                                    bool(i != 2)))
    per_day_coaches = riders * 0.75 / 7 / 40 * supply  # 返岗 peak day: about a seventh of them, 40 a coach
    share = np.array([0.3, 0.3, 0.4])[: len(seats)]
    window = campaign.travel_window
    offers = []
    for c in carriers:
        for k, s in enumerate(seats):
            count = max(1, int(round(per_day_coaches * share[k] / len(carriers) * rng.uniform(0.6, 1.4))))
            offers.append((c.uscc, s, window.start, window.end, count))
    return Fleet.build(carriers, offers)
