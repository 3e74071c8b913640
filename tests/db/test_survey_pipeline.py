"""register → validate → load on a real SQLite file and a real PostgreSQL server."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import text

from chunnuan import db
from chunnuan.config import campaign
from chunnuan.intake.batches import BatchRejected, load_validated, register_files, validate_batch
from tests.support.rows import make_id, valid_row, write_csv

GX = campaign.load("guangxi-2024")


def run_intake(url, paths):
    engine = db.engine(url)
    registered = register_files(engine, GX, paths)
    outcomes = {}
    for batch in registered["new"]:
        try:
            outcomes[batch.batch_id] = validate_batch(engine, GX, batch.batch_id, batch.path)
        except BatchRejected as exc:
            outcomes[batch.batch_id] = str(exc)
    return registered, outcomes, load_validated(engine, GX)


def scalar(url, sql, **params):
    with db.engine(url).connect() as conn:
        return conn.execute(text(sql), params).scalar()


def test_rows_are_loaded_quarantined_or_merged(db_url, chunnuan_home, tmp_path):
    rows = [valid_row(i) for i in range(1, 6)]
    rows[1]["联系电话"] = "12345"  # quarantined
    rows[4]["身份证号"] = rows[0]["身份证号"]  # same worker twice in one file: the later row wins
    rows[4]["填报日期"] = "2024-01-26"
    f = write_csv(tmp_path / "平南县.csv", rows)

    _, outcomes, loaded = run_intake(db_url, [f])

    [batch] = loaded["batches"]
    assert (batch["rows_read"], batch["rows_loaded"], batch["rows_quarantined"], batch["rows_merged"]) == (5, 3, 1, 1)
    assert scalar(db_url, "SELECT source_row FROM survey_worker WHERE id_number = :i", i=rows[0]["身份证号"]) == 6
    assert scalar(db_url, "SELECT reasons FROM quarantined_row") == "联系电话应为11位手机号码，实际为「*****」"
    assert scalar(db_url, "SELECT COUNT(*) FROM merged_row WHERE kept_row = 6") == 1


def test_later_submission_replaces_earlier_and_old_batch_still_adds_up(db_url, chunnuan_home, tmp_path):
    first = write_csv(tmp_path / "a.csv", [valid_row(1), valid_row(2)])
    run_intake(db_url, [first])
    newer = valid_row(1, 计划出行日期="2024-02-20", 填报日期="2024-02-01")
    older = valid_row(2, 计划出行日期="2024-02-25", 填报日期="2024-01-01")  # older report: must not win
    second = write_csv(tmp_path / "b.csv", [newer, older, valid_row(3)])

    _, _, loaded = run_intake(db_url, [second])

    assert scalar(db_url, "SELECT travel_date FROM survey_worker WHERE id_number = :i", i=make_id(seq=1)) in (
        "2024-02-20", __import__("datetime").date(2024, 2, 20))
    assert str(scalar(db_url, "SELECT travel_date FROM survey_worker WHERE id_number = :i", i=make_id(seq=2))) == (
        "2024-02-18")
    counts = {r["file_name"]: r for r in loaded["batches"]}
    assert (counts["b.csv"]["rows_loaded"], counts["b.csv"]["rows_merged"]) == (2, 1)
    # batch a.csv lost worker 1 to b.csv: its counters moved from loaded to merged
    assert scalar(db_url, "SELECT rows_loaded FROM submission_batch WHERE file_name = 'a.csv'") == 1
    assert scalar(db_url, "SELECT rows_merged FROM submission_batch WHERE file_name = 'a.csv'") == 1
    assert scalar(db_url, "SELECT COUNT(*) FROM survey_worker") == 3


def test_same_file_twice_changes_nothing(db_url, chunnuan_home, tmp_path):
    f = write_csv(tmp_path / "a.csv", [valid_row(1), valid_row(2)])
    run_intake(db_url, [f])
    before = scalar(db_url, "SELECT COUNT(*) FROM submission_batch")
    os.utime(f)  # touched, same bytes

    registered, outcomes, loaded = run_intake(db_url, [f])

    assert registered["new"] == [] and registered["known"][0]["status"] == "loaded"
    assert loaded["loaded"] == 0
    assert scalar(db_url, "SELECT COUNT(*) FROM submission_batch") == before
    assert scalar(db_url, "SELECT COUNT(*) FROM survey_worker") == 2


def test_rejected_file_loads_nothing_and_says_why(db_url, chunnuan_home, tmp_path):
    bad = [valid_row(i, 联系电话="1") for i in range(1, 5)] + [valid_row(9)]
    f = write_csv(tmp_path / "bad.csv", bad)

    _, outcomes, loaded = run_intake(db_url, [f])

    [message] = outcomes.values()
    assert "超过上限 20%" in message and "bad.csv" in message
    assert scalar(db_url, "SELECT COUNT(*) FROM survey_worker") == 0
    assert scalar(db_url, "SELECT COUNT(*) FROM quarantined_row") == 0
    assert scalar(db_url, "SELECT status FROM submission_batch") == "rejected"
    with pytest.raises(BatchRejected):  # re-running the task fails the same way, without side effects
        validate_batch(db.engine(db_url), GX, 1, f)


def test_a_file_left_unchecked_is_named_then_taken_up_by_the_next_run(db_url, chunnuan_home, tmp_path):
    """A run whose check task died (its worker was killed) leaves its batch "received": the run's summary
    names it instead of ending green, and the next run checks and loads it as its own."""
    from sqlalchemy import select

    from chunnuan.db.models import SubmissionBatch
    from chunnuan.intake.batches import run_problems

    engine = db.engine(db_url)
    f = write_csv(tmp_path / "平南县.csv", [valid_row(1), valid_row(2)])
    register_files(engine, GX, [f], run_id="run-1")  # ... and then the worker died

    def of_run(run_id):
        with engine.connect() as conn:
            return conn.execute(select(SubmissionBatch).where(SubmissionBatch.run_id == run_id)).all()

    header, problems = run_problems(GX.id, of_run("run-1"))
    assert problems == ["平南县.csv：未检查，再运行一次即可接着处理"] and "1 个文件未处理完" in header

    registered = register_files(engine, GX, [f], run_id="run-2")
    [batch] = registered["new"]
    validate_batch(engine, GX, batch.batch_id, batch.path)
    load_validated(engine, GX)
    assert run_problems(GX.id, of_run("run-2"))[1] == [] and of_run("run-1") == []
    assert scalar(db_url, "SELECT COUNT(*) FROM survey_worker") == 2
