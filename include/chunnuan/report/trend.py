"""The headline figures week by week, from the dated records already in the campaign DB (no table of its own).

    weekly -> weeks (Mondays, ISO weeks as offices count them) from the campaign's start to the last dated
              record, with each figure's new amount per week and its running total; the last running total
              equals the headline figure (the same rows are counted, see include/sql/report_daily.sql).
"""

from __future__ import annotations

import datetime as dt
from itertools import accumulate
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from chunnuan.config.campaign import Campaign

# Figure code -> its name on the chart, with the date it is counted by.
FIGURES = {
    "workers": "摸排人数（按填报日期）", "chartered": "包车运送（按乘车日期）", "classes": "培训班（按开班日期）",
    "completed": "培训结业（按结业日期）", "fairs_held": "已办招聘会（按举办日期）",
    "fair_intentions": "达成就业意向（按举办日期）",
}


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def weekly(engine: Engine, campaign: Campaign) -> dict:
    """{"weeks": ["2024-01-08", …], "new": {figure: [per week]}, "total": {figure: [running total]}}."""
    from sqlalchemy import text

    from chunnuan.common import sql
    from chunnuan.common.plans import latest_published

    with engine.connect() as conn:
        plan_id, _ = latest_published(conn, campaign.id)
        rows = conn.execute(text(sql.load("report_daily.sql")),
                            {"campaign_id": campaign.id, "plan_id": plan_id}).all()
    # SQLite answers dates as text, PostgreSQL as dates.
    dated = [(figure, day if isinstance(day, dt.date) else dt.date.fromisoformat(str(day)[:10]), int(n or 0))
             for figure, day, n in rows]
    first = monday(min([campaign.window.start, *(day for _, day, _ in dated)]))
    last = monday(max([first, *(day for _, day, _ in dated)]))
    weeks = [first + dt.timedelta(weeks=i) for i in range((last - first).days // 7 + 1)]
    new = {figure: [0] * len(weeks) for figure in FIGURES}
    for figure, day, n in dated:
        new[figure][(monday(day) - first).days // 7] += n
    total = {figure: list(accumulate(values)) for figure, values in new.items()}
    return {"weeks": [w.isoformat() for w in weeks], "new": new, "total": total}
