"""The campaign report to the leadership office (行动总结): figures, reconciliation, rendering, sending.

    collect -> the figures per county from include/sql (report_by_county.sql), rolled up to cities and
               the province, the province totals straight from the row tables (report_totals.sql), the
               splits by 本省籍 / 外省籍 and priority group (report.splits), data quality, and which parts
               have no data yet. A unit is a county of the province, or a city of it (市本级: 外省籍 whose
               survey names only the work city), which rolls up into that city like its counties
    gate    -> reconciliation: province = Σ cities = Σ counties, transported ≤ requested,
               completed ≤ enrolled, 本省籍 + 外省籍 = total, no negative counts; every county present or
               marked 未报送; no figures for a place outside the province
    render  -> Chinese HTML (include/templates/report_email.html.j2, autoescaped) and an XLSX with one
               sheet per area level
    send    -> yagmail to the leadership office, copied to the departments the campaign file says receive
               this kind of report, once per report version (sent_email); a re-send is a new version only
               when asked for; then one reminder per version to each department that has not reported
               (report.departments)
    summary -> report.summary: the final summary's four sections, the change since the previous version,
               departments' reporting, the departments' figures beside the system's own counts

The `campaign_report` DAG runs one step per task: prepare (汇总与核对: collect, gate, render), send
(发送报告), overdue (截止检查); not_due says why a scheduled run sends nothing that day.
No Airflow here. No personal data: figures only.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, text

from chunnuan.charter import ticket_roster
from chunnuan.common import sql
from chunnuan.common.plans import latest_published
from chunnuan.config import divisions, settings
from chunnuan.config.campaign import Campaign
from chunnuan.db.models import JobFairPlan
from chunnuan.intake import registry
from chunnuan.intake.kinds.fair_results import FAIR_RESULTS
from chunnuan.intake.kinds.training import TRAINING
from chunnuan.intake.rules import PROBLEM_LABELS
from chunnuan.report import outcomes, splits
from chunnuan.report import rail as rail_figures
from chunnuan.subsidy import figures as subsidy_figures

# Figure code -> Chinese header, in report order. The per-worker figures are split by 本省籍 / 外省籍 and
# priority group in report.splits; _poor figures are county totals whose header is the county form's own
# (其中脱贫人口 today), so the report never claims more than the counties were asked for.
COUNTY_FIGURES = {
    "workers": "摸排人数", "returning_home": "返乡", "returning_to_work": "返岗",
    "charter_requests": "包车需求", "chartered": "点对点包车运送", "referred": "转集中购票", "job_seekers": "有就业需求",
    "training_demand": "培训需求", "classes": "培训班(期)", "pre_dispatch_classes": "其中送工前(期)", "places": "培训名额",
    "enrolled": "培训报名", "enrolled_poor": "培训报名" + TRAINING.by_field["enrolled_poor"].header,
    "completed": "培训结业", "certified": "取证", "compliant": "培训达标县",
    "fairs_planned": "计划招聘会(场)", "fairs_held": "已办招聘会(场)", "fair_employers": "参会企业",
    "fair_positions": "提供岗位", "fair_attendance": "进场人数",
    "fair_attendance_poor": "进场" + FAIR_RESULTS.by_field["attendance_poor"].header,
    "fair_intentions": "达成就业意向", "fair_intentions_poor": FAIR_RESULTS.by_field["intentions_poor"].header,
}
COUNTY_FIGURES["chartered"] = "包车安排（计划）"  # 运送 is what the carriers' returns say (report.outcomes)
COUNTY_FIGURES.update(outcomes.FIGURES)
TOTALS_CHECKED = ("workers", "returning_home", "returning_to_work", "charter_requests", "chartered", "referred",
                  "classes", "enrolled", "completed", "fairs_planned", "fairs_held", "fair_attendance", "fair_intentions")
# (part, whole): a part larger than its whole at any level means a figure is wrong.
PARTS = (("chartered", "charter_requests"), ("completed", "enrolled"), ("certified", "completed"),
         ("enrolled_poor", "enrolled"), ("fair_intentions", "fair_attendance"),
         ("fair_attendance_poor", "fair_attendance"), ("fair_intentions_poor", "fair_intentions"),
         *outcomes.PARTS)
KIND_LABELS = registry.LABELS
NOT_REPORTING = "未报送"
CITY_LEVEL = "市本级"
COUNTY_QUALITY = {"files": "报送文件", "rows_read": "读取行数", "rows_quarantined": "隔离行数"}
SERVICE_HEADERS = {"item_name": "服务项目", "figure_name": "统计指标", "unit": "单位", "total": "全省累计",
                   "areas": "报送地区数", "latest": "最新截至日期"}


@dataclass
class Figures:
    campaign: Campaign
    as_of: dt.date
    # One row per unit: every county of the province, and 市本级 rows for cities serving workers themselves;
    # county_code, city_code, city, county, is_county, reporting, COUNTY_FIGURES, status, COUNTY_QUALITY.
    counties: pd.DataFrame
    totals: dict  # province totals from report_totals.sql
    quality: pd.DataFrame  # per submission kind
    problems: pd.DataFrame  # kind, code, label, rows
    plan: dict | None  # the latest published charter plan's summary
    foreign: pd.DataFrame  # county rows whose code is not the province's: the gate names them
    splits: pd.DataFrame  # report.splits.load: figures per unit, split and home province
    services: pd.DataFrame  # one row per configured service figure: province total, per city, areas reporting
    missing_parts: list[str] = field(default_factory=list)  # parts with no data yet, in Chinese
    tickets: pd.DataFrame = field(default_factory=pd.DataFrame)  # 集中购票 per station (charter.ticket_roster)
    trips: dict = field(default_factory=dict)  # report.outcomes.trip_summary: the plan's trips as returned
    subsidy: pd.DataFrame | None = None  # subsidy.figures.county_figures (None: the campaign has no subsidy)
    rail: pd.DataFrame = field(default_factory=pd.DataFrame)  # report.rail.table: province, then cities

    @property
    def cities(self) -> pd.DataFrame:
        numbers = list(COUNTY_FIGURES)
        grouped = self.counties.groupby(["city_code", "city"], sort=True)
        out = grouped[numbers].sum().reset_index()
        out["counties"] = grouped["is_county"].sum().to_numpy()
        out["reporting"] = grouped["reporting"].sum().to_numpy()
        return out

    @property
    def province(self) -> dict:
        return {k: int(self.counties[k].sum()) for k in COUNTY_FIGURES} | {
            "counties": int(self.counties["is_county"].sum()), "reporting": int(self.counties["reporting"].sum())}

    @property
    def split_names(self) -> list[str]:
        return splits.names(self.campaign)

    def split_table(self, by: tuple[str, ...] = ()) -> pd.DataFrame:
        """The splits for the province (by=()) or per city (by=("city_code", "city"))."""
        return splits.table(self.splits, self.counties, self.split_names, by)

    @property
    def inbound(self) -> pd.DataFrame:
        return splits.inbound(self.splits, self.counties)


def collect(engine: Engine, campaign: Campaign, as_of: dt.date) -> Figures:
    province = divisions.province(campaign.province_code)
    with engine.connect() as conn:
        plan_id, plan = latest_published(conn, campaign.id)
        fair_plan_id, _ = latest_published(conn, campaign.id, JobFairPlan)
        params = {"campaign_id": campaign.id, "plan_id": plan_id, "fair_plan_id": fair_plan_id, "yes": True,
                  "as_of": as_of}
        by_county = pd.read_sql(text(sql.load("report_by_county.sql")), conn, params=params)
        totals = {k: (float(v) if k == "trip_cost" else int(v)) for k, v in
                  conn.execute(text(sql.load("report_totals.sql")), params).one()._mapping.items()}
        compliance = pd.read_sql(text(sql.load("report_compliance.sql")), conn, params=params)
        quality = pd.read_sql(text(sql.load("report_quality.sql")), conn, params=params)
        codes = pd.read_sql(text(sql.load("report_quarantine_codes.sql")), conn, params=params)
        progress = pd.read_sql(text(sql.load("report_service_progress.sql")), conn, params=params)
        batch_counties = pd.read_sql(text(sql.load("report_batch_counties.sql")), conn, params=params)
        split_rows = splits.load(conn, campaign, params)
        tickets = ticket_roster.station_figures(conn, campaign, plan_id)
        outcome_rows, outcome_trips = outcomes.load(conn, params)
        rail_rows, rail_totals = rail_figures.load(conn, campaign.id, plan_id), rail_figures.plan_totals(conn, plan_id)
    by_county = outcomes.merge(by_county, outcome_rows)

    counties = units(province, set(by_county["county_code"]))
    foreign = by_county[~by_county["county_code"].isin(counties["county_code"])]
    counties = counties.merge(by_county, on="county_code", how="left")
    numbers = [c for c in COUNTY_FIGURES if c != "compliant"]
    counties["reporting"] = counties["is_county"] & counties["workers"].notna() & (counties["workers"] > 0)
    counties[numbers] = counties[numbers].fillna(0).astype("int64")
    passed = set(compliance.loc[compliance["status"] == "达标", "county_code"])
    counties["compliant"] = counties["county_code"].isin(passed).astype("int64")
    counties["status"] = counties["county_code"].map(dict(zip(compliance["county_code"], compliance["status"],
                                                              strict=True))).fillna("")
    counties = counties.merge(quality_by_county(batch_counties), on="county_code", how="left")
    counties[list(COUNTY_QUALITY)] = counties[list(COUNTY_QUALITY)].fillna(0).astype("int64")

    counted = Counter((kind, code) for kind, joined in zip(codes["kind"], codes["codes"], strict=True)
                      for code in joined.split(","))
    problems = pd.DataFrame([{"kind": k, "code": c, "label": PROBLEM_LABELS.get(c, c), "rows": n}
                             for (k, c), n in counted.most_common()], columns=["kind", "code", "label", "rows"])
    services = service_figures(campaign, progress)
    missing = [part for part, empty in (
        ("需求摸排", totals["workers"] == 0), ("点对点包车方案", plan is None), ("培训班", totals["classes"] == 0),
        ("培训班核查", compliance.empty), ("招聘会安排", totals["fairs_planned"] == 0),
        ("招聘会成效", totals["fairs_held"] == 0), ("服务项目进展", progress.empty)) if empty]
    return Figures(campaign, as_of, counties, totals, quality, problems, plan, foreign, split_rows, services, missing,
                   tickets, outcomes.trip_summary(outcome_trips), subsidy_figures.county_figures(engine, campaign),
                   rail_figures.table(rail_rows, counties, campaign.province, rail_totals))


def units(province: divisions.Province, codes: set[str]) -> pd.DataFrame:
    """The report's rows: every county of the province, and a 市本级 row for each city of it among `codes`
    (外省籍 whose survey names only the work city are served by the city), in code order."""
    counties = sorted(province.counties)
    cities = sorted(c for c in codes if c in province.cities and c not in province.counties)
    out = pd.DataFrame({"county_code": counties + cities, "is_county": [True] * len(counties) + [False] * len(cities)})
    out["city_code"] = [province.city_of(c).code for c in counties] + cities
    out["city"] = [province.city_of(c).name for c in counties] + [province.cities[c].name for c in cities]
    out["county"] = [province.counties[c].name for c in counties] + [CITY_LEVEL] * len(cities)
    return out.sort_values("county_code", ignore_index=True)


def quality_by_county(batch_counties: pd.DataFrame) -> pd.DataFrame:
    """Files, rows read and rows quarantined per county: each loaded county file counts for the county
    most of its loaded rows belong to (ties: the smaller code)."""
    owner = (batch_counties.sort_values(["batch_id", "n", "county_code"], ascending=[True, False, True])
             .drop_duplicates("batch_id"))
    return owner.groupby("county_code").agg(files=("batch_id", "size"), rows_read=("rows_read", "sum"),
                                            rows_quarantined=("rows_quarantined", "sum")).reset_index()


def service_figures(campaign: Campaign, progress: pd.DataFrame) -> pd.DataFrame:
    """Every configured service figure with the province total, the total per city (省本级 apart) and how
    many areas reported it; figures nobody reported yet stay, with no total (shown as 未报送)."""
    from chunnuan.intake.kinds.progress import figure_table

    province = divisions.province(campaign.province_code)
    table = figure_table(campaign)
    progress = progress.assign(city=progress["city_code"].map(
        {code: city.name for code, city in province.cities.items()} | {province.code: "省本级"}))
    keys = ["item_code", "figure_code"]
    totals = progress.groupby(keys).agg(total=("value", "sum"), areas=("area_code", "nunique"),
                                        latest=("as_of", "max")).reset_index()
    by_city = (progress.pivot_table(index=keys, columns="city", values="value", aggfunc="sum").reset_index()
               if len(progress) else pd.DataFrame(columns=keys))
    out = table.merge(totals, on=keys, how="left").merge(by_city, on=keys, how="left")
    out["areas"] = out["areas"].fillna(0).astype("int64")
    unknown = progress.merge(table, on=keys, how="left", indicator=True).query("_merge == 'left_only'")
    out.attrs["unknown"] = sorted(set(unknown["item_code"] + "/" + unknown["figure_code"]))
    return out


def gate(figures: Figures) -> list[str]:
    """Every reconciliation that fails, in words a coordinator can act on (empty: the report may go out)."""
    problems = []
    for row in figures.foreign.itertuples():
        problems.append(f"县区代码 {row.county_code} 不属于{figures.campaign.province}，却有 {row.workers} 名务工人员数据")
    province, cities = figures.province, figures.cities
    for key in TOTALS_CHECKED:
        label = COUNTY_FIGURES[key]
        if province[key] != figures.totals[key]:
            problems.append(f"「{label}」全省合计 {figures.totals[key]} ≠ 各县之和 {province[key]}")
        if int(cities[key].sum()) != province[key]:
            problems.append(f"「{label}」各市之和 {int(cities[key].sum())} ≠ 各县之和 {province[key]}")
    if figures.totals["trip_passengers"] != figures.totals["chartered"]:
        problems.append(f"包车车次载客合计 {figures.totals['trip_passengers']} ≠ 安排包车人数 {figures.totals['chartered']}")
    problems += rail_figures.checks(figures.totals)
    counties = figures.counties.assign(place=figures.counties["city"] + figures.counties["county"])
    for level, frame, name in (("县", counties, "place"), ("市", cities, "city")):
        for a, b in PARTS:
            for row in frame[frame[a] > frame[b]].itertuples():
                problems.append(f"{getattr(row, name)}（{level}）「{COUNTY_FIGURES[a]}」{getattr(row, a)} 大于"
                                f"「{COUNTY_FIGURES[b]}」{getattr(row, b)}")
    problems += splits.check(figures.splits, figures.counties, figures.split_names)
    problems += outcomes.check(figures.counties)
    negative = [k for k in COUNTY_FIGURES if (figures.counties[k] < 0).any()]
    problems += [f"「{COUNTY_FIGURES[k]}」出现负数" for k in negative]
    services = figures.services
    problems += [f"服务项目「{r.item_name}」的「{r.figure_name}」出现负数" for r in services[services["total"] < 0].itertuples()]
    problems += [f"服务项目进展中有行动配置之外的指标 {code}（配置改过？请核对 service_items）"
                 for code in services.attrs.get("unknown", [])]
    return problems


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_LABELS = dict(zip(WEEKDAYS, ("周一", "周二", "周三", "周四", "周五", "周六", "周日"), strict=True))


def due(campaign: Campaign, day: dt.date) -> bool:
    """Whether a scheduled (daily) run sends on `day`: the weekly day inside the campaign window, and the
    deadline itself, so the final summary goes out on time whatever weekday the deadline falls on."""
    weekly = day in campaign.window and WEEKDAYS[day.weekday()] == campaign.report.weekly_on
    return weekly or day == campaign.report.deadline


def not_due(campaign: Campaign, day: dt.date) -> str | None:
    """Why a scheduled run sends nothing on `day`, in Chinese; None when `day` is a report day (`due`)."""
    if due(campaign, day):
        return None
    return (f"{day} 不是报送日（行动期间每{WEEKDAY_LABELS[campaign.report.weekly_on]}，"
            f"以及截止日 {campaign.report.deadline}）")


def version(campaign: Campaign, as_of: dt.date) -> tuple[str, str]:
    """(kind, version): the final summary once the deadline week has come, else the weekly progress of
    the week as_of falls in. One version is sent once."""
    if as_of >= campaign.report.deadline - dt.timedelta(days=6):
        return "final", "final"
    year, week, _ = as_of.isocalendar()
    return "weekly", f"weekly-{year}-W{week:02d}"


def title(campaign: Campaign, kind: str, as_of: dt.date) -> str:
    what = "工作总结" if kind == "final" else "工作进展周报"
    return f"{campaign.province}{campaign.name}{what}（截至{as_of:%Y年%m月%d日}）"


def write_workbook(figures: Figures, path: Path, extra: dict | None = None) -> Path:
    """The report's XLSX; `extra` (title -> (frame, headers)) adds sheets after the others (report.summary.sheets)."""
    from openpyxl import Workbook

    from chunnuan.common.sheets import write_sheet

    headers = {"county_code": "县区代码", "city": "市", "county": "县(市、区)", **COUNTY_FIGURES,
               "status": "培训班核查", **COUNTY_QUALITY}
    counties = figures.counties.assign(county=lambda c: c["county"].where(
        c["reporting"] | ~c["is_county"], c["county"] + f"（{NOT_REPORTING}）"))
    book = Workbook()
    book.remove(book.active)
    province = pd.DataFrame([{"area": figures.campaign.province, **figures.province}])
    write_sheet(book, "全省", province, {"area": "地区", "counties": "县(市、区)数", "reporting": "已报送县数",
                                        **COUNTY_FIGURES})
    write_sheet(book, "各市", figures.cities, {"city": "市", "counties": "县(市、区)数", "reporting": "已报送县数",
                                             **COUNTY_FIGURES})
    write_sheet(book, "各县", counties, headers)
    write_sheet(book, "分类统计", split_sheet(figures), {"area": "地区", "split": "类别", **splits.FIGURES})
    inbound = figures.inbound.assign(top_provinces=lambda f: f["top_provinces"].map(splits.top_text))
    write_sheet(book, "外省籍分市", inbound, {"city": "务工地市", **splits.INBOUND_FIGURES,
                                            "top_provinces": f"主要来源省份（前{splits.TOP_PROVINCES}位，人数）"})
    cities = [c for c in figures.services.columns if c not in SERVICE_HEADERS and c not in ("item_code", "figure_code")]
    write_sheet(book, "服务项目", figures.services, SERVICE_HEADERS | {c: c for c in cities})
    quality = figures.quality.assign(kind=figures.quality["kind"].map(KIND_LABELS).fillna(figures.quality["kind"]))
    write_sheet(book, "数据质量", quality, {"kind": "报表", "files": "文件数", "files_rejected": "整批退回",
                                         "rows_read": "读取行数", "rows_loaded": "入库", "rows_quarantined": "隔离",
                                         "rows_merged": "重复合并"})
    problems = figures.problems.assign(kind=figures.problems["kind"].map(KIND_LABELS).fillna(figures.problems["kind"]))
    write_sheet(book, "隔离原因", problems, {"kind": "报表", "label": "问题", "rows": "行数"})
    write_sheet(book, "集中购票车站", figures.tickets, ticket_roster.STATION_COLUMNS)
    write_sheet(book, "专列车厢", figures.rail, {"area": "地区", **rail_figures.FIGURES})
    if figures.subsidy is not None:
        subsidy = pd.concat([subsidy_figures.city_figures(figures.subsidy).assign(county="（全市）"), figures.subsidy])
        write_sheet(book, "交通补助", subsidy, {"city": "市", "county": "县(市、区)", **subsidy_figures.FIGURES})
    for sheet_title, (frame, headers) in (extra or {}).items():
        write_sheet(book, sheet_title, frame, headers)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def split_sheet(figures: Figures) -> pd.DataFrame:
    """The splits for the province, then for each city: one row per area and split."""
    province = figures.split_table().assign(area=figures.campaign.province)
    cities = figures.split_table(("city_code", "city")).rename(columns={"city": "area"})
    return pd.concat([province, cities], ignore_index=True)


def city_split_workers(figures: Figures) -> dict[str, dict[str, int]]:
    """city code -> split -> workers, for the per-city tables."""
    table = figures.split_table(("city_code", "city"))
    return {code: {name: int(n) for name, n in zip(g["split"], g["workers"], strict=True)}
            for code, g in table.groupby("city_code")}


def render(figures: Figures, kind: str, summary: dict | None = None) -> str:
    """The email body; `summary` (report.summary.Summary.template_values) adds the final summary's sections,
    the change since the previous version, the departments' reporting and the two sources side by side."""
    from chunnuan.common import mail

    c = figures.campaign
    province_splits = {r["split"]: r for r in figures.split_table().to_dict(orient="records")}
    inbound = figures.inbound.assign(top=lambda f: f["top_provinces"].map(splits.top_text))
    return mail.render("report_email.html.j2", title=title(c, kind, figures.as_of), campaign=c, kind=kind,
                       province=figures.province, totals=figures.totals, plan=figures.plan,
                       split_names=figures.split_names, groups=c.priority_groups, splits=province_splits,
                       split_figures=splits.FIGURES, city_splits=city_split_workers(figures),
                       inbound=inbound.to_dict(orient="records"), inbound_figures=splits.INBOUND_FIGURES,
                       inbound_total=province_splits[splits.INBOUND], top_n=splits.TOP_PROVINCES,
                       poor_label=TRAINING.by_field["enrolled_poor"].header,
                       cities=figures.cities.to_dict(orient="records"), quality=figures.quality.to_dict(orient="records"),
                       problems=figures.problems.head(10).to_dict(orient="records"), kind_labels=KIND_LABELS,
                       missing_parts=figures.missing_parts, tickets=figures.tickets.to_dict(orient="records"),
                       services=figures.services.to_dict(orient="records"),
                       outcome=outcomes.sentence(figures.province, figures.trips), planned_part=outcomes.planned_part,
                       subsidy=subsidy_figures.sentence(figures.subsidy),
                       rail=rail_figures.sentence(figures.rail.iloc[0].to_dict() if len(figures.rail) else {}),
                       worst_counties=figures.counties[figures.counties["rows_quarantined"] > 0]
                       .nlargest(5, "rows_quarantined").to_dict(orient="records"),
                       not_reporting=figures.counties.loc[figures.counties["is_county"] & ~figures.counties["reporting"],
                                                          "county"].tolist(),
                       office=f"{c.province}春暖行动工作专班（系统自动生成）", today=figures.as_of.isoformat(),
                       summary=summary, tolerance=c.report.tolerance)


def write_charts(figures: Figures, folder: Path) -> list[Path]:
    """PNG charts shown under the email body: demand per city, 本省籍 / 外省籍 per city when any worker
    comes from another province, and training compliance when checked."""
    from chunnuan.report.charts import bar_chart, status_chart

    cities = figures.cities
    charts = {"各市返乡返岗人数.png": bar_chart("各市摸排返乡、返岗人数", cities["city"].tolist(),
                                         {"返乡": cities["returning_home"].tolist(),
                                          "返岗": cities["returning_to_work"].tolist()}, "人")}
    by_city = figures.split_table(("city_code", "city"))
    origin = {name: by_city.loc[by_city["split"] == name, "workers"].tolist() for name in (splits.NATIVE, splits.INBOUND)}
    if sum(origin[splits.INBOUND]):
        charts["各市本省籍外省籍人数.png"] = bar_chart("各市摸排本省籍、外省籍人数",
                                               by_city.drop_duplicates("city_code")["city"].tolist(), origin, "人")
    statuses = figures.counties.loc[figures.counties["status"] != "", "status"].value_counts()
    if len(statuses):
        charts["培训班核查结果.png"] = status_chart("各县培训班核查结果（县数）", {k: int(v) for k, v in statuses.items()})
    for name, png in charts.items():
        (folder / name).write_bytes(png)
    return [folder / name for name in charts]


def outputs(campaign: Campaign, report_version: str) -> Path:
    return settings.outputs_dir(campaign.id, "report") / report_version


def recipients(campaign: Campaign, kind: str) -> tuple[list[str], list[str]]:
    """(to, cc): the leadership office; the lead contact, and the departments the campaign file copies on
    this kind of report (departments[].receives)."""
    to = list(campaign.report.to)
    cc = [str(e) for e in dict.fromkeys(
        [campaign.lead_contact.email, *(d.email for d in campaign.departments if kind in d.receives)]) if e]
    return to, [e for e in cc if e not in to]


def prepare(engine: Engine, campaign: Campaign, as_of: dt.date, smtp=None) -> tuple[dict, list[str]]:
    """Task 汇总与核对: collect and reconcile; when the figures agree, write the HTML and the XLSX of this
    version. Returns (what the send step needs, reconciliation problems — non-empty: nothing was written,
    and the coordinators were alerted once per version and day when `smtp` is given)."""
    kind, report_version = version(campaign, as_of)
    figures = collect(engine, campaign, as_of)
    problems = gate(figures)
    if problems:
        if smtp is not None:
            alert_coordinators(engine, campaign, smtp, f"report-gate-{report_version}-{as_of}",
                               f"{report_version} 数字核对未通过，报告未发送", problems)
        return {"version": report_version, "kind": kind}, problems
    from chunnuan.report import summary

    folder = outputs(campaign, report_version)
    folder.mkdir(parents=True, exist_ok=True)
    more = summary.prepare(engine, figures, kind, report_version, folder)
    html = folder / "report.html"
    html.write_text(render(figures, kind, more.template_values(as_of)), encoding="utf-8")
    xlsx = write_workbook(figures, folder / f"{title(campaign, kind, as_of)}.xlsx", summary.sheets(more))
    return {"version": report_version, "kind": kind, "title": title(campaign, kind, as_of), "html": str(html),
            "xlsx": str(xlsx), "charts": [str(p) for p in [*write_charts(figures, folder), *more.charts]],
            "missing_parts": figures.missing_parts, "as_of": as_of.isoformat(), "gaps": more.gap_lines,
            **{k: figures.province[k] for k in ("counties", "reporting", "workers", "chartered", "classes")}}, []


def send(engine: Engine, campaign: Campaign, prepared: dict, smtp, resend_tag: str | None = None) -> bool:
    """Task 发送报告: the prepared version to the leadership office, once; `resend_tag` (e.g. the run id) makes a
    deliberate second sending its own message. True if sent now."""
    from chunnuan.common import mail
    from chunnuan.report import departments

    to, cc = recipients(campaign, prepared["kind"])
    key = f"report-{campaign.id}-{prepared['version']}" + (f"-resend-{resend_tag}" if resend_tag else "")
    html = Path(prepared["html"]).read_text(encoding="utf-8")
    sent = mail.send_once(engine, smtp, key, campaign.id, to, f"【{campaign.name}】{prepared['title']}", html, cc=cc,
                          attachments=[Path(prepared["xlsx"])], images=[Path(p) for p in prepared["charts"]])
    departments.remind(engine, campaign, prepared["version"], dt.date.fromisoformat(prepared["as_of"]), smtp)
    return sent


def overdue(engine: Engine, campaign: Campaign, as_of: dt.date, smtp) -> str | None:
    """Task 截止检查: past the deadline with the final summary unsent, the line saying so (the coordinators
    alerted once when `smtp` is given); None otherwise."""
    from chunnuan.common import mail

    if as_of <= campaign.report.deadline or mail.already_sent(engine, f"report-{campaign.id}-final"):
        return None
    line = f"已过报送截止日期 {campaign.report.deadline}，行动工作总结仍未发送"
    if smtp is not None:
        alert_coordinators(engine, campaign, smtp, f"report-deadline-{campaign.id}", "工作总结逾期未发送", [line])
    return line


def alert_coordinators(engine: Engine, campaign: Campaign, smtp, key: str, subject: str, lines: list[str],
                       intro: str | None = None, closing: str | None = None) -> bool:
    """A short alert to the campaign's lead contact (the coordinators' office), once per key; `intro` and
    `closing` replace the report's own first and last sentence."""
    from chunnuan.common import mail

    if campaign.lead_contact.email is None:
        return False
    html = mail.render("report_alert.html.j2", lines=lines, campaign_name=campaign.name, intro=intro, closing=closing)
    return mail.send_once(engine, smtp, key, campaign.id, [str(campaign.lead_contact.email)],
                          f"【{campaign.name}】{subject}", html)
