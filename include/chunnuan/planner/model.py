"""What the planner's parts share: the plan and its columns, statuses and referral reasons, and the
truthy parser. The bottom layer: it imports no other planner module, so every part can import it.

The layers (checked by tests/unit/planner/test_layers.py; a module imports only lower ones):
    model, parallel  →  demand, fleet, mix  →  route  →  network  →  assign  →  pool  →  rail  →  core
    →  replan, gate, io
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

TRIP_COLUMNS = ["trip_id", "route_id", "route", "date", "seats", "vehicle_class", "carrier_uscc", "carrier",
                "carrier_contact", "carrier_phone", "passengers", "km", "drivers", "cost", "stops", "mode"]
# stops: "" for a one-route trip; for a pooled trip (拼车) its stops in order, e.g.
# "1.平南县上车 07:00；2.桂平市上车 08:10；3.东莞市下车 15:30" (the whole rows in Plan.stops)
# One row per stop of a pooled trip (拼车), in driving order: 上车 stops, then 下车 ones; time at the
# stop ("07:00", "次日01:10"); km from the first stop; riders boarding / alighting there.
STOP_COLUMNS = ["trip_id", "stop_no", "action", "place_code", "place", "point", "time", "km", "boarding", "alighting"]
ACTION_PICKUP, ACTION_DROP = "上车", "下车"
# A trip's mode: a coach of the route plan or a pooled one, or a feeder coach (接驳车) taking rail riders
# from their county to the boarding station on the train's day (route "county>station's place").
MODE_COACH, MODE_FEEDER = "coach", "feeder"
ASSIGNMENT_COLUMNS = ["id_number", "status", "route_id", "route", "planned_date", "travel_date", "shift_days",
                      "trip_id", "reason", "train_id", "carriage_no", "board_station", "arrive_station"]
# train_id, carriage_no, board_station, arrive_station: "" / 0 for riders not on a train. A rail rider's
# trip_id is their feeder trip ("" when they board in their own county's station).

# One row per carriage used (专列: every carriage of the train, numbered 1..n; reserved carriages 1..k);
# train_id = f"{date:%Y%m%d}-{train_no}"; riders ≤ capacity; cost = riders × fare (the group fare is per person,
# for a 专列 too: the campaign pays for the riders it seats).
CAR_COLUMNS = ["train_id", "train_no", "date", "mode", "carriage_no", "carriage_type", "capacity", "riders",
               "from_station", "to_station", "fare", "cost", "bureau", "contact_name", "contact_phone"]
MODE_TRAIN, MODE_CARRIAGE = "专列", "车厢"

# A request's status in the assignments: on a charter coach, on a train, or referred to group ticketing.
STATUS_CHARTER = "包车"
STATUS_REFERRED = "集中购票"
STATUS_RAIL = "铁路"  # seated on a train (a reserved carriage or a 专列)

# A re-planned trip's `change`: kept as published, or added by this plan.
KEPT, ADDED = "kept", "added"

# Referral reasons (Chinese: they go to the county clerk and the worker).
# Decided before planning (demand.prepare):
REASON_UNKNOWN_PLACE = "务工地城市无法识别，无法安排包车，建议核实后集中购票"
REASON_UNKNOWN_HOME = "户籍县(市、区)代码无法识别，无法安排包车，建议核实后集中购票"
REASON_OUT_OF_WINDOW = "计划出行日期不在本次行动包车服务时段（{window}）内，建议集中购票"
REASON_SAME_PLACE = "出发地与目的地相同，无需包车"
# Decided by planning (assign; replan turns "no vehicles" into "shortage" where kept trips took the coaches):
REASON_NO_VEHICLES = "无符合资质的运输企业车辆可用于该线路，建议集中购票"
REASON_TOO_FEW = "所在线路可出行日期内人数不足最低发车人数（≥{min_riders}人），建议集中购票"
REASON_SHORTAGE = "可出行日期内可调配的包车车辆不足，建议集中购票"


@dataclass
class Shortage:
    route_id: str
    route: str
    date: str
    seats: int
    needed: int
    available: int

    def describe(self) -> str:
        return (f"{self.date} {self.route}：需{self.seats}座客车 {self.needed} 辆，可调配 {self.available} 辆，"
                f"缺 {self.needed - self.available} 辆")


@dataclass
class Plan:
    trips: pd.DataFrame  # one row per coach trip (see TRIP_COLUMNS)
    assignments: pd.DataFrame  # one row per request (see ASSIGNMENT_COLUMNS); holds id_number: manifests only
    routes: pd.DataFrame  # one row per route: riders, carried, referred, vehicles, cost, lower_bound
    shortages: list[Shortage]
    rejected_carriers: tuple[tuple[str, str, str], ...]
    summary: dict = field(default_factory=dict)  # no personal data
    # Stops of pooled trips (拼车), one row each in order: trip_id, stop_no, action (上车/下车), place_code,
    # place, point, time, km (from the first stop), boarding, alighting (see planner.pool.STOP_COLUMNS)
    stops: pd.DataFrame | None = None
    # Carriages of trains used (专列 / reserved carriages), one row each (see CAR_COLUMNS); None without rail
    cars: pd.DataFrame | None = None

    def shortage_report(self) -> str:
        if not self.shortages:
            return "各线路各日车辆充足。"
        return "车辆不足：\n" + "\n".join(f"  - {s.describe()}" for s in self.shortages)


def crosses_provinces(route_ids: pd.Series) -> np.ndarray:
    """Whether each route ("origin>destination", pooled "o1+o2>d1+d2") stops in more than one province:
    such trips need a carrier with the interprovincial permit."""
    codes = route_ids.astype(str).str.findall(r"\d{6}")
    return np.array([len({c[:2] for c in cs}) > 1 for cs in codes], dtype=bool)


def truthy(values: pd.Series) -> pd.Series:
    """Yes/no column (needs_charter) as booleans: 是 / true / 1 / yes / y or a real True."""
    text = values.astype("string").str.strip().str.lower()
    return text.isin(["是", "true", "1", "yes", "y"]) | (values.astype(object) == True)  # noqa: E712
