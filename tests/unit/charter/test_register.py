"""The plan in force kept as files: the newest plan wins, and a reader never mixes two plans' files."""

from __future__ import annotations

import json

import pandas as pd

from chunnuan.charter import register

CAMPAIGN = "guangxi-2024"


def trips(*ids: str) -> pd.DataFrame:
    return pd.DataFrame({"trip_id": list(ids), "date": ["2024-02-18"] * len(ids), "seats": [53] * len(ids),
                         "carrier_uscc": ["91450800MA5L000001"] * len(ids)})


def riders(trip: str, *ids: str) -> pd.DataFrame:
    return pd.DataFrame({"trip_id": [trip] * len(ids), "id_number": list(ids)})


def test_the_newest_published_plan_is_in_force_and_an_older_rerun_leaves_it(monkeypatch, tmp_path):
    monkeypatch.setenv("CHUNNUAN_HOME", str(tmp_path))
    assert register.read(CAMPAIGN) is None
    register.write(CAMPAIGN, 1, trips("A"), riders("A", "1"))
    register.write(CAMPAIGN, 2, trips("B", "C"), riders("B", "2", "3"))
    register.write(CAMPAIGN, 1, trips("A"), riders("A", "1"))  # a re-run publish of plan 1
    in_force = register.read(CAMPAIGN)
    assert in_force.plan_id == 2
    assert in_force.trips["trip_id"].tolist() == ["B", "C"]
    assert in_force.riders["id_number"].tolist() == ["2", "3"]


def test_a_reader_of_the_plan_before_still_finds_its_files_and_older_ones_are_removed(monkeypatch, tmp_path):
    monkeypatch.setenv("CHUNNUAN_HOME", str(tmp_path))
    folder = register.folder(CAMPAIGN)
    register.write(CAMPAIGN, 1, trips("A"), riders("A", "1"))
    plan_1 = json.loads((folder / "plan.json").read_text(encoding="utf-8"))  # a check has read plan 1's pointer …
    register.write(CAMPAIGN, 2, trips("B"), riders("B", "2"))  # … when plan 2 is published
    assert register.read(CAMPAIGN).plan_id == 2
    assert pd.read_parquet(folder / plan_1["riders"])["id_number"].tolist() == ["1"]  # still plan 1's own riders
    register.write(CAMPAIGN, 3, trips("C"), riders("C", "3"))
    assert not (folder / plan_1["trips"]).exists() and not (folder / plan_1["riders"]).exists()
    assert len(list(folder.glob("plan-*.parquet"))) == 4  # plans 2 and 3, two files each
    assert not list(folder.glob("plan-*.json"))  # the pointer was moved into place, none left pending


def test_a_register_written_before_the_files_had_their_own_names_is_still_read(monkeypatch, tmp_path):
    monkeypatch.setenv("CHUNNUAN_HOME", str(tmp_path))
    folder = register.folder(CAMPAIGN)
    folder.mkdir(parents=True)
    trips("A").to_parquet(folder / "trips.parquet", index=False)
    riders("A", "1").to_parquet(folder / "riders.parquet", index=False)
    (folder / "plan.json").write_text(json.dumps({"plan_id": 4}), encoding="utf-8")
    in_force = register.read(CAMPAIGN)
    assert (in_force.plan_id, in_force.riders["id_number"].tolist()) == (4, ["1"])
    register.write(CAMPAIGN, 5, trips("B"), riders("B", "2"))
    assert register.read(CAMPAIGN).riders["id_number"].tolist() == ["2"]
