"""The charter planner: plan properties on random instances, optimality against CP-SAT, the bound,
shortage reports, referral reasons, the fleet file and the outputs. No Airflow."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math

import numpy as np
import pandas as pd
import pytest

from chunnuan.config import campaign
from chunnuan.planner import (
    Carrier,
    Fleet,
    FleetError,
    plan,
    plan_files,
    read_demand,
    read_fleet,
    summary_json,
    write_fleet,
    write_outputs,
)
from chunnuan.planner.assign import route_days
from chunnuan.planner.demand import REASON_UNKNOWN_PLACE
from chunnuan.planner.fleet import qualify
from chunnuan.planner.mix import INF, MixTable, cover_tables, mix_tables
from chunnuan.planner.route import interval_bound, schedule_exact, schedule_one_label, schedule_route
from chunnuan.synth import charter as synthetic
from chunnuan.synth.charter import uscc_for

GX = campaign.load("guangxi-2024")
PEAK = dt.date(2024, 2, 18)  # 正月初九, first working days after the holiday
COUNTIES = ("450821", "450881", "450923")  # 平南县 桂平市 博白县
CITIES = (("广东省", "深圳市"), ("广东省", "东莞市"), ("广西壮族自治区", "南宁市"))


def _carrier(i: int, grade: str = "AAA", permit: bool = True, accident: dt.date | None = None) -> Carrier:
    return Carrier(uscc_for("450800", i), f"贵港第{i}运输公司", grade, accident, f"调度{i}", f"0775-42000{i:02d}", permit)


def _fleet(per_day: dict[int, int], carriers: int = 2, days: tuple[dt.date, dt.date] | None = None,
           permit: bool = True) -> Fleet:
    first, last = days or (GX.travel_window.start, GX.travel_window.end)
    cs = [_carrier(i, permit=permit) for i in range(carriers)]
    offers = [(c.uscc, seats, first, last, n) for c in cs for seats, n in per_day.items()]
    return Fleet.build(cs, offers)


def _requests(rng: np.random.Generator, n: int, spread: int = 5, flex_max: int = 4,
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


def _check_plan(result, requests: pd.DataFrame, fleet: Fleet) -> None:
    rules = GX.transport
    trips, a = result.trips, result.assignments
    # Coverage: every request exactly once, chartered ones on a trip, referred ones with a reason.
    assert sorted(a["id_number"]) == sorted(requests["id_number"])
    charter = a[a["status"] == "包车"]
    assert (charter["trip_id"] != "").all() and (a.loc[a["status"] == "集中购票", "reason"] != "").all()
    assert charter["trip_id"].value_counts().reindex(trips["trip_id"]).fillna(0).tolist() == trips["passengers"].tolist()
    # Capacity and minimum fill on every coach.
    assert (trips["passengers"] <= trips["seats"]).all()
    assert (trips["passengers"] >= np.ceil(rules.min_fill_ratio * trips["seats"] - 1e-9)).all()
    # Windows: nobody moved further than they accepted or the campaign allows.
    flex = requests.set_index("id_number")["flex_days"].astype(int).clip(upper=rules.max_shift_days)
    assert (charter["shift_days"].abs().to_numpy() <= flex.reindex(charter["id_number"]).to_numpy()).all()
    by_trip = trips.set_index("trip_id")
    assert (charter["travel_date"] == charter["trip_id"].map(by_trip["date"])).all()
    assert (charter["route_id"] == charter["trip_id"].map(by_trip["route_id"])).all()
    # Carrier limits, qualification, permits for cross-province routes.
    qualified = qualify(fleet, GX).fleet
    offer = qualified.vehicles.assign(date=lambda v: v["date"].map(str)).set_index(["uscc", "date", "seats"])["count"]
    assert (trips["carrier_uscc"] != "").all()
    used = trips.groupby(["carrier_uscc", "date", "seats"]).size()
    assert all(n <= offer.get(key, 0) for key, n in used.items())
    permit = {c.uscc: c.interprovincial for c in fleet.carriers}
    assert all(permit[c] for c in trips.loc[trips["cross"], "carrier_uscc"])
    # Two-driver rule and price.
    assert ((trips["drivers"] == 2) == (trips["km"] > rules.long_route_km)).all()
    for row in trips.itertuples():
        cls = rules.vehicle_class(row.seats)
        extra = rules.second_driver_cost if row.km > rules.long_route_km else 0
        assert row.cost == pytest.approx(round(cls.fixed_cost + cls.per_km_cost * row.km + extra), abs=1)
    # The bound is a bound.
    assert (result.routes["cost"] >= result.routes["lower_bound"] - 1e-6).all()


@pytest.mark.parametrize("seed", range(6))
def test_plan_properties_on_random_instances(seed):
    rng = np.random.default_rng(seed)
    requests = _requests(rng, int(rng.integers(150, 900)), spread=int(rng.integers(2, 8)))
    per_day = {19: int(rng.integers(0, 3)), 35: int(rng.integers(0, 3)), 53: int(rng.integers(1, 4))}
    fleet = _fleet(per_day, permit=bool(seed % 2))
    result = plan(requests, fleet, GX, workers=1)
    _check_plan(result, requests, fleet)
    assert result.summary["chartered"] + result.summary["referred"] == len(requests)


def test_plan_is_deterministic_and_independent_of_workers():
    rng = np.random.default_rng(7)
    requests = _requests(rng, 600)
    fleet = _fleet({19: 2, 35: 2, 53: 3})
    one = plan(requests, fleet, GX, workers=1)
    two = plan(requests, fleet, GX, workers=2)
    pd.testing.assert_frame_equal(one.trips, two.trips)
    pd.testing.assert_frame_equal(one.assignments, two.assignments)
    shuffled = plan(requests.sample(frac=1, random_state=3), fleet, GX, workers=1)
    pd.testing.assert_frame_equal(one.trips, shuffled.trips)  # seats per day do not depend on row order
    assert one.summary == shuffled.summary


def test_worker_processes_give_the_same_plan(monkeypatch):
    from chunnuan.planner import core

    rng = np.random.default_rng(8)
    requests = _requests(rng, 500)
    fleet = _fleet({19: 2, 35: 2, 53: 3})
    one = plan(requests, fleet, GX, workers=1)
    monkeypatch.setattr(core, "POOL_MIN_ROUTES", 1)
    pd.testing.assert_frame_equal(one.assignments, plan(requests, fleet, GX, workers=2).assignments)


def test_summary_has_no_identity_numbers(tmp_path):
    rng = np.random.default_rng(3)
    requests = _requests(rng, 300)
    result = plan(requests, _fleet({35: 2, 53: 2}), GX, workers=1)
    text = json.dumps(result.summary, ensure_ascii=False)
    assert not any(i in text for i in requests["id_number"])
    paths = write_outputs(result, tmp_path)
    assert json.loads(paths["summary"].read_text(encoding="utf-8")) == result.summary
    trips = pd.read_csv(paths["trips"], encoding="utf-8-sig")
    assert {"trip_id", "route", "date", "seats", "carrier", "passengers"} <= set(trips.columns)
    assignments = pd.read_csv(paths["assignments"], encoding="utf-8-sig", dtype=str)
    assert len(assignments) == len(requests)


# --- one route against an independent exact solver -------------------------------------------------

def _instance(rng, days: int, riders: int, seats, costs, ratio: float):
    planned = np.clip(np.round(rng.normal(days / 2, days / 4, riders)), 0, days - 1).astype(int)
    flex = rng.choice(6, riders, p=[0.3, 0.2, 0.2, 0.15, 0.1, 0.05])
    start, end = np.maximum(planned - flex, 0), np.minimum(planned + flex, days - 1)
    arrivals = np.zeros((days, int((end - start).max()) + 1), dtype=np.int64)
    np.add.at(arrivals, (start, end - start), 1)
    seats = np.array(seats)
    min_load = np.maximum(np.ceil(ratio * seats - 1e-9).astype(int), 1)
    return arrivals, seats, min_load, np.array(costs, dtype=float)


def _three_sizes(rng):
    """A route of 20–160 riders over 6–12 days with the campaign's 19/35/53 coaches, priced by distance."""
    km = rng.uniform(150, 900)
    costs = [round(500 + 6.5 * km), round(800 + 10 * km), round(1000 + 13 * km)]
    return _instance(rng, int(rng.integers(6, 13)), int(rng.integers(20, 160)), (19, 35, 53), costs, 0.75)


def _schedule(arrivals, seats, min_load, costs, search=schedule_route):
    tables = mix_tables(costs[None, :], seats, min_load, 200)
    return search(arrivals, tables, np.zeros(len(arrivals), dtype=np.int64))


def _cp_sat(arrivals, seats, min_load, costs) -> tuple[int, int]:
    """Exact (referred, cost) with OR-Tools CP-SAT: coaches per day and type, riders per window and day."""
    cp_model = pytest.importorskip("ortools.sat.python.cp_model")
    model = cp_model.CpModel()
    days, k = len(arrivals), len(seats)
    riders = int(arrivals.sum())
    coaches = [[model.new_int_var(0, riders // int(min_load[j]) + 1, "") for j in range(k)] for _ in range(days)]
    on_day = [[] for _ in range(days)]
    referred = []
    for s, w in zip(*np.nonzero(arrivals), strict=True):
        n = int(arrivals[s, w])
        go = [model.new_int_var(0, n, "") for _ in range(w + 1)]
        skip = model.new_int_var(0, n, "")
        model.add(sum(go) + skip == n)
        referred.append(skip)
        for i, v in enumerate(go):
            on_day[s + i].append(v)
    for t in range(days):
        load = sum(on_day[t])
        model.add(load <= sum(int(seats[j]) * coaches[t][j] for j in range(k)))
        model.add(load >= sum(int(min_load[j]) * coaches[t][j] for j in range(k)))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = 20
    solver.parameters.num_workers = 8  # the portfolio proves these small models optimal in well under a second
    model.minimize(sum(referred))  # first carry as many as possible, then least cost for that
    assert solver.solve(model) == cp_model.OPTIMAL
    fewest = round(solver.objective_value)
    model.add(sum(referred) == fewest)
    model.minimize(sum(int(costs[j]) * coaches[t][j] for t in range(days) for j in range(k)))
    assert solver.solve(model) == cp_model.OPTIMAL
    return fewest, round(solver.objective_value)


@pytest.mark.parametrize("seed", range(12))
def test_several_sizes_match_cp_sat_on_small_routes(seed):
    inst = _three_sizes(np.random.default_rng(100 + seed))
    result = _schedule(*inst)
    assert (result.referred, result.cost) == _cp_sat(*inst)  # the exact search: the optimum itself


@pytest.mark.parametrize("seed", [24, 35, 176, 317])
def test_exact_search_carries_riders_the_one_label_search_refers(seed):
    inst = _three_sizes(np.random.default_rng(seed))
    exact, one = _schedule(*inst, search=schedule_exact), _schedule(*inst, search=schedule_one_label)
    assert (exact.referred, exact.cost) == _cp_sat(*inst)
    assert one.referred > exact.referred  # why routes up to EXACT_MAX_RIDERS get the exact search


def test_exact_search_is_never_worse_than_the_one_label_search():
    for seed in range(60):
        inst = _three_sizes(np.random.default_rng(1000 + seed))
        exact, one = _schedule(*inst, search=schedule_exact), _schedule(*inst, search=schedule_one_label)
        assert (exact.referred, exact.cost) <= (one.referred, one.cost)
        for s in (exact, one):  # every rider carried or referred
            assert s.carried + s.referred == inst[0].sum()


def _closed(seats) -> MixTable:
    """A day without any coach left (what `core._capped_tables` gives a day whose coaches are all taken)."""
    return MixTable(np.zeros(1), np.zeros((1, len(seats)), dtype=np.int64), -1, np.asarray(seats),
                    np.full(len(seats), INF), extendable=False)


@pytest.mark.parametrize("search", [schedule_exact, schedule_one_label])
def test_on_a_day_without_coaches_its_riders_are_referred_and_the_others_travel_around_it(search):
    seats, min_load, costs = np.array([19, 35, 53]), np.array([15, 27, 40]), np.array([3000.0, 4800.0, 6200.0])
    arrivals = np.zeros((3, 3), dtype=np.int64)
    arrivals[1, 0] = 20  # can only travel on day 1, which has no coach
    arrivals[0, 2] = 19  # may travel on day 0, 1 or 2
    day_table = np.array([0, 1, 0])
    result = search(arrivals, [mix_tables(costs[None, :], seats, min_load, 200)[0], _closed(seats)], day_table)
    assert result.loads.tolist() == [19, 0, 0] and result.drops.tolist() == [0, 20, 0]
    assert (result.referred, result.cost) == (20, 3000.0)


def test_searches_agree_on_routes_with_days_without_coaches():
    for seed in range(40):
        rng = np.random.default_rng(2000 + seed)
        arrivals, seats, min_load, costs = _three_sizes(rng)
        tables = [mix_tables(costs[None, :], seats, min_load, 200)[0], _closed(seats)]
        day_table = (rng.random(len(arrivals)) < 0.3).astype(np.int64)  # about a third of the days closed
        exact = schedule_exact(arrivals, tables, day_table)
        one = schedule_one_label(arrivals, tables, day_table)
        assert (exact.referred, exact.cost) <= (one.referred, one.cost)
        for s in (exact, one):
            assert not s.loads[day_table == 1].any() and s.carried + s.referred == arrivals.sum()


@pytest.mark.parametrize("search", [schedule_exact, schedule_one_label])
@pytest.mark.parametrize("seed", range(30))
def test_one_size_without_fill_rule_equals_the_interval_bound(seed, search):
    rng = np.random.default_rng(200 + seed)
    arrivals, seats, _, costs = _instance(rng, int(rng.integers(5, 40)), int(rng.integers(1, 900)), (53,), (9000,), 0.0)
    result = _schedule(arrivals, seats, np.array([1]), costs, search)
    cover, q_b, c_b = cover_tables(costs[None, :], seats)
    bound = interval_bound(arrivals, cover[0], int(q_b[0]), float(c_b[0]))
    assert result.referred == 0
    assert result.cost == bound  # vehicles == ⌈interval bound⌉, the exact optimum for one size


@pytest.mark.parametrize("seed", range(6))
def test_interval_bound_never_exceeds_the_cp_sat_optimum(seed):
    rng = np.random.default_rng(300 + seed)
    inst = _instance(rng, int(rng.integers(5, 10)), int(rng.integers(40, 120)), (19, 35, 53), (4000, 6500, 8200), 0.2)
    referred, cost = _cp_sat(*inst)
    if referred:
        pytest.skip("bound compares carrying everyone")
    cover, q_b, c_b = cover_tables(inst[3][None, :], inst[1])
    assert interval_bound(inst[0], cover[0], int(q_b[0]), float(c_b[0])) <= cost + 1e-6


def test_a_rider_due_for_referral_takes_a_seat_freed_along_the_windows():
    # Day 0 runs a 19-seat coach with 15 riders, day 1 a full one. The rider who can only go on day 1
    # gets a seat there because a day-1 rider who may also go on day 0 moves to its spare seat.
    days = route_days(starts=np.array([1, 0, 0]), deadlines=np.array([1, 1, 1]), planned=np.array([1, 0, 1]),
                      counts=np.array([1, 15, 19]), loads=np.array([15, 19, 0]), drops=np.array([0, 1, 0]),
                      capacity=np.array([19, 19, 0]))
    seated = {}
    for group, day, n in days:
        seated[(group, day)] = seated.get((group, day), 0) + n
    assert seated == {(0, 1): 1, (1, 0): 15, (2, 0): 1, (2, 1): 18}


# --- shortages, referrals, carriers -----------------------------------------------------------------

def test_missing_vehicles_on_a_day_are_reported_by_route_day_and_size():
    n = 120  # 平南县 → 深圳市 on 02-18, nobody can move
    requests = pd.DataFrame({
        "id_number": [f"45082119900101{i:04d}" for i in range(n)], "home_county_code": "450821",
        "work_province": "广东省", "work_city": "深圳市", "trip_type": "返岗", "travel_date": "2024-02-18",
        "flex_days": 0, "needs_charter": "是"})
    cs = [_carrier(1)]
    fleet = Fleet.build(cs, [(cs[0].uscc, 53, dt.date(2024, 2, 18), dt.date(2024, 2, 18), 1)])
    result = plan(requests, fleet, GX, workers=1)
    [short] = result.shortages
    assert (short.date, short.seats, short.available) == ("2024-02-18", 53, 1) and short.needed >= 2
    report = result.shortage_report()
    assert "2024-02-18" in report and "贵港市平南县→深圳市" in report and "53座" in report and "缺" in report
    assert result.summary["chartered"] == 53
    reasons = result.assignments.loc[result.assignments["status"] == "集中购票", "reason"]
    assert len(reasons) == n - 53 and reasons.str.contains("车辆不足").all()


def test_small_groups_are_referred_with_a_chinese_reason():
    rng = np.random.default_rng(11)
    requests = _requests(rng, 6, counties=("450923",), cities=(("浙江省", "宁波市"),))
    requests.loc[0, "work_city"] = "火星市"
    fleet = _fleet({19: 3, 53: 3})
    result = plan(requests, fleet, GX, workers=1)
    a = result.assignments.set_index("id_number")
    assert (a["status"] == "集中购票").all()
    assert a.loc[requests.loc[0, "id_number"], "reason"] == REASON_UNKNOWN_PLACE
    assert a["reason"].iloc[1:].str.contains("不足最低发车人数（≥15人）").all()
    from chunnuan.planner.gate import check_plan

    assert result.trips.empty and check_plan(requests, fleet, result, GX) == []  # a plan with no trips passes


def test_unqualified_carriers_are_never_used():
    rng = np.random.default_rng(5)
    requests = _requests(rng, 400, cities=(("广西壮族自治区", "南宁市"),), counties=("450821",))
    good = _carrier(1)
    weak = _carrier(2, grade="A")
    crashed = _carrier(3, accident=dt.date(2023, 6, 1))
    w = GX.travel_window
    fleet = Fleet.build([good, weak, crashed], [(c.uscc, 53, w.start, w.end, 5) for c in (good, weak, crashed)])
    result = plan(requests, fleet, GX, workers=1)
    assert set(result.trips["carrier_uscc"]) == {good.uscc}
    reasons = dict((code, why) for code, _, why in result.rejected_carriers)
    assert "低于要求的 AA" in reasons[weak.uscc] and "较大及以上" in reasons[crashed.uscc]


def test_cross_province_routes_need_the_interprovincial_permit():
    rng = np.random.default_rng(9)
    requests = _requests(rng, 300, cities=(("广东省", "深圳市"),))
    result = plan(requests, _fleet({53: 5}, permit=False), GX, workers=1)
    assert result.summary["chartered"] == 0
    assert result.assignments["reason"].str.contains("无符合资质").all()


# --- files -------------------------------------------------------------------------------------------

def test_fleet_file_round_trip_and_bad_rows(tmp_path):
    fleet = _fleet({19: 1, 53: 2}, days=(dt.date(2024, 2, 18), dt.date(2024, 2, 20)))
    path = tmp_path / "fleet.csv"
    write_fleet(fleet, path)
    back = read_fleet(path, GX)
    assert back.carriers == fleet.carriers
    pd.testing.assert_frame_equal(back.vehicles, fleet.vehicles)
    table = pd.read_csv(path, dtype=str, encoding="utf-8-sig")
    table.loc[0, "统一社会信用代码"] = "91450800MA00000000"
    table.loc[1, "质量信誉等级"] = "AAAA"
    table.to_csv(path, index=False, encoding="gbk")
    with pytest.raises(FleetError) as err:
        read_fleet(path, GX)
    assert "第2行 统一社会信用代码" in str(err.value) and "第3行 「质量信誉等级」只能填" in str(err.value)
    blamed = [line for line in str(err.value).splitlines() if "不一致" in line]
    assert all(line.startswith("  - 第3行") for line in blamed)  # the carrier's other rows are not blamed


def test_demand_file_with_chinese_headers(tmp_path):
    rng = np.random.default_rng(2)
    requests = _requests(rng, 50)
    chinese = requests.rename(columns={"id_number": "身份证号", "work_city": "务工地城市", "travel_date": "计划出行日期"})
    path = tmp_path / "demand.csv"
    chinese.to_csv(path, index=False, encoding="gbk")
    frame = read_demand(path)
    assert {"id_number", "work_city", "travel_date", "home_county_code"} <= set(frame.columns)
    assert len(plan(frame, _fleet({53: 2}), GX, workers=1).assignments) == 50


def test_plan_files_writes_what_the_cli_prints(tmp_path):
    rng = np.random.default_rng(4)
    _requests(rng, 200).to_csv(tmp_path / "demand.csv", index=False)
    write_fleet(_fleet({35: 2, 53: 2}), tmp_path / "fleet.csv")
    result = plan_files(tmp_path / "demand.csv", tmp_path / "fleet.csv", "guangxi-2024", tmp_path / "out", workers=1)
    assert json.loads(summary_json(result)) == result.summary
    assert {p.name for p in (tmp_path / "out").iterdir()} == {"trips.csv", "assignments.csv", "shortages.csv",
                                                               "summary.json"}


def test_csv_outputs_are_the_bytes_pandas_writes(tmp_path, monkeypatch):
    from chunnuan.planner.io import write_csv

    frames = [
        pd.DataFrame({"id": ["450102000000000001", "", None, "甲乙"], "days": [0, -2, 3, 1],
                      "n": pd.array([1, None, 3, 4], dtype="Int64")}),
        pd.DataFrame({"route": ["a,b", 'say "hi"', "x\ny"], "n": [1, 2, 3]}),  # need quotes: pandas writes them
        pd.DataFrame({"cost": [1.0, 2.5], "ok": [True, False]}),  # other types: pandas writes them
        pd.DataFrame({"id": pd.Series([], dtype=str), "n": pd.Series([], dtype="int64")}),
    ]
    for frame in frames:
        write_csv(frame, tmp_path / "fast.csv")
        frame.to_csv(tmp_path / "pandas.csv", index=False, encoding="utf-8-sig")
        assert (tmp_path / "fast.csv").read_bytes() == (tmp_path / "pandas.csv").read_bytes()

    frames[0].to_csv(tmp_path / "pandas.csv", index=False, encoding="utf-8-sig")

    def no_pandas(*args, **kwargs):
        raise AssertionError("plain text and integer columns should go through Arrow")

    monkeypatch.setattr(pd.DataFrame, "to_csv", no_pandas)
    write_csv(frames[0], tmp_path / "arrow.csv")  # the fast path really runs in the common case
    assert (tmp_path / "arrow.csv").read_bytes() == (tmp_path / "pandas.csv").read_bytes()


def test_demand_csv_reads_as_the_c_parser_does(tmp_path):
    import io

    texts = ["id_number,work_city,flex_days\n1, 深圳 ,3\n2,\"广州,市\",\n3,NA,null\n",
             "a,b\n1,\"x\ny\"\n\n2,\n",
             "a,b\n1,2,3\n4\n"]  # ragged: Arrow refuses it, the C parser reads it
    for i, text in enumerate(texts):
        (tmp_path / f"{i}.csv").write_text(text, encoding="utf-8-sig")
        expected = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
        pd.testing.assert_frame_equal(read_demand(tmp_path / f"{i}.csv"), expected)


def test_both_campaigns_carry_transport_rules():
    for cid in ("guangxi-2024", "shandong-2024"):
        rules = campaign.load(cid).transport
        assert 0 < rules.min_fill_ratio <= 1 and rules.long_route_km == 400
        assert rules.vehicle_class(53).name == "大型客车" and rules.vehicle_class(19).name == "小型客车"
        assert rules.carriers.min_credit_grade == "AA"
        assert math.isclose(rules.road_distance_factor, 1.3)


def test_gate_passes_a_plan_and_names_each_broken_rule():
    from chunnuan.planner.gate import check_plan, plan_markdown

    requests = synthetic.requests(GX, 20_000, seed=8)
    fleet = synthetic.fleet(GX, 20_000, seed=8)
    result = plan(requests, fleet, GX, workers=1)
    assert result.summary["trips"] > 0 and check_plan(requests, fleet, result, GX) == []
    assert "费用 / 下界" in plan_markdown(result, GX)

    trips = result.trips.copy()
    trips.loc[0, "passengers"] = trips.loc[0, "seats"] + 1
    a = result.assignments.copy()
    a.loc[a.index[-1], "status"] = "未定"
    broken = dataclasses.replace(result, trips=trips, assignments=a)
    problems = "\n".join(check_plan(requests, fleet, broken, GX))
    assert "超员车次" in problems and "既未安排包车也未转集中购票" in problems
    assert "与名单人数不一致" in problems


# --- re-planning against a published plan (issue 3: published trips stay stable) ----------------------

def _riders_by_trip(assignments: pd.DataFrame) -> dict[str, set[str]]:
    on = assignments[assignments["trip_id"].fillna("") != ""]
    return {t: set(g) for t, g in on.groupby("trip_id")["id_number"]}


def _replan_case():
    """A published plan, then new survey data: 60 new requests, one chartered rider withdrawn, one
    chartered rider's planned date moved out of their published trip's reach."""
    from chunnuan.planner.replan import Published

    rng = np.random.default_rng(21)
    requests = _requests(rng, 700)
    fleet = _fleet({19: 2, 35: 2, 53: 3})
    first = plan(requests, fleet, GX, workers=1)
    published = Published.from_plan(first, 1)
    charter = first.assignments[first.assignments["status"] == "包车"].reset_index(drop=True)
    withdrawn = charter.loc[0, "id_number"]
    changed = charter.loc[len(charter) // 2, "id_number"]
    new = _requests(np.random.default_rng(22), 60).assign(
        id_number=[f"45092319900101{i:04d}" for i in range(60)])
    after = requests[requests["id_number"] != withdrawn].copy()
    row = after["id_number"] == changed
    after.loc[row, "flex_days"] = 0
    after.loc[row, "travel_date"] = f"{pd.Timestamp(after.loc[row, 'travel_date'].iloc[0]) + pd.Timedelta(days=9):%Y-%m-%d}"
    after = pd.concat([after, new], ignore_index=True)
    return first, published, fleet, after, withdrawn, changed, set(new["id_number"])


def _check_limits(trips: pd.DataFrame, fleet: Fleet) -> None:
    offer = qualify(fleet, GX).fleet.vehicles.assign(date=lambda v: v["date"].map(str)).set_index(
        ["uscc", "date", "seats"])["count"]
    used = trips.groupby(["carrier_uscc", "date", "seats"]).size()
    assert all(n <= offer.get(key, 0) for key, n in used.items())


def test_replan_keeps_published_trips_and_plans_only_new_changed_and_withdrawn_requests():
    from chunnuan.planner.gate import check_plan, plan_markdown
    from chunnuan.planner.replan import replan

    first, published, fleet, after, withdrawn, changed, new_ids = _replan_case()
    result = replan(after, fleet, GX, published, workers=1)

    before, now = _riders_by_trip(first.assignments), _riders_by_trip(result.assignments)
    trips = result.trips.set_index("trip_id")
    cols = ["route_id", "date", "seats", "vehicle_class", "carrier_uscc", "cost"]
    old = first.trips.set_index("trip_id")
    fa = first.assignments
    open_before = new_ids | {changed} | set(fa.loc[fa["status"] != "包车", "id_number"])  # rule 3: may take free seats
    for trip_id, riders in before.items():
        stay = riders - {withdrawn, changed}
        if not stay:
            assert trip_id not in trips.index
            continue
        assert trip_id in trips.index and trips.loc[trip_id, "change"] == "kept"
        assert trips.loc[trip_id, cols].tolist() == old.loc[trip_id, cols].tolist()
        assert stay <= now[trip_id] and now[trip_id] - stay <= open_before  # nobody seated before moves in
    # The withdrawn rider is gone, the changed one re-planned; every new request is in the plan.
    a = result.assignments.set_index("id_number")
    assert withdrawn not in a.index and set(a.index) == set(after["id_number"])
    assert a.loc[changed, "trip_id"] not in before or changed not in before.get(a.loc[changed, "trip_id"], set())
    assert (a.loc[sorted(new_ids), "status"] == "包车").sum() > 0
    added = result.trips[result.trips["change"] == "added"]
    assert not set(added["trip_id"]) & set(first.trips["trip_id"])  # new trips get new numbers
    _check_limits(result.trips, fleet)  # the carriers' daily limits count the kept trips
    assert check_plan(after, fleet, result, GX, published) == []
    r = result.summary["replan"]
    assert r["kept_trips"] + r["cancelled_trips"] == len(first.trips)
    assert r["kept_trips"] == int((result.trips["change"] == "kept").sum()) > 0 and r["added_trips"] == len(added)
    assert (r["withdrawn"], r["changed"], r["new_requests"]) == (1, 1, 60)
    text = plan_markdown(result, GX)
    assert f"保留车次 | {r['kept_trips']}" in text and f"新增车次 | {r['added_trips']}" in text and "取消车次" in text
    # Not trivial: planning the same requests from scratch moves published riders to other trips.
    fresh = _riders_by_trip(plan(after, fleet, GX, workers=1).assignments)
    assert any(fresh.get(t) != now.get(t) for t in before)


def test_replan_is_deterministic():
    from chunnuan.planner.replan import replan

    _, published, fleet, after, *_ = _replan_case()
    one = replan(after, fleet, GX, published, workers=1)
    two = replan(after, fleet, GX, published, workers=2)
    pd.testing.assert_frame_equal(one.trips, two.trips)
    pd.testing.assert_frame_equal(one.assignments, two.assignments)
    assert one.summary == two.summary


def test_replan_all_plans_from_scratch_with_new_trip_numbers():
    from chunnuan.planner.gate import check_plan
    from chunnuan.planner.replan import replan

    first, published, fleet, after, *_ = _replan_case()
    result = replan(after, fleet, GX, published, keep=False, workers=1)
    fresh = plan(after, fleet, GX, workers=1)
    same = ["route_id", "date", "seats", "carrier_uscc", "passengers", "cost"]
    pd.testing.assert_frame_equal(result.trips[same], fresh.trips[same])
    pd.testing.assert_frame_equal(result.assignments.drop(columns="trip_id"), fresh.assignments.drop(columns="trip_id"))
    assert not set(result.trips["trip_id"]) & set(first.trips["trip_id"])
    assert (result.trips["change"] == "added").all()
    r = result.summary["replan"]
    assert (r["mode"], r["kept_trips"], r["cancelled_trips"]) == ("all", 0, len(first.trips))
    assert check_plan(after, fleet, result, GX, published) == []


def test_kept_trips_use_up_the_carriers_coaches_and_under_filled_kept_trips_are_flagged():
    from chunnuan.planner.gate import check_plan, plan_markdown
    from chunnuan.planner.replan import Published, replan

    def riders(ids, day="2024-02-18"):
        return pd.DataFrame({"id_number": ids, "home_county_code": "450821", "work_province": "广东省",
                             "work_city": "深圳市", "trip_type": "返岗", "travel_date": day, "flex_days": 0,
                             "needs_charter": "是"})

    cs = [_carrier(1)]
    w = GX.travel_window
    fleet = Fleet.build(cs, [(cs[0].uscc, 53, w.start, w.end, 1)])  # one 53-seat coach a day
    first_ids = [f"45082119900101{i:04d}" for i in range(50)]
    first = plan(riders(first_ids), fleet, GX, workers=1)
    [trip] = first.trips["trip_id"]
    published = Published.from_plan(first, 4)
    # 45 new riders for the same day: 3 take the free seats, the coach of the day is used up.
    new_ids = [f"45082119900102{i:04d}" for i in range(45)]
    after = riders(first_ids + new_ids)
    result = replan(after, fleet, GX, published, workers=1)
    assert result.trips["trip_id"].tolist() == [trip] and result.trips["passengers"].tolist() == [53]
    a = result.assignments.set_index("id_number")
    assert (a.loc[first_ids, "trip_id"] == trip).all()
    referred = a[a["status"] == "集中购票"]
    assert len(referred) == 42 and referred["reason"].str.contains("车辆不足").all()
    _check_limits(result.trips, fleet)
    assert check_plan(after, fleet, result, GX, published) == []

    # 20 of the published riders withdraw: the coach stays, below the minimum fill, flagged.
    fewer = riders(first_ids[20:])
    kept = replan(fewer, fleet, GX, published, workers=1)
    assert kept.trips[["trip_id", "passengers", "change"]].values.tolist() == [[trip, 30, "kept"]]
    assert kept.summary["replan"]["under_filled_kept"] == [trip]
    assert check_plan(fewer, fleet, kept, GX, published) == []  # allowed as a kept trip …
    as_new = dataclasses.replace(kept, trips=kept.trips.drop(columns="change"))
    assert "低于最低满载率" in "\n".join(check_plan(fewer, fleet, as_new, GX, published))  # … but not as a new one
    assert "低于最低满载率" in plan_markdown(kept, GX) and trip in plan_markdown(kept, GX)


def test_gate_rejects_kept_trips_that_differ_from_the_published_ones():
    from chunnuan.planner.gate import check_plan
    from chunnuan.planner.replan import replan

    _, published, fleet, after, *_ = _replan_case()
    result = replan(after, fleet, GX, published, workers=1)
    trips = result.trips.copy()
    kept = trips.index[trips["change"] == "kept"]
    other = next(c.uscc for c in fleet.carriers if c.uscc != trips.loc[kept[0], "carrier_uscc"])
    trips.loc[kept[0], "carrier_uscc"] = other
    added = trips.index[trips["change"] == "added"]
    if len(added):
        trips.loc[added[0], "trip_id"] = published.trips["trip_id"].iloc[-1]
    problems = "\n".join(check_plan(after, fleet, dataclasses.replace(result, trips=trips), GX, published))
    assert "标记为保留的车次与已发布方案不一致" in problems
    assert not len(added) or "新增车次使用了已发布车次的编号" in problems
    assert "没有已发布方案" in "\n".join(check_plan(after, fleet, result, GX))


@pytest.mark.parametrize("seed", range(5))
def test_free_seats_of_kept_trips_follow_the_rule_trip_by_trip(seed):
    """The vectorised filling equals the rule applied trip by trip: per route, trips in (date, trip_id)
    order; each takes riders whose window holds its day, planned for that day first, then earliest
    last day, then input order, up to its free seats."""
    from chunnuan.planner.replan import _fill_free_seats

    rng = np.random.default_rng(seed)
    day0 = dt.date(2024, 2, 1)
    routes = [f"45082{i}>440300" for i in range(4)]
    trips = pd.DataFrame({"trip_id": [f"T{i:03d}" for i in range(30)], "route_id": rng.choice(routes, 30),
                          "date": [f"{day0 + dt.timedelta(days=int(d)):%Y-%m-%d}" for d in rng.integers(0, 12, 30)],
                          "seats": 19, "passengers": rng.integers(10, 20, 30)})
    planned = rng.integers(0, 12, 300)
    flex = rng.integers(0, 4, 300)
    riders = pd.DataFrame({"id_number": [f"R{i:04d}" for i in range(300)], "route_id": rng.choice(routes[:3] + ["x>y"], 300),
                           "start": np.maximum(planned - flex, 0), "deadline": planned + flex, "planned": planned,
                           "pos": rng.permutation(300)})
    got = _fill_free_seats(riders, trips, day0)

    expected = []
    taken: set[str] = set()
    for trip in trips.sort_values(["route_id", "date", "trip_id"], kind="stable").itertuples():
        day = (dt.date.fromisoformat(trip.date) - day0).days
        fits = [r for r in riders.itertuples() if r.route_id == trip.route_id and r.id_number not in taken
                and r.start <= day <= r.deadline]
        fits.sort(key=lambda r: (r.planned != day, r.deadline, r.pos))
        for r in fits[: trip.seats - trip.passengers]:
            taken.add(r.id_number)
            expected.append((r.id_number, trip.trip_id, day))
    assert sorted(zip(got["id_number"], got["trip_id"], got["day"], strict=True)) == sorted(expected)
    assert len(expected) > 0
