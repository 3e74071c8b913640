"""The service-item progress submission (服务项目进展表): one row per area × item × figure × date.

Departments report the campaign's service items (Guangxi's 12 送…, Shandong's 7 暖心…) with the
figures the campaign file configures for each item (走访慰问人数, 欠薪案件, 追回金额(万元) …), as
cumulative totals up to a 截至日期. An area is a county, a city's own work (市本级) or the province's
(省本级), so that county + 市本级 rows add up to the city and cities + 省本级 to the province.

Long format, because the items and figures differ by campaign: the template's drop-downs list the
campaign's own. 填报部门 is one of the campaign's departments, the one the campaign file says answers for
the figure (departments[].items): a row of another department's figure is quarantined, so the report can
say which department reported what. A newer submission of the same department for the same area, item
and date replaces its earlier figures of that item (pipeline.load_replacing, owner = `entry`); earlier
dates stay as the history.
"""

from __future__ import annotations

import re

import pandas as pd
from openpyxl import Workbook

from chunnuan.config import divisions
from chunnuan.config.campaign import Campaign
from chunnuan.intake import normalise, workbook
from chunnuan.intake.gate import Kind
from chunnuan.intake.places import area_codes, city_codes, county_labels
from chunnuan.intake.readers import ROW_NO
from chunnuan.intake.rules import (
    Check,
    area_check,
    date_check,
    day_numbers,
    read_ok,
    required_checks,
    window_check,
)
from chunnuan.intake.schema import Column, Prepared, Schema

MAX_VALUE = 1e9
FRACTION_UNITS = ("万元", "元")  # money may have decimals; people, sessions and cases are whole
_QUOTES = re.compile(r"[\"'“”‘’「」『』]")

PROGRESS = Schema("progress", "服务项目进展表", (
    Column("area", "地区", width=18,
           help="县(市、区)全称如「贵港市平南县」；市本级填市名如「贵港市」；省本级填省名",
           aliases=("县(市、区)", "填报地区", "地区名称")),
    Column("item", "服务项目", width=26, aliases=("项目", "服务内容")),
    Column("figure", "统计指标", width=26, aliases=("指标", "指标名称")),
    Column("value", "累计数值", width=12, help="截至日期的累计数；金额以万元计，可带小数", aliases=("数值", "累计数")),
    Column("as_of", "截至日期", width=12, help="如 2024-02-23", cell="date"),
    Column("department", "填报部门", width=20, help="从下拉列表选择负责该指标的部门（各级同一条线填同一名称）",
           aliases=("部门", "报送部门")),
    Column("reported_on", "填报日期", width=12, help="如 2024-02-23", cell="date"),
))


def _bare(text: pd.Series) -> pd.Series:
    return text.str.replace(_QUOTES, "", regex=True).str.replace(" ", "", regex=False)


def figure_table(campaign: Campaign) -> pd.DataFrame:
    """One row per configured figure: item_code, item_name, figure_code, figure_name, unit."""
    return pd.DataFrame([(i.code, i.name, f.code, f.name, f.unit) for i in campaign.service_items for f in i.figures],
                        columns=["item_code", "item_name", "figure_code", "figure_name", "unit"])


def item_codes(items: pd.Series, campaign: Campaign) -> pd.Series:
    """服务项目 as typed (its name, quotes or not, or its code) -> the item's code; NaN where it is none."""
    return _bare(items).map({**{i.code: i.code for i in campaign.service_items},
                             **{_bare(pd.Series([i.name])).iloc[0]: i.code for i in campaign.service_items}})


def department_names(campaign: Campaign) -> list[str]:
    return [d.name for d in campaign.departments]


def departments(typed: pd.Series, campaign: Campaign) -> pd.Series:
    """部门 as typed (spaces aside) -> the configured department's name; NaN where it is none."""
    names = typed.str.replace(" ", "", regex=False)
    return names.where(names.isin(department_names(campaign)))


def department_check(campaign: Campaign) -> Check:
    names = "、".join(department_names(campaign))
    return Check("department_unknown", "department", "_department_ok", "true",
                 lambda v, r: f"部门「{v}」不是本次行动的成员单位，应为：{names}")


def prepare(raw: pd.DataFrame, campaign: Campaign) -> Prepared:
    t = {c.field: normalise.text(raw[c.field]) for c in PROGRESS.columns}
    area = area_codes(t["area"], campaign)
    figures = figure_table(campaign)
    item_code = item_codes(t["item"], campaign)
    pair = item_code + "|" + _bare(t["figure"])
    figure_code = pair.map({
        **{f"{r.item_code}|{r.figure_code}": r.figure_code for r in figures.itertuples()},
        **{f"{r.item_code}|{_bare(pd.Series([r.figure_name])).iloc[0]}": r.figure_code for r in figures.itertuples()}})
    unit = (item_code + "|" + figure_code).map(
        {f"{r.item_code}|{r.figure_code}": r.unit for r in figures.itertuples()})
    value = pd.to_numeric(t["value"].str.replace(",", "", regex=False).str.removesuffix("万元"), errors="coerce")
    whole_or_money = (value == value.round()) | unit.isin(FRACTION_UNITS)
    as_of, reported = normalise.dates(raw["as_of"]), normalise.dates(raw["reported_on"])
    department = departments(t["department"], campaign)
    owner = (item_code + "|" + figure_code).map({f"{i}|{f}": d for (i, f), d in campaign.owners().items()})

    clean = pd.DataFrame({
        "source_row": raw[ROW_NO].astype("int64"),
        "area_code": area,
        "city_code": city_codes(area),
        "item_code": item_code,
        "figure_code": figure_code,
        "as_of": as_of,
        "value": value,
        "department": department,
        "reported_on": reported,
    })
    clean["entry"] = (clean["area_code"] + "|" + department + "|" + clean["item_code"] + "|"
                      + as_of.dt.strftime("%Y-%m-%d"))
    checked = pd.DataFrame({
        **{f: t[f] for f in ("area", "item", "figure", "value", "as_of", "department", "reported_on")},
        "_area_ok": area.notna().astype("boolean").mask(t["area"].isna()),
        "_item_ok": item_code.notna().astype("boolean").mask(t["item"].isna()),
        "_figure_ok": figure_code.notna().astype("boolean").mask(t["figure"].isna() | item_code.isna()),
        "_department_ok": department.notna().astype("boolean").mask(t["department"].isna()),
        "_owner_ok": (department == owner).astype("boolean").mask(department.isna() | owner.isna()),
        "_value": value.fillna(-1).where(t["value"].notna()),  # -1: unreadable, NaN: blank (required check)
        "_value_whole": whole_or_money.astype("boolean").mask(value.isna() | unit.isna()),
        "_as_of_ok": read_ok(as_of, t["as_of"]),
        "_as_of_day": day_numbers(as_of),
        "_reported_ok": read_ok(reported, t["reported_on"]),
    })
    return Prepared(clean=clean, checked=checked, raw=raw)


def progress_checks(campaign: Campaign) -> list[Check]:
    province = divisions.province(campaign.province_code).name
    items = "、".join(i.name for i in campaign.service_items)
    figures = figure_table(campaign)
    by_item = figures.groupby("item_code")["figure_name"].agg("、".join).to_dict()
    names = dict(zip(figures["item_code"], figures["item_name"], strict=False))

    def figure_reason(value, row) -> str:
        code = row.get("item_code")
        return f"统计指标「{value}」不属于服务项目「{names.get(code, '')}」，该项目的指标为：{by_item.get(code, '')}"

    owners = campaign.owners()
    figure_names = {(r.item_code, r.figure_code): r.figure_name for r in figures.itertuples()}

    def owner_reason(value, row) -> str:
        item, figure = row.get("item_code"), row.get("figure_code")
        owner = owners.get((item, figure), "")
        return (f"「{names.get(item, '')}」的指标「{figure_names.get((item, figure), '')}」由「{owner}」负责填报，"
                f"不是「{value}」：请由{owner}报送，或改正填报部门")

    checks = required_checks(PROGRESS.columns)
    checks += [
        area_check(province),
        department_check(campaign),
        Check("department_not_owner", "department", "_owner_ok", "true", owner_reason),
        Check("item_unknown", "item", "_item_ok", "true",
              lambda v, r: f"服务项目「{v}」不是本次行动的服务项目，应为：{items}"),
        Check("figure_unknown", "figure", "_figure_ok", "true", figure_reason),
        Check("value_invalid", "value", "_value", "between",
              lambda v, r: f"「累计数值」应为不小于 0 的数，实际为「{v}」", {"min_value": 0, "max_value": MAX_VALUE}),
        Check("value_not_whole", "value", "_value_whole", "true",
              lambda v, r: f"「累计数值」{v} 应为整数（人数、场次、件数不带小数；只有金额可带小数）"),
        date_check("as_of", "_as_of_ok", "截至日期", "2024-02-23"),
        # Figures as of the report deadline still count, though it may fall after the campaign's window.
        window_check("as_of", "_as_of_day", "截至日期", "本次行动时段", campaign.window,
                     last=max(campaign.window.end, campaign.report.deadline)),
        date_check("reported_on", "_reported_ok", "填报日期", "2024-02-23"),
    ]
    return checks


# --- what the registry uses -----------------------------------------------------------------------

KIND = Kind(PROGRESS, prepare, progress_checks, key=("area_code", "item_code", "figure_code", "as_of"),
            order=("reported_on",))


def build_template(campaign: Campaign | None) -> Workbook:
    lists = {}
    if campaign is not None:
        province = divisions.province(campaign.province_code)
        figures = figure_table(campaign)
        lists = {"area": ("地区选项", [province.name, *(c.name for c in province.cities.values()),
                                       *county_labels(campaign)]),
                 "item": ("服务项目选项", list(dict.fromkeys(figures["item_name"]))),
                 "figure": ("统计指标选项", list(dict.fromkeys(figures["figure_name"]))),
                 "department": ("部门选项", department_names(campaign))}
    windows = {"as_of": (campaign.window if campaign is not None else None, "行动时段"), "reported_on": (None, "")}
    rules = [
        "每个地区、每个服务项目、每个统计指标填一行，数值为截至日期的累计数。",
        "地区：县(市、区)填全称；市本级（不含所辖县区）填市名；省本级填省名。县区与市本级相加即全市，各市与省本级相加即全省。",
        "填报部门：每个指标由行动配置中的一个部门负责（见下），只填本部门负责的指标；县、市、省各级同一条线填同一部门名称。",
        "同一部门、同一地区、同一服务项目、同一截至日期再次报送时，以最新一份为准（该部门原报送的该项目各指标被替换）；以前各截至日期的数保留。",
        "人数、场次、件数为整数；金额以万元计，可带小数。",
    ]
    if campaign is not None:
        owners = campaign.owners()
        rules.append("各服务项目的统计指标及负责部门：" + "；".join(
            f"{i.name}：{'、'.join(f'{f.name}（{f.unit}，{owners[(i.code, f.code)]}）' for f in i.figures)}"
            for i in campaign.service_items))
    return workbook.plain_form("服务项目进展表", "服务项目进展", PROGRESS.columns, campaign,
                               f"行动时段 {campaign.window.label()}" if campaign else "", lists, windows, {},
                               "二、填报与审核规则", rules)
