"""The training-class submission (培训班报表): one row per class a county runs during the campaign.

It goes through the same intake as the demand survey (`intake.check_submissions` with this module's
`KIND`). A county's newer submission is its whole current class list: its earlier rows are
replaced (pipeline.load_replacing). Whether a county *complies* (a pre-dispatch class, early enough,
enough places) is decided later by `training_rules` on the loaded classes; the intake makes sure each
record is readable and, under the campaign rule `records_consistent`, internally consistent:
completed ≤ enrolled ≤ places (with the configured tolerance), dates inside the training window,
trades and labour brands from the configured lists.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from chunnuan.config import divisions
from chunnuan.config.campaign import Campaign
from chunnuan.intake import normalise, workbook
from chunnuan.intake.gate import Kind
from chunnuan.intake.places import city_codes, county_labels, county_ok, county_status, foreign_provinces
from chunnuan.intake.readers import ROW_NO
from chunnuan.intake.rules import (
    Check,
    at_most,
    at_most_check,
    choice_check,
    count_check,
    county_check,
    date_check,
    day_numbers,
    in_order,
    order_check,
    read_ok,
    required_checks,
    unless_blank,
    window_check,
)
from chunnuan.intake.schema import Column, Prepared, Schema

PRE_DISPATCH = "送工前"
CLASS_TYPES = (PRE_DISPATCH, "其他")
MAX_PEOPLE = 10_000
COUNT_FIELDS = ("places", "enrolled", "enrolled_poor", "completed", "certified")

TRAINING = Schema("training", "培训班报表", (
    Column("county", "县(市、区)", width=18, help="开班的县(市、区)全称，如「贵港市平南县」",
           aliases=("县区", "开班县(市、区)", "所属县(市、区)")),
    Column("class_name", "培训班名称", width=26, help="同一县内不重名，如「平南县2024年送工前电工培训班（第1期）」",
           aliases=("班级名称", "培训班")),
    Column("class_type", "培训类型", choices=CLASS_TYPES, width=10,
           help="送工前：务工人员外出前的技能培训班；其他：其余各类培训"),
    Column("trade", "培训工种", width=14, aliases=("工种", "培训职业(工种)")),
    Column("brand", "劳务品牌", required=False, width=16, help="劳务品牌标准化培训填写品牌名称，其余留空"),
    Column("start_date", "开班日期", width=12, help="如 2024-02-01", cell="date"),
    Column("end_date", "结业日期", width=12, help="计划或实际结业日期", cell="date"),
    Column("places", "计划名额", width=10, help="1 以上的整数"),
    Column("enrolled", "报名人数", required=False, width=10, help="空白按 0"),
    Column("enrolled_poor", "其中脱贫人口", required=False, width=10, help="报名人数中的脱贫人口（含监测对象），空白按 0"),
    Column("completed", "结业人数", required=False, width=10, help="未结业的班留空"),
    Column("certified", "取证人数", required=False, width=10, help="取得职业资格或职业技能等级证书的人数，空白按 0"),
    Column("organiser", "承办机构", required=False, width=22),
    Column("reporting_unit", "填报单位", width=18, help="如「某某县人力资源和社会保障局」"),
    Column("reported_on", "填报日期", width=12, help="如 2024-02-05", cell="date"),
))
BY_FIELD = TRAINING.by_field


def enrolment_limit(places: pd.Series, campaign: Campaign) -> pd.Series:
    """Most people a class may enrol: its places plus the configured tolerance, rounded down."""
    return np.floor(places * (1 + campaign.training.enrolment_tolerance) + 1e-9).astype("int64")


def prepare(raw: pd.DataFrame, campaign: Campaign) -> Prepared:
    province = divisions.province(campaign.province_code)
    t = {c.field: normalise.text(raw[c.field]) for c in TRAINING.columns}
    code, state = county_status(t["county"], province)
    kind = normalise.choice(raw["class_type"], {"送工前培训": PRE_DISPATCH, "送工前技能培训": PRE_DISPATCH})
    start, end = normalise.dates(raw["start_date"]), normalise.dates(raw["end_date"])
    reported = normalise.dates(raw["reported_on"])
    counts = {f: normalise.small_int(raw[f], default=0, unit="人") for f in COUNT_FIELDS}
    allowed = enrolment_limit(counts["places"], campaign)

    clean = pd.DataFrame({
        "source_row": raw[ROW_NO].astype("int64"),
        "county_code": code,
        "city_code": city_codes(code),
        "class_name": t["class_name"],
        "class_type": kind,
        "trade": t["trade"],
        "brand": t["brand"],
        "start_date": start,
        "end_date": end,
        **counts,
        "organiser": t["organiser"],
        "reporting_unit": t["reporting_unit"],
        "reported_on": reported,
    })
    checked = pd.DataFrame({
        **{f: t[f] for f in ("county", "class_name", "trade", "brand", "start_date", "end_date", "places",
                             "reporting_unit", "reported_on")},
        "class_type": kind,
        "_county_ok": county_ok(state),
        "_start_ok": read_ok(start, t["start_date"]),
        "_end_ok": read_ok(end, t["end_date"]),
        "_dates_ordered": in_order(start, end),
        "_start_day": day_numbers(start),
        "_end_day": day_numbers(end),
        "_reported_ok": read_ok(reported, t["reported_on"]),
        **{f"_{f}": unless_blank(counts[f], t[f]) for f in COUNT_FIELDS},
        "_enrolled_within": at_most(counts["enrolled"], allowed),
        "_poor_within": at_most(counts["enrolled_poor"], counts["enrolled"]),
        "_completed_within": at_most(counts["completed"], counts["enrolled"]),
        "_certified_within": at_most(counts["certified"], counts["completed"]),
    })
    return Prepared(clean=clean, checked=checked, raw=raw)


def training_checks(campaign: Campaign) -> list[Check]:
    rules = campaign.training
    province_name = divisions.province(campaign.province_code).name
    header = {c.field: c.header for c in TRAINING.columns}
    checks = required_checks(TRAINING.columns)
    checks += [
        county_check("county", province_name, "县(市、区)"),
        choice_check(BY_FIELD["class_type"]),
        date_check("start_date", "_start_ok", "开班日期", "2024-02-01"),
        date_check("end_date", "_end_ok", "结业日期", "2024-02-10"),
        order_check("end_date", "_dates_ordered", "结业日期", "开班日期"),
        date_check("reported_on", "_reported_ok", "填报日期", "2024-02-05"),
        count_check("places", header["places"], 1, MAX_PEOPLE),
        *(count_check(f, header[f], 0, MAX_PEOPLE) for f in COUNT_FIELDS if f != "places"),
    ]
    if "records_consistent" not in rules.rules:
        return checks
    window = rules.window
    brands = tuple(rules.brands)
    checks += [
        window_check("start_date", "_start_day", "开班日期", "培训班核查时段", window),
        window_check("end_date", "_end_day", "结业日期", "培训班核查时段", window),
        Check("trade_unknown", "trade", "trade", "in_set",
              lambda v, r: f"培训工种「{v}」不在本次行动的工种清单中（{'、'.join(rules.trades)}）",
              {"value_set": tuple(rules.trades)}),
        Check("brand_unknown", "brand", "brand", "in_set",
              lambda v, r: (f"劳务品牌「{v}」不在本次行动的劳务品牌清单中（{'、'.join(brands) or '无'}）；"
                            "新的地方特色劳务品牌请先报省级人社部门列入清单，或留空"),
              {"value_set": brands}),
        Check("over_enrolled", "enrolled", "_enrolled_within", "true",
              lambda v, r: (f"报名人数 {v} 超过计划名额 {r['places']} 的 {1 + rules.enrolment_tolerance:.0%}，"
                            "请核对或调增计划名额")),
        at_most_check("enrolled_poor", "_poor_within", "其中脱贫人口", "enrolled", "报名人数"),
        at_most_check("completed", "_completed_within", "结业人数", "enrolled", "报名人数"),
        at_most_check("certified", "_certified_within", "取证人数", "completed", "结业人数"),
    ]
    return checks


# --- the template ---------------------------------------------------------------------------------

SHEET = "培训班报表"


def _validation(column: Column, campaign: Campaign | None, refs: dict[str, str]) -> DataValidation | None:
    if column.choices:
        return workbook.choice_validation(column)
    if column.field in refs and (campaign is None or column.field != "brand" or campaign.training.brands):
        return workbook.list_validation(column, refs[column.field], f"请从下拉列表中选择「{column.header}」。")
    if column.field in ("start_date", "end_date"):
        window = campaign.training.window if campaign is not None else None
        return workbook.date_validation(column, style="stop", window=window, window_name="培训班核查时段")
    if column.field == "reported_on":
        return workbook.date_validation(column, style="warning")
    if column.field in COUNT_FIELDS:
        return workbook.whole_validation(column, 1 if column.field == "places" else 0, MAX_PEOPLE)
    return None


def _write_instructions(sheet: Worksheet, campaign: Campaign | None) -> None:
    rules = [
        "每期培训班填一行；县(市、区)再次报送时，以最新一份为准（该县原报送的全部培训班被替换），请每次报送本县全部培训班。",
        "同一县内培训班名称不重名；同一班级在同一份表中重复出现时，以填报日期最新的一行为准。",
        "结业人数不超过报名人数，取证人数不超过结业人数，其中脱贫人口不超过报名人数。",
    ]
    if campaign is not None:
        t = campaign.training
        rules.append(f"报名人数可超出计划名额不超过 {t.enrolment_tolerance:.0%}；开班、结业日期应在 {t.window.label()} 内。")
        if "pre_dispatch_class" in t.rules:
            rules.append(f"每个县（市、区）至少开展 {t.min_pre_dispatch_classes_per_county} 期送工前技能培训班。")
        if "before_dispatch_peak" in t.rules:
            rules.append(f"送工前培训班须在本县送工高峰（返岗出行人数最多的一天）前至少 {t.lead_days} 天开班。")
        if "places_cover_demand" in t.rules:
            rules.append(f"各工种培训名额应覆盖需求摸排中本县务工人员的培训需求（本县不足 {t.min_trade_demand} 人的工种"
                         "可到市级或邻县培训班参训）；名额不足的工种会被列出并提醒。")
    lists = ("county", "trade", "brand") if campaign is not None else ()
    workbook.write_form_instructions(
        sheet, campaign, "技能培训班报表", f"培训班核查时段 {campaign.training.window.label()}" if campaign else "",
        TRAINING.columns, lambda c: "下拉选择" if c.field in lists else "—", "二、审核与核查规则", rules)


# --- what the registry uses -----------------------------------------------------------------------

KIND = Kind(TRAINING, prepare, training_checks, key=("county_code", "class_name", "start_date"),
            order=("reported_on",), foreign=lambda prepared, c: foreign_provinces(prepared, c, "county"))


def build_template(campaign: Campaign | None) -> Workbook:
    lists = None
    if campaign is not None:
        lists = {"county": ("县(市、区)选项", county_labels(campaign)),
                 "trade": ("工种选项", list(campaign.training.trades)),
                 "brand": ("劳务品牌选项", list(campaign.training.brands))}
    return workbook.form_workbook("技能培训班报表", SHEET, TRAINING.columns, campaign,
                                  lambda column, refs: _validation(column, campaign, refs),
                                  lambda sheet: _write_instructions(sheet, campaign), lists)
