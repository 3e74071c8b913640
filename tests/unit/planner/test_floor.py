"""The floor on 人数不足 referrals (planner.floor): riders no coach under the rules could carry. Hand-checked
cases, and never above what a plan — the greedy's or CP-SAT's — refers. No Airflow."""

from __future__ import annotations

import numpy as np

from chunnuan.planner import Fleet, core, floor, plan
from chunnuan.planner.gate import plan_markdown
from chunnuan.planner.io import without_pooling
from tests.unit.planner import test_rail
from tests.unit.planner.support import GX, PEAK, make_carrier, make_fleet
from tests.unit.planner.test_pool import (
    CANGWU,
    DONGGUAN,
    FLEET,
    GUIPING,
    NANNING,
    PINGNAN,
    TENG,
    riders,
    route_minutes,
    with_pooling,
)


def too_few(result) -> int:
    return sum(n for reason, n in result.summary["referrals_by_reason"].items() if "人数不足" in reason)


def test_riders_who_could_fill_a_coach_together_are_not_in_the_floor_and_are_pooled():
    # 平南县 8 + 桂平市 7 to 东莞 on one day: 15, a 19-seat coach's minimum, could share one coach
    result = plan(riders([(PINGNAN, DONGGUAN, 8, 0, 0), (GUIPING, DONGGUAN, 7, 0, 0)]), FLEET, GX, workers=1)
    assert result.summary["referral_floor"] == 0 and result.summary["chartered"] == 15


def test_one_rider_short_of_a_coach_on_every_day_is_the_floor():
    # 8 + 6 on the same day: 14, one short of the smallest coach's 15 whatever the plan
    result = plan(riders([(PINGNAN, DONGGUAN, 8, 0, 0), (GUIPING, DONGGUAN, 6, 0, 0)]), FLEET, GX, workers=1)
    assert result.summary["referral_floor"] == too_few(result) == 14
    assert "| 其中无论如何编排都凑不满最低发车人数的（人） | 14 |" in plan_markdown(result, GX)


def test_riders_whose_windows_never_meet_or_whose_detour_is_too_long_are_the_floor():
    apart = riders([(PINGNAN, DONGGUAN, 8, 0, 1), (GUIPING, DONGGUAN, 8, 4, 1)])  # days −1..1 and 3..5
    assert plan(apart, FLEET, GX, workers=1).summary["referral_floor"] == 16
    opposite = riders([(PINGNAN, DONGGUAN, 8, 0, 0), (PINGNAN, NANNING, 8, 0, 0)])  # east and west of 平南县
    assert plan(opposite, FLEET, GX, workers=1).summary["referral_floor"] == 16
    # the same riders, had 平南县's 8 and 8 more gone to 东莞 (one route): no floor, one coach
    same_route = riders([(PINGNAN, DONGGUAN, 16, 0, 0)])
    assert plan(same_route, FLEET, without_pooling(GX), workers=1).summary["referral_floor"] == 0


def test_the_floor_uses_the_crews_day_and_stays_low_when_only_longer_routes_fail():
    corridor = (GUIPING, PINGNAN, TENG, CANGWU)
    requests = riders([(c, DONGGUAN, 4, 0, 0) for c in corridor])
    full = plan(requests, FLEET, GX, workers=1)
    minutes = route_minutes(full.trips["km"].iloc[0], 5, GX.transport.pooling)
    # a crew's day too short for the four-county coach, long enough for any two of them: the plan refers all
    # 16, the floor (two riders' routes only) none — low, never high
    shorter = plan(requests, FLEET, with_pooling(max_route_hours=(minutes - 2) / 60), workers=1)
    assert too_few(shorter) == 16 and shorter.summary["referral_floor"] == 0
    # a crew's day too short for even 东莞 from the nearest county: everyone is the floor
    tiny = plan(requests, FLEET, with_pooling(max_route_hours=1), workers=1)
    assert tiny.summary["referral_floor"] == too_few(tiny) == 16


def test_a_rider_whose_only_mates_no_coach_could_carry_is_the_floor_too():
    # 藤县 between 苍梧县 and 平南县: within the crew's day it may share a coach with either, but they may not
    # share one with each other (8.4 h: 苍梧县 → 平南县 → 东莞 is too long). 5 riders each: 藤县's could-be mates
    # number 15, a 19-seat coach's minimum, but each of the others has only 10, so no coach could carry them,
    # and then none could carry 藤县's 5 either
    campaign = with_pooling(max_route_hours=8.4)
    legs = {county: (county, DONGGUAN, 5, 0, 0) for county in (CANGWU, TENG, PINGNAN)}
    result = plan(riders(legs.values()), FLEET, campaign, workers=1)
    assert too_few(result) == result.summary["referral_floor"] == 15
    # each pair the rule allows: 5 more from the outer county on a day they meet, and a pooled coach takes all 15
    for outer in (CANGWU, PINGNAN):
        pair = plan(riders([legs[outer], (outer, DONGGUAN, 5, 1, 1), legs[TENG]]), FLEET, campaign, workers=1)
        assert pair.summary["chartered"] == 15 and pair.summary["referral_floor"] == 0


def test_a_coach_the_rail_feeders_took_still_counts_for_the_floor():
    # the only 19-seat coach feeds 覃塘区's 15 to the train at 贵港, so 平南县's 16 to 南宁 are referred; but a plan
    # without that feeder carries them on it (16 ≥ 15): they are not the floor, though the coaches left are 53s
    c = [make_carrier(0), make_carrier(1)]
    fleet = Fleet.build(c, [(c[0].uscc, 19, PEAK, PEAK, 1), (c[1].uscc, 53, GX.travel_window.start, GX.travel_window.end, 4)])
    rail = test_rail.offers(test_rail.offer("K5001", "贵港", "东莞", "硬卧", carriages=3, fare=60))
    day, dongguan = test_rail.DAY, test_rail.DONGGUAN
    requests = test_rail.riders([(test_rail.GANGNAN, dongguan, 40, day, 0), ("450804", dongguan, 15, day, 0),
                                 (PINGNAN, NANNING, 16, day, 0)])
    result = plan(requests, fleet, GX, workers=1, rail=rail)
    assert list(result.trips.loc[result.trips["mode"] == "feeder", "seats"]) == [53, 19]
    assert too_few(result) == 16 and result.summary["referral_floor"] == 0


def test_no_plan_carries_a_rider_of_the_floor(monkeypatch):
    from tests.unit.planner.support import make_requests

    found = []

    def keep(net, assignments, *args):
        rows = floor.uncarriable(net, assignments, *args)
        found.append(set(assignments["id_number"].iloc[rows]))
        return rows

    monkeypatch.setattr(core, "uncarriable", keep)
    counties = (GUIPING, PINGNAN, TENG, CANGWU, "450923", "450126")
    for seed in range(3):
        requests = make_requests(np.random.default_rng(seed), 600, spread=8, flex_max=3, counties=counties)
        fleet = make_fleet({19: 2, 35: 2, 53: 2})
        for campaign in (GX, with_pooling(max_extra_cost_per_rider=500), with_pooling(max_route_hours=19)):
            result = plan(requests, fleet, campaign, workers=1)
            a = result.assignments
            status = a.set_index("id_number").loc[sorted(found[-1]), "status"]
            assert len(status) == result.summary["referral_floor"] > 0 and (status == "集中购票").all()
            assert result.summary["referral_floor"] <= too_few(result)


def test_a_province_too_large_to_check_says_so_instead_of_a_floor(monkeypatch):
    monkeypatch.setattr(floor, "MAX_PAIRS", 0)  # any referred leg × legs is "too large"
    result = plan(riders([(PINGNAN, DONGGUAN, 8, 0, 0), (GUIPING, DONGGUAN, 6, 0, 0)]), FLEET, GX, workers=1)
    assert too_few(result) == 14 and result.summary["referral_floor"] is None
    assert "| 其中无论如何编排都凑不满最低发车人数的（人） | 未测算（规模过大） |" in plan_markdown(result, GX)
