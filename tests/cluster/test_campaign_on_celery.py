"""The campaign on the compose cluster's shape (CeleryExecutor, Redis, PostgreSQL), driven over the REST API as
a coordinator's UI drives it: survey intake of a small province (111 county files), the charter plan approved
automatically, the job-fair rollout and the weekly report. The same outcomes as the dag.test() tests:
rows conserved, plans gated and published, each email received once; and the charter plan the Celery worker
made (a daemonic prefork process: the planner maps in-process there) equals the plan made in-process with a
pool of worker processes."""

from __future__ import annotations

import shutil
import time
from collections import Counter

import pandas as pd
import pytest

from chunnuan.config import campaign, settings
from chunnuan.synth.survey import generate
from scripts.demo import write_demo_fleet, write_demo_openings
from tests.support.campaign_db import messages, query

pytestmark = pytest.mark.slow
GX = campaign.load("guangxi-2024")
WORKERS = 3000


def ran(cluster, dag_id: str, conf: dict, timeout: float = 300) -> str:
    """Trigger a run as the form would and follow it to its end; the run id (asserted successful)."""
    started = time.monotonic()
    run_id = cluster.trigger(dag_id, conf)
    state = cluster.wait_run(dag_id, run_id, timeout)
    tasks = {f"{t['task_id']}[{t['rendered_map_index']}]" if t["map_index"] >= 0 else t["task_id"]: t["state"]
             for t in cluster.task_instances(dag_id, run_id)}
    print(f"{dag_id}: {state} in {time.monotonic() - started:.0f} s {tasks}")
    assert state == "success", f"{tasks}\n{cluster.tail()}"
    return run_id


@pytest.fixture(scope="module")
def province(cluster):
    demo = generate(GX, WORKERS, 2024, settings.landing_dir(GX.id, "survey"))
    write_demo_fleet(GX, WORKERS)
    write_demo_openings(GX, WORKERS, 2024)
    return demo


def test_intake_conserves_every_row_of_every_county(cluster, province):
    run_id = ran(cluster, "survey_intake", {"campaign": GX.id, "files": []})

    checks = [t for t in cluster.task_instances("survey_intake", run_id) if t["task_id"] == "validate_files"]
    assert len(checks) == 4  # 111 county files, up to 30 a task
    batches = query(cluster.campaign_url, "SELECT kind, status, rows_read, rows_loaded, rows_quarantined, rows_merged"
                                          " FROM submission_batch WHERE run_id = :r", r=run_id)
    assert Counter(b.kind for b in batches) == {"survey": province["files"], "fleet": 1, "openings": 1}
    assert {b.status for b in batches} == {"loaded"}
    assert all(b.rows_read == b.rows_loaded + b.rows_quarantined + b.rows_merged for b in batches)
    survey = [b for b in batches if b.kind == "survey"]
    expected = province["expected"]
    assert sum(b.rows_read for b in survey) == expected["rows"]
    assert query(cluster.campaign_url, "SELECT COUNT(*) FROM survey_worker")[0][0] == expected["valid"]


def assert_same_plan_as_in_process(run_id: str, monkeypatch, tmp_path) -> None:
    """The plan a run's make_plan task staged equals the plan made here from the same staged inputs, where the
    rider assignment (≥ POOL_MIN_ROUTES routes) runs in a pool of worker processes: the worker's task needed
    the pool path too."""
    from chunnuan.charter.steps import make_plan
    from chunnuan.planner import parallel
    from chunnuan.planner.io import load_plan

    folder = settings.run_dir(GX.id, "charter", run_id)
    on_worker = load_plan(folder / "plan")
    here = tmp_path / run_id.replace(":", "_")
    shutil.copytree(folder, here, ignore=shutil.ignore_patterns("plan"))
    pools, real = [], parallel.forkserver
    monkeypatch.setattr(parallel, "forkserver", lambda: pools.append(1) or real())
    make_plan(GX, here, workers=2)
    assert pools
    in_process = load_plan(here / "plan")
    pd.testing.assert_frame_equal(on_worker.assignments, in_process.assignments)
    pd.testing.assert_frame_equal(on_worker.trips, in_process.trips)


def test_charter_plan_on_a_prefork_worker_is_the_in_process_plan(cluster, province, monkeypatch, tmp_path):
    """Celery's prefork pool runs tasks in daemonic processes: the planner maps in-process there."""
    run_id = ran(cluster, "charter_bus_planning", {"campaign": GX.id, "auto_approve": True, "replan_all": False})

    [(status, trips)] = query(cluster.campaign_url, "SELECT p.status, COUNT(*) FROM charter_plan p"
                                                    " JOIN charter_trip t ON t.plan_id = p.id GROUP BY p.status")
    assert status == "published" and trips > 0
    assert_same_plan_as_in_process(run_id, monkeypatch, tmp_path)
    notices = [m for m in messages(cluster.root / "outbox") if "包车" in m["Subject"]]
    assert notices and len({m["To"] for m in notices}) == len(notices)  # one notice per county
    assert not any("身份证" in m.get_body(("plain", "html")).get_content() for m in notices)


def test_charter_plan_on_a_solo_worker_is_the_in_process_plan(cluster, province, monkeypatch, tmp_path):
    """A solo worker runs tasks in its main process, whose __main__ is the `airflow` command: the planner's
    pool starts there, its workers without importing that command again (they crash-looped before)."""
    cluster.stop_component("worker")
    cluster.start_component("worker", AIRFLOW__CELERY__POOL="solo")
    try:
        run_id = ran(cluster, "charter_bus_planning", {"campaign": GX.id, "auto_approve": True, "replan_all": True})
        assert_same_plan_as_in_process(run_id, monkeypatch, tmp_path)
        assert query(cluster.campaign_url, "SELECT COUNT(*) FROM charter_plan WHERE status = 'published'")[0][0] == 2
    finally:
        cluster.stop_component("worker")
        cluster.start_component("worker")


def test_job_fairs_and_the_weekly_report_sent_once(cluster, province):
    ran(cluster, "job_fair_rollout", {"campaign": GX.id, "as_of": "2024-02-05", "replan": False})
    assert query(cluster.campaign_url, "SELECT COUNT(DISTINCT county_code) FROM job_fair")[0][0] == 111

    def reports():
        return [m for m in messages(cluster.root / "outbox") if "（截至" in m["Subject"]]

    ran(cluster, "campaign_report", {"campaign": GX.id, "as_of": "2024-02-09", "resend": False})
    ran(cluster, "campaign_report", {"campaign": GX.id, "as_of": "2024-02-09", "resend": False})
    [report] = reports()  # the second run found the version sent
    assert GX.report.to[0] in report["To"]
