"""What became of the plan, on SQLite and PostgreSQL: before any return 运送 is the plan, labelled 计划; after the
carriers' returns the report's planned / boarded / no-show figures per county and city equal counts made straight
from the tables, the trips that did not run and the 超员 trip are named, and each county's no-show list is a file
kept in the system."""

from __future__ import annotations

import dataclasses
import datetime as dt

from openpyxl import load_workbook

from chunnuan import db
from chunnuan.config import settings
from chunnuan.report import steps
from chunnuan.report.outcomes import write_no_shows
from chunnuan.synth.returns import fill_carrier_workbook
from tests.support.campaign_db import query
from tests.support.returns_db import GUIPING, GX, PINGNAN, publish_plan, submit

AS_OF = dt.date(2024, 2, 26)


def per_county_sql(url) -> dict[str, tuple[int, int, int, int]]:
    """county -> (planned, boarded, no-shows, switched), counted from the tables without the report's SQL."""
    planned = dict(query(url, "SELECT w.served_by_code, COUNT(*) FROM charter_assignment a JOIN survey_worker w "
                              "ON w.id_number = a.id_number WHERE a.trip_id IS NOT NULL GROUP BY w.served_by_code"))
    answers = query(url, "SELECT SUBSTR(r.id_number, 1, 6), r.boarded, COUNT(*) FROM trip_return r "
                         "WHERE r.record = 'rider' GROUP BY SUBSTR(r.id_number, 1, 6), r.boarded")
    got = {c: dict.fromkeys(("是", "否", "改乘"), 0) for c in planned}
    for county, answer, n in answers:
        got[county][answer] = n
    return {c: (planned[c], got[c]["是"], got[c]["否"], got[c]["改乘"]) for c in planned}


def test_planned_then_boarded_per_county_and_city(db_url, chunnuan_home, tmp_path):
    engine = db.engine(db_url)
    [workbook] = publish_plan(db_url, tmp_path)["carrier_files"]
    trips = [r[0] for r in query(db_url, "SELECT trip_id FROM charter_trip ORDER BY travel_date, trip_id")]

    before = steps.collect(engine, GX, AS_OF)
    province = before.province
    assert province["transported"] == province["chartered"] == province["not_returned"] > 0
    assert "均为计划数" in steps.render(before, "weekly") and before.trips["returned"] == 0

    landing = settings.landing_dir(GX.id, "trip_returns")
    made = fill_carrier_workbook(workbook, landing / "回执.xlsx", no_show_share=0.1, overcrowded=frozenset(trips[:1]),
                                 not_run=frozenset(trips[1:2]))
    submit(db_url, landing / "回执.xlsx", "trip_returns")

    figures = steps.collect(engine, GX, AS_OF)
    assert steps.gate(figures) == []
    counties = figures.counties.set_index("county_code")
    want = per_county_sql(db_url)
    assert set(want) == {PINGNAN, GUIPING}
    for code, (planned, boarded, no_shows, switched) in want.items():
        row = counties.loc[code]
        assert (row["chartered"], row["boarded"], row["no_shows"], row["switched"], row["not_returned"]) == (
            planned, boarded, no_shows, switched, 0)
        assert row["transported"] == boarded
    guigang = figures.cities.set_index("city").loc["贵港市"]
    assert (guigang["chartered"], guigang["boarded"]) == (sum(w[0] for w in want.values()),
                                                          sum(w[1] for w in want.values()))
    assert figures.province["boarded"] == made["boarded"] and figures.province["no_shows"] == made["no_shows"] > 0
    assert [t["trip_id"] for t in figures.trips["not_run"]] == trips[1:2]
    assert [(t["trip_id"], t["riders"] - t["seats"]) for t in figures.trips["overcrowded"]] == [(trips[0], 3)]
    html = steps.render(figures, "weekly")
    assert f"实际乘车 {made['boarded']} 人" in html and f"未发车 1 车次（{trips[1]}）" in html and "超员 1 车次" in html
    floor = dataclasses.replace(figures, plan={**figures.plan, "referral_floor": 9})  # the plan's floor, said once
    assert steps.render(floor, "weekly").count("转集中购票的人中 9 人（方案测算）无论如何编排都凑不满最低发车人数") == 1

    # The next plan's approval summary says how this one went.
    from chunnuan.charter.steps import extract, gate, make_plan

    folder = settings.run_dir(GX.id, "charter", "run-2")
    extract(engine, GX, folder)
    make_plan(GX, folder, workers=1)
    _, summary = gate(GX, folder)
    assert f"**第1版方案执行情况**（运送 {made['boarded']} 人）" in summary and f"实际乘车 {made['boarded']} 人" in summary

    # The counties' no-show lists: files in the system with the people, none in the report.
    lists = write_no_shows(engine, GX)
    assert lists["riders"] == made["no_shows"] + made["switched"]
    files = sorted((settings.outputs_dir(GX.id, "charter") / "no-shows").glob("*.xlsx"))
    rows = [r for f in files for r in load_workbook(f).active.iter_rows(min_row=2, values_only=True)]
    assert len(rows) == lists["riders"] and {r[6] for r in rows} <= {"否", "改乘"}
    assert all(r[1] not in html for r in rows)
