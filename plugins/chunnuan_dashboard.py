"""春暖看板: the campaign dashboard inside the Airflow UI, served by the api-server.

    GET /chunnuan/ and /chunnuan/dashboard  -> the Chinese HTML page (?campaign=…&as_of=YYYY-MM-DD)
    GET /chunnuan/api/summary               -> the same figures as JSON (chunnuan.dashboard.snapshot)
    GET /chunnuan/static/echarts.min.js     -> the pinned ECharts the page's charts draw with
    GET /chunnuan/geo/<province code>.json  -> the province's county boundaries (report.county_map)

Office networks are closed: the page loads nothing from outside this app (no CDN, no web fonts).

`campaign` defaults to env CHUNNUAN_CAMPAIGN, else the first configured campaign; `as_of` to today in
Asia/Shanghai. The nav entry "春暖看板" (Browse menu) shows the page inside the UI. The page is read-only
and holds figures only; the DAGs keep the database migrated, the dashboard never writes to it.

Every route is behind Airflow's login (chunnuan_airflow.plugin_app.new_app): every role down to 领导 (Viewer)
may see it. Without a valid token the page redirects to the login page and the JSON answers 401; an
unauthorised user gets 403.
"""

from __future__ import annotations

import datetime as dt
import logging
from functools import cache

from airflow.plugins_manager import AirflowPlugin

log = logging.getLogger(__name__)

URL_PREFIX = "/chunnuan"
STATIC_CACHE = {"Cache-Control": "private, max-age=86400"}  # behind the login: browsers only, not shared caches
NOT_READY = "行动数据库暂时无法读取（未建表、版本较旧或连接不上）。请确认连接 campaign_db，并先运行一次任一春暖 DAG（会自动升级数据库）。"


def _today() -> dt.date:
    from zoneinfo import ZoneInfo

    from chunnuan.config.settings import TIMEZONE

    return dt.datetime.now(ZoneInfo(TIMEZONE)).date()


def _choices() -> dict[str, str]:
    from chunnuan.config import campaign

    try:
        return campaign.display_names()
    except campaign.CampaignConfigError:  # one broken file must not take the picker down
        return {cid: cid for cid in campaign.available()}


class DatabaseNotReady(RuntimeError):
    """The campaign database cannot be read (missing tables, old schema, unreachable)."""


def _snapshot(the_campaign, as_of: dt.date) -> dict:
    from sqlalchemy.exc import SQLAlchemyError

    from chunnuan import db
    from chunnuan.report import dashboard
    from chunnuan_airflow import campaign_db

    # campaign_db.url() reads the Airflow connection through airflow.sdk.Connection.get. Outside a task that
    # works here: the api-server's entry module (airflow.api_fastapi.main) sets _AIRFLOW_PROCESS_CONTEXT=server,
    # so the SDK searches the server chain (AIRFLOW_CONN_* environment variables, then connections stored in the
    # metadata DB through the UI). Elsewhere (tests, a bare Python process) only environment variables and
    # configured secrets backends are searched; without the connection the default SQLite file is used.
    try:
        return dashboard.snapshot(db.engine(campaign_db.url()), the_campaign, as_of)
    except SQLAlchemyError as exc:
        log.exception("春暖看板：读取行动数据库失败")
        raise DatabaseNotReady(NOT_READY) from exc


@cache
def dashboard_app():
    """The FastAPI app mounted at URL_PREFIX; built once, on first use (only the api-server asks)."""
    from fastapi import HTTPException
    from fastapi.responses import FileResponse, HTMLResponse, Response
    from starlette.middleware.gzip import GZipMiddleware

    from chunnuan_airflow.plugin_app import campaign_not_found, error_page, find_campaign, new_app

    app = new_app("春暖看板", "您的账号没有查看春暖看板的权限，请联系管理员。")
    app.add_middleware(GZipMiddleware, minimum_size=1024)  # echarts.min.js 1 MB -> 0.3 MB on the wire

    @app.get("/", response_class=HTMLResponse)
    @app.get("/dashboard", response_class=HTMLResponse)
    def page(campaign: str | None = None, as_of: dt.date | None = None):
        from chunnuan.report import dashboard

        the_campaign = find_campaign(campaign)
        if the_campaign is None:
            return HTMLResponse(error_page("春暖看板", campaign_not_found(campaign)), status_code=404)
        try:
            snap = _snapshot(the_campaign, as_of or _today())
        except DatabaseNotReady as exc:
            return HTMLResponse(error_page("春暖看板", str(exc)), status_code=503)
        return HTMLResponse(dashboard.render(snap, _choices()))

    @app.get("/api/summary")
    def summary(campaign: str | None = None, as_of: dt.date | None = None) -> dict:
        the_campaign = find_campaign(campaign)
        if the_campaign is None:
            raise HTTPException(status_code=404, detail=campaign_not_found(campaign))
        try:
            return _snapshot(the_campaign, as_of or _today())
        except DatabaseNotReady as exc:
            raise HTTPException(status_code=503, detail=str(exc)) from exc

    @app.get("/static/echarts.min.js")
    def echarts_script():
        from chunnuan.report.dashboard_charts import STATIC_DIR

        return FileResponse(STATIC_DIR / "echarts.min.js", media_type="text/javascript", headers=STATIC_CACHE)

    @app.get("/geo/{province_code}.json")
    def county_boundaries(province_code: str):
        from chunnuan.config import divisions
        from chunnuan.report import county_map

        try:
            if not (province_code.isdigit() and divisions.province(province_code).code == province_code):
                raise LookupError(province_code)
        except LookupError:
            raise HTTPException(status_code=404, detail=f"没有省份代码「{province_code}」") from None
        return Response(county_map.geojson_bytes(province_code), media_type="application/json", headers=STATIC_CACHE)

    return app


class ChunnuanDashboardPlugin(AirflowPlugin):
    name = "chunnuan_dashboard"
    # destination "nav" + category "browse": an entry in the Browse menu (3.3 groups nav entries by the
    # categories browse, admin, docs, user; any other category is a top-level button). With url_route the UI
    # shows href in an iframe at /plugin/chunnuan-dashboard, keeping Airflow's navigation around it.
    external_views = [{
        "name": "春暖看板",
        "href": f"{URL_PREFIX}/dashboard",
        "destination": "nav",
        "category": "browse",
        "url_route": "chunnuan-dashboard",
    }]

    @property
    def fastapi_apps(self) -> list[dict]:
        # A property, not a class attribute: every Airflow process (workers, scheduler, dag-processor) imports
        # this plugin, only the api-server reads fastapi_apps, so only it pays for importing FastAPI.
        return [{"app": dashboard_app(), "url_prefix": URL_PREFIX, "name": "春暖看板"}]
