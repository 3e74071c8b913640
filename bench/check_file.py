"""Benchmark of `chunnuan check` on one big county file: time and peak memory, CSV and XLSX.

    .venv/bin/python bench/check_file.py [--rows 100000] [--repo DIR] [--runs 3]

The file is a province's synthetic survey (chunnuan.synth, with its injected mistakes) gathered into one
sheet, as a city that merges its counties' returns would send it. Each run is a fresh `chunnuan check`
process, as a clerk runs it: `seconds` is the whole process (imports, a warm-up check of the one-row file,
the check), `check_seconds` the check alone once Great Expectations' context exists (reading,
normalising, checking, deciding, printing; the figure the 100,000-row bar is about). Peak memory is the
process's maximum resident set, next to the same command on a one-row file (the difference matters). `--repo` runs another checkout's
code on the same files (e.g. the commit before a change), for a before/after on one machine and load.
Recorded results live in bench/RESULTS-check.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CACHE = Path(tempfile.gettempdir()) / "chunnuan-bench-check"
WARM_AND_CHECK = """
import contextlib, io, sys, time
from chunnuan.cli import main
big, warm = sys.argv[1:3]
options = ["--campaign", "guangxi-2024", "--json"]
with contextlib.redirect_stdout(io.StringIO()):  # the first run's costs (Great Expectations' context) first
    main(["check", warm, *options])
started = time.perf_counter()
code = main(["check", big, *options])
print(f"CHECK_SECONDS {time.perf_counter() - started}", file=sys.stderr)
sys.exit(code)
"""


def build_files(rows: int) -> dict[str, Path]:
    """One CSV and one XLSX of `rows` survey rows (cached between runs), and a one-row CSV."""
    sys.path.insert(0, str(REPO / "include"))
    import pandas as pd

    from chunnuan.config import campaign
    from chunnuan.intake import registry
    from chunnuan.intake.readers import ROW_NO, read_submission
    from chunnuan.synth.survey import generate

    out = CACHE / f"survey-{rows}"
    files = {"csv": out / "全市汇总.csv", "xlsx": out / "全市汇总.xlsx", "tiny": out / "一行.csv"}
    if all(p.exists() for p in files.values()):
        return files
    gx, schema = campaign.load("guangxi-2024"), registry.gate_kind("survey").schema
    generate(gx, rows, 1, out / "counties", formats="csv")
    frames = [read_submission(p, schema).frame.drop(columns=ROW_NO)
              for p in sorted((out / "counties").glob("*.csv"))]
    table = pd.concat(frames, ignore_index=True).head(rows)
    table.columns = [schema.by_field[f].header for f in table.columns]
    table.to_csv(files["csv"], index=False, encoding="utf-8")
    table.head(1).to_csv(files["tiny"], index=False, encoding="utf-8")
    with pd.ExcelWriter(files["xlsx"], engine="openpyxl") as writer:
        table.to_excel(writer, index=False, sheet_name="需求摸排")
    return files


def run_check(repo: Path, path: Path, warm: Path) -> dict:
    """One `chunnuan check` process on `path` with `repo`'s code (after a check of `warm`): seconds of the
    whole process, of the check alone, peak RSS (MB), and the check's counts."""
    env = {**os.environ, "PYTHONPATH": f"{repo / 'include'}:{repo}", "GX_ANALYTICS_ENABLED": "False"}
    started = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen([sys.executable, "-c", WARM_AND_CHECK, str(path), str(warm)],
                                env=env, stdout=subprocess.PIPE, stderr=err)
        out = proc.stdout.read()
        _, _, usage = os.wait4(proc.pid, 0)  # the child's own peak, not the maximum over all children so far
        proc.returncode = 0
        err.seek(0)
        check = float(err.read().decode().rsplit("CHECK_SECONDS ", 1)[1].split()[0])
    seconds = time.perf_counter() - started
    summary = json.loads(out)
    return {"seconds": round(seconds, 2), "check_seconds": round(check, 2), "peak_mb": round(usage.ru_maxrss / 1024),
            "rows": summary["rows"], "valid": summary["valid"], "quarantined": summary["quarantined"],
            "error": summary["error"]}


def measure(repo: Path, path: Path, warm: Path, runs: int) -> dict:
    """Best of `runs` by the check's own time, with every run's."""
    results = [run_check(repo, path, warm) for _ in range(runs)]
    return min(results, key=lambda r: r["check_seconds"]) | {"runs": [r["check_seconds"] for r in results]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repo", type=Path, default=REPO)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    files = build_files(args.rows)
    load = os.getloadavg()[0]
    figures = {name: measure(args.repo.resolve(), path, files["tiny"], args.runs if name != "tiny" else 1)
               for name, path in files.items()}
    print(json.dumps({"repo": str(args.repo), "load": round(load, 2), **figures}, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
