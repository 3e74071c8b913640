"""charter_bus_planning end to end: survey + fleet through survey_intake, then plan → gate → approval
(auto) → publish, on a real SQLite file and a real PostgreSQL, mail to a real SMTP server on loopback."""

from __future__ import annotations

import email
import email.policy
import json

import pandas as pd
import pytest
from openpyxl import load_workbook

from chunnuan import db
from chunnuan.config import campaign, settings
from chunnuan.planner import Carrier, Fleet, write_fleet
from chunnuan.synth.charter import uscc_for
from chunnuan.synth.rail import offers
from tests.support.campaign_db import query
from tests.support.rows import make_id, valid_row, write_csv

pytestmark = pytest.mark.slow
GX = campaign.load("guangxi-2024")
PINGNAN, GUIPING = "450821", "450881"
# to 东莞 from each county: too few for a coach of their own, together nearly a full 35-seat coach — cheaper a rider
# than the plan's average, as pooling requires
DONGGUAN_EACH = 17


@pytest.fixture
def dags(dagbag):
    return dagbag.get_dag("survey_intake"), dagbag.get_dag("charter_bus_planning")


def survey_rows() -> list[dict]:
    rows, seq = [], 0
    # The last two groups (DONGGUAN_EACH each, all on 02-20, no flex) cannot fill a 35-seat coach (27) alone: 拼车.
    for county, label, city, n, fixed in ((PINGNAN, "贵港市平南县", "深圳市", 70, False),
                                          (GUIPING, "贵港市桂平市", "广州市", 40, False),
                                          (PINGNAN, "贵港市平南县", "杭州市", 3, False),
                                          (PINGNAN, "贵港市平南县", "东莞市", DONGGUAN_EACH, True),
                                          (GUIPING, "贵港市桂平市", "东莞市", DONGGUAN_EACH, True)):
        for i in range(n):
            seq += 1
            province = "浙江省" if city == "杭州市" else "广东省"
            rows.append(valid_row(seq, 姓名=f"工人{seq}", **{
                "身份证号": make_id(county=county, seq=seq), "户籍县(市、区)": label, "务工地省份": province,
                "务工地城市": city, "计划出行日期": "2024-02-20" if fixed else f"2024-02-{18 + i % 3}",
                "可提前或推迟天数": "0" if fixed else str(i % 3)}))
    return rows


def fleet() -> Fleet:
    good = Carrier(uscc_for("450800", 1), "贵港市安达汽车运输有限公司", "AAA", None, "李调度", "0775-4200001", True)
    weak = Carrier(uscc_for("450800", 2), "贵港市平安客运有限公司", "B", None, "王调度", "0775-4200002", True)
    window = (GX.travel_window.start, GX.travel_window.end)
    return Fleet.build([good, weak], [(good.uscc, 53, *window, 3), (good.uscc, 35, *window, 2),
                                      (weak.uscc, 53, *window, 5)])


def land_survey_and_fleet() -> tuple:
    """survey_rows() and fleet() in their landing folders; (the survey folder, the rows)."""
    survey_dir, fleet_dir = (settings.landing_dir(GX.id, k) for k in ("survey", "fleet"))
    survey_dir.mkdir(parents=True)
    fleet_dir.mkdir(parents=True)
    rows = survey_rows()
    write_csv(survey_dir / "贵港市.csv", rows)
    write_fleet(fleet(), fleet_dir / "运力.csv")
    return survey_dir, rows


def test_survey_to_published_plan_with_manifests_and_county_emails(dags, campaign_conn, chunnuan_home, outbox):
    intake, charter = dags
    survey_dir, rows = land_survey_and_fleet()

    rail_dir = settings.landing_dir(GX.id, "rail")
    rail_dir.mkdir(parents=True)
    # the railway bureau's offer, through the same intake: the synthetic trains pass no surveyed county; one
    # reserved 硬卧 carriage (66) 平南南 → 深圳北 on 02-19 is cheaper than a coach seat; the 46 平南 riders to 深圳
    # who may travel that day fill it beyond min_carriage_fill (40), so they take it
    rail_offers = pd.concat([offers(GX, trains=5), pd.DataFrame([{
        "铁路局": "中国铁路南宁局集团有限公司", "车次": "K3601", "日期": "2024-02-19", "始发站": "平南南", "到达站": "深圳北",
        "经停站": "", "车厢类型": "硬卧", "每厢定员": 66, "可提供车厢数": "1", "整列定员": "", "团体票价": 60,
        "联系人": "客运调度", "联系电话": "0771-2400009"}])])
    rail_offers.to_csv(rail_dir / "铁路运力.csv", index=False, encoding="utf-8-sig")

    assert intake.test(run_conf={"campaign": GX.id}).state == "success"
    assert query(campaign_conn, "SELECT COUNT(*) FROM fleet_offer") == [(3,)]
    assert query(campaign_conn, "SELECT COUNT(*), SUM(seats) > 0 FROM rail_offer") in ([(6, True)], [(6, 1)])

    run = charter.test(run_conf={"campaign": GX.id, "auto_approve": True})

    got = {ti.task_id: ti.state for ti in run.get_task_instances()}
    assert run.state == "success", got
    [(plan_id, status)] = query(campaign_conn, "SELECT id, status FROM charter_plan")
    assert status == "published"
    trips = query(campaign_conn, "SELECT trip_id, seats, passengers, carrier_uscc FROM charter_trip")
    assert trips and all(p <= s and p >= 0.75 * s for _, s, p, _ in trips)
    good, weak = sorted(fleet().carriers, key=lambda c: c.grade_rank)
    assert {c for *_, c in trips} == {good.uscc}  # grade B is never used, though it has the most coaches
    statuses = dict(query(campaign_conn, "SELECT status, COUNT(*) FROM charter_assignment GROUP BY status"))
    assert sum(statuses.values()) == len(rows)  # every request exactly once
    assert statuses["包车"] == sum(p for _, _, p, _ in trips)
    referred = query(campaign_conn, "SELECT reason FROM charter_assignment WHERE status = '集中购票'")
    assert len(referred) >= 3 and all(r for (r,) in referred)
    # the 3 to 杭州 are the floor: no coach going their way could gather a 35-seat coach's 27 (planner.floor)
    [(summary,)] = query(campaign_conn, f"SELECT summary FROM charter_plan WHERE id = {plan_id}")
    assert json.loads(summary)["referral_floor"] == 3

    # Manifests: one per carrier used, one per county, the right rows.
    out = chunnuan_home / "outputs" / GX.id / "charter" / f"plan-{plan_id}"
    [carrier_file] = (out / "carriers").iterdir()
    riders = list(load_workbook(carrier_file, read_only=True)["乘车名单"].iter_rows(min_row=2, values_only=True))
    assert len(riders) == statuses["包车"]
    ids = {r["身份证号"] for r in rows}
    assert {r[5] for r in riders} <= ids  # 身份证号 column: the carrier needs it to check passengers
    county_files = sorted(p.name for p in (out / "counties").iterdir())
    assert [n[:6] for n in county_files] == [PINGNAN, GUIPING]
    pingnan = load_workbook(out / "counties" / county_files[0], read_only=True)
    chartered_pn = query(campaign_conn, "SELECT COUNT(*) FROM charter_assignment WHERE status='包车' AND "
                                        f"id_number LIKE '{PINGNAN}%'")[0][0]
    assert pingnan["包车名单"].max_row - 1 == chartered_pn
    assert pingnan["集中购票"].max_row - 1 >= 3

    # 集中购票: one roster per departure station, one row per referred rider, equal to SQL over the plan.
    tickets = out / "tickets"
    referred_sql = query(campaign_conn, "SELECT a.id_number, w.name, w.phone FROM charter_assignment a JOIN "
                                        "survey_worker w ON w.id_number = a.id_number "
                                        f"WHERE a.plan_id = {plan_id} AND a.status = '集中购票' ORDER BY a.id_number")
    listed, seats = {}, {}
    for path in sorted(tickets.glob("*.xlsx")):
        book = load_workbook(path, read_only=True)
        for group, day, to_station, seq, name, id_number, phone, *_ in book["购票名单"].iter_rows(min_row=2,
                                                                                                  values_only=True):
            listed[id_number] = (path.name, day, to_station, name, phone)
            seats.setdefault((path.name, group, day, to_station), []).append(seq)
    assert all(sorted(s) == list(range(1, len(s) + 1)) for s in seats.values())  # 序号 1..n within each group
    assert sorted((i, n, p) for i, (_, _, _, n, p) in listed.items()) == sorted(referred_sql)
    # 平南县 has its own station (平南南); 桂平 riders board at 桂平; 杭州 is reached at 杭州东
    for id_number, (file, _, to_station, *_) in listed.items():
        assert file == ("平南南站_PAZ.xlsx" if id_number.startswith(PINGNAN) else "桂平站_GAZ.xlsx")
        assert to_station == {"深圳": "深圳北", "广州": "广州南", "杭州": "杭州东"}[
            next(r["务工地城市"] for r in rows if r["身份证号"] == id_number).removesuffix("市")]
    # 拼车: 平南县's and 桂平市's riders to 东莞 share one coach; its stops are stored and listed in order.
    [(pooled_id, stops_text)] = query(campaign_conn, "SELECT trip_id, stops FROM charter_trip "
                                                     "WHERE stops IS NOT NULL AND route_id LIKE '%>441900'")
    stops = query(campaign_conn, "SELECT stop_no, action, place_code, boarding, alighting FROM charter_trip_stop "
                                 f"WHERE trip_id = '{pooled_id}' ORDER BY stop_no")
    assert [s[1:3] for s in stops] == [("上车", GUIPING), ("上车", PINGNAN), ("下车", "441900")]
    assert [s[3] for s in stops] == [DONGGUAN_EACH, DONGGUAN_EACH, 0] and stops[-1][4] == 2 * DONGGUAN_EACH
    assert "桂平市上车" in stops_text
    sheet = list(load_workbook(carrier_file, read_only=True)["停靠站点"].iter_rows(min_row=2, values_only=True))
    assert [(r[2], r[3]) for r in sheet if r[0] == pooled_id] == [(1, "上车"), (2, "上车"), (3, "下车")]
    on_pooled = [r for r in riders if r[0] == pooled_id]
    assert [r[8] for r in on_pooled] == sorted(r[8] for r in on_pooled)  # listed stop by stop (上车站序)
    assert {r[9] for r in on_pooled} == {"贵港市桂平市汽车客运站", "贵港市平南县汽车客运站"}

    # 专列（车厢）: 平南's riders on the reserved carriage, in the railway's list (one row each, ≤ 定员) and in
    # the county's 铁路名单 with train, carriage and station.
    on_rail = query(campaign_conn, "SELECT id_number, train_id, carriage_no, board_station FROM charter_assignment "
                                   f"WHERE plan_id = {plan_id} AND status = '铁路'")
    assert 40 <= len(on_rail) <= 66 and {r[1:] for r in on_rail} == {("20240219-K3601", 1, "平南南")}
    assert all(i.startswith(PINGNAN) for i, *_ in on_rail)
    book = load_workbook(out / "trains" / "20240219-K3601.xlsx", read_only=True)
    listed = list(book["第1车厢"].iter_rows(min_row=2, values_only=True))
    assert sorted(r[2] for r in listed) == sorted(i for i, *_ in on_rail) and [r[0] for r in listed] == list(
        range(1, len(listed) + 1))
    rail_sheet = list(pingnan["铁路名单"].iter_rows(values_only=True))
    col = {h: i for i, h in enumerate(rail_sheet[0])}
    assert {(r[col["车次"]], r[col["车厢"]], r[col["上车站"]]) for r in rail_sheet[1:]} == {("K3601", 1, "平南南")}
    assert len(rail_sheet) - 1 == len(on_rail)

    # One email per county, to the county's mailbox, with figures and no personal numbers; one to the office
    # (the railway gave no mailbox) saying the train's list is ready.
    messages = [email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in sorted(outbox.iterdir())]
    assert sorted(m["To"] for m in messages) == sorted([*(GX.county_mailbox(c) for c in (PINGNAN, GUIPING)),
                                                        str(GX.lead_contact.email)])
    for m in messages:
        raw = m.as_string()
        body = m.get_body(("html",)).get_content()
        assert "车次" in body and "K3601" in body if m["To"] != GX.county_mailbox(GUIPING) else "包车" in body
        if m["To"] == GX.county_mailbox(PINGNAN):  # the county email names who shares its pooled coach
            assert "拼车车次" in body and "桂平市" in body
        for r in rows:
            assert r["身份证号"] not in raw and r["联系电话"] not in raw and r["身份证号"] not in body

    # Publishing again (a re-run of the task) stores nothing twice and sends nothing.
    from chunnuan.charter.steps import publish
    from chunnuan.common.mail import SmtpSettings
    from chunnuan.config.settings import run_dir

    again = publish(db.engine(campaign_conn), GX, run_dir(GX.id, "charter", run.run_id), run.run_id, "测试",
                    SmtpSettings("127.0.0.1", 1, "x@example.org"))
    assert again["plan_id"] == plan_id and not again["stored_now"] and again["emails_sent"] == 0
    assert len(list(outbox.iterdir())) == 3
    assert query(campaign_conn, "SELECT COUNT(*) FROM charter_plan") == [(1,)]


def test_without_fleet_the_plan_is_skipped_with_a_reason(dags, campaign_conn, chunnuan_home, outbox):
    intake, charter = dags
    survey_dir = settings.landing_dir(GX.id, "survey")
    survey_dir.mkdir(parents=True)
    write_csv(survey_dir / "a.csv", survey_rows()[:5])
    intake.test(run_conf={"campaign": GX.id})

    run = charter.test(run_conf={"campaign": GX.id, "auto_approve": True})

    got = {ti.task_id: ti.state for ti in run.get_task_instances()}
    assert got["extract"] == "skipped" and got["publish"] == "skipped"
    assert query(campaign_conn, "SELECT COUNT(*) FROM charter_plan") == [(0,)]
    assert not outbox.exists() or not list(outbox.iterdir())


def _trips(url, plan_id) -> dict[str, tuple]:
    return {r[0]: tuple(str(x) for x in r[1:]) for r in query(
        url, f"SELECT trip_id, route_id, travel_date, seats, carrier_uscc FROM charter_trip WHERE plan_id = {plan_id}")}


def _riders(url, plan_id) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for trip_id, id_number in query(url, "SELECT trip_id, id_number FROM charter_assignment "
                                         f"WHERE plan_id = {plan_id} AND trip_id IS NOT NULL"):
        out.setdefault(trip_id, set()).add(id_number)
    return out


def test_second_run_after_new_survey_data_keeps_published_trips(dags, campaign_conn, chunnuan_home, outbox):
    intake, charter = dags
    survey_dir, rows = land_survey_and_fleet()
    assert intake.test(run_conf={"campaign": GX.id}).state == "success"
    assert charter.test(run_conf={"campaign": GX.id, "auto_approve": True}).state == "success"
    [(first,)] = query(campaign_conn, "SELECT id FROM charter_plan WHERE status = 'published'")
    trips1, riders1 = _trips(campaign_conn, first), _riders(campaign_conn, first)

    # New survey data: 20 more workers to 深圳, and one chartered worker no longer needs the charter.
    withdrawn = sorted(riders1[sorted(riders1)[0]])[0]
    old = next(r for r in rows if r["身份证号"] == withdrawn)
    later = [{**old, "是否需要点对点包车": "否", "填报日期": "2024-01-28"}]
    new = [valid_row(seq, 姓名=f"新工人{seq}", **{
        "身份证号": make_id(county=PINGNAN, seq=seq), "户籍县(市、区)": "贵港市平南县", "务工地省份": "广东省",
        "务工地城市": "深圳市", "计划出行日期": "2024-02-19", "可提前或推迟天数": "1", "填报日期": "2024-01-28"})
        for seq in range(300, 320)]
    write_csv(survey_dir / "贵港市-补报.csv", later + new)
    assert intake.test(run_conf={"campaign": GX.id}).state == "success"
    run = charter.test(run_conf={"campaign": GX.id, "auto_approve": True})
    assert run.state == "success", {ti.task_id: ti.state for ti in run.get_task_instances()}

    [(second,)] = query(campaign_conn, f"SELECT id FROM charter_plan WHERE status = 'published' AND id <> {first}")
    trips2, riders2 = _trips(campaign_conn, second), _riders(campaign_conn, second)
    new_ids = {r["身份证号"] for r in new}
    kept = [t for t in riders1 if riders1[t] - {withdrawn}]
    assert kept and all(trips2[t] == trips1[t] for t in kept)  # same number, route, date, seats, carrier
    for t in kept:
        stay = riders1[t] - {withdrawn}
        assert stay <= riders2[t] and riders2[t] - stay <= new_ids
    seated = {i for r in riders2.values() for i in r}
    assert withdrawn not in seated and new_ids & seated
    [(summary,)] = query(campaign_conn, f"SELECT summary FROM charter_plan WHERE id = {second}")
    r = json.loads(summary)["replan"]
    assert (r["base_plan"], r["kept_trips"], r["withdrawn"], r["new_requests"]) == (first, len(kept), 1, 20)

    # The second plan's county emails say what was kept, added and cancelled.
    messages = [email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in sorted(outbox.iterdir())]
    latest = [m for m in messages if f"第{second}版" in m["Subject"]]
    assert len(latest) == 2 and len(messages) == 4
    bodies = {m["To"]: m.get_body(("html",)).get_content() for m in latest}
    pingnan = bodies[GX.county_mailbox(PINGNAN)]
    assert f"第{first}版" in pingnan and "保留" in pingnan and "新增" in pingnan and "取消" in pingnan
    assert all(withdrawn not in b for b in bodies.values())
