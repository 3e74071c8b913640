"""Synthetic charter requests and fleets at province scale, for tests, demos and the benchmark.

Requests follow the campaign's shape: counties of the province → the usual work cities (返岗 peaks
on the days after the Spring Festival holiday and tails off; 返乡 peaks about a week before it),
flex days 0–7 with most workers flexible by a few days. Identity numbers are fake (county code +
sequence). The fleet has carriers in every city of the province with 19/35/53-seat coaches, a mix
of credit grades, a few with a recent serious accident (to be refused), and `supply` scaling how
many coaches they offer against the peak demand.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from stdnum.cn import uscc

from chunnuan.config import divisions
from chunnuan.config.campaign import Campaign
from chunnuan.planner.fleet import Carrier, Fleet

DESTINATIONS = {
    "450000": (("广东省", "深圳市", 18), ("广东省", "东莞市", 15), ("广东省", "广州市", 13), ("广东省", "佛山市", 10),
               ("广东省", "中山市", 5), ("广东省", "惠州市", 4), ("广东省", "江门市", 3), ("广东省", "珠海市", 2),
               ("浙江省", "宁波市", 3), ("浙江省", "杭州市", 2), ("福建省", "厦门市", 2.5), ("福建省", "泉州市", 2),
               ("广西壮族自治区", "南宁市", 6), ("广西壮族自治区", "柳州市", 3)),
    "370000": (("江苏省", "苏州市", 10), ("江苏省", "南京市", 5), ("北京市", "北京市", 10), ("天津市", "天津市", 10),
               ("上海市", "上海市", 10), ("浙江省", "宁波市", 5), ("山东省", "青岛市", 12), ("山东省", "济南市", 8)),
}
FLEX_SHARES = (0.3, 0.15, 0.15, 0.15, 0.08, 0.07, 0.05, 0.05)  # 0..7 days
SPRING_FESTIVAL_HOLIDAY = {2024: (dt.date(2024, 2, 10), dt.date(2024, 2, 17))}


def _holiday(campaign: Campaign) -> tuple[dt.date, dt.date]:
    year = campaign.travel_window.start.year
    if year in SPRING_FESTIVAL_HOLIDAY:
        return SPRING_FESTIVAL_HOLIDAY[year]
    from chunnuan.synth.survey import spring_festival_holiday

    return spring_festival_holiday(year)


def _day_weights(campaign: Campaign, trip: str) -> tuple[np.ndarray, np.ndarray]:
    window = campaign.travel_window
    first, last = _holiday(campaign)
    days = np.arange((window.end - window.start).days + 1)
    dates = np.array([window.start + dt.timedelta(days=int(d)) for d in days])
    if trip == "返乡":
        before = np.array([(first - d).days for d in dates])
        w = np.where((before >= 1) & (before <= 21), np.exp(-(((before - 7) / 6.0) ** 2)) + 0.15, 0.0)
    else:
        after = np.array([(d - last).days for d in dates])
        w = np.where((after >= 1) & (after <= 40), np.exp(-(after - 1) / 7.0), 0.0)
    return days, w / w.sum()


def requests(campaign: Campaign, n: int, seed: int = 1, return_share: float = 0.25) -> pd.DataFrame:
    """n charter requests as survey_worker rows (needs_charter = True)."""
    rng = np.random.default_rng(seed)
    prov = divisions.province(campaign.province)
    counties = np.array(sorted(prov.counties))
    county_w = rng.lognormal(0, 0.8, len(counties))
    county = rng.choice(len(counties), n, p=county_w / county_w.sum())
    places = DESTINATIONS.get(prov.code) or tuple((prov.name, c.name, 1.0) for c in prov.cities.values())
    place_w = np.array([w for *_, w in places], dtype=float)
    place = rng.choice(len(places), n, p=place_w / place_w.sum())
    trip = np.where(rng.random(n) < return_share, "返乡", "返岗")
    day = np.zeros(n, dtype=np.int64)
    for kind in ("返乡", "返岗"):
        rows = np.flatnonzero(trip == kind)
        days, p = _day_weights(campaign, kind)
        day[rows] = rng.choice(days, len(rows), p=p)
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
    body = f"91{region}MA{i:05d}" + "ABCDE"[i % 5] + "8"
    return uscc.validate(body + uscc.calc_check_digit(body))


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
