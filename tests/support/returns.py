"""A small published charter plan (the files `charter.register` keeps) and rows of a carrier's returned manifest
that match it: valid by default, one field changed to make a case."""

from __future__ import annotations

import pandas as pd

from chunnuan.charter import register
from tests.support.rows import make_id

# Two coaches on 2024-02-18: T1 (53 seats) and T2 (45 seats); riders 1-3 on T1, 4-6 on T2.
TRIPS = pd.DataFrame({"trip_id": ["GX-T1", "GX-T2"], "date": ["2024-02-18", "2024-02-18"], "seats": [53, 45],
                      "carrier_uscc": ["91450800MA5L000001", "91450800MA5L000001"]})
RIDER_TRIP = {n: "GX-T1" if n <= 3 else "GX-T2" for n in range(1, 7)}


def rider_id(n: int) -> str:
    return make_id(seq=500 + n)


def publish_small_plan(campaign_id: str, plan_id: int = 1) -> None:
    """The plan in force for `campaign_id` under the current CHUNNUAN_HOME."""
    riders = pd.DataFrame({"trip_id": list(RIDER_TRIP.values()), "id_number": [rider_id(n) for n in RIDER_TRIP]})
    register.write(campaign_id, plan_id, TRIPS, riders)


def trip_row(trip: str = "GX-T1", **overrides: str) -> dict[str, str]:
    row = {"车次编号": trip, "发车日期": "2024-02-18", "座位数": "53", "车牌号": "桂R12345", "驾驶员": "李四",
           "实际发车时间": "2024-02-18 07:30", "实载人数": "3", "姓名": "", "身份证号": "", "是否乘车": ""}
    row.update(overrides)
    return row


def rider_row(n: int = 1, **overrides: str) -> dict[str, str]:
    row = {"车次编号": RIDER_TRIP[n], "发车日期": "2024-02-18", "座位数": "", "车牌号": "", "驾驶员": "",
           "实际发车时间": "", "实载人数": "", "姓名": f"乘客{n}", "身份证号": rider_id(n), "是否乘车": "是"}
    row.update(overrides)
    return row


def return_rows(n: int = 1, **overrides: str) -> dict[str, str]:
    """Row n of a valid return: the two trips' rows first, then riders (for the per-kind tests)."""
    if n <= 2:
        return trip_row(f"GX-T{n}", **overrides)
    return rider_row(n - 2, **overrides)
