"""The employer-openings submission (岗位信息归集表): one row per enterprise × place × trade.

County bureaus collect openings from enterprises (送岗上门, 岗位信息归集) and send them through the
same intake as the demand survey (`intake.check_submissions` with this module's `KIND`). An
enterprise's newer submission is its whole current list of openings: its earlier rows are replaced
(pipeline.load_replacing, owner = 统一社会信用代码). Openings may lie outside the province (劳务协作
with the usual destinations): the place is a county of the named province, by default the campaign's.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from openpyxl import Workbook

from chunnuan.config.campaign import Campaign
from chunnuan.intake import normalise, workbook
from chunnuan.intake.gate import Kind
from chunnuan.intake.places import city_codes, county_labels, province_full_names, resolve_places
from chunnuan.intake.readers import ROW_NO
from chunnuan.intake.rules import (
    Check,
    choice_check,
    count_check,
    date_check,
    read_ok,
    required_checks,
    unless_blank,
    uscc_check,
)
from chunnuan.intake.schema import USCC, YES_NO, Column, Prepared, Schema

MAX_HEADCOUNT = 5_000
MAX_WAGE = 100_000  # 元/月: above this a figure was typed in 元/年 or with an extra zero
INDUSTRIES = ("制造业", "建筑业", "住宿和餐饮业", "居民服务业", "批发和零售业", "交通运输业", "信息技术服务业",
              "农林牧渔业", "卫生和社会工作", "其他")

OPENINGS = Schema("openings", "岗位信息归集表", (
    USCC,
    Column("enterprise", "企业名称", width=26, aliases=("用人单位", "招聘企业")),
    Column("province", "岗位所在省份", required=False, width=12, help="省外岗位（劳务协作）填写省份全称；省内岗位留空"),
    Column("county", "岗位所在县(市、区)", width=18, help="工作地点所在县(市、区)全称，如「贵港市平南县」",
           aliases=("工作地点", "岗位所在地", "县(市、区)")),
    Column("industry", "所属行业", choices=INDUSTRIES, width=14),
    Column("trade", "招聘工种", width=14, help="与技能培训工种名称一致，如「电工」", aliases=("工种", "岗位名称")),
    Column("headcount", "招聘人数", width=10, help=f"1 至 {MAX_HEADCOUNT} 的整数"),
    Column("wage_min", "月薪下限(元)", width=12, aliases=("最低月薪", "薪资下限")),
    Column("wage_max", "月薪上限(元)", width=12, aliases=("最高月薪", "薪资上限")),
    Column("closing_date", "招聘截止日期", width=12, help="如 2024-03-31", cell="date"),
    Column("key_enterprise", "重点企业或重点园区", choices=YES_NO, width=10, help="是 / 否"),
    Column("reporting_unit", "填报单位", width=18, help="如「某某县人力资源和社会保障局」"),
    Column("reported_on", "填报日期", width=12, help="如 2024-02-01", cell="date"),
))
BY_FIELD = OPENINGS.by_field


def prepare(raw: pd.DataFrame, campaign: Campaign) -> Prepared:
    t = {c.field: normalise.text(raw[c.field]) for c in OPENINGS.columns}
    code, code_ok = normalise.uscc(raw["uscc"])
    place_province = t["province"].fillna(campaign.province)
    county_code, province_ok = resolve_places(place_province, t["county"])
    headcount = normalise.small_int(raw["headcount"], default=-1, unit="人")
    wage_min = normalise.small_int(raw["wage_min"], default=-1, unit="元")
    wage_max = normalise.small_int(raw["wage_max"], default=-1, unit="元")
    key = normalise.choice(raw["key_enterprise"], {"重点企业": "是", "重点园区": "是"})
    closing, reported = normalise.dates(raw["closing_date"]), normalise.dates(raw["reported_on"])

    clean = pd.DataFrame({
        "source_row": raw[ROW_NO].astype("int64"),
        "uscc": code,
        "enterprise": t["enterprise"],
        "place_province": place_province,  # for the reason only; the table keeps province_code
        "county_code": county_code,
        "city_code": city_codes(county_code),
        "province_code": county_code.str.slice(0, 2) + "0000",
        "industry": t["industry"],
        "trade": t["trade"],
        "headcount": headcount,
        "wage_min": wage_min,
        "wage_max": wage_max,
        "closing_date": closing,
        "key_enterprise": key == "是",
        "reporting_unit": t["reporting_unit"],
        "reported_on": reported,
    })
    checked = pd.DataFrame({
        **{f: t[f] for f in ("enterprise", "province", "county", "industry", "trade", "headcount", "wage_min", "wage_max",
                             "closing_date", "reporting_unit", "reported_on")},
        "uscc": code,
        "key_enterprise": key,
        "_uscc_ok": code_ok,
        "_province_ok": province_ok.mask(t["province"].isna()),
        "_county_ok": county_code.notna().astype("boolean").mask(t["county"].isna() | ~province_ok.fillna(False)),
        "_headcount": unless_blank(headcount, t["headcount"]),
        "_wage_min": unless_blank(wage_min, t["wage_min"]),
        "_wage_max": unless_blank(wage_max, t["wage_max"]),
        "_wage_ordered": (wage_max >= wage_min).astype("boolean").mask((wage_min < 0) | (wage_max < 0)),
        "_closing_ok": read_ok(closing, t["closing_date"]),
        "_closing_after_start": (closing >= pd.Timestamp(campaign.job_fairs.window.start)).astype("boolean")
        .mask(closing.isna()),
        "_reported_ok": read_ok(reported, t["reported_on"]),
    })
    return Prepared(clean=clean, checked=checked, raw=raw)


def _wage_check(field: str, header: str) -> Check:
    return Check("wage_invalid", field, f"_{field}", "between",
                 lambda v, r: f"「{header}」应为按月计的元数（如 4500），实际为「{v}」",
                 {"min_value": 1, "max_value": MAX_WAGE})


def opening_checks(campaign: Campaign) -> list[Check]:
    start = campaign.job_fairs.window.start
    checks = required_checks(OPENINGS.columns)
    checks += [
        uscc_check(),
        Check("province_unknown", "province", "_province_ok", "true",
              lambda v, r: f"岗位所在省份「{v}」无法识别，请写省份全称，如「广东省」；省内岗位留空"),
        Check("county_unknown", "county", "_county_ok", "true",
              lambda v, r: (f"岗位所在县(市、区)「{v}」不是{r['place_province']}的县(市、区)，"
                            "请按行政区划全称填写；省外岗位请同时填写「岗位所在省份」")),
        choice_check(BY_FIELD["industry"]),
        count_check("headcount", BY_FIELD["headcount"].header, 1, MAX_HEADCOUNT),
        _wage_check("wage_min", "月薪下限(元)"),
        _wage_check("wage_max", "月薪上限(元)"),
        Check("wage_order", "wage_max", "_wage_ordered", "true",
              lambda v, r: f"月薪上限 {v} 低于月薪下限 {r['wage_min']}"),
        date_check("closing_date", "_closing_ok", "招聘截止日期", "2024-03-31"),
        Check("closed_before_campaign", "closing_date", "_closing_after_start", "true",
              lambda v, r: f"招聘截止日期「{v}」早于春风行动开始（{start:%Y-%m-%d}），该岗位已过期，请删除或更新"),
        choice_check(BY_FIELD["key_enterprise"]),
        date_check("reported_on", "_reported_ok", "填报日期", "2024-02-01"),
    ]
    return checks


def opening_ids(openings: pd.DataFrame) -> pd.Series:
    """A stable number per opening for the matcher: its position in (uscc, county, trade) order."""
    order = openings.sort_values(["uscc", "county_code", "trade"]).index
    return pd.Series(np.arange(1, len(order) + 1), index=order).reindex(openings.index)


# --- what the registry uses -----------------------------------------------------------------------

KIND = Kind(OPENINGS, prepare, opening_checks, key=("uscc", "county_code", "trade"), order=("reported_on",))


def build_template(campaign: Campaign | None) -> Workbook:
    lists = {"province": ("省份选项", province_full_names())}
    if campaign is not None:
        lists.update({"county": ("县(市、区)选项", county_labels(campaign)),
                      "trade": ("工种选项", list(campaign.training.trades))})
    window = campaign.job_fairs.window if campaign is not None else None
    windows = {"closing_date": (None, ""), "reported_on": (None, "")}
    whole = {"headcount": (1, MAX_HEADCOUNT), "wage_min": (1, MAX_WAGE), "wage_max": (1, MAX_WAGE)}
    rules = [
        "每家企业在每个工作地点、每个招聘工种填一行；同一企业再次报送时，以最新一份为准（原报送的全部岗位被替换）。",
        "统一社会信用代码须为18位且校验正确（与营业执照一致）。",
        "省内岗位的工作地点从下拉列表选择；省外岗位（劳务协作）先填「岗位所在省份」，再写该省的县(市、区)全称。",
        "月薪按元/月填写，上限不低于下限；招聘截止日期已过的岗位不再推荐。",
        "招聘工种与技能培训工种名称一致时，才能与农民工的意向工种对上；下拉列表之外的工种也可填写，但可能无人匹配。",
    ]
    if window is not None:
        rules.append(f"春风行动招聘会时段：{window.label()}。")
    return workbook.plain_form("岗位信息归集表", "岗位信息", OPENINGS.columns, campaign,
                               f"春风行动招聘会时段 {window.label()}" if window else "", lists, windows, whole,
                               "二、审核与匹配规则", rules)
