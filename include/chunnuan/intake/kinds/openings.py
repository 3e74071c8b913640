"""The employer-openings submission (岗位信息归集表): one row per enterprise × place × trade.

County bureaus collect openings from enterprises (送岗上门, 岗位信息归集) and send them through the
same intake as the demand survey (`intake.check_submissions` with `OPENING_KIND`). An enterprise's
newer submission is its whole current list of openings: its earlier rows are replaced
(pipeline.load_replacing, owner = 统一社会信用代码). Openings may lie outside the province (劳务协作
with the usual destinations): the place is a county of the named province, by default the campaign's.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from chunnuan.config import divisions
from chunnuan.config.campaign import Campaign
from chunnuan.intake import normalise
from chunnuan.intake.expectations import Check, date_check, required_checks
from chunnuan.intake.gate import Kind
from chunnuan.intake.kinds.survey import Prepared
from chunnuan.intake.readers import ROW_NO
from chunnuan.intake.schema import YES_NO, Column, Schema

MAX_HEADCOUNT = 5_000
MAX_WAGE = 100_000  # 元/月: above this a figure was typed in 元/年 or with an extra zero
INDUSTRIES = ("制造业", "建筑业", "住宿和餐饮业", "居民服务业", "批发和零售业", "交通运输业", "信息技术服务业",
              "农林牧渔业", "卫生和社会工作", "其他")

OPENINGS = Schema("openings", "岗位信息归集表", (
    Column("uscc", "统一社会信用代码", help="营业执照上的18位代码", width=22, aliases=("社会信用代码", "信用代码")),
    Column("enterprise", "企业名称", width=26, aliases=("用人单位", "招聘企业")),
    Column("province", "岗位所在省份", required=False, width=12, help="省外岗位（劳务协作）填写省份全称；省内岗位留空"),
    Column("county", "岗位所在县(市、区)", width=18, help="工作地点所在县(市、区)全称，如「贵港市平南县」",
           aliases=("工作地点", "岗位所在地", "县(市、区)")),
    Column("industry", "所属行业", choices=INDUSTRIES, width=14),
    Column("trade", "招聘工种", width=14, help="与技能培训工种名称一致，如「电工」", aliases=("工种", "岗位名称")),
    Column("headcount", "招聘人数", width=10, help=f"1 至 {MAX_HEADCOUNT} 的整数"),
    Column("wage_min", "月薪下限(元)", width=12, aliases=("最低月薪", "薪资下限")),
    Column("wage_max", "月薪上限(元)", width=12, aliases=("最高月薪", "薪资上限")),
    Column("closing_date", "招聘截止日期", width=12, help="如 2024-03-31"),
    Column("key_enterprise", "重点企业或重点园区", choices=YES_NO, width=10, help="是 / 否"),
    Column("reporting_unit", "填报单位", width=18, help="如「某某县人力资源和社会保障局」"),
    Column("reported_on", "填报日期", width=12, help="如 2024-02-01"),
))


def _resolve_places(province_names: pd.Series, counties: pd.Series) -> tuple[pd.Series, pd.Series]:
    """County code where "<province> + county" resolves; province_ok False for an unknown province name."""
    known = divisions.provinces_by_name()
    province_ok = province_names.isin(known.keys()).astype("boolean")
    code = pd.Series(pd.NA, index=counties.index, dtype="string")
    for name in province_names[province_ok.fillna(False).astype(bool)].unique():
        rows = province_names == name
        names = counties[rows].str.replace(" ", "", regex=False)
        code[rows] = names.map(divisions.province(name).county_names)
    return code, province_ok


def prepare(raw: pd.DataFrame, campaign: Campaign) -> Prepared:
    t = {c.field: normalise.text(raw[c.field]) for c in OPENINGS.columns}
    code, code_ok = normalise.uscc(raw["uscc"])
    place_province = t["province"].fillna(campaign.province)
    county_code, province_ok = _resolve_places(place_province, t["county"])
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
        "city_code": county_code.str.slice(0, 4) + "00",
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
        "_headcount": headcount.astype("Int64").mask(t["headcount"].isna()),
        "_wage_min": wage_min.astype("Int64").mask(t["wage_min"].isna()),
        "_wage_max": wage_max.astype("Int64").mask(t["wage_max"].isna()),
        "_wage_ordered": (wage_max >= wage_min).astype("boolean").mask((wage_min < 0) | (wage_max < 0)),
        "_closing_ok": closing.notna().astype("boolean").mask(t["closing_date"].isna()),
        "_closing_after_start": (closing >= pd.Timestamp(campaign.job_fairs.window.start)).astype("boolean")
        .mask(closing.isna()),
        "_reported_ok": reported.notna().astype("boolean").mask(t["reported_on"].isna()),
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
        Check("uscc_invalid", "uscc", "_uscc_ok", "true",
              lambda v, r: f"统一社会信用代码「{v}」校验不通过，请与营业执照逐位核对"),
        Check("province_unknown", "province", "_province_ok", "true",
              lambda v, r: f"岗位所在省份「{v}」无法识别，请写省份全称，如「广东省」；省内岗位留空"),
        Check("county_unknown", "county", "_county_ok", "true",
              lambda v, r: (f"岗位所在县(市、区)「{v}」不是{r['place_province']}的县(市、区)，"
                            "请按行政区划全称填写；省外岗位请同时填写「岗位所在省份」")),
        Check("choice_invalid", "industry", "industry", "in_set",
              lambda v, r: f"「所属行业」只能填 {' / '.join(INDUSTRIES)}，实际为「{v}」", {"value_set": INDUSTRIES}),
        Check("count_invalid", "headcount", "_headcount", "between",
              lambda v, r: f"「招聘人数」应为 1 至 {MAX_HEADCOUNT} 的整数，实际为「{v}」",
              {"min_value": 1, "max_value": MAX_HEADCOUNT}),
        _wage_check("wage_min", "月薪下限(元)"),
        _wage_check("wage_max", "月薪上限(元)"),
        Check("wage_order", "wage_max", "_wage_ordered", "true",
              lambda v, r: f"月薪上限 {v} 低于月薪下限 {r['wage_min']}"),
        date_check("closing_date", "_closing_ok", "招聘截止日期", "2024-03-31"),
        Check("closed_before_campaign", "closing_date", "_closing_after_start", "true",
              lambda v, r: f"招聘截止日期「{v}」早于春风行动开始（{start:%Y-%m-%d}），该岗位已过期，请删除或更新"),
        Check("choice_invalid", "key_enterprise", "key_enterprise", "in_set",
              lambda v, r: f"「重点企业或重点园区」只能填 是 / 否，实际为「{v}」", {"value_set": YES_NO}),
        date_check("reported_on", "_reported_ok", "填报日期", "2024-02-01"),
    ]
    return checks


def opening_ids(openings: pd.DataFrame) -> pd.Series:
    """A stable number per opening for the matcher: its position in (uscc, county, trade) order."""
    order = openings.sort_values(["uscc", "county_code", "trade"]).index
    return pd.Series(np.arange(1, len(order) + 1), index=order).reindex(openings.index)


OPENING_KIND = Kind(OPENINGS, prepare, opening_checks, key=("uscc", "county_code", "trade"), order=("reported_on",))
