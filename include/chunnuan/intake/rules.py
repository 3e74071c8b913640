"""The rules a submission's rows must follow, as `Check`s, and the builders every kind shares.

A `Check` says which column of the checked frame must hold, how, and what to tell the clerk when it
does not (`expectations` runs them). Each kind module (`intake.kinds.<kind>`) declares its own checks;
rules several kinds have — a date that must be readable or inside a window, a whole number between
bounds, a choice from a list, a valid 统一社会信用代码, a county of the province — are built here, so
each is written once and tells every clerk the same thing. The helpers next to them build the checked
columns these builders read (`day_numbers`, `read_ok`, `at_most`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from chunnuan.config.campaign import DateRange
from chunnuan.intake.normalise import mobile_regex
from chunnuan.intake.places import county_reason
from chunnuan.intake.schema import Column

Reason = Callable[[object, dict], str]
# Every problem code, as the report and dashboard name it (a test holds each kind's checks to this list).
PROBLEM_LABELS = {
    "missing": "必填项未填", "id_excel_number": "身份证号被存成数字", "id_format": "身份证号位数不对",
    "id_checksum": "身份证号校验位错误", "id_birth_date": "身份证号出生日期不存在", "underage": "未满务工年龄",
    "phone_invalid": "电话号码无效", "county_unknown": "县(市、区)无法识别", "choice_invalid": "选项填写不规范",
    "date_invalid": "日期无法识别", "date_out_of_window": "日期不在行动时段内", "date_order": "结束日期早于开始日期",
    "flex_invalid": "可调整天数无效", "province_unknown": "务工省份无法识别", "city_unknown": "务工城市与省份不符",
    "trade_missing": "未填工种", "uscc_invalid": "统一社会信用代码错误", "seats_invalid": "座位数不属于行动车型",
    "count_invalid": "人数或数量无效", "carrier_inconsistent": "企业信息前后不一致", "trade_unknown": "工种不在清单中",
    "brand_unknown": "劳务品牌不在清单中", "over_enrolled": "报名超出计划名额", "count_inconsistent": "人数前后矛盾",
    "wage_invalid": "月薪无效", "wage_order": "月薪上限低于下限", "closed_before_campaign": "岗位已过期",
    "fair_no_invalid": "招聘会编号格式不对", "fair_no_county": "招聘会编号与县不符", "area_unknown": "地区无法识别",
    "item_unknown": "服务项目不在清单中", "figure_unknown": "统计指标不属于该项目", "value_invalid": "数值无效",
    "value_not_whole": "数值应为整数", "out_of_scope": "不属于服务对象", "group_unknown": "重点群体填写不规范",
    "work_county_unknown": "务工县区与城市不符", "department_unknown": "部门不在清单中",
    "department_not_owner": "该指标不由此部门负责",
    "text_too_long": "文字超过长度上限", "pii_in_text": "文字中有身份证号或手机号",
    "train_no_invalid": "车次格式不对", "station_unknown": "车站不是行动登记的车站", "capacity_invalid": "定员与公开数字不符",
    "fare_invalid": "票价无效",
    "trip_unknown": "车次不在已发布方案中", "trip_day_wrong": "发车日期与方案不符", "plate_invalid": "车牌号格式不对",
    "departure_day_wrong": "发车时间不在车次当天", "rider_not_on_trip": "乘客不在该车次名单中",
    "not_eligible": "不符合补助条件", "claim_unverified_paid": "未核验通过却已发放", "amount_wrong": "补助金额与标准不符",
    "paid_twice": "同一人同一年度重复发放",
    # what the reader could not take (intake.readers)
    "formula_no_value": "公式没有计算结果", "extra_cells": "单元格比表头多", "bad_bytes": "文字无法识别",
}

EPOCH = pd.Timestamp("1970-01-01")


@dataclass(frozen=True)
class Check:
    code: str  # stable problem code (ground truth and JSON use it)
    field: str  # the submission column the clerk must fix
    column: str  # the column of the checked frame that is tested
    kind: str  # not_null | in_set | regex | between | true
    reason: Reason  # (raw value, clean row) -> Chinese sentence
    params: dict = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.code}:{self.column}"


def fixed(text: str) -> Reason:
    """A reason that does not depend on the value."""
    return lambda value, row: text


# --- checked columns -------------------------------------------------------------------------------


def day_number(day: dt.date | pd.Timestamp) -> int:
    """Days since 1970-01-01: dates are checked against a window as whole numbers."""
    return int((pd.Timestamp(day) - EPOCH).days)


def day_numbers(dates: pd.Series) -> pd.Series:
    """`day_number` of each parsed date (<NA> where unreadable or blank), for `window_check`."""
    return ((dates - EPOCH).dt.days).astype("Int64")


def read_ok(values: pd.Series, typed: pd.Series) -> pd.Series:
    """True where a typed cell was read (a date, a province …), False where not, <NA> where left blank."""
    return values.notna().astype("boolean").mask(typed.isna())


def unless_blank(values: pd.Series, typed: pd.Series) -> pd.Series:
    """Whole numbers as checked: <NA> where the cell was left blank (the required check reports that)."""
    return values.astype("Int64").mask(typed.isna())


def at_most(values: pd.Series, limit: pd.Series) -> pd.Series:
    """values <= limit, <NA> where either is unreadable (-1): the count check reports that."""
    return (values <= limit).astype("boolean").mask((values < 0) | (limit < 0))


def in_order(first: pd.Series, last: pd.Series) -> pd.Series:
    """last on or after first, <NA> where either date is missing."""
    return (last >= first).astype("boolean").mask(first.isna() | last.isna())


# --- checks ----------------------------------------------------------------------------------------


def required_checks(columns, skip: tuple[str, ...] = ()) -> list[Check]:
    """「…」未填写 for each required submission column (schema.Column) not in skip."""
    return [Check("missing", c.field, c.field, "not_null", fixed(f"「{c.header}」未填写"))
            for c in columns if c.required and c.field not in skip]


def date_check(field: str, column: str, header: str, example: str) -> Check:
    """「header」无法识别 for a date the reader could not read (column: `read_ok` of the date)."""
    return Check("date_invalid", field, column, "true",
                 lambda v, r: f"「{header}」无法识别：「{v}」，请写成 {example} 这样的日期")


def window_check(field: str, column: str, header: str, period: str, window: DateRange,
                 last: dt.date | None = None) -> Check:
    """header「…」不在period（window）内 for a date outside the window (column: `day_numbers` of the
    date); `last` accepts dates up to a later day than the window's end, still naming the window."""
    label = window.label()
    return Check("date_out_of_window", field, column, "between",
                 lambda v, r: f"{header}「{v}」不在{period}（{label}）内",
                 {"min_value": day_number(window.start), "max_value": day_number(last or window.end)})


def order_check(field: str, column: str, header: str, earlier_header: str) -> Check:
    """「结束日期」早于「开始日期」 (column: `in_order` of the two dates)."""
    return Check("date_order", field, column, "true", fixed(f"「{header}」早于「{earlier_header}」"))


def contact_phone_ok(phones: pd.Series) -> pd.Series:
    """A contact's phone (normalise.phone): a mobile, or a landline with its area code (0 + 9–11 digits)."""
    return phones.str.fullmatch(f"(?:{mobile_regex()})|0\\d{{9,11}}").astype("boolean")


def contact_phone_check() -> Check:
    return Check("phone_invalid", "contact_phone", "_phone_ok", "true",
                 lambda v, r: f"联系电话应为11位手机号码或「区号-号码」的固定电话，实际为「{v}」")


def count_check(field: str, header: str, low: int, high: int, column: str | None = None,
                code: str = "count_invalid") -> Check:
    """「header」应为 low 至 high 的整数 (column: the number, default `_<field>`; unreadable is -1)."""
    return Check(code, field, column or f"_{field}", "between",
                 lambda v, r: f"「{header}」应为 {low} 至 {high} 的整数，实际为「{v}」",
                 {"min_value": low, "max_value": high})


def at_most_check(field: str, column: str, header: str, whole: str, whole_header: str) -> Check:
    """header N 多于whole_header M, a part larger than its whole (column: `at_most` of the two)."""
    return Check("count_inconsistent", field, column, "true",
                 lambda v, r: f"{header} {v} 多于{whole_header} {r[whole]}")


def choice_check(column: Column) -> Check:
    """「header」只能填 A / B for a value outside the column's choices (the checked column is the field)."""
    header, allowed = column.header, column.choices
    shown = " / ".join(allowed)
    return Check("choice_invalid", column.field, column.field, "in_set",
                 lambda v, r: f"「{header}」只能填 {shown}，实际为「{v}」", {"value_set": allowed})


def uscc_check(field: str = "uscc", column: str = "_uscc_ok") -> Check:
    """统一社会信用代码 whose check character fails (column: normalise.uscc's second result)."""
    return Check("uscc_invalid", field, column, "true",
                 lambda v, r: f"统一社会信用代码「{v}」校验不通过，请与营业执照逐位核对")


def county_check(field: str, province_name: str, label: str = "户籍县", column: str = "_county_ok") -> Check:
    """A county name that does not resolve in the province, with why (column: places.county_ok)."""
    return Check("county_unknown", field, column, "true", county_reason(province_name, label))


def area_check(province_name: str, column: str = "_area_ok") -> Check:
    """An area that is not a county, city or the province (column: places.area_codes resolved, <NA> blank)."""
    return Check("area_unknown", "area", column, "true",
                 lambda v, r: (f"地区「{v}」不是{province_name}的县(市、区)或市，请填县(市、区)全称如「贵港市平南县」，"
                               "市本级填市名，省本级填省名"))
