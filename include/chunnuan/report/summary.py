"""What the report says beyond its tables: the summary in the form offices write it, what changed since the
previous version, which departments reported, and the two sources side by side.

    prepare -> for one report version: the departments' reporting status (report.departments), the typed
               figures beside the system's counts (report.reconcile), this version's headline figures
               stored and compared with the previous version's (report.versions) with the week-by-week
               chart, and for the final summary its four sections:
                 一、基本情况        the figures
                 二、主要做法和成效  the 典型经验 / 亮点工作 by service item, with the item's figures
                 三、存在的问题      the 存在问题 written, plus what the data shows: counties not reporting,
                                     training non-compliance, the share referred from chartering, departments
                                     silent, typed figures far from the records
                 四、下一步打算      the 下一步打算 written
    latest_highlights -> the newest entries, for the dashboard

The template is include/templates/report_summary.html.j2, included by report_email.html.j2. No Airflow here.
Highlights were checked free of ID and mobile numbers at intake; the email is checked again before sending.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, text

from chunnuan.common import sql
from chunnuan.report import departments, reconcile, versions
from chunnuan.training.rules import COMPLIANT

PER_ITEM = 5  # 典型经验 / 亮点工作 shown per service item: a summary, not the whole form
PER_SECTION = 20  # 存在问题 and 下一步打算 written entries shown, newest first
NOT_REPORTING_NAMED = 10  # counties named one by one; beyond that the count only
CHART = "各期报告主要数字.png"


@dataclass
class Summary:
    departments: pd.DataFrame  # report.departments.status
    gaps: pd.DataFrame  # report.reconcile.table
    gap_lines: list[str]
    changes: dict | None  # report.versions.changes
    sections: dict | None = None  # the final summary's four sections (final only)
    charts: list[Path] = field(default_factory=list)

    def template_values(self, as_of: dt.date) -> dict:
        return {"departments": self.departments.to_dict(orient="records"), "gaps": self.gaps.to_dict(orient="records"),
                "gap_lines": self.gap_lines, "changes": self.changes, "sections": self.sections,
                "period": departments.period_label(as_of), "chart": bool(self.charts)}


DEPARTMENT_HEADERS = {"department": "部门", "items": "负责服务项目", "reported": "本期已报送", "not_reported": "本期未报送",
                      "latest": "最近截至日期", "status": "状态"}
GAP_HEADERS = {"item_name": "服务项目", "figure_name": "部门填报指标", "unit": "单位", "typed": "部门填报",
               "counterpart": "系统记录", "system": "系统记录数", "gap": "差异", "check": "核对"}


def sheets(summary: Summary) -> dict[str, tuple[pd.DataFrame, dict[str, str]]]:
    """The report workbook's extra sheets: 部门报送 and 两源核对 (title -> frame, headers)."""
    status = summary.departments.assign(**{k: summary.departments[k].map("、".join)
                                           for k in ("items", "reported", "not_reported")})
    gaps = summary.gaps.assign(check=[
        "超出容差" if beyond else "未报送" if pd.isna(typed) else "在容差内"
        for beyond, typed in zip(summary.gaps["beyond"], summary.gaps["typed"], strict=True)])
    return {"部门报送": (status, DEPARTMENT_HEADERS), "两源核对": (gaps, GAP_HEADERS)}


def load_highlights(engine: Engine, campaign, as_of: dt.date) -> pd.DataFrame:
    with engine.connect() as conn:
        return pd.read_sql(text(sql.load("report_highlights.sql")), conn,
                           params={"campaign_id": campaign.id, "as_of": as_of})


def latest_highlights(engine: Engine, campaign, as_of: dt.date, n: int = 8) -> list[dict]:
    """The newest 典型经验 / 亮点工作 entries as JSON-ready dicts (the dashboard's 最新亮点)."""
    names = {i.code: i.name for i in campaign.service_items}
    rows = load_highlights(engine, campaign, as_of)
    rows = rows[rows["category"].isin(("典型经验", "亮点工作"))].head(n)
    return [{"department": r.department, "item": names.get(r.item_code, r.item_code), "category": r.category,
             "title": r.title, "date": str(r.report_date)[:10]} for r in rows.itertuples()]


def _number(value: float, unit: str) -> str:
    return f"{value:,.2f} {unit}" if unit in ("万元", "元") else f"{value:,.0f} {unit}"


def sections(figures, highlights: pd.DataFrame, status: pd.DataFrame, gap_lines: list[str]) -> dict:
    """The final summary's four sections as plain data for the template."""
    c = figures.campaign
    province, names = figures.province, {i.code: i.name for i in c.service_items}
    services = figures.services
    by_item = []
    for item in c.service_items:
        done = highlights[(highlights["item_code"] == item.code) & highlights["category"].isin(("典型经验", "亮点工作"))]
        reported = services[(services["item_code"] == item.code) & (services["areas"] > 0)]
        if done.empty and reported.empty:
            continue
        by_item.append({"item": item.name,
                        "figures": [f"{r.figure_name} {_number(r.total, r.unit)}" for r in reported.itertuples()],
                        "entries": done.head(PER_ITEM).to_dict(orient="records")})

    counties = figures.counties
    absent = counties.loc[counties["is_county"] & ~counties["reporting"], "county"].tolist()
    statuses = counties.loc[~counties["status"].isin(("", COMPLIANT)), "status"].value_counts()  # "": not checked
    data_problems = []
    if absent:
        named = "、".join(absent[:NOT_REPORTING_NAMED]) + ("等" if len(absent) > NOT_REPORTING_NAMED else "")
        data_problems.append(f"{len(absent)} 个县（市、区）未报送需求摸排：{named}")
    if len(statuses):
        data_problems.append("培训班核查未达标的县 " + f"{int(statuses.sum())} 个（"
                             + "、".join(f"{k} {v} 个" for k, v in statuses.items()) + "）")
    if province["charter_requests"]:
        share = province["referred"] / province["charter_requests"]
        data_problems.append(f"需要包车的 {province['charter_requests']:,} 人中 {province['referred']:,} 人"
                             f"（{share:.1%}）未能安排包车，转集中购票")
    silent = departments.silent(status)
    if silent:
        data_problems.append(f"本期未报送服务项目进展的部门：{'、'.join(silent)}")
    data_problems += gap_lines

    def written(category: str) -> list[dict]:
        rows = highlights[highlights["category"] == category].head(PER_SECTION)  # newest first
        return [{"item": names.get(r.item_code, r.item_code), "department": r.department, "title": r.title,
                 "content": r.content} for r in rows.itertuples()]

    def left_out(category: str) -> int:
        return max(int((highlights["category"] == category).sum()) - PER_SECTION, 0)

    return {"basics": {"province": province, "totals": figures.totals},
            "practices": by_item, "problems_written": written("存在问题"), "problems_found": data_problems,
            "next_steps": written("下一步打算"),
            "left_out": {"problems": left_out("存在问题"), "next_steps": left_out("下一步打算")}}


def prepare(engine: Engine, figures, kind: str, report_version: str, folder: Path) -> Summary:
    """Everything this module adds to one report version; stores the version's headline figures and writes
    the week-by-week chart into `folder` once there are two versions."""
    c, as_of = figures.campaign, figures.as_of
    status = departments.status(c, departments.load(engine, c, as_of), as_of)
    gaps = reconcile.table(c, figures.services, reconcile.system_values(figures))
    gap_lines = reconcile.lines(c, gaps)
    reported = int((status["status"] == departments.REPORTED).sum())
    versions.save(engine, c, report_version, kind, as_of, versions.headline(figures.province, reported))
    history = versions.history(engine, c, as_of)
    summary = Summary(status, gaps, gap_lines, versions.changes(history, report_version))
    png = versions.chart(history)
    if png is not None:
        (folder / CHART).write_bytes(png)
        summary.charts.append(folder / CHART)
    if kind == "final":
        summary.sections = sections(figures, load_highlights(engine, c, as_of), status, gap_lines)
    return summary
