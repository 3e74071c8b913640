"""Synthetic charter requests and fleets at province scale, for tests, demos and the benchmark.

Requests follow the campaign's shape: counties of the province → the usual work cities, on the
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
from chunnuan.synth.places import destinations

# The benchmark's work cities: the largest of the shared table (synth.places), 14 for Guangxi, 8 for Shandong.
PLANNER_CITIES = {
    "450000": ("深圳市", "东莞市", "广州市", "佛山市", "中山市", "惠州市", "江门市", "珠海市", "宁波市", "杭州市",
               "厦门市", "泉州市", "南宁市", "柳州市"),
    "370000": ("苏州市", "南京市", "北京市", "天津市", "上海市", "宁波市", "青岛市", "济南市"),
}
FLEX_SHARES = (0.3, 0.15, 0.15, 0.15, 0.08, 0.07, 0.05, 0.05)  # 0..7 days


def requests(campaign: Campaign, n: int, seed: int = 1, return_share: float = 0.25) -> pd.DataFrame:
    """n charter requests as survey_worker rows (needs_charter = True)."""
    rng = np.random.default_rng(seed)
    prov = divisions.province(campaign.province)
    counties = np.array(sorted(prov.counties))
    county_w = rng.lognormal(0, 0.8, len(counties))
    county = rng.choice(len(counties), n, p=county_w / county_w.sum())
    places = destinations(prov, PLANNER_CITIES.get(prov.code))
    place_w = np.array([w for *_, w in places], dtype=float)
    place = rng.choice(len(places), n, p=place_w / place_w.sum())
    trip = np.where(rng.random(n) < return_share, "返乡", "返岗")
    day = np.zeros(n, dtype=np.int64)
    for kind in ("返乡", "返岗"):
        rows = np.flatnonzero(trip == kind)
        days, p = travel_day_weights(campaign, kind)
        day[rows] = rng.choice(days - day_number(campaign.travel_window.start), len(rows), p=p)
    dates = pd.Timestamp(campaign.travel_window.start) + pd.to_timedelta(day, unit="D")
    return pd.DataFrame({
        "id_number": [f"{counties[c]}{i:012d}" for i, c in enumerate(county)],
        "home_county_code": counties[county],
        "work_province": np.array([p for p, _, _ in places])[place],
        "work_city": np.array([c for _, c, _ in places])[place],
        "trip_type": trip,
        "travel_date": dates.strftime("%Y-%m-%d"),
        "flex_days": rng.choice(len(FLEX_SHARES), n, p=FLEX_SHARES),
        "needs_charter": True,
    })


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
