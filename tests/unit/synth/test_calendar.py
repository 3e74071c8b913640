"""The synthetic data's calendar (chunnuan.synth.calendar): the Spring Festival holiday and travel days."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from chunnuan.config import campaign as campaigns
from chunnuan.config.campaign import DateRange
from chunnuan.synth import calendar

GX = campaigns.load("guangxi-2024")


def test_spring_festival_holiday_from_the_holidays_package():
    assert calendar.spring_festival_holiday(2024) == (dt.date(2024, 2, 10), dt.date(2024, 2, 17))
    assert calendar.spring_festival_holiday(2025) == (dt.date(2025, 1, 28), dt.date(2025, 2, 4))


def test_day_numbers_round_trip():
    assert calendar.day_number(dt.date(1970, 1, 1)) == 0
    assert calendar.day_number(dt.date(2024, 2, 10)) == 19763
    assert calendar.date_of(19763) == dt.date(2024, 2, 10)


def weights_by_date(the_campaign, trip: str) -> dict[dt.date, float]:
    days, p = calendar.travel_day_weights(the_campaign, trip)
    return {calendar.date_of(d): w for d, w in zip(days, p, strict=True)}


@pytest.mark.parametrize("trip", ["返乡", "返岗"])
def test_travel_days_cover_the_window_and_sum_to_one(trip):
    days, p = calendar.travel_day_weights(GX, trip)
    window = GX.travel_window
    assert calendar.date_of(days[0]) == window.start and calendar.date_of(days[-1]) == window.end
    assert np.all(np.diff(days) == 1) and p.sum() == pytest.approx(1.0) and (p >= 0).all()


def test_going_home_peaks_a_week_before_the_holiday():
    first, _ = calendar.spring_festival_holiday(2024)
    w = weights_by_date(GX, "返乡")
    used = [d for d, x in w.items() if x > 0]
    # within 21 days before the holiday, cut by the window (2024: it opens 19 days before)
    assert min(used) == max(GX.travel_window.start, first - dt.timedelta(days=21))
    assert max(used) == first - dt.timedelta(days=1)
    assert max(w, key=w.get) == first - dt.timedelta(days=7)


def test_back_to_work_peaks_after_the_holiday_with_a_shoulder_on_its_last_days():
    _, last = calendar.spring_festival_holiday(2024)
    w = weights_by_date(GX, "返岗")
    used = sorted(d for d, x in w.items() if x > 0)
    assert used[0] == last - dt.timedelta(days=1) and used[-1] == last + dt.timedelta(days=40)
    peak = w[last + dt.timedelta(days=1)]
    assert max(w.values()) == peak
    assert w[last - dt.timedelta(days=1)] == w[last] == pytest.approx(calendar.SHOULDER * peak)
    assert w[last + dt.timedelta(days=8)] == pytest.approx(peak * np.exp(-1))  # tails off over a week


def test_a_window_missing_the_festival_spreads_travel_evenly():
    summer = GX.model_copy(update={"travel_window": DateRange(start=dt.date(2024, 7, 1), end=dt.date(2024, 7, 10))})
    days, p = calendar.travel_day_weights(summer, "返岗")
    assert len(days) == 10 and np.allclose(p, 0.1)
