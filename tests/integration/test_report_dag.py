"""campaign_report end to end: a small province through survey_intake, charter_bus_planning and
training_class_checks, then the report to a real SMTP server on loopback — decoded, compared with the
database, sent once; a reconciliation failure blocks the send and alerts the coordinators."""

from __future__ import annotations

import email
import email.policy
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from chunnuan import campaign, db, settings
from chunnuan.planner import write_fleet
from tests.integration.test_charter_dag import fleet, survey_rows
from tests.support.rows import write_csv
from tests.support.training import class_row, write_classes

pytestmark = pytest.mark.slow
GX = campaign.load("guangxi-2024")


def query(url, sql):
    with db.engine(url).connect() as conn:
        return conn.execute(text(sql)).all()


def messages(outbox) -> list:
    return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in sorted(outbox.iterdir())]


def report_messages(outbox) -> list:
    return [m for m in messages(outbox) if "（截至" in m["Subject"]]  # reports, not alerts to coordinators


@pytest.fixture
def province(dagbag, campaign_conn, chunnuan_home, outbox):
    """Every other DAG's output present: survey, published charter plan, training classes and checks."""
    for kind in ("survey", "fleet"):
        settings.landing_dir(GX.id, kind).mkdir(parents=True)
    rows = survey_rows()
    write_csv(settings.landing_dir(GX.id, "survey") / "贵港市.csv", rows)
    write_fleet(fleet(), settings.landing_dir(GX.id, "fleet") / "运力.csv")
    write_classes(settings.landing_dir(GX.id, "training") / "贵港市培训班.csv", [class_row(1)])
    assert dagbag.get_dag("survey_intake").test(run_conf={"campaign": GX.id}).state == "success"
    assert dagbag.get_dag("charter_bus_planning").test(
        run_conf={"campaign": GX.id, "auto_approve": True}).state == "success"
    assert dagbag.get_dag("training_class_checks").test(
        run_conf={"campaign": GX.id, "as_of": "2024-02-05"}).state == "success"
    return rows


def test_weekly_report_reaches_the_office_once_with_figures_equal_to_the_database(dagbag, province, campaign_conn,
                                                                                  outbox):
    report = dagbag.get_dag("campaign_report")
    run = report.test(run_conf={"campaign": GX.id, "as_of": "2024-02-09"})
    assert run.state == "success", {ti.task_id: ti.state for ti in run.get_task_instances()}

    [message] = report_messages(outbox)
    assert message["Subject"] == f"【{GX.name}】广西壮族自治区{GX.name}工作进展周报（截至2024年02月09日）"
    assert message["To"] == "nmggzc@rst.gxzf.gov.cn" and message["Cc"] is None  # lead contact = the office here
    body = message.get_body(("html",)).get_content()
    workers = query(campaign_conn, "SELECT COUNT(*) FROM survey_worker")[0][0]
    chartered = query(campaign_conn, "SELECT COUNT(*) FROM charter_assignment WHERE status = '包车'")[0][0]
    assert f"需求摸排：{workers} 人" in body and f"运送 {chartered} 人" in body and "贵港市" in body
    assert "尚无数据的部分：招聘会、服务事项进展" in body
    charts = [part for part in message.walk() if part.get_content_type() == "image/png"]
    assert len(charts) == 2 and all(part.get_content().startswith(b"\x89PNG") for part in charts)
    [attachment] = [a for a in message.iter_attachments() if a.get_content_type() != "image/png"]
    assert attachment.get_filename().endswith(".xlsx")
    book = load_workbook(io.BytesIO(attachment.get_content()), read_only=True)
    assert book.sheetnames == ["全省", "各市", "各县", "数据质量", "隔离原因"]
    header, total = list(book["全省"].iter_rows(values_only=True))[:2]
    figures = dict(zip(header, total, strict=True))
    assert figures["摸排人数"] == workers and figures["点对点包车运送"] == chartered
    assert figures["培训班(期)"] == query(campaign_conn, "SELECT COUNT(*) FROM training_class")[0][0]
    counties = list(book["各县"].iter_rows(min_row=2, values_only=True))
    assert len(counties) == 111 and sum(1 for c in counties if "未报送" in c[2]) == 109
    raw = message.as_string()
    for row in province:
        assert row["身份证号"] not in raw and row["联系电话"] not in raw and row["姓名"] not in body

    # A re-run sends nothing; the form's 重新发送 sends the same version once more.
    assert report.test(run_conf={"campaign": GX.id, "as_of": "2024-02-09"}).state == "success"
    assert len(report_messages(outbox)) == 1
    assert report.test(run_conf={"campaign": GX.id, "as_of": "2024-02-09", "resend": True}).state == "success"
    assert len(report_messages(outbox)) == 2


def test_figures_that_do_not_reconcile_block_the_send_and_alert_the_coordinators(dagbag, province, campaign_conn,
                                                                                  outbox):
    with db.engine(campaign_conn).begin() as conn:  # a class whose completions exceed its enrolment
        conn.execute(text("UPDATE training_class SET completed = enrolled + 5"))
    before = len(messages(outbox))

    # Two days past the deadline: the final summary is due, the gate stops it, the deadline check fires.
    run = dagbag.get_dag("campaign_report").test(run_conf={"campaign": GX.id, "as_of": "2024-03-10"})

    states = {ti.task_id: ti.state for ti in run.get_task_instances()}
    assert states["prepare"] == "failed" and states["send"] == "upstream_failed"
    assert states["deadline_check"] == "failed"
    assert report_messages(outbox) == []
    gate_alert, deadline_alert = messages(outbox)[before:]
    assert gate_alert["To"] == str(GX.lead_contact.email) and "核对未通过" in gate_alert["Subject"]
    assert "「培训结业」" in gate_alert.get_body(("html",)).get_content()
    assert "逾期未发送" in deadline_alert["Subject"] and "2024-03-08" in deadline_alert.get_body(("html",)).get_content()
    assert not (settings.outputs_dir(GX.id, "report") / "final").exists()
