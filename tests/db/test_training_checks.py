"""Training classes through the intake into the database, and the check steps on real SQLite and PostgreSQL:
a county's new submission replaces its class list, the dispatch peak follows a published charter plan,
the compliance table is stored once per run, and a finding is reminded once."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import json

import pytest
from sqlalchemy import text

from chunnuan import db
from chunnuan.common.mail import SmtpSettings
from chunnuan.common.steps import NothingToDo
from chunnuan.config import campaign, settings
from chunnuan.devtools import smtp_sink
from chunnuan.intake.batches import load_replacing, load_validated, register_files, validate_batches
from chunnuan.training.steps import evaluate, extract, gate, remind
from tests.support.campaign_db import query
from tests.support.rows import make_id, valid_row, write_csv
from tests.support.training import class_row, write_classes

GX = campaign.load("guangxi-2024")
PINGNAN, GUIPING = "450821", "450881"


def submit(url, path, kind):
    engine = db.engine(url)
    registered = register_files(engine, GX, [path], kind=kind)
    validate_batches(engine, GX, registered["new"])
    return load_replacing(engine, GX, kind) if kind == "training" else load_validated(engine, GX)


def survey(tmp_path):
    """Pingnan: 30 leave on 02-18 and 10 on 02-16, 12 want 电工 training. Guiping: 5 leave on 02-20."""
    rows = []
    for seq, (county, day, training) in enumerate([(PINGNAN, "2024-02-18", "是")] * 12 + [(PINGNAN, "2024-02-18", "否")] * 18
                                                  + [(PINGNAN, "2024-02-16", "否")] * 10 + [(GUIPING, "2024-02-20", "否")] * 5):
        rows.append(valid_row(seq, **{"身份证号": make_id(county=county, seq=seq), "计划出行日期": day,
                                      "户籍县(市、区)": "贵港市平南县" if county == PINGNAN else "贵港市桂平市",
                                      "是否需要技能培训": training, "培训意向工种": "电工" if training == "是" else ""}))
    return write_csv(tmp_path / "摸排.csv", rows)


def test_county_resubmission_replaces_its_classes_and_rows_are_conserved(db_url, chunnuan_home, tmp_path):
    first = [class_row(n) for n in range(1, 6)] + [class_row(6, 结业人数="99")]  # one inconsistent row
    loaded = submit(db_url, write_classes(tmp_path / "平南1.csv", first), "training")
    assert loaded["loaded"] == 5
    [(read, got, quarantined, merged)] = query(db_url, "SELECT rows_read, rows_loaded, rows_quarantined, rows_merged "
                                                       "FROM submission_batch")
    assert (read, got, quarantined, merged) == (6, 5, 1, 0)

    second = [class_row(1, 报名人数="50"), class_row(7, **{"县(市、区)": "贵港市桂平市", "培训班名称": "桂平电工班"})]
    loaded = submit(db_url, write_classes(tmp_path / "平南2.csv", second), "training")

    assert loaded["merged"] == 5  # all five earlier Pingnan classes replaced by the county's new list
    assert query(db_url, "SELECT county_code, enrolled FROM training_class ORDER BY county_code") == [
        (PINGNAN, 50), (GUIPING, 48)]
    for read, got, quarantined, merged in query(db_url, "SELECT rows_read, rows_loaded, rows_quarantined, "
                                                        "rows_merged FROM submission_batch"):
        assert read == got + quarantined + merged


def test_peak_from_survey_then_from_published_plan_and_reminders_once(db_url, chunnuan_home, tmp_path):
    engine = db.engine(db_url)
    submit(db_url, survey(tmp_path), "survey")
    # Pingnan's only pre-dispatch class starts 02-16: on time for a 02-20 peak, late for 02-18.
    submit(db_url, write_classes(tmp_path / "平南.csv", [class_row(1, 开班日期="2024-02-16", 结业日期="2024-02-17")]),
           "training")
    folder = settings.run_dir(GX.id, "training", "run-1")
    counts = extract(engine, GX, folder)
    assert counts == {"classes": 1, "counties_with_classes": 1, "training_demand": 12, "charter_plan": None}
    assert gate(engine, GX, folder) == []

    figures = evaluate(engine, GX, folder, "run-1", dt.date(2024, 2, 5))
    rows = dict(query(db_url, "SELECT county_code, status FROM training_compliance WHERE run_id = 'run-1'"))
    assert rows[PINGNAN] == "开班晚于送工高峰" and rows[GUIPING] == "未开班" and len(rows) == 111
    assert figures["counties"] == 111 and figures["开班晚于送工高峰"] == 1 and figures["达标"] == 0
    assert figures["classes"] == 1 and figures["training_demand"] == 12 and figures["places_short"] == 0
    assert (settings.outputs_dir(GX.id, "training") / "培训班核查-20240205.xlsx").exists()
    evaluate(engine, GX, folder, "run-1", dt.date(2024, 2, 5))  # a retried task replaces its own rows
    assert query(db_url, "SELECT COUNT(*) FROM training_compliance") == [(111,)]

    # The gate re-checks the loaded table itself: a class changed behind the intake's back is named.
    with engine.begin() as conn:
        conn.execute(text("UPDATE training_class SET completed = enrolled + 1"))
    broken = settings.run_dir(GX.id, "training", "run-broken")
    extract(engine, GX, broken)
    assert gate(engine, GX, broken) == [f"{PINGNAN} 平南县2024年送工前电工培训班(第1期)：结业人数多于报名人数"]
    with engine.begin() as conn:
        conn.execute(text("UPDATE training_class SET completed = enrolled"))

    # A published plan moves Pingnan's 30 travellers of 02-18 to coaches on 02-20: the peak moves with them.
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO charter_plan (campaign_id, run_id, status, created_at, summary) "
                          "VALUES (:c, 'p', 'published', :t, '{}')"), {"c": GX.id, "t": dt.datetime.now(dt.UTC)})
        plan = conn.execute(text("SELECT id FROM charter_plan")).scalar()
        ids = [r[0] for r in conn.execute(text("SELECT id_number FROM survey_worker WHERE travel_date = :d "
                                               "AND home_county_code = :c"), {"d": dt.date(2024, 2, 18), "c": PINGNAN})]
        conn.execute(text("INSERT INTO charter_assignment (plan_id, id_number, status, travel_date) "
                          "VALUES (:p, :i, '包车', :d)"), [{"p": plan, "i": i, "d": dt.date(2024, 2, 20)} for i in ids])
    folder2 = settings.run_dir(GX.id, "training", "run-2")
    assert extract(engine, GX, folder2)["charter_plan"] == plan
    evaluate(engine, GX, folder2, "run-2", dt.date(2024, 2, 5))
    assert dict(query(db_url, "SELECT county_code, dispatch_peak FROM training_compliance WHERE run_id = 'run-2' "
                              "AND county_code = :c", c=PINGNAN))[PINGNAN] in (dt.date(2024, 2, 20), "2024-02-20")
    assert dict(query(db_url, "SELECT county_code, status FROM training_compliance WHERE run_id = 'run-2'"))[
        PINGNAN] == "达标"

    # Reminders to a real SMTP server: once per finding.
    sink = smtp_sink.start(tmp_path / "outbox")
    try:
        smtp = SmtpSettings("127.0.0.1", sink.port, "office@example.gov.cn")
        sent = remind(engine, GX, folder2, smtp, dt.date(2024, 2, 5))
        assert sent["reminders_sent"] == sent["non_compliant"] == 110
        assert remind(engine, GX, folder2, smtp, dt.date(2024, 2, 5))["reminders_sent"] == 0
        messages = [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
                    for p in (tmp_path / "outbox").iterdir()]
    finally:
        sink.stop()
    assert len(messages) == 110
    guiping = next(m for m in messages if m["To"] == GX.county_mailbox(GUIPING))
    body = guiping.get_body(("html",)).get_content()
    assert "桂平市" in guiping["Subject"] and "未开班" in guiping["Subject"]
    assert "送工前技能培训班应至少 1 期，目前报送 0 期" in body and "2024-02-17 前开班" in body  # peak 02-20 - 3
    assert json.loads(query(db_url, "SELECT findings FROM training_compliance WHERE run_id = 'run-2' AND "
                                    "county_code = :c", c=GUIPING)[0][0])[0]["due"] == "2024-02-17"


def test_nothing_to_check_before_the_survey_and_the_classes(db_url, chunnuan_home):
    folder = settings.run_dir(GX.id, "training", "run-0")
    with pytest.raises(NothingToDo) as nothing:
        extract(db.engine(db_url), GX, folder)
    assert str(nothing.value) == "还没有需求摸排数据，也没有培训班报表：请先运行需求摸排（培训班报表放入收件目录 training/）"
    assert not folder.exists()
