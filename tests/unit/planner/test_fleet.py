"""The fleet file (planner.fleet): round trip, and bad rows named by row."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from chunnuan.planner import FleetError, read_fleet, write_fleet
from tests.unit.planner.support import GX, make_fleet


def test_fleet_file_round_trip_and_bad_rows(tmp_path):
    fleet = make_fleet({19: 1, 53: 2}, days=(dt.date(2024, 2, 18), dt.date(2024, 2, 20)))
    path = tmp_path / "fleet.csv"
    write_fleet(fleet, path)
    back = read_fleet(path, GX)
    assert back.carriers == fleet.carriers
    pd.testing.assert_frame_equal(back.vehicles, fleet.vehicles)
    table = pd.read_csv(path, dtype=str, encoding="utf-8-sig")
    table.loc[0, "统一社会信用代码"] = "91450800MA00000000"
    table.loc[1, "质量信誉等级"] = "AAAA"
    table.to_csv(path, index=False, encoding="gbk")
    with pytest.raises(FleetError) as err:
        read_fleet(path, GX)
    assert "第2行 统一社会信用代码" in str(err.value) and "第3行 「质量信誉等级」只能填" in str(err.value)
    blamed = [line for line in str(err.value).splitlines() if "不一致" in line]
    assert all(line.startswith("  - 第3行") for line in blamed)  # the carrier's other rows are not blamed
