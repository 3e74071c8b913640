"""The Airflow UI as coordinators and leaders use it: `airflow standalone` on a temporary home with demo data,
driven by headless Chromium (Debian's package, through Playwright; no browser download).

A 协调员 logs in, sees the five campaign DAGs by their Chinese names, opens the 需求摸排 trigger form, picks
two county surveys and the fleet file there and triggers a run, waits for its success, and reads the survey
figures on the 春暖看板 dashboard; then triggers 点对点包车, approves the plan on the Required actions page,
and sees the published trips on the dashboard; a second plan (全部重新规划 switched on) is rejected and
changes nothing. A 领导 (Viewer) logs in and reads the dashboard too, then opens it with the network cut
(every request not to the local server aborted): its ECharts charts and county map still draw, from the
script and boundaries the plugin serves. Each step leaves a screenshot in test-output/browser/.
"""

from __future__ import annotations

import json
import urllib.parse

import pytest

from chunnuan import db
from chunnuan.config import campaign
from tests.support.browser import GX, SHOTS, log_in, scalar, session_token, shot
from tests.support.standalone import Standalone

pytestmark = pytest.mark.slow
DAG_NAMES = ("需求摸排", "点对点包车", "培训班核查", "招聘会", "行动总结")


def open_dashboard(page):
    """Through the navigation, as a person would: 浏览 → 春暖看板; the page shows inside an iframe."""
    page.get_by_role("button", name="浏览").click()
    page.get_by_role("menuitem", name="春暖看板").click()
    page.wait_for_url("**/plugin/chunnuan-dashboard**")
    frame = page.frame_locator("iframe")
    frame.locator("#fig-workers").wait_for()
    return frame


def figure(frame, key: str) -> int:
    return int(frame.locator(f"#fig-{key}").inner_text())


def trigger_from_form(page, server: Standalone, dag_id: str, display_name: str, fields: tuple[str, ...],
                      fill=None) -> None:
    """Open the DAG's trigger form, check it speaks Chinese (title, the campaign by name, the given field
    titles and descriptions), let fill() type into it, and press 触发."""
    page.goto(f"{server.url}/dags/{dag_id}?lng=zh-CN")
    page.get_by_test_id("trigger-dag-button").click()
    form = page.get_by_role("dialog")
    form.get_by_text(f"触发 Dag - {display_name}").wait_for()
    form.get_by_text(campaign.display_names()[GX.id]).wait_for()  # the campaign, chosen by its Chinese name
    shown = form.inner_text()
    assert all(text in shown for text in ("行动", *fields)), shown
    if fill:
        fill(form)
    shot(page, f"trigger-{dag_id}")
    form.get_by_role("button", name="触发", exact=True).click()
    form.wait_for(state="hidden")


def triggered_run(server: Standalone, token: str, dag_id: str) -> dict:
    """The run the form created. Unpausing also lets the scheduler add the latest scheduled run, which skips
    itself outside the campaign's window (2024)."""
    def manual(answer: dict) -> list[dict]:
        return [r for r in answer["dag_runs"] if r["run_type"] == "manual"]

    [run] = manual(server.wait_for(token, f"/api/v2/dags/{dag_id}/dagRuns", lambda a: len(manual(a)) == 1, 60))
    assert run["triggered_by"] == "ui" and run["triggering_user_name"] == "xietiao"
    return run


def wait_for_success(server: Standalone, token: str, dag_id: str, run_id: str, timeout: float = 600) -> dict:
    run = server.wait_for(token, f"/api/v2/dags/{dag_id}/dagRuns/{urllib.parse.quote(run_id)}",
                          lambda a: a["state"] in ("success", "failed"), timeout=timeout)
    assert run["state"] == "success", f"{dag_id} {run_id}: {run['state']}; see {server.home}/logs"
    return run


def test_coordinator_triggers_the_intake_approves_the_plan_and_reads_the_dashboard(province, browser):
    server, url = province["server"], province["url"]
    page = log_in(browser, server, "xietiao")
    token = session_token(page)

    # The DAG list in Chinese, with the five campaign DAGs by their display names.
    page.goto(f"{server.url}/dags?lng=zh-CN")
    for name in DAG_NAMES:
        page.get_by_role("link", name=name, exact=True).first.wait_for()
    shot(page, "01-dags")

    # 需求摸排: the trigger form, filled in as a clerk would (one file per line), then the run.
    files = [*province["surveys"], "fleet/运力报表.csv"]

    trigger_from_form(page, server, "survey_intake", "需求摸排", ("指定文件", "留空：处理收件目录中的全部新文件"),
                      lambda form: form.locator("#element_files").fill("\n".join(files)))
    run = triggered_run(server, token, "survey_intake")
    assert run["conf"] == {"campaign": GX.id, "files": files}  # what the form sent
    wait_for_success(server, token, "survey_intake", run["dag_run_id"])
    page.goto(f"{server.url}/dags/survey_intake/runs/{urllib.parse.quote(run['dag_run_id'])}?lng=zh-CN")
    page.get_by_text("成功").first.wait_for()
    shot(page, "02-survey-run")

    workers = scalar(url, "SELECT COUNT(*) FROM survey_worker WHERE campaign_id = :c")
    assert workers > 800  # the two county files, less the rows quarantined
    frame = open_dashboard(page)
    assert figure(frame, "workers") == workers and figure(frame, "trips") == 0
    shot(page, "03-dashboard-survey")

    # 点对点包车: triggered from its form (自动批准 left off), then approved on the Required actions page.
    trigger_from_form(page, server, "charter_bus_planning", "点对点包车", ("自动批准", "全部重新规划"))  # left off
    run = triggered_run(server, token, "charter_bus_planning")
    run_path = f"/api/v2/dags/charter_bus_planning/dagRuns/{urllib.parse.quote(run['dag_run_id'])}"
    server.wait_for(token, f"{run_path}/taskInstances/approve_plan",
                    lambda ti: ti["state"] in ("awaiting_input", "failed", "upstream_failed"), timeout=600)
    page.goto(f"{server.url}/dags/charter_bus_planning/runs/{urllib.parse.quote(run['dag_run_id'])}"
              "/tasks/approve_plan/required_actions?lng=zh-CN")
    page.get_by_text("“点对点”包车方案待审批").first.wait_for()
    page.get_by_text("费用 / 下界").wait_for()  # the Markdown summary the gate wrote
    shot(page, "04-approval")
    page.get_by_role("button", name="Approve").click()
    wait_for_success(server, token, "charter_bus_planning", run["dag_run_id"])

    approved_by = scalar(url, "SELECT approved_by FROM charter_plan WHERE campaign_id = :c AND status = 'published'")
    trips = scalar(url, "SELECT COUNT(*) FROM charter_trip")
    chartered = scalar(url, "SELECT COUNT(*) FROM charter_assignment WHERE status = '包车'")
    assert approved_by == "xietiao" and trips > 0
    frame = open_dashboard(page)
    # no carrier has returned its manifest yet: 运送 is the plan's riders (labelled 计划 on the page)
    assert figure(frame, "trips") == trips and figure(frame, "transported") == chartered
    shot(page, "05-dashboard-charter")
    emails = list(province["outbox"].glob("*.eml"))
    assert len(emails) == 2  # one summary per county contact, through the real SMTP sink

    # A second plan, 全部重新规划 switched on in the form, rejected: nothing is published or sent.
    trigger_from_form(page, server, "charter_bus_planning", "点对点包车", ("全部重新规划",),
                      lambda form: form.locator('[id="switch:element_replan_all"]').click())
    second = [r for r in server.get(token, "/api/v2/dags/charter_bus_planning/dagRuns")["dag_runs"]
              if r["run_type"] == "manual" and r["dag_run_id"] != run["dag_run_id"]]
    assert len(second) == 1 and second[0]["conf"]["replan_all"] is True
    run_id = urllib.parse.quote(second[0]["dag_run_id"])
    server.wait_for(token, f"/api/v2/dags/charter_bus_planning/dagRuns/{run_id}/taskInstances/approve_plan",
                    lambda ti: ti["state"] in ("awaiting_input", "failed", "upstream_failed"), timeout=600)
    page.goto(f"{server.url}/dags/charter_bus_planning/runs/{run_id}/tasks/approve_plan/required_actions?lng=zh-CN")
    page.get_by_text("费用 / 下界").wait_for()
    page.get_by_role("button", name="Reject").click()
    wait_for_success(server, token, "charter_bus_planning", second[0]["dag_run_id"])
    publish = server.get(token, f"/api/v2/dags/charter_bus_planning/dagRuns/{run_id}/taskInstances/publish")
    assert publish["state"] == "skipped"
    assert scalar(url, "SELECT COUNT(*) FROM charter_plan WHERE status = 'published'") == 1
    assert scalar(url, "SELECT COUNT(*) FROM charter_trip") == trips
    assert len(list(province["outbox"].glob("*.eml"))) == 2
    shot(page, "06-rejected")
    page.context.close()


def test_leader_reads_the_dashboard(province, browser):
    """After the coordinator's runs above (pytest keeps file order): a 领导 sees the same loaded figures.
    Run alone it fails on the empty database instead of comparing 0 with 0."""
    workers = scalar(province["url"], "SELECT COUNT(*) FROM survey_worker WHERE campaign_id = :c")
    trips = scalar(province["url"], "SELECT COUNT(*) FROM charter_trip")
    assert workers > 0 and trips > 0, "run the whole module: the coordinator's test loads the data"
    page = log_in(browser, province["server"], "lingdao")
    frame = open_dashboard(page)
    assert figure(frame, "workers") == workers and figure(frame, "trips") == trips
    shot(page, "07-dashboard-leader")
    page.context.close()


# What each chart drew: the ECharts instance's option (series names and data) and the SVG paths it rendered.
CHARTS_DRAWN = """ids => ids.map(id => {
    const chart = echarts.getInstanceByDom(document.getElementById(id));
    const option = chart.getOption();
    return {id, series: option.series.map(s => ({name: s.name, data: s.data})),
            x: option.xAxis ? option.xAxis[0].data : null,
            paths: document.querySelectorAll(`#${id} svg path`).length};
})"""
MAP_READY = """() => { const c = echarts.getInstanceByDom(document.getElementById('chart-map'));
    return !!c && c.getOption().series[0].data.length > 0; }"""


def cut_network(context, server: Standalone) -> list[str]:
    """Abort every request that is not to the local server, as a closed office network would; returns the list
    of outside addresses the page tried."""
    attempted: list[str] = []

    def route(r):
        if r.request.url.startswith(f"{server.url}/"):
            r.continue_()
        else:
            attempted.append(r.request.url)
            r.abort("internetdisconnected")

    context.route("**/*", route)
    return attempted


def test_dashboard_charts_draw_with_the_network_cut(province, browser):
    """After the runs above (file order): survey and charter data are loaded."""
    from chunnuan.config import divisions
    from chunnuan.report import dashboard_charts, trend

    url = province["url"]
    workers = scalar(url, "SELECT COUNT(*) FROM survey_worker WHERE campaign_id = :c")
    chartered = scalar(url, "SELECT COUNT(*) FROM charter_assignment WHERE status = '包车' AND plan_id = "
                            "(SELECT MAX(id) FROM charter_plan WHERE status = 'published')")
    assert workers > 0 and chartered > 0, "run the whole module: the coordinator's test loads the data"
    page = log_in(browser, province["server"], "lingdao")
    attempted = cut_network(page.context, province["server"])
    served = []
    page.on("response", lambda r: served.append((urllib.parse.urlsplit(r.url).path, r.status)))
    page.goto(f"{province['server'].url}/chunnuan/dashboard?campaign={GX.id}")
    page.wait_for_function(MAP_READY)
    drawn = {c["id"]: c for c in page.evaluate(CHARTS_DRAWN, ["chart-cities-people", "chart-cities-counts",
                                                              "chart-trend", "chart-map"])}
    shot(page, "08-dashboard-charts-offline")

    gx = divisions.province(GX.province_code)
    for bars in (drawn["chart-cities-people"], drawn["chart-cities-counts"]):
        assert len(bars["x"]) == len(gx.cities) and bars["paths"] > 0
        assert all(len(s["data"]) == len(gx.cities) for s in bars["series"])
    people = {s["name"]: s["data"] for s in drawn["chart-cities-people"]["series"]}
    assert sum(people["摸排人数"]) == workers and sum(people["包车运送"]) == chartered
    weekly = trend.weekly(db.engine(url), GX)
    line = drawn["chart-trend"]
    assert len(line["x"]) == len(weekly["weeks"]) and line["paths"] > 0
    assert [y for _, y in next(s["data"] for s in line["series"] if s["name"] == trend.FIGURES["workers"])] == (
        weekly["total"]["workers"]) and weekly["total"]["workers"][-1] == workers
    shaded = drawn["chart-map"]
    assert len(shaded["series"][0]["data"]) == len(gx.counties) == 111
    assert shaded["paths"] >= len(gx.counties)  # every county outline drawn
    assert page.evaluate(f"echarts.getMap('{dashboard_charts.map_name(GX.province_code)}').geoJSON.features.length"
                         ) == len(gx.counties)
    surveyed = [d for d in shaded["series"][0]["data"] if d.get("value") is not None]
    assert sum(d["value"] for d in surveyed) == workers

    for metric, label in dashboard_charts.MAP_METRICS.items():  # the selector redraws the map by each metric
        page.select_option("#map-metric", metric)
        page.wait_for_function(f"() => echarts.getInstanceByDom(document.getElementById('chart-map'))"
                               f".getOption().series[0].name === {json.dumps(label)}")
        page.locator("#chart-map").screenshot(path=str(SHOTS / f"09-map-{metric}.png"))
    assert ("/chunnuan/static/echarts.min.js", 200) in served and (f"/chunnuan/geo/{GX.province_code}.json", 200) in served
    assert attempted == []  # nothing was asked of an outside host
    page.context.close()
