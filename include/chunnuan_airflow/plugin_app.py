"""What the project's plugin apps (春暖看板, 提交报表) share: an app behind Airflow's login, the campaign a request
names, and a plain Chinese error page.

Airflow does not authenticate plugin apps (a mounted app inherits none of the core API's dependencies), so
every route of an app made here asks the auth manager itself: the caller's JWT (the UI's `_token` cookie, or a
bearer token) must belong to a user allowed to see the website. Without a valid token a page redirects to the
login page and JSON (paths with /api/) answers 401; an unauthorised user gets 403. Imported by the api-server
only (FastAPI is imported on first use).
"""

from __future__ import annotations

import os

AIRFLOW_REFUSALS = ("Forbidden", "Invalid JWT token")  # the login dependency's 403s; the apps' own are Chinese


def find_campaign(campaign_id: str | None):
    """The campaign asked for, the default one (env CHUNNUAN_CAMPAIGN, else the first configured), or None when
    no such campaign is configured. Only ids in campaign.available() are looked up, so a query parameter never
    names a file outside the folder."""
    from chunnuan.config import campaign

    known = campaign.available()
    wanted = campaign_id or os.environ.get("CHUNNUAN_CAMPAIGN") or (known[0] if known else None)
    return campaign.load(wanted) if wanted in known else None


def campaign_not_found(campaign_id: str | None) -> str:
    from chunnuan.config import campaign

    return f"没有行动「{campaign_id or ''}」。可用的行动：{'、'.join(campaign.available()) or '（无）'}"


def error_page(title: str, message: str, back: str | None = None) -> str:
    """A page that says what went wrong; `back`: a link to where the person can try again."""
    from html import escape

    link = f'<p><a href="{escape(back)}">返回{escape(title)}</a></p>' if back else ""
    return (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(title)}</title></head>'
            f'<body style="font-family: sans-serif; padding: 24px;"><h1 style="font-size: 18px;">{escape(title)}</h1>'
            f"<p>{escape(message)}</p>{link}</body></html>")


def new_app(title: str, no_access: str):
    """A FastAPI app every route of which needs a logged-in user allowed to see the website; `no_access` is
    the page a logged-in user without that permission gets (403)."""
    from airflow.api_fastapi.app import get_auth_manager
    from airflow.api_fastapi.auth.managers.models.resource_details import AccessView
    from airflow.api_fastapi.core_api.security import requires_access_view
    from fastapi import Depends, FastAPI, HTTPException, Request
    from fastapi.exception_handlers import http_exception_handler
    from fastapi.responses import HTMLResponse, RedirectResponse

    app = FastAPI(title=title, docs_url=None, redoc_url=None, openapi_url=None,
                  dependencies=[Depends(requires_access_view(AccessView.WEBSITE))])

    @app.exception_handler(HTTPException)
    async def login_first(request: Request, exc: HTTPException):
        # A person opening a page without a session is sent to the login page and brought back here;
        # JSON callers get the status code.
        if "/api/" in request.url.path:
            return await http_exception_handler(request, exc)
        if exc.status_code == 401:
            back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(get_auth_manager().get_url_login(next_url=back), status_code=303)
        if exc.status_code == 403 and exc.detail in AIRFLOW_REFUSALS:
            return HTMLResponse(error_page(title, no_access), status_code=403)
        if isinstance(exc.detail, str):
            return HTMLResponse(error_page(title, exc.detail), status_code=exc.status_code)
        return await http_exception_handler(request, exc)

    return app
