"""The helpers every DAG task uses around its domain step (chunnuan_airflow.wiring), run on tiny functions
with a stand-in task context: no metadata database, no DAG run."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from airflow.sdk.api.datamodels._generated import DagRunType
from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

from chunnuan.common.steps import NothingToDo, StepFailed
from chunnuan.config import campaign, settings
from chunnuan.job_fairs.plan import FairPlanError
from chunnuan_airflow.wiring import fail_on_problems, run_folder, skip_or_fail, skip_outside, skip_scheduled

GX = campaign.load("guangxi-2024")


def context(run_type: DagRunType) -> dict:
    return {"dag_run": SimpleNamespace(run_type=run_type), "params": {"campaign": GX.id}, "run_id": "scheduled__2024:1"}


SCHEDULED, MANUAL = context(DagRunType.SCHEDULED), context(DagRunType.MANUAL)


def test_scheduled_run_outside_the_window_is_skipped_with_the_day_and_the_window():
    before = GX.window.start - dt.timedelta(days=1)
    with pytest.raises(AirflowSkipException) as skipped:
        skip_outside(before, GX.window, "行动时间", SCHEDULED)
    assert str(skipped.value) == f"{before} 不在行动时间（{GX.window.start:%Y-%m-%d}至{GX.window.end:%Y-%m-%d}）内"


@pytest.mark.parametrize("day", ["start", "end"])
def test_scheduled_run_inside_the_window_goes_on(day):
    skip_outside(getattr(GX.window, day), GX.window, "行动时间", SCHEDULED)


def test_manual_and_other_runs_outside_the_window_go_on():
    after = GX.window.end + dt.timedelta(days=1)
    for run_type in (DagRunType.MANUAL, DagRunType.ASSET_TRIGGERED):
        skip_outside(after, GX.window, "行动时间", context(run_type))


def test_skip_scheduled_skips_only_scheduled_runs_with_a_reason():
    with pytest.raises(AirflowSkipException, match="^不是报送日$"):
        skip_scheduled("不是报送日", SCHEDULED)
    skip_scheduled("不是报送日", MANUAL)
    skip_scheduled(None, SCHEDULED)


def step(outcome: Exception | None):
    """A domain step in miniature: raises what it is given, else returns a result."""
    if outcome is not None:
        raise outcome
    return {"done": 1}


def test_nothing_to_do_becomes_a_skip_with_the_same_message():
    with pytest.raises(AirflowSkipException) as skipped, skip_or_fail():
        step(NothingToDo("还没有运输企业报送运力"))
    assert str(skipped.value) == "还没有运输企业报送运力"
    assert isinstance(skipped.value.__cause__, NothingToDo)


@pytest.mark.parametrize("error", [StepFailed("排不下"), FairPlanError("招聘会排期排不下：\n  - 平南县")])
def test_step_failed_becomes_a_failure_without_retry_with_the_same_message(error):
    with pytest.raises(AirflowFailException) as failed, skip_or_fail():
        step(error)
    assert str(failed.value) == str(error)


def test_other_errors_pass_through_for_airflow_to_retry_and_results_come_back():
    with pytest.raises(ConnectionError), skip_or_fail():
        step(ConnectionError("数据库不可用"))
    with skip_or_fail():
        result = step(None)
    assert result == {"done": 1}


def test_problems_fail_the_task_with_a_header_and_one_line_each():
    fail_on_problems("方案未通过质量检查，不能发布：", [])
    with pytest.raises(AirflowFailException) as failed:
        fail_on_problems("方案未通过质量检查，不能发布：", ["车次 A1 超员", "人数不守恒"])
    assert str(failed.value) == "方案未通过质量检查，不能发布：\n- 车次 A1 超员\n- 人数不守恒"


def test_run_folder_is_the_campaigns_staging_folder_for_this_run(monkeypatch, tmp_path):
    monkeypatch.setenv("CHUNNUAN_HOME", str(tmp_path))
    assert run_folder("charter", MANUAL) == settings.run_dir(GX.id, "charter", "scheduled__2024:1")
    assert run_folder("charter", MANUAL).is_relative_to(tmp_path) and run_folder("charter", MANUAL).name == "scheduled__2024_1"
    assert run_folder("training", MANUAL) != run_folder("charter", MANUAL)
