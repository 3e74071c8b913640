"""集中购票 rosters: each referred rider boards at the right station and lands in the right group."""

from __future__ import annotations

import pandas as pd

from chunnuan.charter.ticket_roster import board
from chunnuan.config import campaign

GX = campaign.load("guangxi-2024")
PINGNAN, GANGNAN, SHENZHEN, DONGGUAN = "450821", "450802", "440300", "441900"


def rider(n: int, home: str, trip: str, work: str | None, day: str) -> dict:
    return {"id_number": f"{home}19900101{n:03d}X", "name": f"工人{n}", "phone": f"1380000{n:04d}", "trip_type": trip,
            "served_by_code": home, "home_county_code": home, "work_place": work, "travel_date": day}


def test_riders_board_at_their_place_station_grouped_by_date_and_destination():
    riders = pd.DataFrame([
        rider(1, PINGNAN, "返岗", SHENZHEN, "2024-02-18"),  # 平南南 → 深圳北
        rider(2, PINGNAN, "返岗", SHENZHEN, "2024-02-18"),  # same group
        rider(3, PINGNAN, "返岗", DONGGUAN, "2024-02-18"),  # same day, another destination: next group
        rider(4, PINGNAN, "返岗", SHENZHEN, "2024-02-19"),  # another day
        rider(5, GANGNAN, "返岗", SHENZHEN, "2024-02-18"),  # 港南区 has no station: 贵港, its city's nearest
        rider(6, PINGNAN, "返乡", SHENZHEN, "2024-02-03"),  # 返乡 departs from the work city
        rider(7, PINGNAN, "返岗", None, "2024-02-18"),  # unplaced work city: still listed, from home
    ])
    out = board(riders, GX).set_index("name")
    assert out.loc["工人1", ["from_station", "telecode", "to_station"]].tolist() == ["平南南", "PAZ", "深圳北"]
    assert out.loc["工人3", "to_station"] == "东莞"
    assert out.loc["工人5", ["from_station", "to_station"]].tolist() == ["贵港", "深圳北"]
    assert out.loc["工人6", ["from_station", "to_station", "destination"]].tolist() == ["深圳北", "平南南",
                                                                                      "贵港市平南县"]
    assert out.loc["工人7", ["from_station", "to_station"]].tolist() == ["平南南", "平南南"]
    # 平南南's groups: (02-18, 东莞), (02-18, 深圳北), (02-18, 平南南), (02-19, 深圳北): numbered in that order
    pn = out[out["from_station"] == "平南南"].sort_values(["group_no", "seq"])
    assert list(zip(pn["group_no"], pn["travel_date"], pn["to_station"], pn["seq"], strict=True)) == [
        (1, "2024-02-18", "东莞", 1), (2, "2024-02-18", "平南南", 1), (3, "2024-02-18", "深圳北", 1),
        (3, "2024-02-18", "深圳北", 2), (4, "2024-02-19", "深圳北", 1)]
    assert len(out) == len(riders)  # one row per referred rider
