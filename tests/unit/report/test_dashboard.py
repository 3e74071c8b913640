"""春暖看板: a real SQLite campaign DB filled through the real intakes (survey, fleet → published charter plan,
training classes → compliance check, fair results, service progress), then the snapshot and page against SQL,
the FastAPI app as the api-server mounts it, and the plugin as Airflow's plugins manager discovers it."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from chunnuan import db
from chunnuan.charter import steps as charter_steps
from chunnuan.common import mail
from chunnuan.config import campaign, settings
from chunnuan.intake import registry
from chunnuan.intake.batches import load_replacing, load_validated, register_files, validate_batches
from chunnuan.planner import Carrier, Fleet, write_fleet
from chunnuan.report import dashboard, trend
from chunnuan.subsidy.steps import publish_rosters
from chunnuan.synth.charter import uscc_for
from chunnuan.training import steps as training_steps
from tests.support.claims import claim_row
from tests.support.jobs import fair_result_row, highlight_row, progress_row, write_rows
from tests.support.rows import make_id, valid_row, write_csv
from tests.support.training import class_row, write_classes

pytestmark = pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")  # fastapi's TestClient
GX = campaign.load("guangxi-2024")
AS_OF = dt.date(2024, 2, 25)
REPO = Path(__file__).resolve().parents[3]


def survey_rows() -> list[dict]:
    """32 Pingnan workers leaving 02-18/19 for Shenzhen (one coach), 8 from Guiping, one bad phone."""
    rows = []
    for seq in range(1, 41):
        county, label = ("450821", "贵港市平南县") if seq <= 32 else ("450881", "贵港市桂平市")
        rows.append(valid_row(seq, 姓名=f"测试工人{seq}", 身份证号=make_id(county=county, seq=seq), **{
            "户籍县(市、区)": label, "出行类型": "返乡" if seq > 36 else "返岗", "计划出行日期": f"2024-02-{18 + seq % 2}",
            "重点群体类别": "脱贫人口" if seq % 3 == 0 else "否"}))
    rows.append(valid_row(99, 联系电话="12345"))  # quarantined
    return rows


def poor(rows: list[dict]) -> list[dict]:
    return [r for r in rows if r["重点群体类别"] == "脱贫人口"]


def claims(candidates: list[dict]) -> list[dict]:
    """Five candidates claim: three paid, one verified and waiting to be paid, one not verified."""
    waiting = {"公示日期": "", "发放日期": "", "发放金额(元)": ""}
    cases = [{}, {}, {}, waiting, {**waiting, "核验通过": "否", "证明材料": ""}]
    return [claim_row(n, 姓名=r["姓名"], 身份证号=r["身份证号"], **{"户籍县(市、区)": r["户籍县(市、区)"]}, **case)
            for n, (r, case) in enumerate(zip(candidates[-5:], cases, strict=True), start=1)]


def submit(engine, path: Path, kind: str) -> dict:
    registered = register_files(engine, GX, [path], kind=kind)
    validate_batches(engine, GX, registered["new"])
    return load_validated(engine, GX) if kind == "survey" else load_replacing(engine, GX, kind)


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    """(db url, survey rows): one campaign DB for the module; the intakes take a few seconds."""
    tmp = tmp_path_factory.mktemp("dashboard")
    url = f"sqlite:///{tmp / 'campaign.db'}"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CHUNNUAN_HOME", str(tmp / "home"))
        db.upgrade(url)
        engine = db.engine(url)
        rows = survey_rows()
        assert submit(engine, write_csv(tmp / "贵港市.csv", rows), "survey")["loaded"] == 40
        # The subsidy's candidates (脱贫人口 working in 广东), and the counties' claims return for some of them.
        assert publish_rosters(engine, GX)["eligible"] == len(poor(rows))
        assert submit(engine, write_rows(tmp / "申领.csv", registry.gate_kind("subsidy_claims").schema,
                                         claims(poor(rows))), "subsidy_claims")["loaded"] == 5
        carrier = Carrier(uscc_for("450800", 1), "贵港市安达汽车运输有限公司", "AAA", None, "李调度", "0775-4200001", True)
        write_fleet(Fleet.build([carrier], [(carrier.uscc, 35, GX.travel_window.start, GX.travel_window.end, 2)]),
                    tmp / "运力.csv")
        submit(engine, tmp / "运力.csv", "fleet")
        plan_folder = tmp / "charter"
        plan_folder.mkdir()
        charter_steps.extract(engine, GX, plan_folder)
        charter_steps.make_plan(GX, plan_folder)
        assert charter_steps.publish(engine, GX, plan_folder, "run-1", "test", None)["trips"] >= 1
        submit(engine, write_classes(tmp / "培训.csv", [class_row(1), class_row(2, 结业人数="30", 取证人数="20")]),
               "training")
        check_folder = settings.run_dir(GX.id, "training", "check-1")
        training_steps.extract(engine, GX, check_folder)
        training_steps.evaluate(engine, GX, check_folder, "check-1", dt.date(2024, 2, 10))
        submit(engine, write_rows(tmp / "成效.csv", registry.gate_kind("fair_results").schema,
                                  [fair_result_row(1), fair_result_row(2, 达成意向人数="120")]), "fair_results")
        submit(engine, write_rows(tmp / "进展.csv", registry.gate_kind("progress").schema, [
            progress_row(), progress_row(地区="贵港市桂平市", 累计数值="80"),
            progress_row(服务项目="送劳动权益保障", 统计指标="追回欠薪金额", 累计数值="12.5", 填报部门="自治区人力资源社会保障厅"),
            progress_row(地区="贵港市港北区", 截至日期="2024-03-01", 累计数值="7")]), "progress")  # after AS_OF
        submit(engine, write_rows(tmp / "亮点.csv", registry.gate_kind("highlights").schema, [
            highlight_row(1), highlight_row(2, 类别="存在问题"), highlight_row(3, 日期="2024-03-01")]), "highlights")
    return url, rows


def scalar(url: str, sql: str):
    with db.engine(url).connect() as conn:
        return conn.execute(text(sql), {"c": GX.id}).scalar()


def expected(url: str) -> dict:
    """The headline figures counted straight from the tables."""
    plan = "(SELECT MAX(id) FROM charter_plan WHERE status = 'published')"
    return {
        "workers": scalar(url, "SELECT COUNT(*) FROM survey_worker WHERE campaign_id = :c"),
        "returning_home": scalar(url, "SELECT COUNT(*) FROM survey_worker WHERE campaign_id = :c AND trip_type = '返乡'"),
        "returning_to_work": scalar(url, "SELECT COUNT(*) FROM survey_worker WHERE campaign_id = :c AND trip_type = '返岗'"),
        # No carrier has returned its manifest here: 运送 is the plan's riders, labelled 计划 (report.outcomes).
        "transported": scalar(url, f"SELECT COUNT(*) FROM charter_assignment WHERE plan_id = {plan} AND status = '包车'"),
        "trips": scalar(url, f"SELECT COUNT(*) FROM charter_trip WHERE plan_id = {plan}"),
        "classes": scalar(url, "SELECT COUNT(*) FROM training_class WHERE campaign_id = :c"),
        "completed": scalar(url, "SELECT SUM(completed) FROM training_class WHERE campaign_id = :c"),
        "compliant": scalar(url, "SELECT COUNT(*) FROM training_compliance WHERE campaign_id = :c AND status = '达标'"),
        "fairs_planned": scalar(url, "SELECT COUNT(*) FROM job_fair"),
        "fairs_held": scalar(url, "SELECT COUNT(*) FROM fair_result WHERE campaign_id = :c"),
        "fair_intentions": scalar(url, "SELECT SUM(intentions) FROM fair_result WHERE campaign_id = :c"),
    }


def shown(html: str, key: str) -> int:
    return int(re.search(rf'id="fig-{key}">(\d+)<', html).group(1))


def personal(rows: list[dict]) -> list[str]:
    return [v for r in rows for v in (r["身份证号"], r["联系电话"], r["姓名"])]


@pytest.fixture(scope="module")
def snap(province):
    return dashboard.snapshot(db.engine(province[0]), GX, AS_OF)


def test_snapshot_figures_equal_the_tables(province, snap):
    url, _ = province
    want = expected(url)
    got = {**snap["province"], "trips": snap["charter"]["trips"]}
    assert {k: got[k] for k in want} == want
    assert want["workers"] == 40 and want["returning_home"] == 4 and want["transported"] >= 27 and want["trips"] >= 1
    assert want["classes"] == 2 and want["completed"] == 75 and want["fairs_held"] == 2 and want["fair_intentions"] == 420
    assert want["compliant"] >= 1 and want["fairs_planned"] == 0
    assert snap["charter"]["plan_published"] is True
    assert snap["missing_parts"] == ["招聘会安排"]
    assert snap["checks"] == []  # the report's reconciliation passes
    guigang = next(c for c in snap["cities"] if c["city"] == "贵港市")
    assert (guigang["workers"], guigang["reporting"]) == (40, 2)
    assert sum(c["workers"] for c in snap["cities"]) == 40 and len(snap["cities"]) == 14
    quality = {q["kind"]: q for q in snap["quality"]}
    assert (quality["survey"]["rows_read"], quality["survey"]["rows_loaded"], quality["survey"]["rows_quarantined"]) == (
        41, 40, 1)
    assert quality["survey"]["label"] == "需求摸排表"
    assert snap["problems"] == [{"kind": "survey", "label": "电话号码无效", "rows": 1, "kind_label": "需求摸排表"}]


def test_snapshot_service_items_count_only_reports_up_to_as_of(province, snap):
    services = {(s["item_name"], s["figure_name"]): s for s in snap["services"]}
    assert services[("送关爱帮扶", "走访慰问")] == {"item_name": "送关爱帮扶", "figure_name": "走访慰问", "unit": "人",
                                              "total": 400.0, "areas": 2, "latest": "2024-02-23"}
    assert services[("送劳动权益保障", "追回欠薪金额")]["total"] == 12.5
    silent = [s for s in snap["services"] if s["areas"] == 0]
    assert silent and all(s["total"] is None and s["latest"] is None for s in silent)
    assert len(snap["services"]) == sum(len(i.figures) for i in GX.service_items)
    later = dashboard.snapshot(db.engine(province[0]), GX, dt.date(2024, 3, 1))
    assert {(s["item_name"], s["figure_name"]): s for s in later["services"]}[("送关爱帮扶", "走访慰问")]["areas"] == 3


def test_page_shows_the_figures_in_chinese_and_no_personal_data(province, snap):
    url, rows = province
    html = dashboard.render(snap)
    for key, value in expected(url).items():
        assert shown(html, key) == value, key
    assert "尚无数据的部分：招聘会安排" in html
    assert "数字核对：全省合计与各市、各县之和一致" in html
    assert "<td>贵港市</td><td class=\"n\">2/" in html
    assert re.search(r"<td>走访慰问</td><td class=\"n\">400 人</td><td class=\"n\">2</td>", html)
    assert re.search(r"<td>追回欠薪金额</td><td class=\"n\">12.50 万元</td>", html)
    assert html.count('<td class="n">未报送</td>') == sum(1 for s in snap["services"] if s["areas"] == 0)
    assert "需求摸排表" in html and "电话号码无效 1 行" in html
    assert snap["generated_at"][:16].replace("T", " ") in html
    leaked = [v for v in personal(rows) if v in html or v in json.dumps(snap, ensure_ascii=False)]
    assert leaked == []
    mail.assert_no_pii(html, json.dumps(snap, ensure_ascii=False))


def test_departments_reporting_and_latest_highlights(province, snap):
    """Each configured department's items this period (7 days to AS_OF): 工会 reported 走访慰问 but not 健康包,
    the 人社厅 one of its seven items, the rest nothing; the highlights are the 亮点 up to AS_OF only."""
    by_name = {d["department"]: d for d in snap["departments"]}
    assert list(by_name) == [d.name for d in GX.departments]
    assert by_name["工会"]["reported"] == ["送关爱帮扶"] and by_name["工会"]["not_reported"] == ["送健康服务"]
    assert by_name["工会"]["status"] == "部分报送" and by_name["工会"]["latest"] == "2024-02-23"
    assert by_name["自治区人力资源社会保障厅"]["reported"] == ["送劳动权益保障"]
    assert {d["status"] for n, d in by_name.items() if n not in ("工会", "自治区人力资源社会保障厅")} == {"从未报送"}
    assert by_name["铁路"]["has_mailbox"] is False and "email" not in by_name["铁路"]
    assert [h["title"] for h in snap["highlights"]] == ["平南县走访慰问留守老人儿童（第1条）"]
    html = dashboard.render(snap)
    table = html[html.index('id="departments"'):].split("</table>")[0]
    assert "<td>工会</td><td>送健康服务、送关爱帮扶</td><td>送关爱帮扶</td><td>送健康服务</td><td>2024-02-23</td>" in table
    assert "从未报送（无邮箱，未催报）" in table  # 铁路
    assert "平南县走访慰问留守老人儿童（第1条）" in html and "第3条" not in html


def test_subsidy_card_shows_candidates_and_claims_as_the_tables_hold_them(province, snap):
    url, rows = province
    claimed = ("SELECT COUNT(*), SUM(CASE WHEN verified THEN 1 ELSE 0 END), SUM(CASE WHEN paid_on IS NOT NULL "
               "THEN 1 ELSE 0 END), SUM(CASE WHEN paid_on IS NOT NULL THEN amount ELSE 0 END) FROM subsidy_claim "
               "WHERE campaign_id = :c")
    with db.engine(url).connect() as conn:
        counted = conn.execute(text(claimed), {"c": GX.id}).one()
    candidates = len(poor(rows))  # all work in 广东: the 邻省 band, 500 元
    assert snap["subsidy"] == {"eligible": candidates, "eligible_amount": 500 * candidates, "claims": counted[0],
                               "verified": counted[1], "paid": counted[2], "paid_amount": counted[3]}
    assert tuple(counted) == (5, 4, 3, 1500)
    html = dashboard.render(snap)
    card = html[html.index('id="subsidy"'):].split("</section>")[0]
    assert "跨省就业交通补助" in card and f"候选应发 {0.05 * candidates:.2f} 万元；各县报来申领 5 人" in card
    for key, value in (("eligible", candidates), ("verified", 4), ("paid", 3)):
        assert shown(card, key) == value, key
    assert 'id="fig-paid_amount">0.15</div><div class="l">已发放（万元）' in card


def test_page_names_failed_checks_and_escapes_them():
    snap = {"campaign": {"id": "x", "name": "<b>行动</b>", "province": "广西", "province_code": "450000"},
            "as_of": "2024-02-25", "trend": {"weeks": [], "total": dict.fromkeys(trend.FIGURES, [])},
            "generated_at": "2024-02-25T10:00:00+08:00", "province": dict.fromkeys(
                [*dashboard.CITY_COLUMNS, "counties", "reporting", "referred", "enrolled", "certified",
                 "fair_attendance", "fair_positions", "charter_requests"], 0),
            "charter": {"plan_published": False, "trips": 0, "cost": 0.0}, "cities": [], "services": [],
            "split_names": [], "splits": [], "inbound": [], "subsidy": None,
            "missing_parts": [], "quality": [], "problems": [], "checks": ["「摸排人数」全省合计 3 ≠ 各县之和 2"],
            "counties": [{"county_code": "450821", "label": "贵港市平南县", "reporting": False, "status": "",
                          **dict.fromkeys(dashboard.MAP_COLUMNS, 0)}]}
    html = dashboard.render(snap)
    assert "数字核对未通过（1 处）" in html and "「摸排人数」全省合计 3 ≠ 各县之和 2" in html
    assert "<b>行动</b>" not in html and "&lt;b&gt;行动&lt;/b&gt;" in html
    assert "包车方案尚未发布" in html and "尚未收到任何报表" in html
    assert 'id="subsidy"' not in html  # no subsidy card where the campaign pays none (Shandong)


# --- The plugin, discovered and mounted the way the api-server does it ------------------------------------


@pytest.fixture(scope="module")
def plugins():
    from airflow import plugins_manager

    plugins_manager.ensure_plugins_loaded()
    return plugins_manager


def token(role: str | None) -> str:
    """A JWT signed by the auth manager, as the login page would issue it (Airflow's default simple manager)."""
    from airflow.api_fastapi.app import get_auth_manager
    from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser

    return get_auth_manager().generate_jwt(SimpleAuthManagerUser(username="lingdao", role=role))


@pytest.fixture(scope="module")
def anonymous(plugins, airflow_db):
    """A FastAPI root with the auth manager and the plugin apps mounted by Airflow's own init functions, as
    the api-server does (no server process), and a client with no session."""
    from airflow.api_fastapi.app import init_auth_manager, init_plugins
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    root = FastAPI()
    init_auth_manager(root)
    init_plugins(root)
    return TestClient(root, follow_redirects=False)


@pytest.fixture(scope="module")
def api(anonymous):
    """The same app for a logged-in 领导 (Viewer, the least role): the UI's session cookie."""
    from fastapi.testclient import TestClient

    return TestClient(anonymous.app, cookies={"_token": token("viewer")})


@pytest.fixture
def campaign_conn(province, monkeypatch):
    url, _ = province
    monkeypatch.setenv("AIRFLOW_CONN_CAMPAIGN_DB",
                       json.dumps({"conn_type": "generic", "extra": {"sqlalchemy_url": url}}))
    monkeypatch.delenv("CHUNNUAN_CAMPAIGN", raising=False)
    return url


def test_plugin_is_discovered_from_the_plugins_folder_with_app_and_nav_entry(plugins):
    assert plugins.get_import_errors() == {}
    [info] = [p for p in plugins.get_plugin_info() if p["name"] == "chunnuan_dashboard"]
    assert str(info["source"]) == "$PLUGINS_FOLDER/chunnuan_dashboard.py"
    assert info["fastapi_apps"] == [{"app": "fastapi.applications.FastAPI", "url_prefix": "/chunnuan",
                                     "name": "春暖看板"}]
    assert info["external_views"] == [{"name": "春暖看板", "href": "/chunnuan/dashboard", "destination": "nav",
                                       "category": "browse", "url_route": "chunnuan-dashboard"}]
    apps, _ = plugins.get_fastapi_plugins()
    assert [a["url_prefix"] for a in apps if a["name"] == "春暖看板"] == ["/chunnuan"]
    external_views, _ = plugins._get_ui_plugins()  # what the UI lists: views with a url_route, no conflicts
    assert any(v["url_route"] == "chunnuan-dashboard" for v in external_views)
    # The public plugins endpoint validates each plugin with this model and drops the ones that fail.
    from airflow.api_fastapi.core_api.datamodels.plugins import PluginResponse

    assert PluginResponse.model_validate(info).external_views[0].href == "/chunnuan/dashboard"


def test_dashboard_page_and_summary_over_http(api, campaign_conn, snap):
    for path in ("/chunnuan/", "/chunnuan/dashboard"):
        page = api.get(path, params={"campaign": GX.id, "as_of": AS_OF.isoformat()})
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        for key, value in expected(campaign_conn).items():
            assert shown(page.text, key) == value, (path, key)
        assert f'<option value="{GX.id}" selected>' in page.text and 'value="shandong-2024"' in page.text
    summary = api.get("/chunnuan/api/summary", params={"campaign": GX.id, "as_of": AS_OF.isoformat()})
    assert summary.status_code == 200
    assert {k: v for k, v in summary.json().items() if k != "generated_at"} == {
        k: v for k, v in snap.items() if k != "generated_at"}


def test_defaults_come_from_the_environment_and_today_in_shanghai(api, campaign_conn, monkeypatch):
    today = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
    first = api.get("/chunnuan/api/summary").json()
    assert first["campaign"]["id"] == campaign.available()[0] and first["as_of"] == today
    monkeypatch.setenv("CHUNNUAN_CAMPAIGN", "shandong-2024")
    page = api.get("/chunnuan/")
    assert page.status_code == 200 and "山东省" in page.text and '<option value="shandong-2024" selected>' in page.text
    assert shown(page.text, "workers") == 0  # the Guangxi rows are not Shandong's


def test_unknown_campaign_is_404_in_chinese(api, campaign_conn):
    for bad in ("hainan-2030", "../campaigns/guangxi-2024"):
        summary = api.get("/chunnuan/api/summary", params={"campaign": bad})
        assert summary.status_code == 404 and summary.json()["detail"].startswith(f"没有行动「{bad}」")
        page = api.get("/chunnuan/dashboard", params={"campaign": bad})
        assert page.status_code == 404 and "没有行动" in page.text and "guangxi-2024" in page.text


def test_nothing_without_a_login_and_no_figures_for_a_user_without_a_role(anonymous, campaign_conn):
    query = {"campaign": GX.id, "as_of": AS_OF.isoformat()}
    page = anonymous.get("/chunnuan/dashboard", params=query)
    assert page.status_code == 303  # to the login page, and back here afterwards
    login = page.headers["location"]
    assert login.startswith("/auth/login?next=") and "%2Fchunnuan%2Fdashboard%3Fcampaign%3Dguangxi-2024" in login
    assert anonymous.get("/chunnuan/api/summary", params=query).status_code == 401
    forged = anonymous.get("/chunnuan/api/summary", params=query, headers={"Authorization": "Bearer not-a-jwt"})
    assert forged.status_code == 403 and "workers" not in forged.text
    for path in ("/chunnuan/dashboard", "/chunnuan/api/summary"):
        no_role = anonymous.get(path, params=query, cookies={"_token": token(None)})
        assert no_role.status_code == 403 and "贵港市" not in no_role.text
    assert "没有查看春暖看板的权限" in anonymous.get("/chunnuan/", cookies={"_token": token(None)}).text
    bearer = anonymous.get("/chunnuan/api/summary", params=query, headers={"Authorization": f"Bearer {token('viewer')}"})
    assert bearer.status_code == 200 and bearer.json()["campaign"]["id"] == GX.id


def test_unreadable_database_is_503_not_a_traceback(api, monkeypatch, tmp_path):
    empty = tmp_path / "empty.db"  # exists, but no tables: the DAGs never ran against it
    monkeypatch.setenv("AIRFLOW_CONN_CAMPAIGN_DB",
                       json.dumps({"conn_type": "generic", "extra": {"sqlalchemy_url": f"sqlite:///{empty}"}}))
    summary = api.get("/chunnuan/api/summary", params={"campaign": GX.id})
    assert summary.status_code == 503 and "行动数据库暂时无法读取" in summary.json()["detail"]
    page = api.get("/chunnuan/", params={"campaign": GX.id})
    assert page.status_code == 503 and "campaign_db" in page.text and str(empty) not in page.text


def test_page_says_how_many_referred_no_coach_could_carry(snap):
    floor = copy.deepcopy(snap)
    floor["charter"]["referral_floor"] = 7
    assert shown(dashboard.render(floor), "referral_floor") == 7
    floor["charter"]["referral_floor"] = 0
    assert "凑不满最低发车人数" not in dashboard.render(floor)
