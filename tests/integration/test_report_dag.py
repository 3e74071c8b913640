"""campaign_report end to end: a small province through survey_intake, charter_bus_planning and
training_class_checks, then the report to a real SMTP server on loopback — decoded, compared with the
database, sent once; a reconciliation failure blocks the send and alerts the coordinators. A mixed Shandong
survey (natives and workers from other provinces, several priority groups) shows every split as the tables
count it."""

from __future__ import annotations

import datetime as dt
import io
import json
import os

import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from chunnuan import db
from chunnuan.config import campaign, settings
from chunnuan.devtools import smtp_sink
from chunnuan.intake.kinds.fair_results import FAIR_RESULTS
from chunnuan.intake.kinds.openings import OPENINGS
from chunnuan.intake.kinds.progress import PROGRESS
from chunnuan.planner import write_fleet
from chunnuan.report.splits import FIGURES
from tests.integration.test_charter_dag import fleet, survey_rows
from tests.support import shandong
from tests.support.campaign_db import messages, query
from tests.support.jobs import fair_result_row, opening_row, progress_row, write_rows
from tests.support.rows import write_csv
from tests.support.shandong import SD, expected_inbound, expected_table
from tests.support.training import class_row, write_classes

pytestmark = pytest.mark.slow
GX = campaign.load("guangxi-2024")


def report_messages(outbox) -> list:
    return [m for m in messages(outbox) if "（截至" in m["Subject"]]  # reports, not alerts to coordinators


@pytest.fixture
def province(dagbag, campaign_conn, chunnuan_home, outbox):
    """Every other DAG's output present: survey, published charter plan, training classes and checks,
    openings and a published job-fair rollout, fair results, service-item progress."""
    for kind in ("survey", "fleet", "openings", "fair_results", "progress"):
        settings.landing_dir(GX.id, kind).mkdir(parents=True)
    rows = survey_rows()
    for n, row in enumerate(rows[:20]):  # some seekers for the fairs
        row.update({"就业需求": "本地就业", "意向工种": "电工", "重点群体类别": "脱贫人口" if n < 5 else "否"})
    write_csv(settings.landing_dir(GX.id, "survey") / "贵港市.csv", rows)
    write_fleet(fleet(), settings.landing_dir(GX.id, "fleet") / "运力.csv")
    write_classes(settings.landing_dir(GX.id, "training") / "贵港市培训班.csv", [class_row(1)])
    write_rows(settings.landing_dir(GX.id, "openings") / "岗位.csv", OPENINGS, [opening_row(n) for n in range(1, 4)])
    write_rows(settings.landing_dir(GX.id, "fair_results") / "平南.csv", FAIR_RESULTS,
               [fair_result_row(1), fair_result_row(2, 形式="直播带岗", 进场人数="5000", 其中脱贫人口="400")])
    write_rows(settings.landing_dir(GX.id, "progress") / "进展.csv", PROGRESS, [
        progress_row(截至日期="2024-02-02", 累计数值="100"), progress_row(截至日期="2024-02-09", 累计数值="320"),
        progress_row(地区="贵港市桂平市", 累计数值="80", 截至日期="2024-02-09"),
        progress_row(地区="贵港市", 累计数值="15", 截至日期="2024-02-09"),  # 市本级
        progress_row(截至日期="2024-02-23", 累计数值="999"),  # after the report date: not counted yet
        progress_row(服务项目="送劳动权益保障", 统计指标="追回欠薪金额", 累计数值="12.5", 截至日期="2024-02-09",
                     填报部门="自治区人力资源社会保障厅")])
    assert dagbag.get_dag("survey_intake").test(run_conf={"campaign": GX.id}).state == "success"
    assert dagbag.get_dag("charter_bus_planning").test(
        run_conf={"campaign": GX.id, "auto_approve": True}).state == "success"
    assert dagbag.get_dag("training_class_checks").test(
        run_conf={"campaign": GX.id, "as_of": "2024-02-05"}).state == "success"
    assert dagbag.get_dag("job_fair_rollout").test(
        run_conf={"campaign": GX.id, "as_of": "2024-02-05"}).state == "success"
    return rows


def test_weekly_report_reaches_the_office_once_with_figures_equal_to_the_database(dagbag, province, campaign_conn,
                                                                                  outbox):
    report = dagbag.get_dag("campaign_report")
    run = report.test(run_conf={"campaign": GX.id, "as_of": "2024-02-09"})
    assert run.state == "success", {ti.task_id: ti.state for ti in run.get_task_instances()}

    [message] = report_messages(outbox)
    assert message["Subject"] == f"【{GX.name}】广西壮族自治区{GX.name}工作进展周报（截至2024年02月09日）"
    # The lead contact is the office itself; the departments the campaign file copies on weekly reports.
    weekly_cc = [d.email for d in GX.departments if "weekly" in d.receives and d.email != "nmggzc@rst.gxzf.gov.cn"]
    assert message["To"] == "nmggzc@rst.gxzf.gov.cn" and message["Cc"] == ", ".join(weekly_cc) and weekly_cc
    body = message.get_body(("html",)).get_content()
    workers = query(campaign_conn, "SELECT COUNT(*) FROM survey_worker")[0][0]
    chartered = query(campaign_conn, "SELECT COUNT(*) FROM charter_assignment WHERE status = '包车'")[0][0]
    assert f"需求摸排：{workers} 人" in body and f"运送 {chartered}（计划） 人" in body and "贵港市" in body
    assert "尚无数据的部分" not in body
    assert "已举办 2 场" in body and "进场 5900 人次（其中脱贫人口 550 人次）" in body
    assert "走访慰问</td><td align=\"right\">415 人" in body  # 320 + 80 + 市本级 15; the 02-23 figure not yet
    assert "追回欠薪金额</td><td align=\"right\">12.50 万元" in body and "送健康服务" in body and "未报送" in body
    charts = [part for part in message.walk() if part.get_content_type() == "image/png"]
    assert len(charts) == 2 and all(part.get_content().startswith(b"\x89PNG") for part in charts)
    [attachment] = [a for a in message.iter_attachments() if a.get_content_type() != "image/png"]
    assert attachment.get_filename().endswith(".xlsx")
    book = load_workbook(io.BytesIO(attachment.get_content()), read_only=True)
    assert book.sheetnames == ["全省", "各市", "各县", "分类统计", "外省籍分市", "服务项目", "数据质量", "隔离原因",
                               "集中购票车站", "专列车厢", "交通补助", "部门报送", "两源核对"]  # Guangxi pays the subsidy
    # 集中购票 per departure station: equal to the plan's referrals (平南县's riders board at 平南南, 桂平's at 桂平)
    stations = {r[1]: r[2] for r in book["集中购票车站"].iter_rows(min_row=2, values_only=True)}
    referred = dict(query(campaign_conn, "SELECT SUBSTR(id_number, 1, 6), COUNT(*) FROM charter_assignment "
                                         "WHERE status = '集中购票' GROUP BY SUBSTR(id_number, 1, 6)"))
    assert stations == {{"450821": "PAZ", "450881": "GAZ"}[c]: n for c, n in referred.items()}
    assert f"集中购票（绿色通道）：{len(stations)} 个出发站共 {sum(stations.values())} 人" in body
    departments = {r[0]: r for r in book["部门报送"].iter_rows(min_row=2, values_only=True)}
    assert list(departments) == [d.name for d in GX.departments]
    assert departments["工会"][2:4] == ("送关爱帮扶", "送健康服务") and departments["工会"][5] == "部分报送"
    gaps = {r[1]: r for r in book["两源核对"].iter_rows(min_row=2, values_only=True)}
    # No return has come back: the riders carried are the plan's, and the label says so; no claim paid yet.
    assert gaps["点对点运送农民工"][4:6] == ("点对点包车运送人数（包车回执实际乘车，未交回执车次按计划计）", chartered)
    assert gaps["点对点运送农民工"][7] == "未报送"
    assert gaps["发放跨省就业交通补助人数"][4:6] == ("已发放交通补助人数（补助申领核验表）", 0)
    header, total = list(book["全省"].iter_rows(values_only=True))[:2]
    figures = dict(zip(header, total, strict=True))
    assert figures["摸排人数"] == workers and figures["包车安排（计划）"] == figures["包车运送"] == chartered
    assert figures["培训班(期)"] == query(campaign_conn, "SELECT COUNT(*) FROM training_class")[0][0]
    assert figures["计划招聘会(场)"] == query(campaign_conn, "SELECT COUNT(*) FROM job_fair")[0][0]
    assert figures["达成就业意向"] == query(campaign_conn, "SELECT SUM(intentions) FROM fair_result")[0][0]
    services = {r[1]: r for r in book["服务项目"].iter_rows(min_row=2, values_only=True)}
    assert services["走访慰问"][3] == 415 and services["走访慰问"][4] == 3
    counties = list(book["各县"].iter_rows(min_row=2, values_only=True))
    assert len(counties) == 111 and sum(1 for c in counties if "未报送" in c[2]) == 109
    # Data quality per county: every loaded county file counted once, for the county most of its rows are in.
    [county_header] = book["各县"].iter_rows(max_row=1, values_only=True)
    read = county_header.index("读取行数")
    county_files = query(campaign_conn, "SELECT SUM(rows_read) FROM submission_batch WHERE status = 'loaded' "
                                        "AND kind IN ('survey', 'training', 'fair_results')")[0][0]
    assert sum(c[read] for c in counties) == county_files
    assert next(c for c in counties if c[0] == "450821")[read] == county_files  # all three files are Pingnan's
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


def test_smtp_down_retries_then_notifies_the_coordinators(dagbag, province, campaign_conn, outbox, monkeypatch):
    """The server that sends reports is down (nothing listens on its port); after the retries, the alert
    reaches the coordinators over campaign_alert_smtp (the loopback sink)."""
    sink = json.loads(os.environ["AIRFLOW_CONN_CAMPAIGN_SMTP"])
    closed_port = smtp_sink.free_port()  # nobody listens on it
    monkeypatch.setenv("AIRFLOW_CONN_CAMPAIGN_ALERT_SMTP", json.dumps(sink))
    monkeypatch.setenv("AIRFLOW_CONN_CAMPAIGN_SMTP", json.dumps({**sink, "port": closed_port}))
    report = dagbag.get_dag("campaign_report")
    monkeypatch.setattr(report.get_task("send"), "retry_delay", dt.timedelta(0))
    before = len(messages(outbox))

    run = report.test(run_conf={"campaign": GX.id, "as_of": "2024-02-09"})

    send = next(ti for ti in run.get_task_instances() if ti.task_id == "send")
    assert send.state == "failed" and send.try_number == report.get_task("send").retries + 1
    assert run.state == "failed"  # before the deadline too: the run the coordinator sees is red
    assert report_messages(outbox) == []
    [alert] = messages(outbox)[before:]
    assert alert["To"] == str(GX.lead_contact.email) and "行动总结发送失败" in alert["Subject"]
    assert f"已尝试 {send.try_number} 次" in alert.get_body(("html",)).get_content()
    assert query(campaign_conn, "SELECT COUNT(*) FROM sent_email WHERE key LIKE 'report-guangxi-2024-weekly%'")[0][0] == 0


def test_shandong_report_splits_every_figure_as_the_tables_count_it(dagbag, campaign_conn, chunnuan_home, outbox):
    for kind, write in (("survey", shandong.write_survey), ("fleet", shandong.write_shandong_fleet)):
        folder = settings.landing_dir(SD.id, kind)
        folder.mkdir(parents=True)
        write(folder / f"{kind}.csv")
    assert dagbag.get_dag("survey_intake").test(run_conf={"campaign": SD.id}).state == "success"
    assert dagbag.get_dag("charter_bus_planning").test(
        run_conf={"campaign": SD.id, "auto_approve": True}).state == "success"

    run = dagbag.get_dag("campaign_report").test(run_conf={"campaign": SD.id, "as_of": "2024-02-09"})
    assert run.state == "success", {ti.task_id: ti.state for ti in run.get_task_instances()}

    [message] = report_messages(outbox)
    body = message.get_body(("html",)).get_content()
    want, inbound = expected_table(campaign_conn), expected_inbound(campaign_conn)
    groups = "、".join(f"{g} {want[g]['workers']} 人" for g in SD.priority_groups)
    assert f"（本省籍 {want['本省籍']['workers']} 人、外省籍 {want['外省籍']['workers']} 人；{groups}）" in body
    carried = "、".join(f"{g} {want[g]['chartered']} 人" for g in SD.priority_groups)
    assert f"：本省籍 {want['本省籍']['chartered']} 人、外省籍 {want['外省籍']['chartered']} 人；{carried}）" in body
    assert want["本省籍"]["chartered"] > 0 and want["外省籍"]["chartered"] > 0
    for code, figures in inbound.items():
        assert shandong.top_row_html(code, figures) in body
    charts = [part for part in message.walk() if part.get_content_type() == "image/png"]
    assert len(charts) == 2  # demand per city, 本省籍/外省籍 per city (no training checked yet)

    [attachment] = [a for a in message.iter_attachments() if a.get_content_type() != "image/png"]
    book = load_workbook(io.BytesIO(attachment.get_content()), read_only=True)
    header, *body_rows = book["分类统计"].iter_rows(values_only=True)
    labels = dict(zip(header, range(len(header)), strict=True))
    province = {r[1]: r for r in body_rows if r[0] == SD.province}
    assert {s: {k: province[s][labels[v]] for k, v in FIGURES.items()} for s in want} == want
    header, total = list(book["全省"].iter_rows(values_only=True))[:2]
    assert dict(zip(header, total, strict=True))["摸排人数"] == want["本省籍"]["workers"] + want["外省籍"]["workers"]
    cities = {r[0]: r for r in book["各市"].iter_rows(min_row=2, values_only=True)}
    [city_header] = book["各市"].iter_rows(max_row=1, values_only=True)
    qingdao = query(campaign_conn, "SELECT COUNT(*) FROM survey_worker WHERE served_by_code LIKE '3702%'")[0][0]
    assert cities["青岛市"][city_header.index("摸排人数")] == qingdao  # 黄岛区 and 市本级 together
    raw = message.as_string()
    for row in shandong.rows():
        assert row["身份证号"] not in raw and row["联系电话"] not in raw and row["姓名"] not in body
