"""Benchmark of the demand-survey intake at province scale. Prints figures and writes them as JSON.

    .venv/bin/python bench/survey_intake.py [--workers 1000000] [--seed 1]

Measures, on this machine, in one run:
1. files -> database on SQLite (register, read, normalise, gate, reasons, stage, load), per stage;
2. the gate (Great Expectations) against the same checks as plain vectorised pandas masks;
3. the load's write phase against raw sqlite3.executemany, and on PostgreSQL against raw COPY;
4. importing each DAG file against importing airflow.sdk alone.
Recorded results live in bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
os.environ.setdefault("AIRFLOW_HOME", tempfile.mkdtemp(prefix="chunnuan-bench-airflow-"))
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")


def timed(fn, *args, **kwargs):
    t = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t


def province(workers: int, seed: int, root: Path) -> Path:
    from chunnuan.config import campaign
    from chunnuan.synth.survey import generate

    out = root / f"guangxi-2024-{workers}-{seed}"
    if not (out / "_truth" / "summary.json").exists():
        _, took = timed(generate, campaign.load("guangxi-2024"), workers, seed, out, formats="csv")
        print(f"generated {workers} workers in {took:.1f}s -> {out}")
    return out


def end_to_end(files: list[Path], url: str, home: Path) -> dict:
    from chunnuan import db
    from chunnuan.config import campaign
    from chunnuan.intake.batches import load_validated, register_files, validate_batches

    os.environ["CHUNNUAN_HOME"] = str(home)
    gx = campaign.load("guangxi-2024")
    started = time.perf_counter()
    db.upgrade(url)
    engine = db.engine(url)
    registered, t_register = timed(register_files, engine, gx, files)
    outcomes, t_validate = timed(validate_batches, engine, gx, registered["new"])
    loaded, t_load = timed(load_validated, engine, gx)
    total = time.perf_counter() - started
    stages = {}
    for outcome in outcomes:
        for stage, seconds in outcome.get("seconds", {}).items():
            stages[stage] = stages.get(stage, 0.0) + seconds
    return {
        "files": len(files), "rows": sum(o["rows"] for o in outcomes),
        "loaded": loaded["loaded"], "merged": loaded["merged"],
        "quarantined": sum(o.get("quarantined", 0) for o in outcomes),
        "rejected": sum(o["status"] == "rejected" for o in outcomes),
        "seconds": {"register (hash files)": t_register, "validate (read+normalise+gate+stage)": t_validate,
                    "load (dedup+upsert+conservation)": t_load, "total": total},
        "validate_detail": {**stages, "stage files + feedback + quarantine rows":
                            t_validate - sum(stages.values())},
        "load_detail": loaded["seconds"],
    }


def gate_vs_pandas(files: list[Path]) -> dict:
    """Same checks, same frame: Great Expectations suite vs plain pandas masks (plus the shared derivation)."""
    import pandas as pd

    from chunnuan.config import campaign
    from chunnuan.intake import expectations as quality
    from chunnuan.intake.kinds.survey import SURVEY, prepare, survey_checks
    from chunnuan.intake.readers import read_submission

    gx = campaign.load("guangxi-2024")
    raw = pd.concat([read_submission(f, SURVEY).frame for f in files], ignore_index=True)
    prepared, t_prepare = timed(prepare, raw, gx)  # as the pipeline does: all files of a run at once
    checked = prepared.checked
    checks = survey_checks(gx)
    quality.failing_rows_gx(checked.head(1000), checks, "warmup")  # import and context creation
    gx_rows, t_gx = timed(quality.failing_rows_gx, checked, checks, "bench")
    pd_rows, t_pd = timed(quality.failing_rows_pandas, checked, checks)
    same = all((gx_rows[k] == pd_rows[k]).all() and len(gx_rows[k]) == len(pd_rows[k]) for k in pd_rows)
    return {
        "rows": len(checked), "expectations": len(checks), "same_failing_rows": bool(same),
        "seconds": {"derive (normalise + derived check columns)": t_prepare, "checks: great_expectations": t_gx,
                    "checks: pandas": t_pd},
        "ratio_checks_only": t_gx / t_pd,
        "ratio_gate_with_derivation": (t_prepare + t_gx) / (t_prepare + t_pd),
    }


def _worker_rows(files: list[Path]):
    from chunnuan.config import campaign
    from chunnuan.intake.batches import WORKER_COLUMNS
    from chunnuan.intake.gate import check_submissions
    from chunnuan.intake.kinds import survey

    gx = campaign.load("guangxi-2024")
    import pandas as pd

    frames = [r.valid.assign(batch_id=1, campaign_id=gx.id) for r in check_submissions(files, gx, engine="pandas", kind=survey.KIND)
              if r.error is None]
    rows = pd.concat(frames, ignore_index=True).drop_duplicates("id_number")
    return rows[WORKER_COLUMNS]


def _fresh_schema(url: str) -> None:
    from chunnuan import db

    db.upgrade(url)
    with db.engine(url).begin() as conn:
        conn.exec_driver_sql("INSERT INTO submission_batch (id, campaign_id, kind, file_name, sha256, received_at, status)"
                             " VALUES (1, 'guangxi-2024', 'survey', 'bench', 'x', '2024-01-01', 'loaded')")


def load_sqlite(rows, tmp: Path) -> dict:
    from chunnuan import db
    from chunnuan.db import bulk

    ours_url = f"sqlite:///{tmp / 'ours.db'}"
    _fresh_schema(ours_url)
    engine = db.engine(ours_url)
    t = time.perf_counter()
    with engine.begin() as conn:
        bulk.insert(conn, "survey_worker", rows)
    t_ours = time.perf_counter() - t

    raw_url = tmp / "raw.db"
    _fresh_schema(f"sqlite:///{raw_url}")
    tuples = bulk._records(rows)  # prepared beforehand: the baseline is executemany alone
    con = sqlite3.connect(raw_url)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    marks = ", ".join("?" for _ in rows.columns)
    t = time.perf_counter()
    con.executemany(f"INSERT INTO survey_worker ({', '.join(rows.columns)}) VALUES ({marks})", tuples)
    con.commit()
    t_raw = time.perf_counter() - t
    con.close()
    return {"rows": len(rows), "seconds": {"ours (frame -> table)": t_ours, "raw executemany": t_raw},
            "throughput_ratio": t_raw / t_ours}


def load_postgres(rows) -> dict:
    import psycopg

    from chunnuan import db
    from chunnuan.db import bulk
    from tests.support.postgres import Cluster

    cluster = Cluster().start()
    try:
        ours_url = cluster.create_database("ours")
        _fresh_schema(ours_url)
        t = time.perf_counter()
        with db.engine(ours_url).begin() as conn:
            bulk.insert(conn, "survey_worker", rows)
        t_ours = time.perf_counter() - t
        t = time.perf_counter()
        with db.engine(ours_url).begin() as conn:  # every row again: all of them are replacements now
            bulk.upsert(conn, "survey_worker", rows, key=["campaign_id", "id_number"])
        t_upsert = time.perf_counter() - t

        raw_url = cluster.create_database("raw")
        _fresh_schema(raw_url)
        buffer = io.StringIO()
        rows.to_csv(buffer, index=False, header=False)
        text = buffer.getvalue()  # prepared beforehand: the baseline is COPY alone
        dsn = raw_url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(dsn) as con:
            t = time.perf_counter()
            with con.cursor() as cur, cur.copy(
                    f"COPY survey_worker ({', '.join(rows.columns)}) FROM STDIN WITH (FORMAT csv)") as copy:
                copy.write(text)
            con.commit()
            t_raw = time.perf_counter() - t
    finally:
        cluster.stop()
    return {"rows": len(rows), "seconds": {"ours (frame -> table)": t_ours, "raw COPY": t_raw,
                                           "ours upsert of every row (replacements)": t_upsert},
            "throughput_ratio": t_raw / t_ours}


def dag_imports() -> dict:
    out = {}
    for path in sorted((REPO / "dags").glob("*.py")):
        code = (f"import time; t0 = time.perf_counter(); import airflow.sdk; t1 = time.perf_counter(); "
                f"import {path.stem}; t2 = time.perf_counter(); print(t1 - t0, t2 - t0)")
        runs = []
        for _ in range(5):
            done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                                  cwd=REPO / "dags")
            runs.append(tuple(map(float, done.stdout.split()[-2:])))
        sdk, total = min(runs, key=lambda r: r[1])
        out[path.stem] = {"airflow.sdk": sdk, "airflow.sdk + dag file": total, "ratio": total / sdk}
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data", default=str(REPO / "var" / "bench"))
    parser.add_argument("--out", default=str(REPO / "bench" / "results" / "survey_intake.json"))
    args = parser.parse_args()

    folder = province(args.workers, args.seed, Path(args.data))
    files = sorted(p for p in folder.iterdir() if p.suffix == ".csv")
    results = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                           "platform": platform.platform()},
               "workers": args.workers}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        results["end_to_end_sqlite"] = end_to_end(files, f"sqlite:///{tmp / 'campaign.db'}", tmp / "home")
        print(json.dumps(results["end_to_end_sqlite"], indent=1, ensure_ascii=False))
        results["gate_vs_pandas"] = gate_vs_pandas(files)
        print(json.dumps(results["gate_vs_pandas"], indent=1, ensure_ascii=False))
        rows = _worker_rows(files)
        results["load_sqlite"] = load_sqlite(rows, tmp)
        print(json.dumps(results["load_sqlite"], indent=1))
        results["load_postgres"] = load_postgres(rows)
        print(json.dumps(results["load_postgres"], indent=1))
    results["dag_import"] = dag_imports()
    print(json.dumps(results["dag_import"], indent=1))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
    print(f"written {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
