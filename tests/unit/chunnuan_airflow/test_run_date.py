"""run_date: the day a run is about, also for runs triggered over the REST API without a logical date."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pendulum

from chunnuan_airflow.run_date import run_day


def test_the_logical_date_in_shanghai():
    context = {"logical_date": pendulum.datetime(2024, 2, 1, 17, tz="UTC"), "dag_run": None}
    assert run_day(context) == dt.date(2024, 2, 2)


def test_without_a_logical_date_the_time_the_run_was_triggered_for():
    run = SimpleNamespace(run_after=dt.datetime(2024, 2, 1, 16, 30, tzinfo=dt.UTC))
    assert run_day({"dag_run": run}) == dt.date(2024, 2, 2)
