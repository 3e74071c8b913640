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


def test_plan_command_pools_and_can_switch_pooling_off(tmp_path, capsys):
    """Riders too few for a coach on their own route share one (拼车): the JSON counts them and stops.csv
    lists the stops; --no-pooling plans the same files without."""
    from tests.unit.planner.support import make_fleet
    from tests.unit.planner.test_pool import DONGGUAN, GUIPING, PINGNAN, riders

    riders([(PINGNAN, DONGGUAN, 8, 0, 0), (GUIPING, DONGGUAN, 8, 0, 0)]).to_csv(tmp_path / "demand.csv", index=False)
    write_fleet(make_fleet({19: 2}), tmp_path / "fleet.csv")
    args = ["plan", str(tmp_path / "demand.csv"), str(tmp_path / "fleet.csv"), "--campaign", GX.id, "--json",
            "--workers", "1"]
    assert main([*args, "--out", str(tmp_path / "on")]) == 0
    pooled = json.loads(capsys.readouterr().out)
    assert pooled["pooled_trips"] == 1 and pooled["pooled_riders"] == pooled["chartered"] == 16
    stops = (tmp_path / "on" / "stops.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(stops) == 1 + pooled["pooled_stops"] == 4 and stops[1].split(",")[2] == "上车"
    assert "1.贵港市桂平市上车" in (tmp_path / "on" / "trips.csv").read_text(encoding="utf-8-sig")
    assert main([*args, "--out", str(tmp_path / "off"), "--no-pooling"]) == 0
    plain = json.loads(capsys.readouterr().out)
    assert plain["pooling"] == "off" and plain["chartered"] == 0 and plain["referred"] == 16
