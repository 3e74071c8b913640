"""The process pool the route searches and the rider assignment share (routes are independent).

It must work in every process an Airflow task can run in: a LocalExecutor or Celery prefork worker (a
daemonic process: it may not start children, so the work runs in-process), a Celery solo worker and
`dag.test()` (a pool, whose workers must not import the `airflow` command again), a script, the CLI.
The plan is the same either way: the planner is deterministic and the pool keeps the order.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.forkserver
import os
import sys
import types

POOL_MIN_ROUTES = 200  # fewer routes than this are planned in-process

# Modules the pool's server imports before forking workers: the ones holding the work functions given to
# parallel_map (route.schedule_job, assign.route_days_job), which bring numpy, pandas and the rest of the
# planner with them. By name, not by import: this module stays below them.
PRELOAD = ("chunnuan.planner.route", "chunnuan.planner.assign")


def default_workers() -> int:
    return max(1, min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1, 8))


def can_start_processes() -> bool:
    """False in a daemonic process (LocalExecutor and Celery prefork workers, and the tasks they fork):
    multiprocessing refuses to start children there ("daemonic processes are not allowed to have children")."""
    return not multiprocessing.current_process().daemon


def _pool_pays(workers: int, jobs: int) -> bool:
    return (workers > 1 and jobs >= POOL_MIN_ROUTES and "forkserver" in multiprocessing.get_all_start_methods()
            and can_start_processes())


def start_server(workers: int, jobs: int) -> None:
    """Start the pools' server now if a pool may be used: its imports overlap the caller's own work."""
    if _pool_pays(workers, jobs):
        forkserver()
        multiprocessing.forkserver.ensure_running()


def parallel_map(fn, jobs: list, workers: int) -> list:
    """fn over jobs, in worker processes when it pays (routes are independent); order kept."""
    if not _pool_pays(workers, len(jobs)):
        return [fn(j) for j in jobs]
    # forkserver, not fork: inside Airflow tasks (and after Great Expectations) the process has threads,
    # and a forked child can inherit a held lock and hang (seen in the test suite).
    with _main_hidden():  # the workers are started here, and read __main__ when they start
        pool = forkserver().Pool(workers)
    with pool:
        return pool.map(fn, jobs, chunksize=max(1, len(jobs) // (workers * 16)))


@contextlib.contextmanager
def _main_hidden():
    """Start pool workers without the parent's __main__. Each worker would import it again first
    (multiprocessing.spawn.prepare); in an Airflow task that is the `airflow` command, whose import reads
    Airflow's settings with the metadata DB URL a task is deliberately not given: the workers die as they
    start, the pool starts new ones, forever. The work functions live in PRELOAD's modules, so workers need
    nothing from __main__."""
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = main


def forkserver():
    """The forkserver context, its server importing PRELOAD first: workers fork with numpy, pandas and
    the planner loaded instead of importing them again in every pool (≈ 1 s a pool on 2 CPUs, and a
    plan opens two). Not __main__: in an Airflow task or a script without a main guard that would run it
    again. No effect once the server runs."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(list(PRELOAD))
    return ctx
