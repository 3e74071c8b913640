"""The route-level network every planning step shares, and the per-route work carried between steps.

`core` builds a `Network` (riders on routes, coach sizes, costs, daily supply) and one `RouteWork` per
route (cost tables, the chosen schedule); `assign` turns them into trips and manifests.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from chunnuan.planner.demand import Riders
from chunnuan.planner.fleet import Fleet
from chunnuan.planner.mix import MixTable
from chunnuan.planner.route import RouteSchedule


@dataclass
class Network:
    """Everything route-level the steps share."""

    riders: Riders
    seats: np.ndarray  # (K,) seat counts offered, ascending
    min_load: np.ndarray  # (K,)
    costs: np.ndarray  # (R, K) per-trip cost of each size on each route
    supply_permit: np.ndarray  # (days, K) coaches of carriers with the interprovincial permit
    supply_other: np.ndarray  # (days, K)
    groups: pd.DataFrame  # route, start, deadline, planned, count
    spans: np.ndarray  # (R, 2) first start, last deadline
    fleet: Fleet  # qualified carriers only
    group_bounds: np.ndarray = field(default=None)  # (R + 1,) row range of each route in groups

    def group_arrays(self, r: int) -> tuple[np.ndarray, ...]:
        """start, deadline, planned, count of route r's rider groups (absolute days)."""
        sl = slice(self.group_bounds[r], self.group_bounds[r + 1])
        return tuple(a[sl] for a in self._arrays)

    def __post_init__(self) -> None:
        g = self.groups
        self._arrays = tuple(g[c].to_numpy(dtype=np.int64) for c in ("start", "deadline", "planned", "count"))
        self.cross = self.riders.routes["cross_province"].to_numpy(dtype=bool)
        self.group_bounds = np.searchsorted(g["route"].to_numpy(), np.arange(len(self.riders.routes) + 1))


@dataclass
class RouteWork:
    arrivals: np.ndarray
    tables: list[MixTable]
    day_table: np.ndarray
    schedule: RouteSchedule | None = None
    carried_arrivals: np.ndarray | None = None  # arrivals of the riders finally carried (for the bound)
    planned: np.ndarray | None = None  # riders planned on each day of the span
    mixes: dict | None = None  # day -> coaches per size, fixed when riders are seated


def min_riders(net: Network) -> int:
    return int(net.min_load.min()) if len(net.min_load) else 0
