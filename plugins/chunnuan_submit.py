"""提交报表: county clerks send their forms in the browser, inside the Airflow UI, served by the api-server.

    GET  /chunnuan-submit/                         the page: pick a form, its template, upload; 我的提交
    GET  /chunnuan-submit/template/{kind}          the form's official template (.xlsx)
    POST /chunnuan-submit/upload                   keep and check a file (what `chunnuan check` says) -> its page
    GET  /chunnuan-submit/uploads/{id}             one upload: the check, submit, what the intake made of it
    POST /chunnuan-submit/uploads/{id}/submit      into the landing folder, then the intake run is triggered
    GET  /chunnuan-submit/uploads/{id}/problems    its 问题清单 (.xlsx)
    GET  /chunnuan-submit/api/uploads[/{id}]       the same as JSON

Who sees what is decided on the server for every request (chunnuan.intake.uploads.Scope): an account listed
in the Airflow Variable `chunnuan_clerks` ({"user name": "平南县" | "贵港市" | "人社厅", …}, coordinators edit
it under Admin → Variables) sends and sees its county's (city's, department's) uploads only; an account
allowed to trigger survey_intake (协调员, Admin) sees everything; anyone else gets 403. Logged-out callers
are sent to the login page (JSON: 401), as on the dashboard (chunnuan_airflow.plugin_app).
"""

# No `from __future__ import annotations`: FastAPI reads the routes' annotations, which name types imported
# inside submit_app() (kept out of module level so that other Airflow processes never import FastAPI).
from functools import cache

from airflow.plugins_manager import AirflowPlugin

URL_PREFIX = "/chunnuan-submit"
TITLE = "提交报表"
CLERKS_VARIABLE = "chunnuan_clerks"
SUBMITTED = {  # what the page says after 提交, by how the intake was started
    "triggered": "已提交，系统正在检查入库，几分钟后刷新本页即可看到结果。",
    "scheduled": "已提交。系统将在下一次定时入库（摸排期内每小时一次）或协调员手动运行时入库。",
    "again": "这份报表已经提交过。",
}
NO_SCOPE = ("您的账号还没有对应的县（市、区）或单位，不能提交报表。请协调员在“管理 → 变量”的 chunnuan_clerks 中"
            "为您的账号填写所在县（市、区）、市或部门。")


def _scope(user, the_campaign):
    """The caller's Scope: the clerk mapping first, then coordinators (may trigger the intake), else 403."""
    from airflow.api_fastapi.app import get_auth_manager
    from airflow.api_fastapi.auth.managers.models.resource_details import DagAccessEntity, DagDetails
    from airflow.sdk import Variable
    from fastapi import HTTPException

    from chunnuan.intake import uploads
    from chunnuan_airflow.intake_api import DAG_ID

    place = (Variable.get(CLERKS_VARIABLE, default={}, deserialize_json=True) or {}).get(user.get_name())
    if place:
        try:
            return uploads.clerk_scope(place, the_campaign)
        except ValueError as exc:
            raise HTTPException(status_code=403, detail=str(exc)) from exc
    if get_auth_manager().is_authorized_dag(method="POST", access_entity=DagAccessEntity.RUN,
                                            details=DagDetails(id=DAG_ID), user=user):
        return uploads.COORDINATOR
    raise HTTPException(status_code=403, detail=NO_SCOPE)


def _engine():
    from chunnuan_airflow.campaign_db import url

    return _migrated(url())


@cache
def _migrated(target: str):
    """The campaign DB, migrated once per URL (the upload table may be newer than the last DAG run)."""
    from chunnuan import db

    db.upgrade(target)
    return db.engine(target)


def _download(content, name: str):
    """An .xlsx attachment named in Chinese: `content` is a path or the bytes."""
    from urllib.parse import quote

    from fastapi.responses import FileResponse, Response

    kind = {"media_type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "headers": {"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"}}
    return Response(content, **kind) if isinstance(content, bytes) else FileResponse(content, **kind)


@cache
def submit_app():
    """The FastAPI app mounted at URL_PREFIX; built once, on first use (only the api-server asks)."""
    from typing import Annotated

    from airflow.api_fastapi.core_api.security import GetUserDep
    from fastapi import Depends, File, Form, HTTPException, Request, UploadFile
    from fastapi.responses import HTMLResponse, RedirectResponse

    from chunnuan.common import mail
    from chunnuan.intake import registry, uploads
    from chunnuan_airflow.plugin_app import campaign_not_found, error_page, find_campaign, new_app

    app = new_app(TITLE, "您的账号没有使用提交报表的权限，请联系管理员。")

    @app.middleware("http")
    async def refuse_oversized(request: Request, call_next):
        # Before the multipart body is parsed (and spooled to disk): a declared length over the limit is refused.
        declared = request.headers.get("content-length", "")
        if request.method == "POST" and declared.isdigit() and int(declared) > uploads.max_upload_bytes() + 65536:
            message = (f"文件太大，单个文件不能超过 {uploads.max_upload_bytes() / 1048576:.0f} MB。"
                       "请删去模板以外的工作表和图片，或分成几个文件上传。")
            back = f"{URL_PREFIX}/" + (f"?{request.url.query}" if request.url.query else "")
            return HTMLResponse(error_page(TITLE, message, back), status_code=413)
        return await call_next(request)

    class Caller:
        """The campaign a request names and the caller's scope in it, for every route."""

        def __init__(self, user: GetUserDep, campaign: str | None = None):
            self.campaign = find_campaign(campaign)
            if self.campaign is None:
                raise HTTPException(status_code=404, detail=campaign_not_found(campaign))
            self.user = user.get_name()
            self.scope = _scope(user, self.campaign)

        def upload(self, upload_id: int) -> dict:
            try:
                return uploads.visible(_engine(), self.campaign, upload_id, self.scope)
            except uploads.NotVisible as exc:
                raise HTTPException(status_code=403, detail=str(exc)) from exc
            except LookupError as exc:
                raise HTTPException(status_code=404, detail=str(exc)) from exc

        def query(self) -> str:
            return f"?campaign={self.campaign.id}"

    CallerDep = Annotated[Caller, Depends()]

    def page(caller: Caller, status_code: int = 200, **values) -> HTMLResponse:
        defaults = {"upload": None, "listing": None, "refused": None, "notice": None}
        return HTMLResponse(mail.render("submit.html.j2", prefix=URL_PREFIX, campaign=caller.campaign,
                                        scope=caller.scope, kinds=caller.scope.kinds(), user=caller.user,
                                        **{**defaults, **values}), status_code=status_code)

    @app.get("/", response_class=HTMLResponse)
    def index(caller: CallerDep):
        return page(caller, listing=uploads.listing(_engine(), caller.campaign, caller.scope))

    @app.get("/template/{kind}")
    def template(kind: str, caller: CallerDep):
        from chunnuan.intake.workbook import deterministic_bytes

        if kind not in {k.name for k in caller.scope.kinds()}:
            raise HTTPException(status_code=404, detail=f"没有可供下载的报表模板「{kind}」。")
        book = registry.module(kind).build_template(caller.campaign)
        return _download(deterministic_bytes(book), f"{registry.LABELS[kind]}模板.xlsx")

    @app.post("/upload", response_class=HTMLResponse)
    def upload(caller: CallerDep, kind: Annotated[str, Form()], file: Annotated[UploadFile, File()]):
        data = file.file.read(uploads.max_upload_bytes() + 1)  # a chunked body declares no length
        try:
            upload_id = uploads.receive(_engine(), caller.campaign, kind, caller.scope, caller.user,
                                        file.filename or "", data)
        except uploads.UploadRefused as exc:
            return page(caller, exc.status, refused=str(exc),
                        listing=uploads.listing(_engine(), caller.campaign, caller.scope))
        return RedirectResponse(f"{URL_PREFIX}/uploads/{upload_id}{caller.query()}", status_code=303)

    @app.get("/uploads/{upload_id}", response_class=HTMLResponse)
    def one(upload_id: int, caller: CallerDep, submitted: str | None = None):
        return page(caller, upload=caller.upload(upload_id), notice=SUBMITTED.get(submitted or ""))

    @app.post("/uploads/{upload_id}/submit", response_class=HTMLResponse)
    def submit(upload_id: int, caller: CallerDep, accept: Annotated[bool, Form()] = False):
        from chunnuan_airflow.intake_api import trigger_intake

        shown = caller.upload(upload_id)  # 403 / 404 before anything else
        already = shown["submitted_at"] is not None
        try:
            landed = uploads.submit(_engine(), caller.campaign, upload_id, caller.scope, caller.user, accept)
        except uploads.UploadRefused as exc:
            return page(caller, exc.status, upload=shown, refused=str(exc))
        if already:
            outcome = "again"
        elif run_id := trigger_intake(caller.campaign.id, [f"{landed.parent.name}/{landed.name}"]):
            uploads.record_run(_engine(), upload_id, run_id)
            outcome = "triggered"
        else:
            outcome = "scheduled"
        return RedirectResponse(f"{URL_PREFIX}/uploads/{upload_id}{caller.query()}&submitted={outcome}",
                                status_code=303)

    @app.get("/uploads/{upload_id}/problems")
    def problems(upload_id: int, caller: CallerDep):
        shown = caller.upload(upload_id)
        path = uploads.problem_list(caller.campaign, shown)
        if not path.is_file():
            raise HTTPException(status_code=404, detail="这份报表的问题清单不在了，请重新上传检查。")
        return _download(path, f"{shown['file_name'].rsplit('.', 1)[0]}-问题清单.xlsx")

    @app.get("/api/uploads")
    def api_listing(caller: CallerDep) -> dict:
        return {"scope": caller.scope.name, **uploads.listing(_engine(), caller.campaign, caller.scope)}

    @app.get("/api/uploads/{upload_id}")
    def api_one(upload_id: int, caller: CallerDep) -> dict:
        return caller.upload(upload_id)

    return app


class ChunnuanSubmitPlugin(AirflowPlugin):
    name = "chunnuan_submit"
    # A top-level entry in the navigation (category outside browse/admin/docs/user): the one thing a clerk
    # comes to the UI for. With url_route the page shows in an iframe at /plugin/chunnuan-submit.
    external_views = [{
        "name": TITLE,
        "href": f"{URL_PREFIX}/",
        "destination": "nav",
        "url_route": "chunnuan-submit",
    }]

    @property
    def fastapi_apps(self) -> list[dict]:
        # A property: only the api-server reads fastapi_apps, so only it pays for importing FastAPI.
        return [{"app": submit_app(), "url_prefix": URL_PREFIX, "name": TITLE}]
