"""Files in and out (planner.io): the demand file, `chunnuan plan`'s outputs, the fast CSV paths."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from chunnuan.planner import plan, plan_files, read_demand, summary_json, write_fleet
from chunnuan.planner.io import write_csv
from tests.unit.planner.support import GX, make_fleet, make_requests


def test_demand_file_with_chinese_headers(tmp_path):
    rng = np.random.default_rng(2)
    requests = make_requests(rng, 50)
    chinese = requests.rename(columns={"id_number": "身份证号", "work_city": "务工地城市", "travel_date": "计划出行日期"})
    path = tmp_path / "demand.csv"
    chinese.to_csv(path, index=False, encoding="gbk")
    frame = read_demand(path)
    assert {"id_number", "work_city", "travel_date", "home_county_code"} <= set(frame.columns)
    assert len(plan(frame, make_fleet({53: 2}), GX, workers=1).assignments) == 50


def test_plan_files_writes_what_the_cli_prints(tmp_path):
    rng = np.random.default_rng(4)
    make_requests(rng, 200).to_csv(tmp_path / "demand.csv", index=False)
    write_fleet(make_fleet({35: 2, 53: 2}), tmp_path / "fleet.csv")
    result = plan_files(tmp_path / "demand.csv", tmp_path / "fleet.csv", "guangxi-2024", tmp_path / "out", workers=1)
    assert json.loads(summary_json(result)) == result.summary
    assert {p.name for p in (tmp_path / "out").iterdir()} == {"trips.csv", "assignments.csv", "shortages.csv", "stops.csv", "cars.csv",
                                                               "summary.json"}


def test_csv_outputs_are_the_bytes_pandas_writes(tmp_path, monkeypatch):
    frames = [
        pd.DataFrame({"id": ["450102000000000001", "", None, "甲乙"], "days": [0, -2, 3, 1],
                      "n": pd.array([1, None, 3, 4], dtype="Int64")}),
        pd.DataFrame({"route": ["a,b", 'say "hi"', "x\ny"], "n": [1, 2, 3]}),  # need quotes: pandas writes them
        pd.DataFrame({"cost": [1.0, 2.5], "ok": [True, False]}),  # other types: pandas writes them
        pd.DataFrame({"id": pd.Series([], dtype=str), "n": pd.Series([], dtype="int64")}),
    ]
    for frame in frames:
        write_csv(frame, tmp_path / "fast.csv")
        frame.to_csv(tmp_path / "pandas.csv", index=False, encoding="utf-8-sig")
        assert (tmp_path / "fast.csv").read_bytes() == (tmp_path / "pandas.csv").read_bytes()

    frames[0].to_csv(tmp_path / "pandas.csv", index=False, encoding="utf-8-sig")

    def no_pandas(*args, **kwargs):
        raise AssertionError("plain text and integer columns should go through Arrow")

    monkeypatch.setattr(pd.DataFrame, "to_csv", no_pandas)
    write_csv(frames[0], tmp_path / "arrow.csv")  # the fast path really runs in the common case
    assert (tmp_path / "arrow.csv").read_bytes() == (tmp_path / "pandas.csv").read_bytes()


def test_demand_csv_reads_as_the_c_parser_does(tmp_path):
    import io

    texts = ["id_number,work_city,flex_days\n1, 深圳 ,3\n2,\"广州,市\",\n3,NA,null\n",
             "a,b\n1,\"x\ny\"\n\n2,\n",
             "a,b\n1,2,3\n4\n"]  # ragged: Arrow refuses it, the C parser reads it
    for i, text in enumerate(texts):
        (tmp_path / f"{i}.csv").write_text(text, encoding="utf-8-sig")
        expected = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
        pd.testing.assert_frame_equal(read_demand(tmp_path / f"{i}.csv"), expected)
