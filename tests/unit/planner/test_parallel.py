"""The process pool (planner.parallel): worker processes give the same plan as one process."""

from __future__ import annotations

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
