"""The campaign dashboard (春暖看板) for coordinators and leaders: the report's figures as one snapshot.

    snapshot -> report.steps.collect (no queries of its own) reduced to plain JSON types: headline figures,
                their splits by 本省籍 / 外省籍 and priority group, the cities, the 外省籍 per receiving city,
                the service items, the parts with no data yet, data quality, and the report's
                reconciliation (report.steps.gate), so the page and the JSON summary say the same; each
                the transport subsidy's candidates, claims and payments (subsidy.figures), each
                department's reporting this period (report.departments) and the latest highlights,
              plus each county's map figures and the headline figures week by week (report.trend)
    render   -> the Chinese HTML page (include/templates/dashboard.html.j2, autoescaped) with its ECharts
                charts (report.dashboard_charts: per city, week by week, the county map)

No Airflow here; plugins/chunnuan_dashboard.py serves both inside the Airflow UI. Figures only: no names,
ID numbers or phone numbers ever reach the snapshot.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from chunnuan.config.settings import TIMEZONE
from chunnuan.report import pooling, rail

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from chunnuan.config.campaign import Campaign

# The per-city table: figure code -> header, in page order (report.steps.COUNTY_FIGURES has the full set).
CITY_COLUMNS = {
    "workers": "摸排人数", "returning_home": "返乡", "returning_to_work": "返岗",
    "charter_requests": "包车需求", "chartered": "包车安排", "transported": "包车运送", "not_returned": "其中计划", "classes": "培训班(期)", "completed": "培训结业",
    "compliant": "培训达标县", "fairs_planned": "计划招聘会", "fairs_held": "已办招聘会", "fair_intentions": "达成意向",
}
QUALITY_COLUMNS = {"files": "文件", "files_rejected": "整批退回", "rows_read": "读取行数", "rows_loaded": "入库",
                   "rows_quarantined": "隔离", "rows_merged": "重复合并"}
TOP_PROBLEMS = 10
# Each county's figures the map shades (dashboard_charts.county_values).
MAP_COLUMNS = ("workers", "charter_requests", "chartered", "compliant")


def _number(value) -> float | None:
    """A service total as a float, None when nobody reported it (NaN in the report's table)."""
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value


def _day(value) -> str | None:
    """The latest 截至日期 of a service figure as YYYY-MM-DD (a date on PostgreSQL, text on SQLite)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return str(value)[:10]


def _subsidy(counties) -> dict[str, int] | None:
    """The province's transport-subsidy figures (subsidy.figures.FIGURES) from the report's county frame."""
    from chunnuan.subsidy.figures import FIGURES

    return None if counties is None else {k: int(counties[k].sum()) for k in FIGURES}


def snapshot(engine: Engine, campaign: Campaign, as_of: dt.date) -> dict:
    """The dashboard's figures for one campaign as of one day; JSON-ready (ints, floats, str, None)."""
    from chunnuan.config import divisions
    from chunnuan.report import departments, outcomes, splits, summary, trend
    from chunnuan.report.steps import KIND_LABELS, city_split_workers, collect, gate

    figures = collect(engine, campaign, as_of)
    province = figures.province
    by_city = city_split_workers(figures)
    cities = [{"city_code": str(row["city_code"]), "city": str(row["city"]), "counties": int(row["counties"]),
               "reporting": int(row["reporting"]), **{k: int(row[k]) for k in CITY_COLUMNS},
               "splits": by_city[row["city_code"]]}
              for row in figures.cities.to_dict(orient="records")]
    split_rows = [{"split": str(row["split"]), **{k: int(row[k]) for k in splits.FIGURES}}
                  for row in figures.split_table().to_dict(orient="records")]
    inbound = [{"city_code": str(row["city_code"]), "city": str(row["city"]),
                **{k: int(row[k]) for k in splits.INBOUND_FIGURES},
                "top_provinces": [{"province": name, "workers": n} for name, n in row["top_provinces"]]}
               for row in figures.inbound.to_dict(orient="records")]
    services = [{"item_name": str(row["item_name"]), "figure_name": str(row["figure_name"]), "unit": str(row["unit"]),
                 "total": _number(row["total"]) if row["areas"] else None, "areas": int(row["areas"]),
                 "latest": _day(row["latest"])}
                for row in figures.services.to_dict(orient="records")]
    quality = [{"kind": str(row["kind"]), "label": KIND_LABELS.get(row["kind"], str(row["kind"])),
                **{k: int(row[k]) for k in QUALITY_COLUMNS}}
               for row in figures.quality.to_dict(orient="records")]
    division = divisions.province(campaign.province_code)
    counties = [{"county_code": str(row["county_code"]), "label": division.county_label(row["county_code"]),
                 "reporting": bool(row["reporting"]), "status": str(row["status"]),
                 **{k: int(row[k]) for k in MAP_COLUMNS}}
                for row in figures.counties[figures.counties["is_county"]].to_dict(orient="records")]
    problems = [{"kind": str(row["kind"]), "label": str(row["label"]), "rows": int(row["rows"]),
                 "kind_label": KIND_LABELS.get(row["kind"], str(row["kind"]))}
                for row in figures.problems.head(TOP_PROBLEMS).to_dict(orient="records")]
    return {
        "campaign": {"id": campaign.id, "name": campaign.name, "province": campaign.province,
                     "province_code": campaign.province_code},
        "as_of": as_of.isoformat(),
        "generated_at": dt.datetime.now(ZoneInfo(TIMEZONE)).isoformat(timespec="seconds"),
        "province": {k: int(v) for k, v in province.items()},
        "charter": {"plan_published": figures.plan is not None, "trips": int(figures.totals["trips"]),
                    "cost": float(figures.totals["trip_cost"]), "outcome": outcomes.sentence(province, figures.trips),
                    **pooling.figures(figures.plan)},
        "split_names": figures.split_names,
        "splits": split_rows,
        "cities": cities,
        "inbound": inbound,
        "services": services,
        "missing_parts": list(figures.missing_parts),
        "quality": quality,
        "problems": problems,
        "checks": gate(figures),
        "counties": counties,
        "trend": trend.weekly(engine, campaign),
        "rail": rail.snapshot(figures.rail),  # 专列（车厢）and riders by mode (issue 18)
        "subsidy": _subsidy(figures.subsidy),  # 交通补助 (issue 19); None where the campaign pays none
        "departments": departments.records(engine, campaign, as_of),  # 部门报送情况 (issue 22)
        "highlights": summary.latest_highlights(engine, campaign, as_of),  # 最新亮点
    }


def render(snap: dict, choices: dict[str, str] | None = None) -> str:
    """The page: `choices` (campaign id -> display name) fills the campaign picker, else only this one."""
    from chunnuan.common import mail
    from chunnuan.report import dashboard_charts

    c = snap["campaign"]
    from chunnuan.report.splits import FIGURES, INBOUND_FIGURES, TOP_PROVINCES

    return mail.render("dashboard.html.j2", s=snap, p=snap["province"], city_columns=CITY_COLUMNS,
                       split_figures=FIGURES, inbound_figures=INBOUND_FIGURES, top_n=TOP_PROVINCES,
                       quality_columns=QUALITY_COLUMNS, choices=choices or {c["id"]: f"{c['province']} · {c['name']}"},
                       generated_at=snap["generated_at"][:16].replace("T", " "),
                       **dashboard_charts.page_values(snap))
