"""The date a run is about, as campaign DAGs read it from their form."""

from __future__ import annotations

import datetime as dt


def as_of(params) -> dt.date:
    """The form's `as_of` (核查日期 / 截至日期), else the run's logical date in Asia/Shanghai."""
    from airflow.sdk import get_current_context

    if params.get("as_of"):
        return dt.date.fromisoformat(params["as_of"])
    return get_current_context()["logical_date"].in_timezone("Asia/Shanghai").date()
