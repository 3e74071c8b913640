"""Openings, fair results and service progress loaded on real SQLite and PostgreSQL: an owner's newer
submission replaces its earlier rows (enterprise / county / department-area-item-date) and rows stay conserved."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import insert

from chunnuan import db
from chunnuan.common.steps import NothingToDo
from chunnuan.config import campaign
from chunnuan.db.models import JobFairPlan
from chunnuan.intake import registry
from chunnuan.intake.batches import load_replacing, register_files, validate_batches
from chunnuan.job_fairs.steps import plan, tally
from tests.support.campaign_db import query
from tests.support.jobs import fair_result_row, opening_row, progress_row, uscc, write_rows

GX = campaign.load("guangxi-2024")


def submit(url, path, kind):
    engine = db.engine(url)
    registered = register_files(engine, GX, [path], kind=kind)
    validate_batches(engine, GX, registered["new"])
    return load_replacing(engine, GX, kind)


def conserved(url):
    rows = query(url, "SELECT rows_read, rows_loaded, rows_quarantined, rows_merged FROM submission_batch")
    return all(read == got + quarantined + merged for read, got, quarantined, merged in rows)


def test_enterprise_resubmission_replaces_its_openings(db_url, chunnuan_home, tmp_path):
    first = [opening_row(1, 招聘工种=t) for t in ("电工", "焊工", "叉车司机")] + [opening_row(n) for n in range(2, 6)]
    first.append(opening_row(9, 招聘人数="0"))  # quarantined
    assert submit(db_url, write_rows(tmp_path / "岗位1.csv", registry.gate_kind("openings").schema, first), "openings")["loaded"] == 7

    second = [opening_row(1, 招聘工种="电工", 招聘人数="60"), opening_row(6)]
    loaded = submit(db_url, write_rows(tmp_path / "岗位2.csv", registry.gate_kind("openings").schema, second), "openings")

    assert loaded["merged"] == 3  # enterprise 1's three earlier openings
    assert query(db_url, f"SELECT trade, headcount FROM job_opening WHERE uscc = '{uscc(1)}'") == [("电工", 60)]
    assert query(db_url, "SELECT COUNT(*) FROM job_opening")[0][0] == 6
    assert conserved(db_url)


def test_county_fair_results_and_area_progress_replace_by_owner(db_url, chunnuan_home, tmp_path):
    results = registry.gate_kind("fair_results").schema
    submit(db_url, write_rows(tmp_path / "成效1.csv", results, [fair_result_row(n) for n in range(1, 7)]), "fair_results")
    loaded = submit(db_url, write_rows(tmp_path / "成效2.csv", results,
                                       [fair_result_row(n, 达成意向人数="350") for n in range(1, 9)]), "fair_results")
    assert loaded["merged"] == 6
    assert query(db_url, "SELECT COUNT(*), SUM(intentions) FROM fair_result")[0] == (8, 8 * 350)

    progress = registry.gate_kind("progress").schema
    week1 = [progress_row(截至日期="2024-02-16", 累计数值="100"), progress_row(截至日期="2024-02-16", 地区="贵港市桂平市"),
             *(progress_row(截至日期="2024-02-16", 地区=a) for a in ("贵港市港北区", "贵港市港南区", "贵港市覃塘区", "贵港市"))]
    submit(db_url, write_rows(tmp_path / "进展1.csv", progress, week1), "progress")
    week2 = [progress_row(截至日期="2024-02-23", 累计数值="250"), progress_row(截至日期="2024-02-16", 累计数值="120"),
             *(progress_row(截至日期="2024-02-23", 地区=a) for a in ("贵港市港北区", "贵港市港南区", "贵港市覃塘区", "贵港市"))]
    loaded = submit(db_url, write_rows(tmp_path / "进展2.csv", progress, week2), "progress")

    assert loaded["merged"] == 1  # only Pingnan's 02-16 entry was reported again; other areas' 02-16 rows stay
    pingnan = query(db_url, "SELECT as_of, value FROM service_progress WHERE area_code = '450821' ORDER BY as_of")
    assert [(str(day), value) for day, value in pingnan] == [("2024-02-16", 120.0), ("2024-02-23", 250.0)]
    assert query(db_url, "SELECT COUNT(*) FROM service_progress")[0][0] == 11
    # Another department's figure of the same item, area and date (民政's 救助金 beside 工会's 走访慰问) replaces
    # nothing of 工会's: each department's entry is its own.
    relief = progress_row(截至日期="2024-02-23", 统计指标="发放救助金", 累计数值="3.5", 填报部门="民政")
    assert submit(db_url, write_rows(tmp_path / "进展3.csv", progress, [relief]), "progress")["merged"] == 0
    assert query(db_url, "SELECT department, figure_code, value FROM service_progress WHERE area_code = '450821' "
                         "AND as_of = '2024-02-23' ORDER BY department") == [("工会", "visits", 250.0),
                                                                             ("民政", "relief_funds", 3.5)]
    assert conserved(db_url)


def test_rollout_steps_say_when_there_is_nothing_to_do(db_url, chunnuan_home):
    """Nobody seeking work yet: nothing to plan; no published plan: nothing to tally; a published plan is
    not planned again unless 重新规划 is asked (then the missing seekers stop it again)."""
    engine, as_of = db.engine(db_url), dt.date(2024, 2, 5)
    with pytest.raises(NothingToDo, match="^还没有有就业需求的摸排数据，先运行需求摸排$"):
        plan(engine, GX, "run-1", as_of)
    with pytest.raises(NothingToDo, match="^还没有发布的招聘会方案$"):
        tally(engine, GX)
    with engine.begin() as conn:
        conn.execute(insert(JobFairPlan).values(campaign_id=GX.id, run_id="run-0", status="published",
                                                created_at=dt.datetime.now(dt.UTC), summary="{}"))
    with pytest.raises(NothingToDo) as published:
        plan(engine, GX, "run-1", as_of)
    assert str(published.value) == "已有发布的招聘会方案（第 1 版）；需要重做时勾选“重新规划”"
    with pytest.raises(NothingToDo, match="^还没有有就业需求的摸排数据"):
        plan(engine, GX, "run-1", as_of, replan=True)
