"""Synthetic railway offers (铁路运力报表) for tests and the demo, with the public capacity figures.

The bureau of the campaign's province offers, on the peak travel days (synth.calendar), trains between
its stations and the main work cities' (synth.places; 返岗 out, 返乡 back; Shandong also brings
在鲁务工人员 in from their home provinces): whole 普速专列 (K/L trains of 硬座, 1,000–1,400 people), 动车/高铁专列 (8-car 二等座,
550–720) and reserved carriages of 硬座 (118), 硬卧 (66) and 二等座 (90). A train leaving the province
boards at the nearest station of another city of it as well. Rows are the form's own (Chinese headers), as a bureau would fill it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from chunnuan.config import divisions, railway
from chunnuan.config.campaign import Campaign
from chunnuan.intake.kinds.rail import RAIL, WHOLE_TRAIN
from chunnuan.synth.calendar import BACK_TO_WORK, RETURN_HOME, date_of, travel_day_weights
from chunnuan.synth.places import destinations, inbound
from chunnuan.synth.random import rng

BUREAUS = {"450000": ("中国铁路南宁局集团有限公司", "0771"), "370000": ("中国铁路济南局集团有限公司", "0531")}
# (carriage type, carriages or WHOLE_TRAIN, 整列定员, group fare 元/人, train prefix), drawn per offer
SHAPES = (
    ("硬座", WHOLE_TRAIN, 1298, 150, "L"),  # 普速专列: 11 硬座 carriages
    ("二等座", WHOLE_TRAIN, 613, 260, "D"),  # 动车/高铁专列: an 8-car set
    ("硬座", 4, 0, 150, "K"),
    ("硬卧", 3, 0, 260, "K"),
    ("二等座", 2, 0, 260, "G"),
)
PEAK_DAYS = 4  # the busiest days of each direction get trains


def _ends(campaign: Campaign) -> tuple[list[railway.Station], list[tuple[railway.Station, float]],
                                        list[tuple[railway.Station, float]]]:
    """The province's own stations; the work cities' stations outside it (weighted as synth.places sends
    workers there); the stations of the provinces its inbound workers come from (weighted likewise)."""
    stations = campaign.rail.station_list()
    prov = divisions.province(campaign.province)
    home = [s for s in stations if s.place_code[:2] == prov.code[:2]]
    work = [(s, w) for p, city, w in destinations(prov) if p != prov.name
            for s in stations if divisions.place_label(s.city_code) == city]
    plan = inbound(prov)
    names = {divisions.provinces_by_name()[p].code[:2]: w for p, w in plan.home_provinces} if plan else {}
    origins = [(s, names[s.place_code[:2]]) for s in stations if s.place_code[:2] in names]
    return home, work, origins


def _weighted(draw: np.random.Generator, pairs: list[tuple[railway.Station, float]]) -> railway.Station:
    weights = np.array([w for _, w in pairs], dtype=float)
    return pairs[int(draw.choice(len(pairs), p=weights / weights.sum()))][0]


def offers(campaign: Campaign, trains: int = 24, seed: int = 1) -> pd.DataFrame:
    """`trains` offers (one row each) of the campaign province's bureau, on the peak days of both directions."""
    if campaign.rail is None:
        raise ValueError(f"{campaign.id} lists no stations (rail)")
    draw = rng(seed, "rail offers")
    bureau, area_code = BUREAUS.get(campaign.province_code, (f"中国铁路{campaign.province}铁路局", "010"))
    home, work, origins = _ends(campaign)
    peaks = {trip: [date_of(d) for d in days[np.argsort(-p, kind="stable")[:PEAK_DAYS]]]
             for trip in (BACK_TO_WORK, RETURN_HOME) for days, p in [travel_day_weights(campaign, trip)]}
    rows = []
    for i in range(trains):
        trip = BACK_TO_WORK if i % 3 else RETURN_HOME  # 返岗 is the bigger flow
        kind, carriages, train_seats, fare, prefix = SHAPES[int(draw.integers(len(SHAPES)))]
        local = home[int(draw.integers(len(home)))]
        # riders also board at the nearest other station of the province on the way out
        stop = min((s for s in home if s.city_code != local.city_code),
                   key=lambda s: (railway.distance_km(local.place_code, s.place_code), s.name))
        if origins and i % 4 == 3:  # 在鲁务工的外省籍: 返岗 comes in from their home province
            far = _weighted(draw, origins)
            origin, stops, destination = (far, [], local) if trip == BACK_TO_WORK else (local, [stop], far)
        else:
            far = _weighted(draw, work)
            origin, stops, destination = (local, [stop], far) if trip == BACK_TO_WORK else (far, [], local)
        day = peaks[trip][i % PEAK_DAYS]
        rows.append({
            "铁路局": bureau,
            "车次": f"{prefix}{5001 + i if prefix in 'LK' else 3601 + i}",
            "日期": day.isoformat(),
            "始发站": origin.name,
            "到达站": destination.name,
            "经停站": "、".join(s.name for s in stops),
            "车厢类型": kind,
            "每厢定员": str(railway.CARRIAGE_TYPES[kind].seats),
            "可提供车厢数": str(carriages),
            "整列定员": str(train_seats) if carriages == WHOLE_TRAIN else "",
            "团体票价": str(fare),
            "联系人": "客运调度",
            "联系电话": f"{area_code}-{2400000 + i}",
        })
    return pd.DataFrame(rows, columns=[c.header for c in RAIL.columns])


def write_offers(campaign: Campaign, path, trains: int = 24, seed: int = 1):
    """The offers as the bureau's CSV (UTF-8 with BOM, as Excel saves it)."""
    frame = offers(campaign, trains, seed)
    frame.to_csv(path, index=False, encoding="utf-8-sig")
    return path
