"""`chunnuan intake` runs the DAG's intake steps without Airflow: every kind's landing folder, or the files
named as in the DAG's form, with the same conservation."""

from __future__ import annotations

import json

from sqlalchemy import text

from chunnuan import db
from chunnuan.cli import main
from chunnuan.config import campaign, settings
from chunnuan.planner import write_fleet
from chunnuan.synth.charter import fleet as synthetic_fleet
from tests.support.rows import valid_row, write_csv

GX = campaign.load("guangxi-2024")


def counts(url) -> dict:
    with db.engine(url).connect() as conn:
        return dict(conn.execute(text(
            "SELECT kind, SUM(rows_read) - SUM(rows_loaded) - SUM(rows_quarantined) - SUM(rows_merged) FROM "
            "submission_batch GROUP BY kind")).all()) | {
            "workers": conn.execute(text("SELECT COUNT(*) FROM survey_worker")).scalar(),
            "offers": conn.execute(text("SELECT COUNT(*) FROM fleet_offer")).scalar()}


def test_every_landing_folder_is_taken_in(db_url, chunnuan_home, capsys):
    survey, fleet = (settings.landing_dir(GX.id, k) for k in ("survey", "fleet"))
    survey.mkdir(parents=True)
    fleet.mkdir(parents=True)
    write_csv(survey / "平南县.csv", [*(valid_row(n) for n in range(1, 10)), valid_row(10, 身份证号="123")])
    write_fleet(synthetic_fleet(GX, 2_000, seed=4), fleet / "运力.csv")
    offers = len((fleet / "运力.csv").read_text(encoding="utf-8-sig").splitlines()) - 1

    assert main(["intake", "--campaign", GX.id, "--url", db_url]) == 0

    out = json.loads(capsys.readouterr().out)
    assert out["loaded"]["survey"]["loaded"] == 9 and out["loaded"]["fleet"]["loaded"] == offers
    assert counts(db_url) == {"survey": 0, "fleet": 0, "workers": 9, "offers": offers}


def test_a_mistyped_file_is_named_and_nothing_is_registered(db_url, chunnuan_home, capsys):
    survey = settings.landing_dir(GX.id, "survey")
    survey.mkdir(parents=True)
    write_csv(survey / "平南县.csv", [valid_row(1)])

    assert main(["intake", "平南县.csv", "桂平市.csv", "--campaign", GX.id, "--url", db_url]) == 2

    assert "找不到指定的文件：桂平市.csv" in capsys.readouterr().err
    with db.engine(db_url).connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM submission_batch")).scalar() == 0
