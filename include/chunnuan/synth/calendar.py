"""The campaign calendar of the synthetic data: the Spring Festival holiday and the travel days around it.

One copy serves the survey generator (synth.survey) and the planner's synthetic requests
(synth.charter), so both put their travellers on the same days.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

import holidays
import numpy as np

from chunnuan.config.campaign import Campaign

EPOCH = np.datetime64("1970-01-01", "D")
RETURN_HOME, BACK_TO_WORK = "返乡", "返岗"
SHOULDER = 0.3  # 返岗 weight of the holiday's last two days: some go back before it ends
HOME_DAYS, WORK_DAYS = 21, 40  # how far before (返乡) or after (返岗) the holiday anyone travels


def day_number(date: dt.date) -> int:
    """Days since 1970-01-01: the generators' integer day."""
    return int((np.datetime64(date, "D") - EPOCH).astype(int))


def date_of(day: int) -> dt.date:
    return dt.date(1970, 1, 1) + dt.timedelta(days=int(day))


@cache
def spring_festival_holiday(year: int) -> tuple[dt.date, dt.date]:
    """First and last day off of the statutory Spring Festival holiday (2024: 02-10 .. 02-17)."""
    calendar = holidays.China(years=year, language="en_US")
    festival = min(calendar.get_named("Spring Festival"))
    first = last = festival
    while not calendar.is_working_day(first - dt.timedelta(days=1)):
        first -= dt.timedelta(days=1)
    while not calendar.is_working_day(last + dt.timedelta(days=1)):
        last += dt.timedelta(days=1)
    return first, last


def travel_day_weights(campaign: Campaign, trip: str) -> tuple[np.ndarray, np.ndarray]:
    """Candidate travel days inside the travel window (day_number) and their probabilities for one trip type.

    返乡 peaks about a week before the holiday (春运 starts ~15 days before); 返岗 peaks on the first
    days after it, tails off over the following weeks, and has a shoulder on the holiday's last two days.
    """
    window = campaign.travel_window
    first, last = spring_festival_holiday(window.start.year)
    days = np.arange(day_number(window.start), day_number(window.end) + 1)
    if trip == RETURN_HOME:
        before = day_number(first) - days
        weights = np.where((before >= 1) & (before <= HOME_DAYS), np.exp(-(((before - 7) / 6.0) ** 2)) + 0.15, 0.0)
    else:
        after = days - day_number(last)
        weights = np.where(after >= 1, np.exp(-(after - 1) / 7.0), 0.0)
        weights = np.where((after >= -1) & (after <= 0), SHOULDER, weights)
        weights = np.where(after > WORK_DAYS, 0.0, weights)
    if weights.sum() == 0:  # a window that misses the festival: travel spread over the window
        weights = np.ones(len(days))
    return days, weights / weights.sum()
