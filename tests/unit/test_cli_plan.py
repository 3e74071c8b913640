"""The `chunnuan plan` command: outputs written, a JSON summary printed."""

from __future__ import annotations

import json

import numpy as np

from chunnuan.cli import main
from chunnuan.config import campaign
from chunnuan.planner import write_fleet
from chunnuan.synth import charter as synthetic

GX = campaign.load("guangxi-2024")


def test_plan_command_writes_outputs_and_prints_json(tmp_path, capsys):
    requests = synthetic.requests(GX, 4000, seed=5)
    requests.to_csv(tmp_path / "demand.csv", index=False)
    write_fleet(synthetic.fleet(GX, 4000, seed=5), tmp_path / "fleet.csv")
    code = main(["plan", str(tmp_path / "demand.csv"), str(tmp_path / "fleet.csv"), "--campaign", GX.id,
                 "--out", str(tmp_path / "out"), "--json", "--workers", "1"])
    summary = json.loads(capsys.readouterr().out)
    assert code == 0 and summary["requests"] == 4000 == summary["chartered"] + summary["referred"]
    trips = np.loadtxt(tmp_path / "out" / "trips.csv", delimiter=",", skiprows=1, usecols=(4, 10), ndmin=2,
                       encoding="utf-8-sig") if summary["trips"] else np.empty((0, 2))
    assert len(trips) == summary["trips"] and (trips[:, 1] <= trips[:, 0]).all()
