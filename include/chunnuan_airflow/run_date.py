"""The date a run is about, as campaign DAGs read it from their form."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo


def run_day(context=None) -> dt.date:
    """The run's logical date in Asia/Shanghai; for a run triggered without one (the REST API or a form with
    logical_date null: Airflow 3 leaves it out of the context), the time it was triggered for (run_after)."""
    if context is None:
        from airflow.sdk import get_current_context

        context = get_current_context()
    when = context.get("logical_date") or context["dag_run"].run_after
    return when.astimezone(ZoneInfo("Asia/Shanghai")).date()


def as_of(params) -> dt.date:
    """The form's `as_of` (核查日期 / 截至日期), else run_day()."""
    if params.get("as_of"):
        return dt.date.fromisoformat(params["as_of"])
    return run_day()
