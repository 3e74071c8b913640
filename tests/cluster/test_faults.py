"""Faults on the cluster lose nothing. A Celery worker killed mid-intake (its whole process tree, as a machine
that dies): the files it was checking are retried on the replacement worker and the run ends green only when
every file of it is loaded. The campaign PostgreSQL restarted in the middle of a load: the load's
transaction is rolled back whole (nothing of it visible), the task is retried and loads everything.
The cluster fails a task after tests.support.celery_cluster.HEARTBEAT_TIMEOUT s without a heartbeat and
retries it after RETRY_DELAY s, so each fault costs seconds."""

from __future__ import annotations

import signal

import psycopg
import pytest

from chunnuan.config import campaign, settings
from chunnuan.synth.survey import generate
from tests.support.campaign_db import query

pytestmark = pytest.mark.slow
GX = campaign.load("guangxi-2024")
WORKERS = 3000


def tasks(cluster, run_id: str, task_id: str) -> list[dict]:
    return [t for t in cluster.task_instances("survey_intake", run_id) if t["task_id"] == task_id]


def assert_all_loaded_and_conserved(cluster, run_id: str, files: list[dict]) -> None:
    """Every file of the run (synth's per_file entries) loaded, its rows read and quarantined as generated,
    read = loaded + quarantined + merged."""
    batches = query(cluster.campaign_url, "SELECT file_name, status, rows_read, rows_loaded, rows_quarantined,"
                                          " rows_merged FROM submission_batch WHERE run_id = :r", r=run_id)
    assert sorted(b.file_name for b in batches) == sorted(f["file"] for f in files)
    assert [b.file_name for b in batches if b.status != "loaded"] == []
    assert all(b.rows_read == b.rows_loaded + b.rows_quarantined + b.rows_merged for b in batches)
    assert {b.file_name: (b.rows_read, b.rows_quarantined) for b in batches} == {
        f["file"]: (f["rows"], f["quarantined"]) for f in files}


def test_a_killed_worker_loses_no_file(cluster):
    demo = generate(GX, WORKERS, 7, settings.landing_dir(GX.id, "survey"))  # new content in every county file
    run_id = cluster.trigger("survey_intake", {"campaign": GX.id, "files": []})
    # Both of the worker's slots checking files (nothing else reserved by it in the broker): kill it all.
    cluster.wait_for(lambda: sum(t["state"] == "running" for t in tasks(cluster, run_id, "validate_files")) == 2,
                     180, "two check tasks running", every=0.5)
    cluster.stop_component("worker", signal.SIGKILL)
    unfinished = query(cluster.campaign_url, "SELECT COUNT(*) FROM submission_batch WHERE run_id = :r"
                                             " AND status = 'received'", r=run_id)[0][0]
    assert unfinished > 0  # files of the run were left unchecked by the dead worker
    cluster.start_component("worker")  # its replacement

    assert cluster.wait_run("survey_intake", run_id, 300) == "success"
    assert max(t["try_number"] for t in tasks(cluster, run_id, "validate_files")) >= 2  # retried, not lost
    assert_all_loaded_and_conserved(cluster, run_id, demo["per_file"])


def test_a_campaign_db_restart_mid_load_loads_whole_or_nothing_then_retries(cluster):
    demo = generate(GX, WORKERS, 8, settings.landing_dir(GX.id, "survey"))
    files = demo["per_file"][:12]  # a coordinator's pick in the form: enough to load, quick to check
    dsn = cluster.campaign_url.replace("postgresql+psycopg://", "postgresql://")
    # Hold the load in the middle of its transaction: survey_worker rows written, merged_row not yet.
    holder = psycopg.connect(dsn)
    holder.execute("LOCK TABLE merged_row IN EXCLUSIVE MODE")
    try:
        run_id = cluster.trigger("survey_intake", {"campaign": GX.id, "files": [f["file"] for f in files]})
        blocked = "SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ILIKE '%merged_row%'"
        cluster.wait_for(lambda: query(cluster.campaign_url, blocked)[0][0] == 1, 240, "the load waiting on merged_row")
        cluster.campaign.restart()
    finally:
        holder.close()

    mine = "FROM submission_batch WHERE run_id = :r AND kind = 'survey'"
    assert query(cluster.campaign_url, f"SELECT COUNT(*) {mine} AND status = 'loaded'", r=run_id)[0][0] == 0
    assert query(cluster.campaign_url, f"SELECT COUNT(*) FROM survey_worker WHERE batch_id IN (SELECT id {mine})",
                 r=run_id)[0][0] == 0  # none of the rows the rolled-back transaction had written

    assert cluster.wait_run("survey_intake", run_id, 300) == "success"
    [load] = tasks(cluster, run_id, "load_batches")
    assert load["try_number"] >= 2
    assert_all_loaded_and_conserved(cluster, run_id, files)
