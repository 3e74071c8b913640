"""Benchmark of survey_intake on Airflow's real executors: a province's 111 county files (20,000 workers).

    .venv/bin/python bench/executors.py [--executor local|celery|both] [--workers 20000] [--repo DIR]
                                        [--setting AIRFLOW__SECTION__KEY=VALUE ...]

`local` is what `make airflow` runs: `airflow standalone` (LocalExecutor, SQLite metadata, parallelism 2) with
the campaign DB in a SQLite file. `celery` is the compose shape on loopback (tests.support.celery_cluster:
PostgreSQL, Redis, api-server, scheduler, dag-processor, triggerer, one Celery worker of concurrency 2). Each
starts fresh, lands the synthetic province (chunnuan.synth, seed 2024) and triggers one manual run over the
REST API, as the trigger form does; `seconds` is from the trigger to the run's end, as a coordinator waits
for it. Per task: how many task instances ran and the sum of their durations (what the executor's slots
spent). `--repo` runs another checkout's dags/ and include/ (e.g. the commit before a change) on the same
files, `--setting` changes an Airflow setting of both executors (e.g. the one issue 17 changed, to separate
its effect). Recorded results live in bench/RESULTS-executors.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "include"), str(REPO)]
CACHE = Path(tempfile.gettempdir()) / "chunnuan-bench-executors"
CAMPAIGN = "guangxi-2024"


def province(workers: int) -> Path:
    """The county files (cached): out/landing/<campaign>/survey/."""
    from chunnuan.config import campaign
    from chunnuan.synth.survey import generate

    out = CACHE / f"province-{workers}"
    landing = out / "landing" / CAMPAIGN / "survey"
    if not (out / "summary.json").exists():
        summary = generate(campaign.load(CAMPAIGN), workers, 2024, landing)
        (out / "summary.json").write_text(json.dumps(summary["expected"]))
    return out


def land(data: Path, workers: int) -> dict:
    source = province(workers)
    shutil.copytree(source / "landing", data / "landing", ignore=shutil.ignore_patterns("_truth"))
    return json.loads((source / "summary.json").read_text())


def task_summary(task_instances: list[dict]) -> dict:
    """Per task: instances and the sum of their durations; `idle`: seconds between the first task's start and
    the last one's end when no task ran (the scheduler and executor between tasks)."""
    per_task: dict[str, list[float]] = defaultdict(list)
    spans = []
    for t in task_instances:
        per_task[t["task_id"]].append(t["duration"] or 0.0)
        if t["start_date"] and t["end_date"]:
            spans.append((dt.datetime.fromisoformat(t["start_date"]), dt.datetime.fromisoformat(t["end_date"])))
    idle, reach = 0.0, None
    for start, end in sorted(spans):
        if reach is not None and start > reach:
            idle += (start - reach).total_seconds()
        reach = end if reach is None else max(reach, end)
    summary = {task: {"instances": len(d), "seconds": round(sum(d), 1)} for task, d in per_task.items()}
    return {**summary, "idle": round(idle, 1)}


def outcome(url: str) -> dict:
    from sqlalchemy import create_engine, text

    with create_engine(url).connect() as conn:
        files, read, loaded = conn.execute(text(
            "SELECT COUNT(*), SUM(rows_read), COUNT(*) FILTER (WHERE status = 'loaded') FROM submission_batch")).one()
        workers = conn.execute(text("SELECT COUNT(*) FROM survey_worker")).scalar()
    return {"files": files, "files_loaded": loaded, "rows_read": read, "workers_loaded": workers}


def follow(trigger, state, task_instances) -> tuple[str, float, list[dict]]:
    started = time.monotonic()
    run_id = trigger()
    while (s := state(run_id)) not in ("success", "failed"):
        time.sleep(0.5)
    return s, time.monotonic() - started, task_instances(run_id)


def now() -> str:
    """A logical date for the run (the commit before issue 17 needs one on a manual run with no file named)."""
    return dt.datetime.now(dt.UTC).isoformat()


def bench_celery(root: Path, workers: int, repo: Path, settings: dict[str, str]) -> dict:
    from chunnuan.devtools import smtp_sink
    from tests.support.celery_cluster import CeleryCluster

    sink = smtp_sink.start(root / "outbox")
    cluster = CeleryCluster(root, sink.port, repo=repo)
    try:
        cluster.extra_env = settings
        cluster.start()
        expected = land(cluster.data, workers)
        state, seconds, tis = follow(
            lambda: cluster.trigger("survey_intake", {"campaign": CAMPAIGN, "files": []}, now()),
            lambda run_id: cluster.run_state("survey_intake", run_id),
            lambda run_id: cluster.task_instances("survey_intake", run_id))
        return {"state": state, "seconds": round(seconds, 1), "tasks": task_summary(tis),
                **outcome(cluster.campaign_url), "expected": expected}
    finally:
        cluster.stop()
        sink.stop()


def bench_local(root: Path, workers: int, repo: Path, settings: dict[str, str]) -> dict:
    from tests.support.celery_cluster import pages
    from tests.support.standalone import Standalone

    data, url = root / "var", f"sqlite:///{root / 'campaign.db'}"
    expected = land(data, workers)
    from chunnuan import db

    db.upgrade(url)
    server = Standalone(root / "airflow", {"admin": ("admin", "admin-pass")}, {
        "AIRFLOW_CONN_CAMPAIGN_DB": json.dumps({"conn_type": "generic", "extra": {"sqlalchemy_url": url}}),
        "CHUNNUAN_HOME": str(data), "CHUNNUAN_CAMPAIGN": CAMPAIGN,
        "AIRFLOW__CORE__DAGS_FOLDER": str(repo / "dags"), "AIRFLOW__CORE__PLUGINS_FOLDER": str(repo / "plugins"),
        "PYTHONPATH": str(repo / "include"), "CHUNNUAN_CAMPAIGNS_DIR": str(repo / "include" / "campaigns"),
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True", **settings,
    })
    try:
        server.start()
        token = server.token("admin")

        def call(method: str, path: str, body: dict) -> dict:
            import urllib.request

            request = urllib.request.Request(server.url + path, json.dumps(body).encode(), method=method, headers={
                "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.load(response)

        def trigger() -> str:
            call("PATCH", "/api/v2/dags/survey_intake", {"is_paused": False})
            return call("POST", "/api/v2/dags/survey_intake/dagRuns",
                        {"logical_date": now(), "conf": {"campaign": CAMPAIGN, "files": []}})["dag_run_id"]

        state, seconds, tis = follow(
            trigger,
            lambda run_id: server.get(token, f"/api/v2/dags/survey_intake/dagRuns/{run_id}")["state"],
            lambda run_id: pages(lambda path: server.get(token, path),
                                 f"/api/v2/dags/survey_intake/dagRuns/{run_id}/taskInstances", "task_instances"))
        sqlite = outcome(url)
        return {"state": state, "seconds": round(seconds, 1), "tasks": task_summary(tis), **sqlite,
                "expected": expected}
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--executor", choices=("local", "celery", "both"), default="both")
    parser.add_argument("--workers", type=int, default=20_000)
    parser.add_argument("--repo", type=Path, default=REPO)
    parser.add_argument("--setting", action="append", default=[], help="AIRFLOW__SECTION__KEY=VALUE")
    args = parser.parse_args()
    settings = dict(s.split("=", 1) for s in args.setting)
    results = {}
    for executor in ("local", "celery") if args.executor == "both" else (args.executor,):
        root = Path(tempfile.mkdtemp(prefix=f"chunnuan-bench-{executor}-"))
        try:
            bench = bench_local if executor == "local" else bench_celery
            results[executor] = bench(root, args.workers, args.repo.resolve(), settings)
        finally:
            shutil.rmtree(root, ignore_errors=True)
        print(json.dumps({executor: results[executor]}, ensure_ascii=False), flush=True)
    print(json.dumps({"repo": str(args.repo), "workers": args.workers, "settings": settings,
                      "load_average": os.getloadavg(),
                      "results": results}, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
