"""Both directions (issue 16): workers from counties anywhere in China to their work place in the province
(返岗) and back (返乡), next to natives going out. Routes, distances, the permit rule, the gate, and the
planner against CP-SAT route by route on small inbound instances."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from chunnuan.config import campaign, divisions
from chunnuan.planner import plan
from chunnuan.planner.demand import prepare
from chunnuan.planner.gate import check_plan
from tests.unit.planner.support import make_fleet
from tests.unit.planner.test_route import _cp_sat

SD = campaign.load("shandong-2024")
PEAK = dt.date(2024, 2, 18)
# (home county, work province, work city, work county): inbound to 黄岛区 and 济南 (city only); natives out.
PLACES = (("411302", "山东省", "青岛市", "370211"),  # 南阳市宛城区 → 青岛市黄岛区
          ("341221", "山东省", "济南市", ""),  # 阜阳市临泉县 → 济南市
          ("130521", "山东省", "青岛市", "370211"),  # 邢台市临城县 → 青岛市黄岛区
          ("371302", "江苏省", "苏州市", ""))  # 临沂市兰山区 → 苏州市 (a native going out)


def requests(rng: np.random.Generator, per_place: tuple[int, ...], trip: str = "返岗") -> pd.DataFrame:
    place = np.repeat(np.arange(len(per_place)), per_place)
    n = len(place)
    offset = np.clip(np.round(rng.normal(0, 2, n)), -5, 5).astype(int)
    return pd.DataFrame({
        "id_number": [f"{PLACES[p][0]}19900101{i:04d}" for i, p in enumerate(place)],
        "home_county_code": [PLACES[p][0] for p in place],
        "work_province": [PLACES[p][1] for p in place],
        "work_city": [PLACES[p][2] for p in place],
        "work_county_code": [PLACES[p][3] or None for p in place],
        "trip_type": trip,
        "travel_date": [PEAK + dt.timedelta(days=int(o)) for o in offset],
        "flex_days": rng.integers(0, 3, n),
        "needs_charter": "是",
    })


def km(a: str, b: str) -> float:
    one, two = (divisions.all_divisions()[c] for c in (a, b))
    lat1, lon1, lat2, lon2 = map(math.radians, (one.latitude, one.longitude, two.latitude, two.longitude))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h)) * SD.transport.road_distance_factor


def test_inbound_routes_go_from_the_home_county_to_the_work_place_and_back():
    out = prepare(pd.concat([requests(np.random.default_rng(1), (5, 5, 0, 5)),
                             requests(np.random.default_rng(2), (5, 0, 0, 0), trip="返乡")]), SD)
    routes = out.routes.set_index("route_id")
    assert set(routes.index) == {"411302>370211", "341221>370100", "371302>320500", "370211>411302"}
    assert routes.loc["411302>370211", ["origin", "destination"]].tolist() == ["南阳市宛城区", "青岛市黄岛区"]
    assert routes.loc["370211>411302", "destination"] == "南阳市宛城区"
    assert routes["cross_province"].all()
    assert routes.loc["411302>370211", "km"] == pytest.approx(km("411302", "370211"), abs=0.1)
    assert (out.frame["route"] >= 0).all()


def test_inbound_trips_need_the_permit_and_pass_the_gate():
    reqs = requests(np.random.default_rng(3), (120, 90, 60, 80))
    without = plan(reqs, make_fleet({19: 20, 35: 20, 53: 20}, permit=False), SD, workers=1)
    assert without.trips.empty  # every route crosses a provincial border
    fleet = make_fleet({19: 20, 35: 20, 53: 20})
    result = plan(reqs, fleet, SD, workers=1)
    assert set(result.trips["route_id"]) >= {"411302>370211", "341221>370100"}
    assert check_plan(reqs, fleet, result, SD) == []
    assert (result.routes["cost"] >= result.routes["lower_bound"] - 1e-6).all()


@pytest.mark.parametrize("seed", range(4))
def test_small_inbound_routes_match_cp_sat(seed):
    """With coaches enough every route is planned on its own: each route's referred riders and cost equal
    CP-SAT's optimum for that route's riders, computed here from the requests and the campaign's prices."""
    rng = np.random.default_rng(50 + seed)
    reqs = requests(rng, tuple(int(n) for n in rng.integers(20, 90, len(PLACES))))
    result = plan(reqs, make_fleet({19: 30, 35: 30, 53: 30}), SD, workers=1)
    rules = SD.transport
    seats = np.array(sorted(c.max_seats for c in rules.vehicle_classes if c.max_seats in (19, 35, 53)))
    min_load = np.maximum(np.ceil(rules.min_fill_ratio * seats - 1e-9).astype(int), 1)
    day0 = SD.travel_window.start
    for route in result.routes.itertuples():
        origin, destination = route.route_id.split(">")
        riders = reqs[reqs["home_county_code"] == origin]
        distance = km(origin, destination)
        extra = rules.second_driver_cost if distance > rules.long_route_km else 0
        costs = np.array([round(rules.vehicle_class(int(s)).fixed_cost + rules.vehicle_class(int(s)).per_km_cost
                                * round(distance, 1) + extra) for s in seats], dtype=float)
        planned = np.array([(d - day0).days for d in riders["travel_date"]])
        flex = riders["flex_days"].to_numpy()
        start, end = planned - flex, planned + flex
        first = start.min()
        arrivals = np.zeros((end.max() - first + 1, int((end - start).max()) + 1), dtype=np.int64)
        np.add.at(arrivals, (start - first, end - start), 1)
        assert (route.referred, round(route.cost)) == _cp_sat(arrivals, seats, min_load, costs), route.route_id
