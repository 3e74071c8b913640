"""What every DAG task does around its one domain step, written once.

    skip_outside      -> a scheduled run on a day outside a campaign window is skipped (manual runs go on)
    skip_scheduled    -> the same for any reason the domain gives (e.g. report.steps.not_due)
    skip_or_fail      -> around the domain step: NothingToDo -> skipped, StepFailed -> failed without retry
    fail_on_problems  -> a gate's problems fail the task: a header, then one "- " line per problem
    run_folder        -> this run's staging folder for a workflow (config.settings.run_dir)

Light at import (DAG files import it at parse time): Airflow's exceptions and the two domain exceptions only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Generator
from contextlib import contextmanager
from pathlib import Path

from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

from chunnuan.common.steps import NothingToDo, StepFailed


def _context(context):
    if context is not None:
        return context
    from airflow.sdk import get_current_context

    return get_current_context()


def skip_scheduled(reason: str | None, context=None) -> None:
    """Skip this run with `reason` (Chinese) when it is a scheduled one; manual runs, and reason None, go on.
    `context` defaults to the running task's."""
    if reason is not None and _context(context)["dag_run"].run_type == "scheduled":
        raise AirflowSkipException(reason)


def skip_outside(day: dt.date, window, name: str, context=None) -> None:
    """A scheduled run whose `day` is outside `window` (a campaign DateRange) is skipped with
    "<day> 不在<name>（<window.label()>）内", e.g. name="摸排期" or "行动时间"."""
    skip_scheduled(None if day in window else f"{day} 不在{name}（{window.label()}）内", context)


@contextmanager
def skip_or_fail() -> Generator[None, None, None]:
    """Around a domain step: its NothingToDo skips the task, its StepFailed fails it without retrying;
    both keep the step's message as it is. Anything else is an error Airflow retries as usual."""
    try:
        yield
    except NothingToDo as exc:
        raise AirflowSkipException(str(exc)) from exc
    except StepFailed as exc:
        raise AirflowFailException(str(exc)) from exc


def fail_on_problems(header: str, problems: list[str]) -> None:
    """Fail the task without retrying when there are problems: `header`, then "- <problem>" per line.
    A gate's problems do not go away on a retry."""
    if problems:
        raise AirflowFailException(f"{header}\n" + "\n".join(f"- {p}" for p in problems))


def run_folder(workflow: str, context=None) -> Path:
    """This run's folder for `workflow` ("charter", "training"): what one task stages for the next, keyed by
    the form's campaign and the run id, so a re-run of a task finds its inputs."""
    from chunnuan.config import settings

    context = _context(context)
    return settings.run_dir(context["params"]["campaign"], workflow, context["run_id"])
