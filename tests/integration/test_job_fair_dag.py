"""job_fair_rollout end to end: survey seekers and enterprise openings through survey_intake, the rollout
planned, gated, published and sent to the counties over a real SMTP server on loopback; a second run
sends nothing; fair results with mistakes are quarantined row by row and the rest tallied."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from chunnuan.config import campaign, divisions, settings
from chunnuan.intake.kinds.fair_results import FAIR_RESULTS
from chunnuan.intake.kinds.openings import OPENINGS
from tests.support.airflow_meta import asset_events
from tests.support.campaign_db import messages, query
from tests.support.jobs import fair_result_row, opening_row, write_rows
from tests.support.rows import make_id, valid_row, write_csv

pytestmark = pytest.mark.slow
GX = campaign.load("guangxi-2024")
PINGNAN, GUIPING = "450821", "450881"


def seekers() -> list[dict]:
    """Pingnan: 40 want local 电工 work (30 poor), 5 want 焊工 work outside; Guiping: 6 want local 电工 work."""
    rows = []
    for seq in range(1, 52):
        county, label = (PINGNAN, "贵港市平南县") if seq <= 45 else (GUIPING, "贵港市桂平市")
        need, trade = ("外出务工", "焊工") if 40 < seq <= 45 else ("本地就业", "电工")
        rows.append(valid_row(seq, 姓名=f"求职者{seq}", **{
            "身份证号": make_id(county=county, seq=seq), "户籍县(市、区)": label, "就业需求": need, "意向工种": trade,
            "重点群体类别": "脱贫人口" if seq <= 30 else "否"}))
    return rows


def openings() -> list[dict]:
    return [opening_row(1, 招聘人数="10", 重点企业或重点园区="是"),  # Pingnan 电工, 10 places × 3 candidates
            opening_row(2, 招聘人数="2", **{"月薪上限(元)": "9000"}),
            opening_row(3, 招聘工种="焊工", 岗位所在省份="广东省", **{"岗位所在县(市、区)": "深圳市宝安区"}),
            opening_row(4, **{"岗位所在县(市、区)": "贵港市港北区"}),
            opening_row(5, 招聘截止日期="2024-02-01"),  # closed before the planning date: never offered
            opening_row(6, 招聘工种="叉车司机")]


def test_rollout_planned_published_notified_then_results_tallied(dagbag, campaign_conn, chunnuan_home, outbox):
    for kind in ("survey", "openings"):
        settings.landing_dir(GX.id, kind).mkdir(parents=True)
    people = seekers()
    write_csv(settings.landing_dir(GX.id, "survey") / "贵港市.csv", people)
    write_rows(settings.landing_dir(GX.id, "openings") / "岗位.csv", OPENINGS, openings())
    intake, rollout = dagbag.get_dag("survey_intake"), dagbag.get_dag("job_fair_rollout")
    assert intake.test(run_conf={"campaign": GX.id}).state == "success"

    run = rollout.test(run_conf={"campaign": GX.id, "as_of": "2024-02-05"})
    assert run.state == "success", {ti.task_id: ti.state for ti in run.get_task_instances()}

    # Every county of the province has its fair; Pingnan (30 poor seekers) also a 脱贫劳动力专场.
    counties = divisions.province(GX.province_code).counties
    planned = query(campaign_conn, "SELECT county_code, session, fair_date FROM job_fair")
    assert {c for c, _, _ in planned} == set(counties)
    assert ("脱贫劳动力专场" in {s for c, s, _ in planned if c == PINGNAN})
    assert all(not ("2024-02-10" <= str(d) <= "2024-02-17") for _, _, d in planned)
    # Matching: no opening over its places × 3; the closed opening and 本地就业 → 省外 never recommended.
    load = dict(query(campaign_conn, "SELECT uscc || '/' || trade, COUNT(*) FROM job_recommendation WHERE rank >= 1 "
                                     "GROUP BY uscc, trade"))
    headcount = dict(query(campaign_conn, "SELECT uscc || '/' || trade, headcount FROM job_opening"))
    assert load and all(n <= headcount[k] * 3 for k, n in load.items())
    assert not [k for k in load if k.startswith(opening_row(5)["统一社会信用代码"])]
    seeker_count = query(campaign_conn, "SELECT COUNT(DISTINCT id_number) FROM job_recommendation")[0][0]
    assert seeker_count == len(people)
    welders = query(campaign_conn, "SELECT DISTINCT county_code FROM job_recommendation WHERE trade = '焊工' AND rank >= 1")
    assert welders == [("440306",)]  # 外出务工 seekers may go out of the province

    # Published: the schedule, and one email per county with its fairs; no ID number or phone anywhere.
    [(plan_id, status)] = query(campaign_conn, "SELECT id, status FROM job_fair_plan")
    assert status == "published"
    folder = settings.outputs_dir(GX.id, "job_fairs") / f"plan-{plan_id}"
    book = load_workbook(next(folder.glob("*招聘会安排表.xlsx")), read_only=True)
    assert book.sheetnames == ["招聘会安排", "邀请企业"]
    assert len(list(book["招聘会安排"].iter_rows(min_row=2))) == len(planned)
    sent = messages(outbox)
    assert len(sent) == len(counties)
    pingnan = next(m for m in sent if m["To"] == GX.county_mailbox(PINGNAN))
    assert "贵港市平南县春风行动招聘会安排" in pingnan["Subject"] and "450821-01" in pingnan.get_body(("html",)).get_content()
    [attachment] = pingnan.iter_attachments()
    invited = list(load_workbook(io.BytesIO(attachment.get_content()), read_only=True)["邀请企业"]
                   .iter_rows(min_row=2, values_only=True))
    sessions = dict(query(campaign_conn, f"SELECT fair_no, session FROM job_fair WHERE county_code = '{PINGNAN}'"))
    poor_ids = tuple(p["身份证号"] for p in people if p["重点群体类别"] != "否")
    for fair_no, session in sessions.items():  # a 脱贫劳动力专场 invites the employers of the poor seekers' lists
        only_poor = f"AND id_number IN {poor_ids}" if session == "脱贫劳动力专场" else ""
        per_employer = dict(query(campaign_conn, "SELECT uscc, COUNT(DISTINCT id_number) FROM job_recommendation "
                                                 f"WHERE rank >= 1 AND served_by_code = '{PINGNAN}' {only_poor} "
                                                 "GROUP BY uscc"))
        assert [(row[4], row[7]) for row in invited if row[0] == fair_no] == sorted(
            per_employer.items(), key=lambda kv: (-kv[1], kv[0])), session
    assert set(sessions.values()) == {"综合招聘会", "脱贫劳动力专场"}
    for message in sent:
        raw = message.as_string()
        assert not any(p["身份证号"] in raw or p["联系电话"] in raw for p in people)
    lists = folder / "counties" / "贵港市平南县-求职者推荐岗位.xlsx"
    names = [r[0] for r in load_workbook(lists, read_only=True).active.iter_rows(min_row=2, values_only=True)]
    assert len(names) == 45 and "求职者1" in names

    # A second run: the published plan stands, nothing is sent again.
    assert rollout.test(run_conf={"campaign": GX.id, "as_of": "2024-02-06"}).state == "success"
    assert len(messages(outbox)) == len(counties)

    # Results arrive, two rows with mistakes: those are quarantined with reasons, the rest tallied.
    settings.landing_dir(GX.id, "fair_results").mkdir(parents=True)
    results = [fair_result_row(n) for n in range(1, 10)]
    results += [fair_result_row(10, 达成意向人数="950"), fair_result_row(11, 招聘会编号="450881-07")]
    write_rows(settings.landing_dir(GX.id, "fair_results") / "平南成效.csv", FAIR_RESULTS, results)
    assert intake.test(run_conf={"campaign": GX.id}).state == "success"
    reasons = [r for (r,) in query(campaign_conn, "SELECT reasons FROM quarantined_row ORDER BY source_row")]
    assert len(reasons) == 2 and "达成意向人数 950 多于进场人数 900" in reasons[0] and "前6位不是本行" in reasons[1]

    before = len(asset_events("job_fair_plan"))
    assert rollout.test(run_conf={"campaign": GX.id, "as_of": "2024-02-28"}).state == "success"
    [event] = asset_events("job_fair_plan")[before:]
    assert event["fairs_held"] == 9 and event["intentions"] == 9 * 300 and event["attendance_poor"] == 9 * 150
    assert event["fairs_planned"] == len(planned) and event["held_of_plan"] == 2  # 450821-01 and -02 exist
