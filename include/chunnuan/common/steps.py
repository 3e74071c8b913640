"""What a workflow step reports besides its result, with no Airflow: `chunnuan_airflow.wiring.skip_or_fail`
turns these into the DAG task's state, the CLI and the demo can catch them as they are."""

from __future__ import annotations


class NothingToDo(Exception):
    """The step has nothing to do now (no data yet, a plan already published): the reason, in Chinese,
    for the coordinator. The task is skipped, not failed."""


class StepFailed(Exception):
    """The step cannot succeed on these inputs and a retry would fail the same way (the configuration or
    the data must change first): what to fix, in Chinese. The task fails without retrying."""
