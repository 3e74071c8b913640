"""专列（车厢）: mode choice on hand-checked corridors, capacity, feeders, the safety rule, the gate, the CLI."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math

import numpy as np
import pandas as pd
import pytest

from chunnuan.cli import main
from chunnuan.config import railway
from chunnuan.intake.kinds.rail import RAIL
from chunnuan.planner import plan, write_fleet
from chunnuan.planner.gate import check_plan, plan_markdown
from chunnuan.planner.io import load_plan, save_plan
from chunnuan.planner.replan import Published, replan
from tests.unit.planner.support import GX, PEAK, check_limits, make_fleet

DAY = f"{PEAK:%Y-%m-%d}"
PINGNAN, GUIPING, BOBAI, GANGNAN = "450821", "450881", "450923", "450803"  # 平南县 桂平市 博白县 贵港市港南区
BEILIU = "450981"  # 北流市 (玉林市): its own station, in another city than 平南县
DONGGUAN, SHENZHEN, NINGBO = ("广东省", "东莞市"), ("广东省", "深圳市"), ("浙江省", "宁波市")


def riders(groups) -> pd.DataFrame:
    """groups: (county, (province, city), count, travel date, flex days)."""
    rows, n = [], 0
    for county, (province, city), count, day, flex in groups:
        for _ in range(count):
            rows.append({"id_number": f"{county}19900101{n:04d}", "home_county_code": county, "work_province": province,
                         "work_city": city, "trip_type": "返岗", "travel_date": day, "flex_days": flex,
                         "needs_charter": "是"})
            n += 1
    return pd.DataFrame(rows)


def offer(train_no, board, to, carriage_type="硬座", carriages=2, whole=False, fare=100.0, day=DAY, stops=""):
    per = railway.CARRIAGE_TYPES[carriage_type].seats
    seats = {"硬座": 1298, "二等座": 613}.get(carriage_type, 1000) if whole else carriages * per
    return {"bureau": "中国铁路南宁局集团有限公司", "train_no": train_no, "travel_date": pd.Timestamp(day),
            "from_station": board, "to_station": to, "stops": stops, "carriage_type": carriage_type,
            "seats_per_carriage": per, "whole_train": whole, "carriages": None if whole else carriages,
            "seats": seats, "fare": fare, "contact_name": "客运调度", "contact_phone": "0771-2400000"}


def offers(*rows) -> pd.DataFrame:
    return pd.DataFrame(list(rows))


FLEET = make_fleet({19: 2, 35: 2, 53: 4})


def by_mode(result) -> dict:
    return result.assignments.groupby("status").size().to_dict()


def test_a_corridor_filling_a_train_books_the_whole_train_and_lists_every_carriage():
    requests = riders([(PINGNAN, DONGGUAN, 400, DAY, 0)])
    rail = offers(offer("D3601", "平南南", "东莞", "二等座", whole=True, fare=100))
    result = plan(requests, FLEET, GX, workers=1, rail=rail)
    assert by_mode(result) == {"铁路": 400}
    cars = result.cars
    assert len(cars) == math.ceil(613 / 90) == 7 and cars["carriage_no"].tolist() == list(range(1, 8))
    assert (cars["mode"] == "专列").all() and cars["capacity"].sum() == 613 and cars["riders"].sum() == 400
    assert (cars["riders"] <= cars["capacity"]).all()
    a = result.assignments
    assert (a["train_id"] == "20240218-D3601").all() and (a["board_station"] == "平南南").all()
    assert (a["trip_id"] == "").all()  # 平南南 is in 平南县: no feeder
    s = result.summary
    assert s["trains"] == 1 and s["train_carriages"] == 7 and s["reserved_carriages"] == 0
    assert s["rail_cost"] == 400 * 100 and s["cost"] == 400 * 100 and s["lower_bound"] == 400 * 100
    assert s["riders_by_mode"] == {"coach": 0, "rail": 400, "feeder": 0}
    assert check_plan(requests, FLEET, result, GX, rail=rail) == []
    assert "专列（趟）" in plan_markdown(result, GX)


def test_too_few_for_a_train_stay_on_coaches():
    requests = riders([(PINGNAN, DONGGUAN, 300, DAY, 0)])  # below 60% of 613 (368)
    rail = offers(offer("D3601", "平南南", "东莞", "二等座", whole=True, fare=100))
    result = plan(requests, FLEET, GX, workers=1, rail=rail)
    assert "铁路" not in by_mode(result) and result.summary["trains"] == 0


def test_a_group_filling_one_carriage_gets_one_reserved_carriage_with_a_feeder_from_its_county():
    # 港南区 has no station: its riders board at 贵港 (placed in 贵港市) and need a feeder coach there.
    requests = riders([(GANGNAN, DONGGUAN, 50, DAY, 0)])
    rail = offers(offer("K5001", "贵港", "东莞", "硬卧", carriages=3, fare=60))
    result = plan(requests, FLEET, GX, workers=1, rail=rail)
    assert by_mode(result) == {"铁路": 50}
    cars = result.cars
    assert len(cars) == 1 and cars.iloc[0]["mode"] == "车厢" and cars.iloc[0]["riders"] == 50
    assert cars.iloc[0]["capacity"] == 66
    feeders = result.trips[result.trips["mode"] == "feeder"]
    assert feeders["passengers"].sum() == 50 and (feeders["route_id"] == f"{GANGNAN}>450800").all()
    assert (feeders["date"] == DAY).all() and (feeders["passengers"] <= feeders["seats"]).all()
    assert set(result.assignments["trip_id"]) == set(feeders["trip_id"])
    s = result.summary
    assert s["riders_by_mode"] == {"coach": 0, "rail": 50, "feeder": 50} and s["feeder_trips"] == len(feeders)
    assert s["cost"] == pytest.approx(50 * 60 + feeders["cost"].sum())
    assert s["lower_bound"] <= s["cost"]
    check_limits(result.trips, FLEET)
    assert check_plan(requests, FLEET, result, GX, rail=rail) == []


def test_a_coach_route_below_the_distance_and_too_small_for_a_carriage_stays_on_coaches():
    requests = riders([(GUIPING, SHENZHEN, 60, DAY, 0)])  # 硬座 carriage of 118: needs 71
    rail = offers(offer("K5002", "桂平", "深圳北", "硬座", carriages=2, fare=50))
    result = plan(requests, FLEET, GX, workers=1, rail=rail)
    assert by_mode(result) == {"包车": 60} and result.cars.empty
    assert (result.trips["mode"] == "coach").all()


def test_below_the_distance_rail_is_taken_only_when_cheaper():
    requests = riders([(GUIPING, SHENZHEN, 100, DAY, 0)])  # 544 km: a 53-seat coach seat costs ~160 元
    cheap = plan(requests, FLEET, GX, workers=1, rail=offers(offer("K5002", "桂平", "深圳北", carriages=1, fare=100)))
    dear = plan(requests, FLEET, GX, workers=1, rail=offers(offer("K5002", "桂平", "深圳北", carriages=1, fare=300)))
    assert by_mode(cheap) == {"铁路": 100} and cheap.summary["cost"] < dear.summary["cost"]
    assert by_mode(dear) == {"包车": 100}


def test_above_prefer_above_km_riders_go_by_rail_even_when_dearer_and_never_beyond_the_seats():
    requests = riders([(PINGNAN, NINGBO, 150, DAY, 0)])  # 1,713 km by road
    rail = offers(offer("K5003", "平南南", "宁波", "硬座", carriages=1, fare=1500))
    result = plan(requests, FLEET, GX, workers=1, rail=rail)
    assert by_mode(result) == {"铁路": 118, "包车": 32}  # one carriage of 118; the rest by coach
    assert (result.cars["riders"] <= result.cars["capacity"]).all()
    safe = GX.model_copy(update={"rail": GX.rail.model_copy(update={"prefer_above_km": 5000})})
    assert "铁路" not in by_mode(plan(requests, FLEET, safe, workers=1, rail=rail))


def test_riders_take_the_train_day_inside_their_window_only():
    late = f"{PEAK + dt.timedelta(days=3):%Y-%m-%d}"
    requests = riders([(PINGNAN, NINGBO, 80, DAY, 2), (PINGNAN, NINGBO, 40, late, 1)])
    rail = offers(offer("K5003", "平南南", "宁波", "硬座", carriages=2, fare=900))
    result = plan(requests, FLEET, GX, workers=1, rail=rail)
    on = result.assignments[result.assignments["status"] == "铁路"]
    assert len(on) == 80 and (on["travel_date"] == DAY).all()


def test_feeders_share_the_fleet_within_the_carriers_limits():
    # 120 riders need a feeder, but only one 53-seat coach a day exists: the train takes no more than it can
    # feed, and the feeder's coach is not also given to the coach plan.
    requests = riders([(GANGNAN, DONGGUAN, 120, DAY, 0)])
    small = make_fleet({53: 1}, carriers=1)
    rail = offers(offer("K5001", "贵港", "东莞", "硬卧", carriages=3, fare=60))
    result = plan(requests, small, GX, workers=1, rail=rail)
    s = result.summary
    assert 40 <= s["riders_by_mode"]["rail"] <= 53 and s["feeder_trips"] == 1 and s["trips"] == 1
    assert s["riders_by_mode"]["feeder"] == s["riders_by_mode"]["rail"] and s["riders_by_mode"]["coach"] == 0
    check_limits(result.trips, small)
    assert check_plan(requests, small, result, GX, rail=rail) == []


def test_the_gate_catches_an_over_full_carriage_and_a_wrong_date():
    requests = riders([(GANGNAN, DONGGUAN, 50, DAY, 0)])
    rail = offers(offer("K5001", "贵港", "东莞", "硬卧", carriages=3, fare=60))
    result = plan(requests, FLEET, GX, workers=1, rail=rail)
    cars = result.cars.copy()
    cars.loc[0, "capacity"] = 40
    problems = "\n".join(check_plan(requests, FLEET, dataclasses.replace(result, cars=cars), GX, rail=rail))
    assert "超员车厢" in problems
    a = result.assignments.copy()
    a.loc[0, "travel_date"] = "2024-02-19"
    problems = "\n".join(check_plan(requests, FLEET, dataclasses.replace(result, assignments=a), GX, rail=rail))
    assert "开行日期不同" in problems
    moved = rail.assign(travel_date=pd.Timestamp("2024-02-19"))
    assert "运力报表中没有的车次或日期" in "\n".join(check_plan(requests, FLEET, result, GX, rail=moved))
    assert "没有铁路运力报表" in "\n".join(check_plan(requests, FLEET, result, GX))


def test_mixed_corridors_put_every_rider_in_exactly_one_mode_and_pass_the_gate():
    rng = np.random.default_rng(3)
    groups = [(c, w, int(rng.integers(20, 200)), f"{PEAK + dt.timedelta(days=int(d)):%Y-%m-%d}", int(rng.integers(0, 3)))
              for c in (PINGNAN, GUIPING, GANGNAN, BOBAI) for w in (DONGGUAN, SHENZHEN, NINGBO) for d in (0, 2)]
    requests = riders(groups)
    rail = offers(offer("L5001", "平南南", "东莞", whole=True, fare=120, stops="桂平、贵港"),
                  offer("K5002", "桂平", "深圳北", "硬卧", carriages=4, fare=110),
                  offer("K5003", "贵港", "宁波", "硬座", carriages=3, fare=700,
                        day=f"{PEAK + dt.timedelta(days=2):%Y-%m-%d}"))
    result = plan(requests, FLEET, GX, workers=1, rail=rail)
    a = result.assignments
    assert len(a) == len(requests) and not a["id_number"].duplicated().any()
    assert (result.cars["riders"] <= result.cars["capacity"]).all()
    assert a.groupby(["train_id", "carriage_no"]).size().drop(("", 0), errors="ignore").to_dict() == \
        result.cars.set_index(["train_id", "carriage_no"])["riders"][lambda x: x > 0].to_dict()
    assert check_plan(requests, FLEET, result, GX, rail=rail) == []
    check_limits(result.trips, FLEET)
    s = result.summary
    assert s["riders_by_mode"]["rail"] + s["riders_by_mode"]["coach"] + s["referred"] == len(requests)
    assert s["lower_bound"] <= s["cost"]


def test_a_saved_plan_keeps_its_carriages(tmp_path):
    requests = riders([(GANGNAN, DONGGUAN, 50, DAY, 0)])
    result = plan(requests, FLEET, GX, workers=1, rail=offers(offer("K5001", "贵港", "东莞", "硬卧", fare=60)))
    save_plan(result, tmp_path)
    again = load_plan(tmp_path)
    pd.testing.assert_frame_equal(again.cars.reset_index(drop=True), result.cars.reset_index(drop=True),
                                  check_dtype=False)
    assert (again.assignments["train_id"] != "").all()


def test_a_replan_with_rail_seats_nobody_twice():
    requests = riders([(GANGNAN, DONGGUAN, 50, DAY, 0), (GUIPING, SHENZHEN, 80, DAY, 1)])
    rail = offers(offer("K5001", "贵港", "东莞", "硬卧", carriages=3, fare=60))
    first = plan(requests, FLEET, GX, workers=1, rail=rail)
    more = pd.concat([requests, riders([(GANGNAN, DONGGUAN, 30, DAY, 0)]).assign(
        id_number=lambda f: "X" + f["id_number"])], ignore_index=True)
    again = replan(more, FLEET, GX, Published.from_plan(first, 1), rail=rail)
    a = again.assignments
    assert len(a) == len(more) and not a["id_number"].duplicated().any()
    assert (again.cars["riders"] <= again.cars["capacity"]).all()
    assert a[a["status"] == "铁路"].groupby(["train_id", "carriage_no"]).size().sum() == again.cars["riders"].sum()
    assert check_plan(more, FLEET, again, GX, published=Published.from_plan(first, 1), rail=rail) == []


def test_cli_plans_with_the_railway_file(tmp_path, capsys):
    riders([(GANGNAN, DONGGUAN, 50, DAY, 0), (GUIPING, SHENZHEN, 60, DAY, 0)]).to_csv(tmp_path / "demand.csv",
                                                                                      index=False)
    write_fleet(FLEET, tmp_path / "fleet.csv")
    row = offer("K5001", "贵港", "东莞", "硬卧", carriages=3, fare=60)
    headers = {c.field: c.header for c in RAIL.columns}
    form = {headers[k]: v for k, v in row.items() if k in headers}
    form.update({"日期": DAY, "可提供车厢数": "3", "整列定员": ""})
    pd.DataFrame([form]).to_csv(tmp_path / "rail.csv", index=False, encoding="utf-8-sig")
    args = ["plan", str(tmp_path / "demand.csv"), str(tmp_path / "fleet.csv"), "--rail", str(tmp_path / "rail.csv"),
            "--campaign", "guangxi-2024", "--out", str(tmp_path / "out"), "--json", "--workers", "1"]
    assert main(args) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["riders_by_mode"] == {"coach": 60, "rail": 50, "feeder": 50} and summary["reserved_carriages"] == 1
    assert summary["lower_bound"] <= summary["cost"]
    trips = pd.read_csv(tmp_path / "out" / "trips.csv", dtype=str)
    assert set(trips["mode"]) == {"coach", "feeder"}
    cars = pd.read_csv(tmp_path / "out" / "cars.csv", dtype=str)
    assert cars["riders"].tolist() == ["50"] and cars["train_id"].tolist() == ["20240218-K5001"]
    bad = pd.DataFrame([{**form, "到达站": "上海"}])
    bad.to_csv(tmp_path / "rail.csv", index=False, encoding="utf-8-sig")
    capsys.readouterr()
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "rail.csv 有误" in err and "第2行" in err and "不是本次行动使用的车站" in err


def _optimum(requests: pd.DataFrame, rail: pd.DataFrame, fleet) -> tuple[int, float]:
    """Fewest referrals, then least cost, over every mode (an independent group-level CP-SAT model): coaches per
    route, day and size within the fleet's daily coaches and the minimum fill; reserved carriages each filled to
    min_carriage_fill, at most 定员; riders on a day of their window; boarding in their own county (no feeders)."""
    from ortools.sat.python import cp_model

    from chunnuan.config import divisions
    from chunnuan.planner.demand import place_km
    from chunnuan.planner.fleet import coach_cost

    rules, fill = GX.transport, GX.rail.min_carriage_fill
    r = requests.assign(dest=[divisions.work_place(p, c).code for p, c in zip(requests["work_province"],
                                                                            requests["work_city"], strict=True)],
                        day=(pd.to_datetime(requests["travel_date"]) - pd.Timestamp(PEAK)).dt.days)
    groups = r.groupby(["home_county_code", "dest", "day", "flex_days"]).size().reset_index(name="n")
    station_of = {PINGNAN: "平南南", BEILIU: "北流"}
    arrive_city = {"东莞": "441900", "深圳北": "440300"}
    supply = fleet.vehicles.groupby(["date", "seats"])["count"].sum()
    model = cp_model.CpModel()
    ride, cost, on_day, on_offer = [], [], {}, {}
    for g in groups.itertuples():
        ways = []
        for d in range(g.day - g.flex_days, g.day + g.flex_days + 1):
            x = model.new_int_var(0, g.n, f"x{g.Index}_{d}")
            on_day.setdefault((g.home_county_code, g.dest, d), []).append(x)
            ways.append(x)
        for o, row in rail.iterrows():
            day = (row["travel_date"] - pd.Timestamp(PEAK)).days
            if (abs(day - g.day) <= g.flex_days and station_of[g.home_county_code] == row["from_station"]
                    and arrive_city[row["to_station"]] == g.dest):
                y = model.new_int_var(0, g.n, f"y{g.Index}_{o}")
                on_offer.setdefault(o, []).append(y)
                ways.append(y)
        model.add(sum(ways) <= g.n)
        ride += ways
    coaches: dict = {}
    for (origin, dest, d), xs in on_day.items():
        km = place_km(origin, dest, rules.road_distance_factor)
        cap, least = [], []
        for s in (19, 35, 53):
            n = model.new_int_var(0, int(supply.get((PEAK + dt.timedelta(days=d), s), 0)), f"n{origin}{dest}{d}_{s}")
            coaches.setdefault((d, s), []).append(n)
            cap.append(s * n)
            least.append(int(np.ceil(rules.min_fill_ratio * s - 1e-9)) * n)
            cost.append(int(coach_cost(GX, s, km)) * n)
        model.add(sum(xs) <= sum(cap))
        model.add(sum(xs) >= sum(least))
    for (d, s), ns in coaches.items():
        model.add(sum(ns) <= int(supply.get((PEAK + dt.timedelta(days=d), s), 0)))
    for o, ys in on_offer.items():
        row = rail.loc[o]
        cars = model.new_int_var(0, int(row["carriages"]), f"c{o}")
        model.add(sum(ys) <= int(row["seats_per_carriage"]) * cars)
        model.add(sum(ys) >= int(np.ceil(fill * row["seats_per_carriage"] - 1e-9)) * cars)
        cost.append(int(row["fare"]) * sum(ys))
    model.minimize(-10**7 * sum(ride) + sum(cost))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 20
    assert solver.solve(model) == cp_model.OPTIMAL
    carried = int(sum(solver.value(v) for v in ride))
    return len(requests) - carried, float(solver.objective_value + 10**7 * carried)


def test_mixed_plans_match_cp_sat_on_small_instances():
    """16 random instances (two counties × two cities, 5–69 riders a group, two carriage offers): the plan refers as
    few riders as the exact model and costs at most 1 % more; rail must be chosen in a good share of them."""
    from chunnuan.planner.io import without_pooling

    fleet = make_fleet({19: 3, 35: 3, 53: 6}, carriers=1)  # enough coaches: the modes, not the allocation, are compared
    campaign = without_pooling(GX)
    with_rail = 0
    for seed in range(16):
        rng = np.random.default_rng(100 + seed)
        groups = [(c, w, int(rng.integers(5, 70)), f"{PEAK + dt.timedelta(days=int(rng.integers(-1, 2))):%Y-%m-%d}",
                   int(rng.integers(0, 2)))
                  for c in (PINGNAN, BEILIU) for w in (DONGGUAN, SHENZHEN) if rng.random() < 0.9]
        requests = riders(groups)
        rail = offers(offer("K5001", "北流", "深圳北", "硬卧", carriages=2, fare=int(rng.integers(100, 200))),
                      offer("K5002", "平南南", "东莞", "硬卧", carriages=2, fare=int(rng.integers(100, 200)),
                            day=f"{PEAK + dt.timedelta(days=int(rng.integers(-1, 2))):%Y-%m-%d}"))
        result = plan(requests, fleet, campaign, workers=1, rail=rail)
        referred, cost = _optimum(requests, rail, fleet)
        assert result.summary["referred"] == referred, seed
        assert result.summary["cost"] <= 1.01 * cost + 1e-6, seed
        assert check_plan(requests, fleet, result, campaign, rail=rail) == []
        with_rail += result.summary["rail_riders"] > 0
    assert with_rail >= 3


def test_riders_the_coach_plan_refers_take_a_train_with_coach_riders_above_the_minimum_joining_them():
    # One 53-seat coach a day for 60 riders: the coach plan carries 53 and refers 7 (coaches short). The train is
    # dearer than a coach seat, so nobody takes it first; then the 7 and 13 riders above the coach's minimum
    # (40 of 53) fill a carriage to its minimum (20 of 66 here): nobody referred, the coach still runs at 40.
    requests = riders([(PINGNAN, DONGGUAN, 60, DAY, 0)])
    small = make_fleet({53: 1}, carriers=1)
    rail = offers(offer("K5001", "平南南", "东莞", "硬卧", carriages=1, fare=200))
    campaign = GX.model_copy(update={"rail": GX.rail.model_copy(update={"min_carriage_fill": 0.3})})
    coaches_only = plan(requests, small, campaign, workers=1)
    assert coaches_only.summary["referred"] == 7
    result = plan(requests, small, campaign, workers=1, rail=rail)
    s = result.summary
    assert s["referred"] == 0 and s["riders_by_mode"] == {"coach": 40, "rail": 20, "feeder": 0}
    assert s["rail_rescued"] == 7 and s["rail_moved_from_coaches"] == 13
    assert result.trips["passengers"].tolist() == [40] and result.cars["riders"].tolist() == [20]
    assert s["cost"] == pytest.approx(result.trips["cost"].sum() + 20 * 200)
    assert check_plan(requests, small, result, campaign, rail=rail) == []


def test_a_county_sharing_its_citys_centre_still_gets_a_feeder_to_the_city_station():
    # 荔浦市 has no coordinates of its own in the division data (it takes 桂林市's centre) and 桂林 station is
    # placed at the city: the leg measures 0 km, yet its riders need a coach to the station (the gate says so).
    lipu = "450381"
    assert railway.station("桂林").place_code == "450300"
    requests = riders([(lipu, DONGGUAN, 50, DAY, 0)])
    rail = offers(offer("K6001", "桂林", "东莞", "硬卧", carriages=3, fare=60))
    result = plan(requests, FLEET, GX, workers=1, rail=rail)
    assert by_mode(result) == {"铁路": 50}
    feeders = result.trips[result.trips["mode"] == "feeder"]
    assert feeders["passengers"].sum() == 50 and (feeders["route_id"] == f"{lipu}>450300").all()
    assert (feeders["km"] > 0).all() and (feeders["cost"] > 0).all()
    assert check_plan(requests, FLEET, result, GX, rail=rail) == []
