"""The process pool the route searches and the rider assignment share (routes are independent)."""

from __future__ import annotations

import multiprocessing
import multiprocessing.forkserver
import os

POOL_MIN_ROUTES = 200  # fewer routes than this are planned in-process

# Modules the pool's server imports before forking workers: the ones holding the work functions given to
# parallel_map (route.schedule_job, assign.route_days_job), which bring numpy, pandas and the rest of the
# planner with them. By name, not by import: this module stays below them.
PRELOAD = ("chunnuan.planner.route", "chunnuan.planner.assign")


def default_workers() -> int:
    return max(1, min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1, 8))


def _pool_pays(workers: int, jobs: int) -> bool:
    return workers > 1 and jobs >= POOL_MIN_ROUTES and "forkserver" in multiprocessing.get_all_start_methods()


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
    with forkserver().Pool(workers) as pool:
        return pool.map(fn, jobs, chunksize=max(1, len(jobs) // (workers * 16)))


def forkserver():
    """The forkserver context, its server importing PRELOAD first: workers fork with numpy, pandas and
    the planner loaded instead of importing them again in every pool (≈ 1 s a pool on 2 CPUs, and a
    plan opens two). Not __main__: in an Airflow task or a script without a main guard that would run it
    again. No effect once the server runs."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(list(PRELOAD))
    return ctx
