"""Which department reported what (部门报送情况), and the one reminder per report period to those that did not.

The campaign file says which department answers for which service figures (departments[].items); the
progress form carries the department (intake.kinds.progress quarantines any other). A department has
reported an item in a period when a figure of that item it answers for has a 截至日期 inside the period: the
seven days up to the report date, the weekly rhythm of the reports.

    status  -> one row per department: items it answers for, reported this period, not reported
    records -> the same as plain JSON-ready dicts (the dashboard calls this)
    remind  -> a department with a mailbox that has items not reported gets one email per report version
               (sent_email records it, so a re-run or a resend of the report sends no second reminder)

No Airflow here. Figures and names of departments only: no contact's phone goes into a message.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Engine, text

from chunnuan.common import sql
from chunnuan.config.campaign import Campaign

PERIOD_DAYS = 7
REPORTED, PARTLY, SILENT, NEVER = "已报送", "部分报送", "本期未报送", "从未报送"


def period(as_of: dt.date) -> tuple[dt.date, dt.date]:
    return as_of - dt.timedelta(days=PERIOD_DAYS - 1), as_of


def period_label(as_of: dt.date) -> str:
    start, end = period(as_of)
    return f"{start:%Y-%m-%d}至{end:%Y-%m-%d}"


def load(engine: Engine, campaign: Campaign, as_of: dt.date) -> pd.DataFrame:
    """department, item_code, latest (截至日期), areas: what each department reported up to as_of."""
    with engine.connect() as conn:
        rows = pd.read_sql(text(sql.load("report_department_progress.sql")), conn,
                           params={"campaign_id": campaign.id, "as_of": as_of})
    rows["latest"] = pd.to_datetime(rows["latest"]).dt.date
    return rows


def status(campaign: Campaign, reported: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """One row per configured department, in the campaign file's order: department, email ("" when none),
    items (names it answers for), reported / not_reported (item names, this period), latest (its newest
    截至日期 as YYYY-MM-DD, "" when none), status (已报送 / 部分报送 / 本期未报送 / 从未报送)."""
    names = {i.code: i.name for i in campaign.service_items}
    owned: dict[str, list[str]] = {d.name: [] for d in campaign.departments}
    for (item, _), department in campaign.owners().items():
        if item not in owned[department]:
            owned[department].append(item)
    start, _ = period(as_of)
    rows = []
    for d in campaign.departments:
        mine = reported[reported["department"] == d.name]
        recent = set(mine.loc[mine["latest"] >= start, "item_code"])
        items = [i.code for i in campaign.service_items if i.code in owned[d.name]]  # the file's item order
        done = [names[i] for i in items if i in recent]
        missing = [names[i] for i in items if i not in recent]
        latest = max(mine["latest"]).isoformat() if len(mine) else ""
        state = REPORTED if not missing else PARTLY if done else SILENT if latest else NEVER
        rows.append({"department": d.name, "email": d.email or "", "items": [names[i] for i in items],
                     "reported": done, "not_reported": missing, "latest": latest, "status": state})
    return pd.DataFrame(rows)


def records(engine: Engine, campaign: Campaign, as_of: dt.date) -> list[dict]:
    """status() as JSON-ready dicts (the dashboard's 部门报送情况); `has_mailbox` instead of the address."""
    table = status(campaign, load(engine, campaign, as_of), as_of)
    return [{"department": r["department"], "items": r["items"], "reported": r["reported"],
             "not_reported": r["not_reported"], "latest": r["latest"] or None, "status": r["status"],
             "has_mailbox": bool(r["email"])}
            for r in table.to_dict(orient="records")]


def silent(table: pd.DataFrame) -> list[str]:
    """Departments that reported nothing this period."""
    return table.loc[table["status"].isin((SILENT, NEVER)), "department"].tolist()


def remind(engine: Engine, campaign: Campaign, report_version: str, as_of: dt.date, smtp) -> list[str]:
    """Email each department with a mailbox that has items not reported in the period ending `as_of`, once
    per report version; the departments reminded now."""
    from chunnuan.common import mail

    table = status(campaign, load(engine, campaign, as_of), as_of)
    sent = []
    for row in table[table["not_reported"].map(bool) & (table["email"] != "")].itertuples():
        html = mail.render("department_reminder_email.html.j2", department=row.department,
                           campaign_name=campaign.name, period=period_label(as_of), items=row.not_reported,
                           office=f"{campaign.province}春暖行动工作专班（系统自动发送）", today=as_of.isoformat(),
                           final=report_version == "final")
        key = f"department-reminder-{campaign.id}-{report_version}-{row.department}"
        if mail.send_once(engine, smtp, key, campaign.id, [row.email],
                          f"【{campaign.name}】请报送服务项目进展（{period_label(as_of)}）", html):
            sent.append(row.department)
    return sent
