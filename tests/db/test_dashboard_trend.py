"""The dashboard's week-by-week trend on real SQLite and PostgreSQL: fair results and training classes loaded
through the real intakes, bucketed into Monday weeks (SQLite answers dates as text, PostgreSQL as dates)."""

from __future__ import annotations

import datetime as dt

from chunnuan import db
from chunnuan.config import campaign
from chunnuan.intake import registry
from chunnuan.report import trend
from tests.db.test_job_tables import submit
from tests.support.campaign_db import query
from tests.support.jobs import fair_result_row, write_rows
from tests.support.training import class_row, write_classes

GX = campaign.load("guangxi-2024")


def test_weekly_figures_on_both_backends(db_url, chunnuan_home, tmp_path):
    fairs = [fair_result_row(n, 达成意向人数=str(100 * n)) for n in range(1, 7)]  # 02-19 … 02-24
    submit(db_url, write_rows(tmp_path / "成效.csv", registry.gate_kind("fair_results").schema, fairs), "fair_results")
    submit(db_url, write_classes(tmp_path / "培训.csv", [class_row(1), class_row(2, 开班日期="2024-02-12",
                                                                              结业日期="2024-02-20")]), "training")

    got = trend.weekly(db.engine(db_url), GX)
    weeks = [dt.date.fromisoformat(w) for w in got["weeks"]]
    assert weeks[0] == trend.monday(GX.window.start) and weeks[-1] == dt.date(2024, 2, 19)
    for i, monday in enumerate(weeks):
        sunday = monday + dt.timedelta(days=6)
        [(held, intentions)] = query(db_url, "SELECT COUNT(*), COALESCE(SUM(intentions), 0) FROM fair_result "
                                             f"WHERE fair_date BETWEEN '{monday}' AND '{sunday}'")
        [(classes,)] = query(db_url, f"SELECT COUNT(*) FROM training_class WHERE start_date BETWEEN '{monday}' "
                                     f"AND '{sunday}'")
        assert (got["new"]["fairs_held"][i], got["new"]["fair_intentions"][i], got["new"]["classes"][i]) == (
            held, intentions, classes)
    assert got["new"]["fairs_held"][-1] == 6 and got["total"]["fair_intentions"][-1] == 2100
    assert got["new"]["classes"][-2:] == [1, 0] and got["new"]["completed"][-2:] == [0, 45]  # by end date (02-20)
    assert got["total"]["classes"][-1] == 2 and got["total"]["completed"][-1] == 90
    assert got["total"]["workers"][-1] == 0 and got["total"]["chartered"][-1] == 0  # no survey yet: zeros, no error
