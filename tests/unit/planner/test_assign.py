"""From day loads to people (planner.assign): who travels on which day of a route's schedule."""

from __future__ import annotations

import numpy as np

from chunnuan.planner.assign import route_days


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
