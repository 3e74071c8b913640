"""training_class_checks end to end: survey and training classes through survey_intake, then the checks,
the compliance table, reminders received by a real SMTP server on loopback, and a re-run that sends nothing."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from chunnuan.config import campaign, settings
from tests.support.airflow_meta import asset_events
from tests.support.campaign_db import messages, query
from tests.support.rows import make_id, valid_row, write_csv
from tests.support.training import class_row, write_classes

pytestmark = pytest.mark.slow
GX = campaign.load("guangxi-2024")
PINGNAN, GUIPING = "450821", "450881"


def test_checks_remind_non_compliant_counties_once(dagbag, campaign_conn, chunnuan_home, outbox):
    intake, checks = dagbag.get_dag("survey_intake"), dagbag.get_dag("training_class_checks")
    survey_rows = [valid_row(seq, **{"身份证号": make_id(county=county, seq=seq), "户籍县(市、区)": label,
                                     "是否需要技能培训": "是", "培训意向工种": trade})
                   for seq, (county, label, trade) in enumerate(
                       [(PINGNAN, "贵港市平南县", "电工")] * 30 + [(GUIPING, "贵港市桂平市", "焊工")] * 20)]
    settings.landing_dir(GX.id, "survey").mkdir(parents=True)
    write_csv(settings.landing_dir(GX.id, "survey") / "贵港市.csv", survey_rows)
    # Pingnan: a pre-dispatch 电工 class early enough with places for everyone. Guiping: only a 其他 class, too small.
    write_classes(settings.landing_dir(GX.id, "training") / "贵港市培训班.csv", [
        class_row(1),
        class_row(2, **{"县(市、区)": "贵港市桂平市", "培训班名称": "桂平市焊工提升班", "培训类型": "其他", "培训工种": "焊工",
                        "计划名额": "12", "报名人数": "12", "结业人数": "", "取证人数": "", "其中脱贫人口": ""})])

    assert intake.test(run_conf={"campaign": GX.id}).state == "success"
    assert query(campaign_conn, "SELECT COUNT(*) FROM training_class") == [(2,)]
    assert asset_events("training_classes")[-1]["loaded"] == 2

    events_before = len(asset_events("training_compliance"))  # the Airflow metadata DB outlives one test
    run = checks.test(run_conf={"campaign": GX.id, "as_of": "2024-02-05"})

    assert run.state == "success", {ti.task_id: ti.state for ti in run.get_task_instances()}
    status = dict(query(campaign_conn, "SELECT county_code, status FROM training_compliance"))
    assert status[PINGNAN] == "达标" and status[GUIPING] == "未开班" and len(status) == 111
    received = messages(outbox)
    assert len(received) == 110 and GX.county_mailbox(PINGNAN) not in {m["To"] for m in received}
    guiping = next(m for m in received if m["To"] == GX.county_mailbox(GUIPING))
    assert guiping["Subject"] == f"【{GX.name}】技能培训班核查提醒：贵港市桂平市（未开班）"
    body = guiping.get_body(("html",)).get_content()
    assert "送工前技能培训班应至少 1 期，目前报送 0 期：请于 2024-02-15 前开班" in body  # peak 02-18, 3 days lead
    assert "「焊工」培训需求 20 人，计划名额 12 个，缺 8 个" in body
    for row in survey_rows:
        assert row["身份证号"] not in body and row["联系电话"] not in body
    [event] = asset_events("training_compliance")[events_before:]
    assert event["未开班"] == 110 and event["达标"] == 1 and event["reminders_sent"] == 110
    assert event["places"] == 62 and event["training_demand"] == 50 and event["places_short"] == 8
    book = load_workbook(settings.outputs_dir(GX.id, "training") / "培训班核查-20240205.xlsx", read_only=True)
    assert book["各县核查"].max_row == 112 and book["名额缺口"].max_row == 2

    # Next week, nothing changed: no reminder is sent twice for the same finding.
    again = checks.test(run_conf={"campaign": GX.id, "as_of": "2024-02-12"})
    assert again.state == "success" and len(messages(outbox)) == 110
    assert asset_events("training_compliance")[-1]["reminders_sent"] == 0

    # Pingnan's class moves after its peak: a new finding, one new reminder, to Pingnan only.
    write_classes(settings.landing_dir(GX.id, "training") / "平南县培训班-更新.csv",
                  [class_row(1, 开班日期="2024-02-17", 结业日期="2024-02-17")])
    assert intake.test(run_conf={"campaign": GX.id}).state == "success"
    checks.test(run_conf={"campaign": GX.id, "as_of": "2024-02-12"})
    [new] = [m for m in messages(outbox) if m["To"] == GX.county_mailbox(PINGNAN)]
    assert "开班晚于送工高峰" in new["Subject"] and "2024-02-15 前开班" in new.get_body(("html",)).get_content()
    assert len(messages(outbox)) == 111
