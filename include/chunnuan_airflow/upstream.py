"""Summary tasks that run `all_done` (to report whatever happened) must still end the run failed when
an earlier step failed: Airflow sets a run's state from its last tasks only."""

from __future__ import annotations


def failed(context, *task_ids: str) -> int:
    """How many of these tasks failed (or could not run because their upstream failed) in this run."""
    return context["ti"].get_ti_count(dag_id=context["dag"].dag_id, task_ids=list(task_ids),
                                      run_ids=[context["run_id"]], states=["failed", "upstream_failed"])
