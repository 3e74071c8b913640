"""The highlights and problems submission (亮点工作和存在问题报表): what a department writes, not counts.

Both notices ask for text: 认真总结典型经验 (桂), 及时报送相关信息和亮点工作 (鲁). One row is one entry —
a 典型经验, 亮点工作, 存在问题 or 下一步打算 — of one configured department about one service item, for
an area (county, 市本级 or 省本级, as on the progress form), with a title and a paragraph of text.

The text goes into the reports emailed to the leadership office, so a 标题 or 内容 holding something
shaped like an ID number or a mobile number is quarantined (the reason shows it masked, as every value
the gate shows of these fields is: common.masking.MASKERS).

A department's newer submission for an area and date replaces all it sent for that area and date
(pipeline.load_replacing, owner = `entry`): it may drop or reword entries; other dates stay.
"""

from __future__ import annotations

import pandas as pd
from openpyxl import Workbook

from chunnuan.common.masking import PII_IN_TEXT, masked_in
from chunnuan.config import divisions
from chunnuan.config.campaign import Campaign
from chunnuan.intake import normalise, workbook
from chunnuan.intake.gate import Kind
from chunnuan.intake.kinds.progress import department_check, department_names, departments, item_codes
from chunnuan.intake.places import area_codes, city_codes, county_labels
from chunnuan.intake.readers import ROW_NO
from chunnuan.intake.rules import (
    Check,
    area_check,
    choice_check,
    date_check,
    day_numbers,
    read_ok,
    required_checks,
    window_check,
)
from chunnuan.intake.schema import Column, Prepared, Schema

CATEGORIES = ("典型经验", "亮点工作", "存在问题", "下一步打算")
CATEGORY_ALIASES = {"经验": "典型经验", "亮点": "亮点工作", "问题": "存在问题", "下一步工作打算": "下一步打算"}
MAX_TITLE = 60  # characters: a heading of the summary

HIGHLIGHTS = Schema("highlights", "亮点工作和存在问题报表", (
    Column("area", "地区", width=18,
           help="县(市、区)全称如「贵港市平南县」；市本级填市名如「贵港市」；省本级填省名",
           aliases=("县(市、区)", "填报地区")),
    Column("department", "部门", width=22, help="从下拉列表选择本部门", aliases=("填报部门", "报送部门")),
    Column("item", "服务项目", width=26, aliases=("项目",)),
    Column("category", "类别", choices=CATEGORIES, width=12, help=" / ".join(CATEGORIES)),
    Column("title", "标题", width=30, help=f"一句话概括，不超过{MAX_TITLE}字"),
    Column("content", "内容", width=60, help="具体做法、成效或问题；不要写身份证号、手机号等个人信息"),
    Column("report_date", "日期", width=12, help="报送日期，如 2024-02-23", cell="date", aliases=("报送日期", "填报日期")),
))
BY_FIELD = HIGHLIGHTS.by_field
TEXT_FIELDS = ("title", "content")


def _no_pii(text: pd.Series) -> pd.Series:
    """True where the text holds no ID- or mobile-shaped number, <NA> where blank."""
    return text.map(lambda s: PII_IN_TEXT.search(s) is None, na_action="ignore").astype("boolean")


def _within(text: pd.Series, limit: int) -> pd.Series:
    return (text.str.len() <= limit).astype("boolean")


def prepare(raw: pd.DataFrame, campaign: Campaign) -> Prepared:
    t = {c.field: normalise.text(raw[c.field]) for c in HIGHLIGHTS.columns}
    area = area_codes(t["area"], campaign)
    department = departments(t["department"], campaign)
    item = item_codes(t["item"], campaign)
    category = normalise.choice(raw["category"], CATEGORY_ALIASES)
    day = normalise.dates(raw["report_date"])
    written = {f: normalise.prose(raw[f]) for f in TEXT_FIELDS}  # stored and measured as written

    clean = pd.DataFrame({
        "source_row": raw[ROW_NO].astype("int64"),
        "area_code": area,
        "city_code": city_codes(area),
        "department": department,
        "item_code": item,
        "category": category,
        "title": written["title"],
        "content": written["content"],
        "report_date": day,
    })
    clean["entry"] = area + "|" + department + "|" + day.dt.strftime("%Y-%m-%d")
    checked = pd.DataFrame({
        **{f: t[f] for f in ("area", "department", "item", "title", "content", "report_date")},
        "category": category,
        "_area_ok": area.notna().astype("boolean").mask(t["area"].isna()),
        "_department_ok": department.notna().astype("boolean").mask(t["department"].isna()),
        "_item_ok": item.notna().astype("boolean").mask(t["item"].isna()),
        "_title_short": _within(written["title"], MAX_TITLE),
        "_content_short": _within(written["content"], campaign.intake.max_text_length),
        "_title_no_pii": _no_pii(t["title"]),  # NFKC: full-width digits are digits too
        "_content_no_pii": _no_pii(t["content"]),
        "_date_ok": read_ok(day, t["report_date"]),
        "_day": day_numbers(day),
    })
    return Prepared(clean=clean, checked=checked, raw=raw)


def _pii_check(field: str) -> Check:
    header = BY_FIELD[field].header

    def reason(value, row) -> str:  # value is masked (masking.MASKERS), so is what the reason quotes
        found = "、".join(masked_in(str(value))) or "一串数字"
        return (f"「{header}」中有疑似身份证号或手机号「{found}」：报表内容会写进发给领导小组办公室的邮件，"
                "不能含个人信息，请删去后重新报送")
    return Check("pii_in_text", field, f"_{field}_no_pii", "true", reason)


def _length_check(field: str, limit: int) -> Check:
    header = BY_FIELD[field].header
    return Check("text_too_long", field, f"_{field}_short", "true",
                 lambda v, r: f"「{header}」有 {len(r[field])} 字，超过上限 {limit} 字，请精简")  # v is shortened


def highlight_checks(campaign: Campaign) -> list[Check]:
    province = divisions.province(campaign.province_code).name
    items = "、".join(i.name for i in campaign.service_items)
    return [
        *required_checks(HIGHLIGHTS.columns),
        area_check(province),
        department_check(campaign),
        Check("item_unknown", "item", "_item_ok", "true",
              lambda v, r: f"服务项目「{v}」不是本次行动的服务项目，应为：{items}"),
        choice_check(BY_FIELD["category"]),
        _length_check("title", MAX_TITLE),
        _length_check("content", campaign.intake.max_text_length),
        _pii_check("title"),
        _pii_check("content"),
        date_check("report_date", "_date_ok", "日期", "2024-02-23"),
        # Summaries are written up to the report deadline, which may fall after the window (as progress).
        window_check("report_date", "_day", "日期", "本次行动时段", campaign.window,
                     last=max(campaign.window.end, campaign.report.deadline)),
    ]


# --- what the registry uses -----------------------------------------------------------------------

KIND = Kind(HIGHLIGHTS, prepare, highlight_checks, key=("entry", "item_code", "category", "title"))


def build_template(campaign: Campaign | None) -> Workbook:
    lists, limit = {}, 500
    if campaign is not None:
        province = divisions.province(campaign.province_code)
        lists = {"area": ("地区选项", [province.name, *(c.name for c in province.cities.values()),
                                       *county_labels(campaign)]),
                 "department": ("部门选项", department_names(campaign)),
                 "item": ("服务项目选项", [i.name for i in campaign.service_items])}
        limit = campaign.intake.max_text_length
    windows = {"report_date": (campaign.window if campaign is not None else None, "行动时段")}
    rules = [
        "每条典型经验、亮点工作、存在问题或下一步打算填一行，写明所属服务项目。",
        f"标题不超过{MAX_TITLE}字；内容不超过{limit}字。",
        "标题和内容会写进报送领导小组办公室的总结和邮件：不要写身份证号、手机号等个人信息，含有的行将退回。",
        "同一部门、同一地区、同一日期再次报送时，以最新一份为准（该部门原报送的该地区该日期的各条被替换）；其他日期的保留。",
        "地区：县(市、区)填全称；市本级填市名；省本级填省名。",
    ]
    return workbook.plain_form("亮点工作和存在问题报表", "亮点和问题", HIGHLIGHTS.columns, campaign,
                               f"行动时段 {campaign.window.label()}" if campaign else "", lists, windows, {},
                               "二、填报与审核规则", rules)
