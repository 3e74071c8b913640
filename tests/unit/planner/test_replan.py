"""Re-planning against a published plan (planner.replan; issue 3: published trips stay stable)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd
import pytest

from chunnuan.planner import Fleet, plan
from chunnuan.planner.gate import check_plan, plan_markdown
from chunnuan.planner.replan import Published, _fill_free_seats, replan
from tests.unit.planner.support import GX, check_limits, make_carrier, replan_case, riders_by_trip


def test_replan_keeps_published_trips_and_plans_only_new_changed_and_withdrawn_requests():
    first, published, fleet, after, withdrawn, changed, new_ids = replan_case()
    result = replan(after, fleet, GX, published, workers=1)

    before, now = riders_by_trip(first.assignments), riders_by_trip(result.assignments)
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
    check_limits(result.trips, fleet)  # the carriers' daily limits count the kept trips
    assert check_plan(after, fleet, result, GX, published) == []
    r = result.summary["replan"]
    assert r["kept_trips"] + r["cancelled_trips"] == len(first.trips)
    assert r["kept_trips"] == int((result.trips["change"] == "kept").sum()) > 0 and r["added_trips"] == len(added)
    assert (r["withdrawn"], r["changed"], r["new_requests"]) == (1, 1, 60)
    text = plan_markdown(result, GX)
    assert f"保留车次 | {r['kept_trips']}" in text and f"新增车次 | {r['added_trips']}" in text and "取消车次" in text
    # Not trivial: planning the same requests from scratch moves published riders to other trips.
    fresh = riders_by_trip(plan(after, fleet, GX, workers=1).assignments)
    assert any(fresh.get(t) != now.get(t) for t in before)


def test_replan_is_deterministic():
    _, published, fleet, after, *_ = replan_case()
    one = replan(after, fleet, GX, published, workers=1)
    two = replan(after, fleet, GX, published, workers=2)
    pd.testing.assert_frame_equal(one.trips, two.trips)
    pd.testing.assert_frame_equal(one.assignments, two.assignments)
    assert one.summary == two.summary


def test_replan_all_plans_from_scratch_with_new_trip_numbers():
    first, published, fleet, after, *_ = replan_case()
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
    def riders(ids, day="2024-02-18"):
        return pd.DataFrame({"id_number": ids, "home_county_code": "450821", "work_province": "广东省",
                             "work_city": "深圳市", "trip_type": "返岗", "travel_date": day, "flex_days": 0,
                             "needs_charter": "是"})

    cs = [make_carrier(1)]
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
    check_limits(result.trips, fleet)
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


@pytest.mark.parametrize("seed", range(5))
def test_free_seats_of_kept_trips_follow_the_rule_trip_by_trip(seed):
    """The vectorised filling equals the rule applied trip by trip: per route, trips in (date, trip_id)
    order; each takes riders whose window holds its day, planned for that day first, then earliest
    last day, then input order, up to its free seats."""
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
