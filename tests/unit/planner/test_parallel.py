"""The process pool (planner.parallel): worker processes give the same plan as one process."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys

import numpy as np
import pandas as pd

from chunnuan.planner import parallel, plan
from tests.unit.planner.support import GX, make_fleet, make_requests


def test_worker_processes_give_the_same_plan(monkeypatch):
    rng = np.random.default_rng(8)
    requests = make_requests(rng, 500)
    fleet = make_fleet({19: 2, 35: 2, 53: 3})
    one = plan(requests, fleet, GX, workers=1)
    monkeypatch.setattr(parallel, "POOL_MIN_ROUTES", 1)
    pools = []
    real = parallel.forkserver
    monkeypatch.setattr(parallel, "forkserver", lambda: pools.append(1) or real())
    pd.testing.assert_frame_equal(one.assignments, plan(requests, fleet, GX, workers=2).assignments)
    assert len(pools) >= 2  # the searches and the rider assignment both ran in worker processes


def _map_in_daemon(queue) -> None:
    queue.put(parallel.parallel_map(abs, list(range(-300, 0)), 2))


def test_a_daemonic_process_maps_in_process(monkeypatch):
    """LocalExecutor and Celery prefork workers are daemonic: no pool there, the same answer in-process."""
    assert parallel.can_start_processes()
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_map_in_daemon, args=(queue,), daemon=True)
    child.start()
    assert queue.get(timeout=60) == list(range(300, 0, -1))
    child.join(60)
    assert child.exitcode == 0


# A main module that must not be imported again: as the `airflow` command is inside a task.
MAIN = """
import sys
if __name__ != "__main__":
    sys.exit("imported again as " + __name__)
from chunnuan.planner import parallel
pools = []
real = parallel.forkserver
parallel.forkserver = lambda: pools.append(1) or real()
print(parallel.parallel_map(abs, list(range(-300, 0)), 2) == list(range(300, 0, -1)), len(pools))
"""


def test_pool_workers_do_not_import_the_main_module_again(tmp_path):
    script = tmp_path / "entry_point.py"
    script.write_text(MAIN)
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "1"]  # mapped right, and by a pool
