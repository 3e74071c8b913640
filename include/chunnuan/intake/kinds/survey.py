"""The demand-survey rules: how raw cells become the checked frame, and what each check tells a clerk.

`prepare` builds two frames with the same rows: `clean` (typed values, what gets loaded) and
`checked` (the columns the checks read, including derived facts such as "ID check digit right").
`survey_checks` lists the checks; `quality` runs them with Great Expectations.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from chunnuan.config import divisions
from chunnuan.config.campaign import Campaign
from chunnuan.intake import normalise
from chunnuan.intake.expectations import Check, date_check, fixed, required_checks
from chunnuan.intake.readers import ROW_NO
from chunnuan.intake.schema import (
    BY_FIELD,
    COLUMNS,
    JOB_NEEDS,
    MAX_FLEX_DAYS,
    POVERTY_STATUSES,
    TRIP_TYPES,
    YES_NO,
)

CHOICE_ALIASES = {
    "poverty_status": {"防止返贫监测对象": "监测对象", "脱贫户": "脱贫人口", "脱贫劳动力": "脱贫人口", "非脱贫人口": "否"},
    "needs_charter": {"需要": "是", "不需要": "否"},
    "needs_training": {"需要": "是", "不需要": "否"},
    "job_need": {"没有": "无", "否": "无"},
}
EPOCH = pd.Timestamp("1970-01-01")


@cache
def mobile_regex() -> str:
    """Mainland mobile numbers as Google's libphonenumber metadata defines them (number ranges in use)."""
    import phonenumbers

    return phonenumbers.PhoneMetadata.metadata_for_region("CN").mobile.national_number_pattern


def _day_number(day) -> int:
    return int((pd.Timestamp(day) - EPOCH).days)


@dataclass
class Prepared:
    clean: pd.DataFrame
    checked: pd.DataFrame
    raw: pd.DataFrame


def county_status(values: pd.Series, province: divisions.Province) -> tuple[pd.Series, pd.Series]:
    """County code where the name resolves inside the province; status 'ok'/'ambiguous'/'elsewhere'/'unknown'."""
    names = values.str.replace(" ", "", regex=False)
    code = names.map(province.county_names)
    elsewhere = divisions.county_province_names()
    bare = names.str.removeprefix(province.name)
    status = pd.Series(
        np.select(
            [code.notna(), bare.isin(province.ambiguous_county_names), bare.isin(elsewhere.keys())],
            ["ok", "ambiguous", "elsewhere"],
            "unknown",
        ),
        index=values.index,
        dtype=object,
    ).mask(values.isna())
    return code, status


def prepare(raw: pd.DataFrame, campaign: Campaign) -> Prepared:
    province = divisions.province(campaign.province_code)
    t = {c.field: normalise.text(raw[c.field]) for c in COLUMNS if c.field not in ("id_number", "phone")}
    ids = normalise.id_number(raw["id_number"])
    id_from_number = normalise.numeric_cells(raw["id_number"])
    ids_checked = ids.mask(id_from_number)
    phones = normalise.phone(raw["phone"])
    choices = {f: normalise.choice(raw[f], CHOICE_ALIASES.get(f, {})) for f in (
        "poverty_status", "trip_type", "needs_charter", "job_need", "needs_training")}
    travel = normalise.dates(raw["travel_date"])
    reported = normalise.dates(raw["reported_on"])
    flex = normalise.small_int(raw["flex_days"], default=0)
    county_code, county_state = county_status(t["home_county"], province)

    birth = normalise.id_birth_dates(ids_checked)
    min_birth = pd.Timestamp(campaign.window.start) - pd.DateOffset(years=campaign.intake.min_worker_age)
    provinces = divisions.provinces_by_name()
    work_province_code = t["work_province"].map({n: d.code for n, d in provinces.items()})
    city_key = work_province_code + "|" + t["work_city"]
    work_city_ok = city_key.map(
        {k: k.split("|", 1)[1] in divisions.place_names(k.split("|", 1)[0]) for k in city_key.dropna().unique()}
    ).astype("boolean")
    needs_trade = choices["job_need"].isin(["本地就业", "外出务工"])
    needs_training = choices["needs_training"] == "是"

    checked = pd.DataFrame(
        {
            **{f: t[f] for f in ("name", "home_county", "work_province", "work_city", "reporting_unit")},
            **choices,
            "id_number": ids_checked,
            "phone": phones,
            "travel_date": t["travel_date"],
            "reported_on": t["reported_on"],
            "flex_days": flex,
            "_id_not_number": pd.Series(~id_from_number, dtype="boolean").mask(ids.isna()),
            "_id_checksum": normalise.id_checksum_ok(ids_checked),
            "_id_birth_ok": birth.notna().astype("boolean").mask(
                ~ids_checked.str.fullmatch(r"\d{17}[\dX]").fillna(False).astype(bool)
            ),
            "_age_ok": (birth <= min_birth).astype("boolean").mask(birth.isna()),
            "_county_ok": (county_state == "ok").astype("boolean").mask(county_state.isna()),
            "_travel_date_ok": travel.notna().astype("boolean").mask(t["travel_date"].isna()),
            "_travel_day": ((travel - EPOCH).dt.days).astype("Int64"),
            "_reported_on_ok": reported.notna().astype("boolean").mask(t["reported_on"].isna()),
            "_work_province_ok": work_province_code.notna().astype("boolean").mask(t["work_province"].isna()),
            "_work_city_ok": work_city_ok,
            "_desired_trade_ok": t["desired_trade"].notna().astype("boolean").mask(~needs_trade),
            "_training_trade_ok": t["training_trade"].notna().astype("boolean").mask(~needs_training),
        }
    )
    clean = pd.DataFrame(
        {
            "source_row": raw[ROW_NO].astype("int64"),
            "id_number": ids,
            "name": t["name"],
            "phone": phones,
            "home_county_code": county_code,
            "home_city_code": county_code.map({c: province.city_of(c).code for c in province.counties}),
            "home_township": t["home_township"],
            "poverty_status": choices["poverty_status"],
            "trip_type": choices["trip_type"],
            "travel_date": travel,
            "flex_days": flex,
            "work_province": t["work_province"].map({n: d.name for n, d in provinces.items()}),
            "work_city": t["work_city"],
            "employer": t["employer"],
            "needs_charter": choices["needs_charter"] == "是",
            "job_need": choices["job_need"],
            "desired_trade": t["desired_trade"],
            "needs_training": needs_training,
            "training_trade": t["training_trade"],
            "reporting_unit": t["reporting_unit"],
            "reported_on": reported,
        }
    )
    return Prepared(clean=clean, checked=checked, raw=raw)


def county_reason(province_name: str, label: str = "户籍县"):
    """Why a county name did not resolve: ambiguous inside the province, another province's, or unknown."""
    def reason(value, row) -> str:
        name = str(value).strip()
        bare = name.removeprefix(province_name)
        if bare in divisions.province(province_name).ambiguous_county_names:
            return f"{label}「{name}」在{province_name}有重名，请写明所属市，如「某某市{bare}」"
        elsewhere = divisions.county_province_names().get(bare)
        if elsewhere:
            return f"{label}「{name}」是{elsewhere}的县(市、区)，不是{province_name}的"
        return f"{label}「{name}」不是{province_name}的县(市、区)，请按行政区划全称填写，如「贵港市平南县」"

    return reason


def _city_reason(value, row) -> str:
    return f"务工地城市「{value}」不在{row.get('work_province') or '所填省份'}，请核对省份和城市"


def survey_checks(campaign: Campaign) -> list[Check]:
    province_name = divisions.province(campaign.province_code).name
    window = campaign.travel_window
    checks = required_checks(COLUMNS, skip=("id_number",))
    checks.append(Check("missing", "id_number", "_id_not_number", "not_null", fixed("「身份证号」未填写")))
    checks += [
        Check("id_excel_number", "id_number", "_id_not_number", "true",
              fixed("身份证号被 Excel 存成了数字，末几位已丢失；请把该列设为“文本”格式后按证件重新录入")),
        Check("id_format", "id_number", "id_number", "regex",
              lambda v, r: f"身份证号应为18位（前17位数字，末位数字或X），实际为「{v}」", {"regex": r"\d{17}[\dX]"}),
        Check("id_checksum", "id_number", "_id_checksum", "true", fixed("身份证号校验位不对，请与身份证原件逐位核对")),
        Check("id_birth_date", "id_number", "_id_birth_ok", "true", fixed("身份证号中的出生日期不存在，请与身份证原件核对")),
        Check("underage", "id_number", "_age_ok", "true",
              fixed(f"按身份证号计算未满{campaign.intake.min_worker_age}周岁，不属于务工人员服务对象，请核对")),
        Check("phone_invalid", "phone", "phone", "regex",
              lambda v, r: f"联系电话应为11位手机号码，实际为「{v}」", {"regex": mobile_regex()}),
        Check("county_unknown", "home_county", "_county_ok", "true", county_reason(province_name)),
    ]
    for f, allowed in (("poverty_status", POVERTY_STATUSES), ("trip_type", TRIP_TYPES),
                       ("needs_charter", YES_NO), ("job_need", JOB_NEEDS), ("needs_training", YES_NO)):
        header = BY_FIELD[f].header
        checks.append(Check("choice_invalid", f, f, "in_set",
                            lambda v, r, h=header, a=allowed: f"「{h}」只能填 {' / '.join(a)}，实际为「{v}」",
                            {"value_set": allowed}))
    checks += [
        date_check("travel_date", "_travel_date_ok", "计划出行日期", "2024-02-18"),
        Check("date_out_of_window", "travel_date", "_travel_day", "between",
              lambda v, r: f"计划出行日期「{v}」不在本次行动的出行时段（{window.label()}）内",
              {"min_value": _day_number(window.start), "max_value": _day_number(window.end)}),
        Check("flex_invalid", "flex_days", "flex_days", "between",
              lambda v, r: f"「可提前或推迟天数」应为 0 至 {MAX_FLEX_DAYS} 的整数，实际为「{v}」",
              {"min_value": 0, "max_value": MAX_FLEX_DAYS}),
        Check("province_unknown", "work_province", "_work_province_ok", "true",
              lambda v, r: f"务工地省份「{v}」无法识别，请写省份全称，如「广东省」"),
        Check("city_unknown", "work_city", "_work_city_ok", "true", _city_reason),
        date_check("reported_on", "_reported_on_ok", "填报日期", "2024-01-25"),
        Check("trade_missing", "desired_trade", "_desired_trade_ok", "true",
              fixed("就业需求为「本地就业」或「外出务工」时，请填写「意向工种」")),
        Check("trade_missing", "training_trade", "_training_trade_ok", "true",
              fixed("需要技能培训时，请填写「培训意向工种」")),
    ]
    return checks


def foreign_provinces(prepared: Prepared, campaign: Campaign, column: str = "home_county") -> pd.Series:
    """Per row: the province(s) of a county (checked[column], resolved in _county_ok) that exists only
    outside the campaign's province, else <NA>."""
    names = prepared.checked[column]
    failed = prepared.checked["_county_ok"].eq(False).fillna(False).to_numpy(dtype=bool)
    provinces = pd.Series(pd.NA, index=names.index, dtype="string")
    elsewhere = names[failed].map(divisions.county_province_names()).astype("string")
    own = divisions.province(campaign.province_code).name
    provinces[failed] = elsewhere.mask(elsewhere.str.contains(own, regex=False).fillna(False).astype(bool))
    return provinces
