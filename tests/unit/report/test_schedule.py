"""When scheduled report runs send, and which version they send: weekly on the configured day inside the
window, the final summary from the deadline week, and always on the deadline itself."""

from __future__ import annotations

import datetime as dt

from chunnuan.config import campaign
from chunnuan.report.steps import due, version

GX, SD = campaign.load("guangxi-2024"), campaign.load("shandong-2024")


def sending_days(the_campaign, start: dt.date, end: dt.date) -> list[dt.date]:
    days = (start + dt.timedelta(n) for n in range((end - start).days + 1))
    return [d for d in days if due(the_campaign, d)]


def test_guangxi_sends_on_fridays_in_the_window_and_the_friday_deadline_once():
    days = sending_days(GX, dt.date(2024, 1, 1), dt.date(2024, 4, 30))
    assert days[0] == dt.date(2024, 1, 26) and days[-1] == dt.date(2024, 3, 8)  # window 01-22 .. 03-08
    assert all(d.weekday() == 4 for d in days) and len(days) == len(set(days)) == 7
    assert [version(GX, d)[1] for d in days[-2:]] == ["weekly-2024-W09", "final"]  # final: from deadline - 6 days


def test_shandong_deadline_on_a_sunday_still_gets_its_run():
    days = sending_days(SD, dt.date(2024, 3, 20), dt.date(2024, 4, 10))
    assert days == [dt.date(2024, 3, 22), dt.date(2024, 3, 29), dt.date(2024, 3, 31)]
    assert [version(SD, d)[1] for d in days] == ["weekly-2024-W12", "final", "final"]  # the final is sent once
