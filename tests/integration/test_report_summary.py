"""The report's summary end to end (issue 22): a small province through every DAG, the departments' progress
and highlights made as the demo makes them, then two weekly reports and the final summary to a real SMTP
server on loopback. Decoded from the .eml: the four sections with figures equal to the database, the change
since the previous version equal to the difference of the stored versions, the departments' status and one
reminder per period, the typed figures beside the system's counts (riders against those the carriers' returns
say boarded, subsidies against the claims paid) with the deliberate gap named, and no ID or phone number in any
message."""

from __future__ import annotations

import datetime as dt
import html
import json
import re

import pytest

from chunnuan import db
from chunnuan.charter.steps import outputs_dir
from chunnuan.common.mail import assert_no_pii
from chunnuan.common.plans import latest_published
from chunnuan.config import campaign, settings
from chunnuan.report import versions
from chunnuan.report.reconcile import system_values
from chunnuan.report.steps import collect
from chunnuan.synth.activity import OVER_REPORTED, highlights, service_progress
from chunnuan.synth.claims import claims_return
from chunnuan.synth.returns import fill_carrier_workbook
from tests.integration.test_report_dag import province, report_messages  # noqa: F401 - the fixture
from tests.support.campaign_db import messages, query

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("province")]
GX = campaign.load("guangxi-2024")
REMINDER = "请报送服务项目进展"


def body_of(message) -> str:
    return message.get_body(("html",)).get_content()


def text_of(message) -> str:
    # a tag becomes a space: adjacent table cells' figures must not run together into one long number
    return html.unescape(re.sub(r"<[^>]+>", " ", body_of(message)))


def reminders(outbox) -> list:
    return [m for m in messages(outbox) if REMINDER in m["Subject"]]


def changes_shown(body: str) -> dict[str, tuple[int, int, int]]:
    table = body[body.index('id="changes"'):].split("</table>")[0]
    cells = re.findall(r"<tr><td>([^<]+)</td><td[^>]*>([^<]+)</td><td[^>]*>([^<]+)</td><td[^>]*>([^<]+)</td></tr>", table)
    return {label: tuple(int(v.replace(",", "").replace("+", "")) for v in rest) for label, *rest in cells}


def stored(url: str) -> dict[str, dict]:
    return {v: json.loads(f) for v, f in query(url, "SELECT version, figures FROM report_version")}


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # the weekly test covers PostgreSQL too
def test_final_summary_changes_departments_and_two_sources(dagbag, campaign_conn, outbox, province):  # noqa: F811
    report = dagbag.get_dag("campaign_report")
    # Week 6: only the fixture's two progress rows (工会's 走访慰问, the 人社厅's 追回欠薪): every department with a
    # mailbox still owes items, so each is reminded once; 铁路 has no mailbox.
    assert report.test(run_conf={"campaign": GX.id, "as_of": "2024-02-09"}).state == "success"
    assert sorted(m["To"] for m in reminders(outbox)) == sorted(d.email for d in GX.departments if d.email)
    first = next(m for m in reminders(outbox) if m["To"] == GX.department("工会").email)
    assert "送健康服务" in body_of(first) and "送关爱帮扶" not in body_of(first)  # reported 走访慰问, owes 健康包
    assert "贵单位的数字将在下一期报告中体现" in body_of(first)

    # The carriers' returns (all but the last trip's) and the counties' claims return come in first; then the
    # departments' figures (adding up to what the system holds, but one) and their highlights.
    engine = db.engine(campaign_conn)
    with engine.connect() as conn:
        plan_id, _ = latest_published(conn, GX.id)
    last_trip = query(campaign_conn, "SELECT MAX(trip_id) FROM charter_trip")[0][0]
    for path in sorted((outputs_dir(GX.id, plan_id) / "carriers").glob("*.xlsx")):
        fill_carrier_workbook(path, settings.landing_dir(GX.id, "trip_returns") / path.name, seed=5,
                              no_show_share=0.1, unreturned=frozenset([last_trip]))
    claims = claims_return(GX, {r["身份证号"]: r["姓名"] for r in province}, 2024, seed=5, claim_share=1.0)
    settings.landing_dir(GX.id, "subsidy_claims").mkdir(parents=True, exist_ok=True)
    claims.to_csv(settings.landing_dir(GX.id, "subsidy_claims") / "申领.csv", index=False, encoding="utf-8-sig")
    assert dagbag.get_dag("survey_intake").test(run_conf={"campaign": GX.id}).state == "success"
    held = collect(engine, GX, GX.report.deadline)
    counted = system_values(held)
    boarded = query(campaign_conn, "SELECT COUNT(*) FROM trip_return WHERE record = 'rider' AND boarded = '是'")[0][0]
    not_returned = query(campaign_conn, "SELECT COUNT(*) FROM charter_assignment WHERE status = '包车' AND trip_id "
                                        "NOT IN (SELECT trip_id FROM trip_return)")[0][0]
    paid = query(campaign_conn, "SELECT COUNT(*) FROM subsidy_claim WHERE paid_on IS NOT NULL")[0][0]
    assert (counted["transported"], counted["subsidy_paid"]) == (boarded + not_returned, paid)
    assert 0 < not_returned and counted["transported"] < counted["chartered"] and paid > 0
    # The splits count 运送 the same way: 本省籍 + 外省籍 is the province's, a group's is its riders who boarded.
    carried = held.split_table().set_index("split")["transported"]
    poor = query(campaign_conn, "SELECT COUNT(*) FROM survey_worker w JOIN charter_assignment a ON a.id_number = "
                                "w.id_number LEFT JOIN trip_return r ON r.record = 'rider' AND r.trip_id = a.trip_id "
                                "AND r.id_number = a.id_number WHERE a.status = '包车' AND COALESCE(r.boarded, '是') = '是' "
                                "AND w.priority_groups LIKE '%脱贫人口%'")[0][0]
    assert carried["本省籍"] + carried["外省籍"] == counted["transported"] and carried["脱贫人口"] == poor
    for kind, frame in (("progress", service_progress(GX, [dt.date(2024, 2, 16), GX.report.deadline], 5, counted)),
                        ("highlights", highlights(GX, dt.date(2024, 3, 5), 5))):
        settings.landing_dir(GX.id, kind).mkdir(parents=True, exist_ok=True)
        frame.to_csv(settings.landing_dir(GX.id, kind) / f"{kind}.csv", index=False, encoding="utf-8-sig")
    assert dagbag.get_dag("survey_intake").test(run_conf={"campaign": GX.id}).state == "success"

    # Week 7: what changed since week 6 is the difference of the two stored versions.
    assert report.test(run_conf={"campaign": GX.id, "as_of": "2024-02-16"}).state == "success"
    week6, week7 = (next(m for m in report_messages(outbox) if f"2024年02月{d}日" in m["Subject"]) for d in ("09", "16"))
    figures = stored(campaign_conn)
    shown = changes_shown(body_of(week7))
    assert shown == {label: (figures["weekly-2024-W07"][k], figures["weekly-2024-W06"][k],
                             figures["weekly-2024-W07"][k] - figures["weekly-2024-W06"][k])
                     for k, label in versions.HEADLINE.items()}
    assert shown["已报送部门"] == (len(GX.departments), 0, len(GX.departments))
    assert 'id="changes"' not in body_of(week6)  # the first version has nothing to compare with
    pngs = [[p for p in m.walk() if p.get_content_type() == "image/png"] for m in (week6, week7)]
    assert len(pngs[1]) == len(pngs[0]) + 1  # the week-by-week chart, from the second version on

    # The final summary, sent once with one reminder, to the silent department only.
    before = len(reminders(outbox))
    assert report.test(run_conf={"campaign": GX.id, "as_of": "2024-03-08"}).state == "success"
    assert report.test(run_conf={"campaign": GX.id, "as_of": "2024-03-08"}).state == "success"  # sends nothing
    [final] = [m for m in report_messages(outbox) if "工作总结" in m["Subject"]]
    late = [d for d in GX.departments if d.email][-1]
    [reminder] = reminders(outbox)[before:]
    assert "工作总结已按现有数字报送" in body_of(reminder) and "下一期报告" not in body_of(reminder)
    assert reminder["To"] == late.email and query(
        campaign_conn, "SELECT COUNT(*) FROM sent_email WHERE key LIKE :k", k=f"department-reminder-%-final-{late.name}")[0][0] == 1
    assert final["Cc"] == ", ".join(d.email for d in GX.departments if "final" in d.receives and d.email not in
                                    GX.report.to)
    text = text_of(final)
    heads = [text.index(h) for h in ("一、基本情况", "二、主要做法和成效", "三、存在的问题", "四、下一步打算")]
    assert heads == sorted(heads)
    workers, home = query(campaign_conn, "SELECT COUNT(*), SUM(CASE WHEN trip_type = '返乡' THEN 1 ELSE 0 END) "
                                         "FROM survey_worker")[0]
    chartered, referred = query(campaign_conn, "SELECT SUM(CASE WHEN status = '包车' THEN 1 ELSE 0 END), "
                                               "SUM(CASE WHEN status <> '包车' THEN 1 ELSE 0 END) FROM charter_assignment")[0]
    trips = query(campaign_conn, "SELECT COUNT(*) FROM charter_trip")[0][0]
    basics = text[heads[0]:heads[1]]
    assert f"摸排返乡返岗农民工 {workers:,} 人，其中返乡 {home:,} 人" in basics
    assert f"安排 {trips:,} 车次运送 {chartered:,} 人，转集中购票 {referred:,} 人" in basics
    typed = query(campaign_conn, "SELECT SUM(value) FROM service_progress WHERE figure_code = 'charter_passengers' "
                                 "AND as_of = '2024-03-08'")[0][0]
    transported = counted["transported"]
    assert typed == round(transported * OVER_REPORTED[1])
    practices = text[heads[1]:heads[2]]
    assert f"点对点运送农民工 {typed:,.0f} 人" in practices
    for title, category in query(campaign_conn, "SELECT title, category FROM highlight"):
        section = {"存在问题": text[heads[2]:heads[3]], "下一步打算": text[heads[3]:]}.get(category, practices)
        assert title in section, (title, category)
    problems = text[heads[2]:heads[3]]
    requests = query(campaign_conn, "SELECT COUNT(*) FROM survey_worker WHERE needs_charter")[0][0]
    assert f"需要包车的 {requests:,} 人中 {referred:,} 人（{referred / requests:.1%}）" in problems
    assert f"本期未报送服务项目进展的部门：{late.name}" in problems
    # Two sources: the over-reported riders (against those who boarded) are named; the fairs (typed = held) and
    # the subsidies (typed = the claims paid) are not.
    assert (f"「送\"点对点\"返乡返岗运输服务·点对点运送农民工」部门填报 {typed:,.0f} 人，"
            f"点对点包车运送人数（包车回执实际乘车，未交回执车次按计划计） {transported:,} 人，"
            f"相差 {(typed - transported) / transported:+.0%}，超过容差 5%") in problems
    assert "专场招聘会(直播带岗)场次」部门填报" not in text and "发放跨省就业交通补助人数」部门填报" not in text
    assert "超出容差" in body_of(final) and "在容差内" in body_of(final)
    table = body_of(final)[body_of(final).index('id="reconcile"'):].split("</table>")[0]
    typed_paid = query(campaign_conn, "SELECT SUM(value) FROM service_progress WHERE figure_code = 'travel_subsidies' "
                                      "AND as_of = '2024-03-08'")[0][0]
    assert typed_paid == paid and (f"<td>发放跨省就业交通补助人数</td><td align=\"right\">{paid:,}</td>"
                                   f"<td>已发放交通补助人数（补助申领核验表）</td><td align=\"right\">{paid:,}</td>"
                                   "<td align=\"right\">+0</td><td>在容差内</td>") in table

    # No worker's ID or phone number in any message sent; no contact's phone in the reports and reminders (the
    # notices to counties name the office's published line on purpose).
    phones = [c.phone for c in [GX.lead_contact, *(d.contact for d in GX.departments if d.contact)] if c.phone]
    for message in messages(outbox):
        raw, words = message.as_string(), text_of(message) + message["Subject"]
        assert_no_pii(words)  # raises on anything shaped like an ID or mobile number
        found = [v for row in province for v in (row["身份证号"], row["联系电话"]) if v and v in raw]
        assert not found, (message["Subject"], found)
    for message in [*report_messages(outbox), *reminders(outbox)]:
        assert not any(p in text_of(message) for p in phones), message["Subject"]
