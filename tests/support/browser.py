"""What the browser tests share: the users of the one `airflow standalone` they run against, Chromium's flags,
logging in through Airflow's login page, the session's JWT, screenshots and a SQL figure."""

from __future__ import annotations

from sqlalchemy import text

from chunnuan import db
from chunnuan.config import campaign
from tests.support.standalone import REPO, Standalone

GX = campaign.load("guangxi-2024")
SHOTS = REPO / "test-output" / "browser"
CHROMIUM = "/usr/bin/chromium"
# Headless flags that keep Chromium off the network this machine doesn't have (no sandbox: tests run as root).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update"]
# 协调员, 领导, two county clerks (viewers whose county the chunnuan_clerks Variable names), and the account the
# 提交报表 page triggers the intake as (connection chunnuan_intake_api).
USERS = {"xietiao": ("user", "xietiao-pass"), "lingdao": ("viewer", "lingdao-pass"),
         "pingnan": ("viewer", "pingnan-pass"), "guiping": ("viewer", "guiping-pass"),
         "intake": ("user", "intake-pass")}
CLERKS = {"pingnan": "平南县", "guiping": "桂平市"}


def log_in(browser, server: Standalone, user: str):
    page = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 1000},
                               accept_downloads=True).new_page()
    page.set_default_timeout(30_000)
    page.goto(f"{server.url}/?lng=zh-CN")
    page.get_by_label("Username").fill(user)
    page.get_by_label("Password").fill(USERS[user][1])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda u: "/auth/" not in u)
    return page


def session_token(page) -> str:
    """The JWT the login page stored in the `_token` cookie: the REST calls act as the same person."""
    return next(c["value"] for c in page.context.cookies() if c["name"] == "_token")


def shot(page, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def scalar(url: str, sql: str, **params):
    with db.engine(url).connect() as conn:
        return conn.execute(text(sql), {"c": GX.id, **params}).scalar()
