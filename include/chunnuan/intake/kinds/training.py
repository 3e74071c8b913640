"""The training-class submission (培训班报表): one row per class a county runs during the campaign.

It goes through the same intake as the demand survey (`intake.check_submissions` with
`TRAINING_KIND`). A county's newer submission is its whole current class list: its earlier rows are
replaced (pipeline.load_replacing). Whether a county *complies* (a pre-dispatch class, early enough,
enough places) is decided later by `training_rules` on the loaded classes; the intake makes sure each
record is readable and, under the campaign rule `records_consistent`, internally consistent:
completed ≤ enrolled ≤ places (with the configured tolerance), dates inside the training window,
trades and labour brands from the configured lists.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from chunnuan.config import divisions
from chunnuan.config.campaign import Campaign
from chunnuan.intake import normalise
from chunnuan.intake.expectations import Check, date_check, fixed, required_checks
from chunnuan.intake.gate import Kind
from chunnuan.intake.kinds.survey import EPOCH, Prepared, county_reason, county_status, foreign_provinces
from chunnuan.intake.readers import ROW_NO
from chunnuan.intake.schema import Column, Schema

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
    Column("start_date", "开班日期", width=12, help="如 2024-02-01"),
    Column("end_date", "结业日期", width=12, help="计划或实际结业日期"),
    Column("places", "计划名额", width=10, help="1 以上的整数"),
    Column("enrolled", "报名人数", required=False, width=10, help="空白按 0"),
    Column("enrolled_poor", "其中脱贫人口", required=False, width=10, help="报名人数中的脱贫人口（含监测对象），空白按 0"),
    Column("completed", "结业人数", required=False, width=10, help="未结业的班留空"),
    Column("certified", "取证人数", required=False, width=10, help="取得职业资格或职业技能等级证书的人数，空白按 0"),
    Column("organiser", "承办机构", required=False, width=22),
    Column("reporting_unit", "填报单位", width=18, help="如「某某县人力资源和社会保障局」"),
    Column("reported_on", "填报日期", width=12, help="如 2024-02-05"),
))


def _day_number(day) -> int:
    return int((pd.Timestamp(day) - EPOCH).days)


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

    def within(values: pd.Series, limit: pd.Series) -> pd.Series:
        return (values <= limit).astype("boolean").mask((values < 0) | (limit < 0))

    clean = pd.DataFrame({
        "source_row": raw[ROW_NO].astype("int64"),
        "county_code": code,
        "city_code": code.map({c: province.city_of(c).code for c in province.counties}),
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
        "_county_ok": (state == "ok").astype("boolean").mask(state.isna()),
        "_start_ok": start.notna().astype("boolean").mask(t["start_date"].isna()),
        "_end_ok": end.notna().astype("boolean").mask(t["end_date"].isna()),
        "_dates_ordered": (end >= start).astype("boolean").mask(start.isna() | end.isna()),
        "_start_day": ((start - EPOCH).dt.days).astype("Int64"),
        "_end_day": ((end - EPOCH).dt.days).astype("Int64"),
        "_reported_ok": reported.notna().astype("boolean").mask(t["reported_on"].isna()),
        **{f"_{f}": counts[f].astype("Int64").mask(t[f].isna()) for f in COUNT_FIELDS},
        "_enrolled_within": within(counts["enrolled"], allowed),
        "_poor_within": within(counts["enrolled_poor"], counts["enrolled"]),
        "_completed_within": within(counts["completed"], counts["enrolled"]),
        "_certified_within": within(counts["certified"], counts["completed"]),
    })
    return Prepared(clean=clean, checked=checked, raw=raw)


def _count_check(field: str, header: str, low: int) -> Check:
    return Check("count_invalid", field, f"_{field}", "between",
                 lambda v, r: f"「{header}」应为 {low} 至 {MAX_PEOPLE} 的整数，实际为「{v}」",
                 {"min_value": low, "max_value": MAX_PEOPLE})


def training_checks(campaign: Campaign) -> list[Check]:
    rules = campaign.training
    province_name = divisions.province(campaign.province_code).name
    header = {c.field: c.header for c in TRAINING.columns}
    checks = required_checks(TRAINING.columns)
    checks += [
        Check("county_unknown", "county", "_county_ok", "true", county_reason(province_name, "县(市、区)")),
        Check("choice_invalid", "class_type", "class_type", "in_set",
              lambda v, r: f"「培训类型」只能填 {' / '.join(CLASS_TYPES)}，实际为「{v}」", {"value_set": CLASS_TYPES}),
        date_check("start_date", "_start_ok", "开班日期", "2024-02-01"),
        date_check("end_date", "_end_ok", "结业日期", "2024-02-10"),
        Check("date_order", "end_date", "_dates_ordered", "true", fixed("「结业日期」早于「开班日期」")),
        date_check("reported_on", "_reported_ok", "填报日期", "2024-02-05"),
        _count_check("places", header["places"], 1),
        *(_count_check(f, header[f], 0) for f in COUNT_FIELDS if f != "places"),
    ]
    if "records_consistent" not in rules.rules:
        return checks
    window = rules.window
    brands = tuple(rules.brands)
    checks += [
        Check("date_out_of_window", "start_date", "_start_day", "between",
              lambda v, r: f"开班日期「{v}」不在培训班核查时段（{window.label()}）内",
              {"min_value": _day_number(window.start), "max_value": _day_number(window.end)}),
        Check("date_out_of_window", "end_date", "_end_day", "between",
              lambda v, r: f"结业日期「{v}」不在培训班核查时段（{window.label()}）内",
              {"min_value": _day_number(window.start), "max_value": _day_number(window.end)}),
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
        Check("count_inconsistent", "enrolled_poor", "_poor_within", "true",
              lambda v, r: f"其中脱贫人口 {v} 多于报名人数 {r['enrolled']}"),
        Check("count_inconsistent", "completed", "_completed_within", "true",
              lambda v, r: f"结业人数 {v} 多于报名人数 {r['enrolled']}"),
        Check("count_inconsistent", "certified", "_certified_within", "true",
              lambda v, r: f"取证人数 {v} 多于结业人数 {r['completed']}"),
    ]
    return checks


TRAINING_KIND = Kind(TRAINING, prepare, training_checks, key=("county_code", "class_name", "start_date"),
                     order=("reported_on",), foreign=lambda prepared, c: foreign_provinces(prepared, c, "county"))
