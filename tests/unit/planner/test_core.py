"""plan() (planner.core): plan properties on random instances, determinism, the summary, shortage reports,
referral reasons, carriers and permits, the campaigns' transport rules. No Airflow."""

from __future__ import annotations

import datetime as dt
import json
import math

import numpy as np
import pandas as pd
import pytest

from chunnuan.config import campaign
from chunnuan.planner import Fleet, plan, write_outputs
from chunnuan.planner.fleet import qualify
from chunnuan.planner.gate import check_plan
from chunnuan.planner.model import REASON_UNKNOWN_PLACE
from tests.unit.planner.support import GX, make_carrier, make_fleet, make_requests


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
    # Each rider's route is served by their trip: its own route, or a pooled one stopping at both ends.
    trip_route = charter["trip_id"].map(by_trip["route_id"])
    assert all(o in tr.split(">")[0].split("+") and d in tr.split(">")[1].split("+")
               for (o, d), tr in zip(charter["route_id"].str.split(">"), trip_route, strict=True))
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
    requests = make_requests(rng, int(rng.integers(150, 900)), spread=int(rng.integers(2, 8)))
    per_day = {19: int(rng.integers(0, 3)), 35: int(rng.integers(0, 3)), 53: int(rng.integers(1, 4))}
    fleet = make_fleet(per_day, permit=bool(seed % 2))
    result = plan(requests, fleet, GX, workers=1)
    _check_plan(result, requests, fleet)
    assert result.summary["chartered"] + result.summary["referred"] == len(requests)


def test_plan_is_deterministic_and_independent_of_workers():
    rng = np.random.default_rng(7)
    requests = make_requests(rng, 600)
    fleet = make_fleet({19: 2, 35: 2, 53: 3})
    one = plan(requests, fleet, GX, workers=1)
    two = plan(requests, fleet, GX, workers=2)
    pd.testing.assert_frame_equal(one.trips, two.trips)
    pd.testing.assert_frame_equal(one.assignments, two.assignments)
    shuffled = plan(requests.sample(frac=1, random_state=3), fleet, GX, workers=1)
    pd.testing.assert_frame_equal(one.trips, shuffled.trips)  # seats per day do not depend on row order
    assert one.summary == shuffled.summary


def test_summary_has_no_identity_numbers(tmp_path):
    rng = np.random.default_rng(3)
    requests = make_requests(rng, 300)
    result = plan(requests, make_fleet({35: 2, 53: 2}), GX, workers=1)
    text = json.dumps(result.summary, ensure_ascii=False)
    assert not any(i in text for i in requests["id_number"])
    paths = write_outputs(result, tmp_path)
    assert json.loads(paths["summary"].read_text(encoding="utf-8")) == result.summary
    trips = pd.read_csv(paths["trips"], encoding="utf-8-sig")
    assert {"trip_id", "route", "date", "seats", "carrier", "passengers"} <= set(trips.columns)
    assignments = pd.read_csv(paths["assignments"], encoding="utf-8-sig", dtype=str)
    assert len(assignments) == len(requests)


def test_missing_vehicles_on_a_day_are_reported_by_route_day_and_size():
    n = 120  # 平南县 → 深圳市 on 02-18, nobody can move
    requests = pd.DataFrame({
        "id_number": [f"45082119900101{i:04d}" for i in range(n)], "home_county_code": "450821",
        "work_province": "广东省", "work_city": "深圳市", "trip_type": "返岗", "travel_date": "2024-02-18",
        "flex_days": 0, "needs_charter": "是"})
    cs = [make_carrier(1)]
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
    requests = make_requests(rng, 6, counties=("450923",), cities=(("浙江省", "宁波市"),))
    requests.loc[0, "work_city"] = "火星市"
    fleet = make_fleet({19: 3, 53: 3})
    result = plan(requests, fleet, GX, workers=1)
    a = result.assignments.set_index("id_number")
    assert (a["status"] == "集中购票").all()
    assert a.loc[requests.loc[0, "id_number"], "reason"] == REASON_UNKNOWN_PLACE
    assert a["reason"].iloc[1:].str.contains("不足最低发车人数（≥15人）").all()
    assert result.trips.empty and check_plan(requests, fleet, result, GX) == []  # a plan with no trips passes


def test_unqualified_carriers_are_never_used():
    rng = np.random.default_rng(5)
    requests = make_requests(rng, 400, cities=(("广西壮族自治区", "南宁市"),), counties=("450821",))
    good = make_carrier(1)
    weak = make_carrier(2, grade="A")
    crashed = make_carrier(3, accident=dt.date(2023, 6, 1))
    w = GX.travel_window
    fleet = Fleet.build([good, weak, crashed], [(c.uscc, 53, w.start, w.end, 5) for c in (good, weak, crashed)])
    result = plan(requests, fleet, GX, workers=1)
    assert set(result.trips["carrier_uscc"]) == {good.uscc}
    reasons = dict((code, why) for code, _, why in result.rejected_carriers)
    assert "低于要求的 AA" in reasons[weak.uscc] and "较大及以上" in reasons[crashed.uscc]


def test_cross_province_routes_need_the_interprovincial_permit():
    rng = np.random.default_rng(9)
    requests = make_requests(rng, 300, cities=(("广东省", "深圳市"),))
    result = plan(requests, make_fleet({53: 5}, permit=False), GX, workers=1)
    assert result.summary["chartered"] == 0
    assert result.assignments["reason"].str.contains("无符合资质").all()


def test_both_campaigns_carry_transport_rules():
    for cid in ("guangxi-2024", "shandong-2024"):
        rules = campaign.load(cid).transport
        assert 0 < rules.min_fill_ratio <= 1 and rules.long_route_km == 400
        assert rules.vehicle_class(53).name == "大型客车" and rules.vehicle_class(19).name == "小型客车"
        assert rules.carriers.min_credit_grade == "AA"
        assert math.isclose(rules.road_distance_factor, 1.3)
