"""拼车 (planner.pool): hand-checked pooled corridors, windows, seats, the two-driver rule, and the pooled
plan against CP-SAT on small instances. No Airflow."""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pandas as pd
import pytest

from chunnuan.config import divisions
from chunnuan.planner import plan, pool
from chunnuan.planner.demand import home_county, road_km
from chunnuan.planner.gate import check_plan, plan_markdown
from chunnuan.planner.io import without_pooling
from chunnuan.planner.pool import route_minutes, trip_cost
from tests.unit.planner.support import GX, PEAK, make_fleet

PINGNAN, GUIPING, BOBAI = "450821", "450881", "450923"  # 平南县, 桂平市 (≈ 40 km apart), 博白县
TENG, CANGWU = "450422", "450421"  # 藤县, 苍梧县 (梧州市): east of 平南县 (贵港市), on the way to 广东
DONGGUAN, SHENZHEN, NANNING = ("广东省", "东莞市"), ("广东省", "深圳市"), ("广西壮族自治区", "南宁市")
FLEET = make_fleet({19: 3, 35: 3, 53: 3})


def riders(groups) -> pd.DataFrame:
    """(county, (province, city), riders, day offset from PEAK, flex days) -> request rows (返岗)."""
    rows = []
    for county, (province, city), n, offset, flex in groups:
        for _ in range(n):
            rows.append({"id_number": f"{county}19900101{len(rows):04d}", "home_county_code": county,
                         "work_province": province, "work_city": city, "trip_type": "返岗",
                         "travel_date": f"{PEAK + dt.timedelta(days=offset):%Y-%m-%d}", "flex_days": flex,
                         "needs_charter": "是"})
    return pd.DataFrame(rows)


def km(a: str, b: str) -> float:
    place = {c: home_county(c) or divisions.all_divisions()[c] for c in (a, b)}
    return road_km(place[a], place[b], GX.transport.road_distance_factor)


def pooled(result) -> pd.DataFrame:
    return result.trips[result.trips["stops"] != ""]


def test_two_counties_to_one_city_share_a_coach_picking_up_the_farther_county_first():
    requests = riders([(PINGNAN, DONGGUAN, 8, 0, 0), (GUIPING, DONGGUAN, 8, 0, 0)])
    before = plan(requests, FLEET, without_pooling(GX), workers=1)
    assert before.summary["chartered"] == 0  # 8 on each route: below a 19-seat coach's 15
    result = plan(requests, FLEET, GX, workers=1)
    trips = pooled(result)
    assert len(trips) == 1 and result.summary["chartered"] == 16 and result.summary["pooled_riders"] == 16
    trip = trips.iloc[0]
    stops = result.stops[result.stops["trip_id"] == trip["trip_id"]].sort_values("stop_no")
    # 桂平市 lies west of 平南县, on the far side from 东莞: the short order boards there first.
    assert stops["place_code"].tolist() == [GUIPING, PINGNAN, "441900"]
    assert stops["action"].tolist() == ["上车", "上车", "下车"]
    assert stops["boarding"].tolist() == [8, 8, 0] and stops["alighting"].tolist() == [0, 0, 16]
    assert trip["km"] == pytest.approx(km(GUIPING, PINGNAN) + km(PINGNAN, "441900"), abs=0.1)
    assert trip["seats"] == 19 and trip["cost"] == trip_cost(GX, 19, trip["km"])
    assert trip["drivers"] == (2 if trip["km"] > GX.transport.long_route_km else 1)
    assert stops["time"].iloc[0] == GX.transport.pooling.first_departure
    assert stops["point"].iloc[0] == "贵港市桂平市汽车客运站" or stops["point"].iloc[0].endswith("桂平市汽车客运站")
    assert check_plan(requests, FLEET, result, GX) == []
    assert result.summary["cost"] >= result.summary["lower_bound"]


def test_one_county_to_two_cities_drops_at_the_nearer_city_first():
    requests = riders([(PINGNAN, DONGGUAN, 8, 0, 1), (PINGNAN, SHENZHEN, 8, 1, 1)])
    result = plan(requests, FLEET, GX, workers=1)
    trips = pooled(result)
    assert len(trips) == 1 and result.summary["chartered"] == 16
    stops = result.stops.sort_values("stop_no")
    assert stops["place_code"].tolist() == [PINGNAN, "441900", "440300"]
    assert stops["alighting"].tolist() == [0, 8, 8]
    # Both groups accept the day between their planned days (flex 1): the coach runs inside both windows.
    a = result.assignments
    assert (a["travel_date"] == trips.iloc[0]["date"]).all() and (a["shift_days"].abs() <= 1).all()
    assert check_plan(requests, FLEET, result, GX) == []


def test_a_detour_too_long_stays_unpooled():
    # 东莞 lies east of 平南县, 南宁 west: one coach for both would more than double someone's ride.
    requests = riders([(PINGNAN, DONGGUAN, 8, 0, 0), (PINGNAN, NANNING, 8, 0, 0)])
    result = plan(requests, FLEET, GX, workers=1)
    assert result.summary["chartered"] == 0 and pooled(result).empty
    assert result.summary["referrals_by_reason"] == before_reasons(requests)


def test_a_corridor_coach_picks_up_across_prefectures_along_its_way():
    # 桂平市, 平南县 (贵港市), 藤县, 苍梧县 (梧州市): 4 riders each to 东莞, 16 in all — no three counties fill a
    # 19-seat coach (15), all four do. First to last pickup ≈ 227 km, beyond the old 200 km span.
    corridor = (GUIPING, PINGNAN, TENG, CANGWU)
    requests = riders([(c, DONGGUAN, 4, 0, 0) for c in corridor])
    result = plan(requests, FLEET, GX, workers=1)
    [trip] = pooled(result).itertuples()
    stops = result.stops.sort_values("stop_no")
    assert stops["place_code"].tolist() == [*corridor, "441900"]  # west to east, then the city
    assert stops["boarding"].tolist() == [4, 4, 4, 4, 0] and {c[:4] for c in corridor} == {"4508", "4504"}
    legs = [km(a, b) for a, b in itertools.pairwise([*corridor, "441900"])]
    assert trip.km == pytest.approx(sum(legs), abs=0.2) and sum(legs[:3]) > 200
    for i, county in enumerate(corridor):  # every rider's ride within 1.4 × their direct km
        assert sum(legs[i:]) <= (1 + GX.transport.pooling.max_detour_ratio) * km(county, "441900")
    assert trip.seats == 19 and trip.passengers == 16 and trip.drivers == 2 and trip.cost == trip_cost(GX, 19, trip.km)
    assert check_plan(requests, FLEET, result, GX) == []


def with_pooling(**rules):
    return GX.model_copy(update={"transport": GX.transport.model_copy(
        update={"pooling": GX.transport.pooling.model_copy(update=rules)})})


def test_drivers_hours_limit_the_whole_pooled_route():
    corridor = (GUIPING, PINGNAN, TENG, CANGWU)
    requests = riders([(c, DONGGUAN, 4, 0, 0) for c in corridor])
    result = plan(requests, FLEET, GX, workers=1)
    [trip] = pooled(result).itertuples()
    # 07:00 at 桂平市, 20 minutes at each later stop, 60 km/h: the last drop 10 h 23 min later
    minutes = route_minutes(trip.km, 5, GX.transport.pooling)
    assert minutes == pytest.approx(trip.km + 4 * 20) and result.stops["time"].iloc[-1] == "17:23"
    assert minutes <= GX.transport.pooling.max_route_hours * 60
    shorter = with_pooling(max_route_hours=(minutes - 2) / 60)  # a crew's day two minutes short of the route
    again = plan(requests, FLEET, shorter, workers=1)
    assert again.summary["chartered"] == 0 and pooled(again).empty  # three counties are too few for a coach
    assert any("小时" in p for p in check_plan(requests, FLEET, result, shorter))


def test_a_route_longer_than_two_drivers_day_takes_a_third_driver_and_pays_for_it():
    corridor = (GUIPING, PINGNAN, TENG, CANGWU)
    requests = riders([(c, DONGGUAN, 4, 0, 0) for c in corridor])
    # the same corridor at 30 km/h: over 16 h of driving, so three drivers (allowed: 05:00 + 21 h ends by 02:00)
    slow = with_pooling(speed_kmh=30, first_departure="05:00", max_route_hours=21)
    result = plan(requests, FLEET, slow, workers=1)
    [trip] = pooled(result).itertuples()
    assert trip.km / 30 > 2 * pool.DRIVER_HOURS and trip.drivers == 3
    usual = plan(requests, FLEET, GX, workers=1)
    [two] = pooled(usual).itertuples()
    assert two.drivers == 2 and two.km == trip.km and two.seats == trip.seats
    assert trip.cost == two.cost + GX.transport.second_driver_cost
    assert check_plan(requests, FLEET, result, slow) == []
    assert result.summary["pooled_three_drivers"] == 1 and usual.summary["pooled_three_drivers"] == 0
    assert "| 其中配三名驾驶员的拼车车次 | 1 |" in plan_markdown(result, slow)
    assert "三名驾驶员" not in plan_markdown(usual, GX)
    short = result.trips.assign(drivers=2)
    problems = check_plan(requests, FLEET, type(result)(**{**result.__dict__, "trips": short}), slow)
    assert any("驾驶员不足" in p for p in problems)


def test_a_pooled_coach_absorbs_a_route_trip_on_a_smaller_coach(monkeypatch):
    monkeypatch.setattr(pool, "EXACT_MAX_RIDERS", 0)  # the greedy with route trips, as on a province's leftovers
    requests = riders([(GUIPING, DONGGUAN, 16, 0, 0), (PINGNAN, DONGGUAN, 12, 0, 0)])
    fleet = make_fleet({19: 1, 35: 1})
    before = plan(requests, fleet, without_pooling(GX), workers=1)
    [route_trip] = before.trips.itertuples()  # 桂平市's 16 on a 19-seat coach; 平南县's 12 referred
    assert route_trip.seats == 19 and before.summary["chartered"] == 16
    result = plan(requests, fleet, GX, workers=1)
    [trip] = result.trips.itertuples()  # one 35-seat coach for all 28: 桂平市, then 平南县
    assert trip.seats == 35 and trip.passengers == 28 and trip.trip_id != route_trip.trip_id
    assert result.stops.sort_values("stop_no")["place_code"].tolist() == [GUIPING, PINGNAN, "441900"]
    assert result.summary["pooled_absorbed_trips"] == 1 and result.summary["pooled_riders"] == 12
    a = result.assignments
    assert (a["status"] == "包车").all() and (a["trip_id"] == trip.trip_id).all() and (a["shift_days"] == 0).all()
    per_rider = result.summary["cost"] / result.summary["chartered"]
    assert per_rider <= before.summary["cost"] / before.summary["chartered"]
    assert result.summary["pooled_cost"] == pytest.approx(trip.cost - route_trip.cost)
    assert result.summary["lower_bound"] <= result.summary["cost"]
    assert check_plan(requests, fleet, result, GX) == []


def test_pooling_never_raises_the_cost_per_chartered_rider():
    from tests.unit.planner.support import make_requests

    # 800 requests over 6 counties × 3 cities, spread over weeks: most routes too thin for a coach of their own
    counties = (GUIPING, PINGNAN, TENG, CANGWU, BOBAI, "450126")
    requests = make_requests(np.random.default_rng(8), 800, spread=6, flex_max=3, counties=counties)
    fleet = make_fleet({19: 2, 35: 2, 53: 2})
    before = plan(requests, fleet, without_pooling(GX), workers=1)
    result = plan(requests, fleet, GX, workers=1)
    assert result.summary["pooling"] == "greedy" and result.summary["pooled_absorbed_trips"] > 0
    assert result.summary["chartered"] == before.summary["chartered"] + result.summary["pooled_riders"] > 2 * before.summary["chartered"]
    assert result.summary["cost"] / result.summary["chartered"] <= before.summary["cost"] / before.summary["chartered"]
    assert result.summary["lower_bound"] <= result.summary["cost"]
    assert check_plan(requests, fleet, result, GX) == []


def test_a_longer_crews_day_never_refers_more_than_two_drivers_day(monkeypatch):
    requests = riders([(PINGNAN, DONGGUAN, 8, 0, 0), (GUIPING, DONGGUAN, 8, 0, 0)])
    searched = []
    real = pool.pool_riders

    def greedy_gone_astray(left, campaign, *args):  # the longer day's search finds nothing (as the greedy may)
        searched.append(campaign.transport.pooling.max_route_hours)
        return ([], [], "greedy") if campaign.transport.pooling.max_route_hours > 16 else real(left, campaign, *args)

    monkeypatch.setattr(pool, "pool_riders", greedy_gone_astray)
    longer = with_pooling(max_route_hours=19)
    result = plan(requests, FLEET, longer, workers=1)
    assert searched == [19, 16] and result.summary["chartered"] == 16 and len(pooled(result)) == 1
    assert check_plan(requests, FLEET, result, longer) == []


def test_an_allowance_is_searched_both_ways_and_the_plan_carrying_more_kept(monkeypatch):
    # 苍梧县's 16 on a route coach give the cost per rider the allowance is added to
    requests = riders([(PINGNAN, DONGGUAN, 8, 0, 0), (GUIPING, DONGGUAN, 8, 0, 0), (CANGWU, SHENZHEN, 16, 0, 0)])
    searched = []
    real = pool.pool_riders

    def passes_from_the_route_plan_fail(left, campaign, budget, *args):
        searched.append(budget.allowance)
        return ([], [], "greedy") if budget.allowance else real(left, campaign, budget, *args)

    monkeypatch.setattr(pool, "pool_riders", passes_from_the_route_plan_fail)
    allowed = with_pooling(max_extra_cost_per_rider=100)
    result = plan(requests, FLEET, allowed, workers=1)
    assert sorted(searched) == [0, 100] and result.summary["chartered"] == 32 and len(pooled(result)) == 1
    assert check_plan(requests, FLEET, result, allowed) == []


def test_the_office_may_pay_more_per_rider_to_refer_fewer():
    from tests.unit.planner.support import make_requests

    counties = (GUIPING, PINGNAN, TENG, CANGWU, BOBAI, "450126")
    requests = make_requests(np.random.default_rng(8), 800, spread=6, flex_max=3, counties=counties)
    fleet = make_fleet({19: 2, 35: 2, 53: 2})
    base = plan(requests, fleet, without_pooling(GX), workers=1).summary
    base_per_rider = base["cost"] / base["chartered"]
    no_higher = plan(requests, fleet, GX, workers=1).summary
    allowed = with_pooling(max_extra_cost_per_rider=100)
    dearer = plan(requests, fleet, allowed, workers=1)
    s = dearer.summary
    assert s["chartered"] > no_higher["chartered"]
    assert no_higher["cost"] / no_higher["chartered"] <= base_per_rider < s["cost"] / s["chartered"] <= base_per_rider + 100
    assert check_plan(requests, fleet, dearer, allowed) == []
    assert "| 拼车允许每名包车乘客平均费用增加（元，行动设定） | 100 |" in plan_markdown(dearer, allowed)


def before_reasons(requests) -> dict:
    return plan(requests, FLEET, without_pooling(GX), workers=1).summary["referrals_by_reason"]


def test_riders_whose_windows_do_not_meet_are_not_pooled():
    requests = riders([(PINGNAN, DONGGUAN, 8, 0, 1), (GUIPING, DONGGUAN, 8, 4, 1)])  # days −1..1 and 3..5
    result = plan(requests, FLEET, GX, workers=1)
    assert result.summary["chartered"] == 0


def test_seats_cap_a_pooled_coach_and_the_fill_rule_holds():
    requests = riders([(PINGNAN, DONGGUAN, 9, 0, 0), (GUIPING, DONGGUAN, 9, 0, 0), (PINGNAN, SHENZHEN, 9, 0, 0),
                       (GUIPING, SHENZHEN, 9, 0, 0)])
    fleet = make_fleet({19: 3, 35: 3})  # no 53-seat coach: 36 riders cannot all go on one
    result = plan(requests, fleet, GX, workers=1)
    trips = pooled(result)
    assert len(trips) and (trips["passengers"] <= trips["seats"]).all()
    minimum = np.ceil(GX.transport.min_fill_ratio * trips["seats"] - 1e-9)
    assert (trips["passengers"] >= minimum).all()
    assert ((trips["drivers"] == 2) == (trips["km"] > GX.transport.long_route_km)).all()
    assert check_plan(requests, fleet, result, GX) == []


def test_the_two_driver_rule_counts_the_whole_pooled_route():
    # 博白县 → 深圳 and 平南县 → 东莞: whichever order, the pooled route is longer than either leg.
    requests = riders([(BOBAI, SHENZHEN, 8, 0, 0), (BOBAI, DONGGUAN, 8, 0, 0)])
    result = plan(requests, FLEET, GX, workers=1)
    trips = pooled(result)
    assert len(trips) == 1
    trip = trips.iloc[0]
    last = result.stops.loc[result.stops["trip_id"] == trip["trip_id"], "km"].max()
    assert trip["km"] == pytest.approx(last, abs=0.1) and trip["km"] > km(BOBAI, "441900")
    assert trip["drivers"] == (2 if trip["km"] > GX.transport.long_route_km else 1)
    extra = GX.transport.second_driver_cost if trip["km"] > GX.transport.long_route_km else 0
    cls = GX.transport.vehicle_class(int(trip["seats"]))
    assert trip["cost"] == round(cls.fixed_cost + cls.per_km_cost * trip["km"] + extra)


def test_a_pooled_trip_with_a_bad_stop_list_fails_the_gate():
    requests = riders([(PINGNAN, DONGGUAN, 8, 0, 0), (GUIPING, DONGGUAN, 8, 0, 0)])
    result = plan(requests, FLEET, GX, workers=1)
    result.stops = result.stops[result.stops["place_code"] != GUIPING]  # 桂平市's riders lose their stop
    problems = check_plan(requests, FLEET, result, GX)
    assert any("拼车" in p for p in problems)


# --- CP-SAT: the pooled plan's (referrals, cost) against an independent rider-level model -------------

def _optimum(requests, leftover_ids, per_rider: float | None) -> tuple[int, float]:
    """Fewest referrals, then least cost, pooling the leftovers with every candidate trip (rider-level), each new
    rider paying at most `per_rider` on average (the route plan's cost per chartered rider; None: no route coach)."""
    from ortools.sat.python import cp_model

    rules = GX.transport.pooling
    left = requests[requests["id_number"].isin(leftover_ids)].reset_index(drop=True)
    city_code = {c: divisions.work_place(p, c).code for p, c in zip(left["work_province"], left["work_city"], strict=True)}
    left["o"] = left["home_county_code"]
    left["d"] = left["work_city"].map(city_code)
    left["day"] = (pd.to_datetime(left["travel_date"]) - pd.Timestamp(PEAK)).dt.days
    legs = sorted(set(zip(left["o"], left["d"], strict=True)))
    shapes = []
    for size in range(1, len(legs) + 1):
        for members in itertools.combinations(legs, size):
            p = sorted({o for o, _ in members})
            q = sorted({d for _, d in members})
            if len(p) > rules.max_pickups or len(q) > rules.max_drops:
                continue
            best = None
            for po in itertools.permutations(p):
                for qo in itertools.permutations(q):
                    stops = [*po, *qo]
                    gaps = [km(a, b) for a, b in itertools.pairwise(stops)]
                    if any(g > rules.pickup_gap_km for g in gaps[: len(po) - 1]) or \
                            any(g > rules.drop_gap_km for g in gaps[len(po):]):
                        continue
                    at = np.concatenate([[0], np.cumsum(gaps)])
                    if at[-1] / rules.speed_kmh * 60 + rules.stop_minutes * (len(stops) - 1) > rules.max_route_hours * 60:
                        continue
                    pos = {x: i for i, x in enumerate(stops)}
                    if all(at[pos[d]] - at[pos[o]] <= (1 + rules.max_detour_ratio) * km(o, d) + 1e-6 for o, d in members):
                        best = at[-1] if best is None else min(best, at[-1])
            if best is not None:
                shapes.append((set(members), best))
    model = cp_model.CpModel()
    days = range(int((left["day"] - left["flex_days"]).min()), int((left["day"] + left["flex_days"]).max()) + 1)
    seat_sizes = (19, 35, 53)
    carried, cost = [], []
    on: dict[int, list] = {i: [] for i in range(len(left))}
    for c, (members, length) in enumerate(shapes):
        for t in days:
            for s in seat_sizes:
                y = model.new_int_var(0, 3, f"y{c}_{t}_{s}")
                xs = []
                for i, r in left.iterrows():
                    if (r["o"], r["d"]) in members and abs(t - r["day"]) <= int(r["flex_days"]):
                        x = model.new_bool_var(f"x{i}_{c}_{t}_{s}")
                        xs.append(x)
                        on[i].append(x)
                model.add(sum(xs) <= s * y)
                model.add(sum(xs) >= int(np.ceil(GX.transport.min_fill_ratio * s - 1e-9)) * y)
                cost.append(int(trip_cost(GX, s, length)) * y)
                carried += xs
    for xs in on.values():
        model.add(sum(xs) <= 1)
    if per_rider is not None:  # in fen, as the planner rounds it
        model.add(100 * sum(cost) - int(round(100 * per_rider)) * sum(carried) <= 0)
    model.minimize(-10**7 * sum(carried) + sum(cost))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solver.solve(model) == cp_model.OPTIMAL
    n = int(sum(solver.value(x) for x in carried))
    return len(left) - n, float(solver.objective_value + 10**7 * n)


@pytest.mark.parametrize("seed", range(4))
def test_pooled_plan_matches_cp_sat_on_small_instances(seed):
    rng = np.random.default_rng(seed)
    counties, cities = (PINGNAN, GUIPING), (DONGGUAN, SHENZHEN)
    groups = [(c, city, int(rng.integers(4, 13)), int(rng.integers(-2, 3)), int(rng.integers(0, 3)))
              for c in counties for city in cities if rng.random() < 0.85]
    requests = riders(groups)
    before = plan(requests, FLEET, without_pooling(GX), workers=1)
    a = before.assignments
    leftover = a.loc[a["reason"].str.contains("人数不足", na=False), "id_number"]
    result = plan(requests, FLEET, GX, workers=1)
    assert result.summary["pooling"] in ("exact", "none")
    per_rider = before.summary["cost"] / before.summary["chartered"] if before.summary["chartered"] else None
    referred, cost = _optimum(requests, set(leftover), per_rider) if len(leftover) else (0, 0.0)
    still = result.assignments["reason"].str.contains("人数不足", na=False).sum()
    assert still == referred
    assert result.summary["referral_floor"] <= referred  # what no plan avoids, below the optimum's referrals
    assert result.summary["pooled_cost"] == pytest.approx(cost, abs=1)
    assert check_plan(requests, FLEET, result, GX) == []


def test_the_exact_search_keeps_to_the_cost_per_rider_unless_the_office_allows_more():
    # 平南县's 16 fill a route coach to 东莞 at 252.5 元 a rider; 平南县's and 桂平市's 8 each to 深圳 would fill
    # a pooled 19-seat coach at 294 元 a rider: above the route plan's, so only the route coach's spare seats
    # take three of them, unless the office allows 100 元 more
    requests = riders([(PINGNAN, DONGGUAN, 16, 0, 0), (PINGNAN, SHENZHEN, 8, 0, 0), (GUIPING, SHENZHEN, 8, 0, 0)])
    base = plan(requests, FLEET, without_pooling(GX), workers=1).summary
    kept = plan(requests, FLEET, GX, workers=1).summary
    assert kept["pooling"] == "exact" and kept["pooled_new_coaches"] == 0 and kept["chartered"] == 19
    assert kept["cost"] / kept["chartered"] <= base["cost"] / base["chartered"]
    allowed = with_pooling(max_extra_cost_per_rider=100)
    dearer = plan(requests, FLEET, allowed, workers=1)
    s = dearer.summary
    assert s["pooling"] == "exact" and s["pooled_new_coaches"] == 1 and s["chartered"] == 32
    assert base["cost"] / base["chartered"] < s["cost"] / s["chartered"] <= base["cost"] / base["chartered"] + 100
    assert check_plan(requests, FLEET, dearer, allowed) == []


def test_a_route_coach_with_spare_seats_stops_for_riders_left_nearby():
    requests = riders([(PINGNAN, DONGGUAN, 16, 0, 0), (GUIPING, DONGGUAN, 2, 0, 0)])
    fleet = make_fleet({19: 2})
    before = plan(requests, fleet, without_pooling(GX), workers=1)
    [trip_id] = before.trips["trip_id"]  # 平南县's 16 fill a 19-seat coach; 桂平市's 2 are referred
    result = plan(requests, fleet, GX, workers=1)
    [trip] = result.trips.itertuples()
    assert trip.trip_id == trip_id and trip.passengers == 18 and result.summary["pooled_route_trips"] == 1
    stops = result.stops.sort_values("stop_no")
    assert stops["place_code"].tolist() == [GUIPING, PINGNAN, "441900"]
    assert stops["boarding"].tolist() == [2, 16, 0] and stops["alighting"].tolist() == [0, 0, 18]
    added = trip.cost - before.trips["cost"].iloc[0]
    assert 0 < added <= before.summary["cost"] / before.summary["chartered"] * 2  # the stop costs little per rider
    assert trip.cost == trip_cost(GX, 19, trip.km) and check_plan(requests, fleet, result, GX) == []
    # the 2 riders ride seats the route's bound already counts: the bound stays below the cost
    assert result.summary["lower_bound"] == before.summary["lower_bound"] <= result.summary["cost"]


def test_a_replan_keeps_a_published_pooled_trip_and_its_stops():
    from chunnuan.planner.replan import Published, replan

    requests = riders([(PINGNAN, DONGGUAN, 8, 0, 0), (GUIPING, DONGGUAN, 8, 0, 0)])
    first = plan(requests, FLEET, GX, workers=1)
    [pooled_id] = pooled(first)["trip_id"]
    more = pd.concat([requests, riders([(BOBAI, NANNING, 1, 3, 0)]).assign(id_number="450923199001019999")],
                     ignore_index=True)
    again = replan(more, FLEET, GX, Published.from_plan(first, 1))
    kept = again.trips.set_index("trip_id").loc[pooled_id]
    assert kept["change"] == "kept" and kept["passengers"] == 16 and kept["stops"] == pooled(first)["stops"].iloc[0]
    pd.testing.assert_frame_equal(again.stops.reset_index(drop=True), first.stops.reset_index(drop=True),
                                  check_dtype=False)
    assert check_plan(more, FLEET, again, GX, Published.from_plan(first, 1)) == []


def test_a_pooled_coach_never_takes_a_route_longer_than_the_crews_hours_even_with_one_leg(monkeypatch):
    # A route trip on a small coach may be absorbed whole into a pooled coach: a pooled coach of that one leg
    # alone must still meet the drivers' hours, which a direct route plan does not check.
    monkeypatch.setattr(pool, "EXACT_MAX_RIDERS", 0)
    requests = riders([(GUIPING, DONGGUAN, 16, 0, 0), (PINGNAN, DONGGUAN, 12, 0, 0)])
    fleet = make_fleet({19: 1, 35: 1})
    direct = plan(requests, fleet, without_pooling(GX), workers=1)
    [route_trip] = direct.trips.itertuples()
    short = with_pooling(max_route_hours=route_minutes(route_trip.km, 2, GX.transport.pooling) / 60 - 0.1)
    result = plan(requests, fleet, short, workers=1)
    assert pooled(result).empty and result.summary["chartered"] == direct.summary["chartered"]
    assert check_plan(requests, fleet, result, short) == []
