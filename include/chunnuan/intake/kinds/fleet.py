"""The carrier fleet submission (运力报表): what a transport company offers for the "点对点" charters.

One row per carrier × coach size × date range; the carrier columns repeat on each of its rows and
must agree. It goes through the same intake as the demand survey (`intake.check_submissions` with
`FLEET_KIND`): bad rows are quarantined with a reason, a later row for the same coach offer (same
carrier, seats and first day) replaces an earlier one. Whether a carrier *qualifies* for this
campaign (credit grade, accident record) is the planner's decision (`planner.fleet.qualify`), not
the intake's: the intake only makes sure the facts are readable and consistent.
"""

from __future__ import annotations

import pandas as pd

from chunnuan.config.campaign import Campaign
from chunnuan.intake import normalise
from chunnuan.intake.expectations import Check, date_check, fixed, required_checks
from chunnuan.intake.gate import Kind
from chunnuan.intake.kinds.survey import Prepared, mobile_regex
from chunnuan.intake.readers import ROW_NO
from chunnuan.intake.schema import YES_NO, Column, Schema

GRADES = ("AAA", "AA", "A", "B")  # 道路运输企业质量信誉考核等级, best first
MAX_PER_DAY = 500
CARRIER_FIELDS = ("name", "credit_grade", "last_serious_incident", "contact_name", "contact_phone",
                  "interprovincial")

FLEET = Schema("fleet", "运力报表", (
    Column("uscc", "统一社会信用代码", help="营业执照上的18位代码", width=22, aliases=("社会信用代码", "信用代码")),
    Column("name", "企业名称", width=24, aliases=("运输企业", "承运企业")),
    Column("credit_grade", "质量信誉等级", choices=GRADES, width=10, help="道路运输企业质量信誉考核等级：AAA / AA / A / B"),
    Column("last_serious_incident", "最近较大及以上责任事故日期", required=False, width=16,
           help="从未发生较大及以上道路交通责任事故的留空"),
    Column("contact_name", "联系人", width=10),
    Column("contact_phone", "联系电话", width=16, help="手机号码，或固定电话「区号-号码」"),
    Column("interprovincial", "省际包车许可", choices=YES_NO, width=10, help="是否持有省际包车客运经营许可"),
    Column("seats", "座位数", width=8, help="核定座位数；不同座位数的车辆分行填写"),
    Column("date_from", "开始日期", width=12, help="可派车的第一天，如 2024-02-17"),
    Column("date_to", "结束日期", width=12, help="可派车的最后一天（含当天）"),
    Column("per_day", "每日可派车辆数", width=10, help="开始至结束日期之间每天可派出的该座位数车辆数"),
))


def _landline_or_mobile(phones: pd.Series) -> pd.Series:
    return phones.str.fullmatch(f"(?:{mobile_regex()})|0\\d{{9,11}}")


def _consistent(clean: pd.DataFrame) -> pd.Series:
    """False on rows whose carrier columns differ from what most rows of that carrier say; <NA> without a code."""
    facts = clean[list(CARRIER_FIELDS)].astype("string").fillna("")
    signature = facts.agg("|".join, axis=1)  # a fleet file has hundreds of rows: row-wise is fine
    usual = signature.groupby(clean["uscc"]).transform(lambda s: s.mode().iloc[0])
    return (signature == usual).astype("boolean").mask(clean["uscc"].isna())


def prepare(raw: pd.DataFrame, campaign: Campaign) -> Prepared:
    t = {c.field: normalise.text(raw[c.field]) for c in FLEET.columns}
    code, code_ok = normalise.uscc(raw["uscc"])
    grade = t["credit_grade"].str.upper()
    permit = normalise.choice(raw["interprovincial"], {"有": "是", "无": "否"})
    phone = normalise.phone(raw["contact_phone"])
    incident = normalise.dates(raw["last_serious_incident"])
    first, last = normalise.dates(raw["date_from"]), normalise.dates(raw["date_to"])
    seats = normalise.small_int(raw["seats"], default=-1)
    per_day = normalise.small_int(raw["per_day"], default=-1)
    priced = seats.map(lambda s: campaign.transport.vehicle_class(int(s)) is not None)

    clean = pd.DataFrame({
        "source_row": raw[ROW_NO].astype("int64"),
        "uscc": code,
        "name": t["name"],
        "credit_grade": grade,
        "last_serious_incident": incident,
        "contact_name": t["contact_name"],
        "contact_phone": t["contact_phone"],  # as the carrier wrote it (0775-4200000 reads better on a manifest)
        "interprovincial": permit == "是",
        "seats": seats,
        "date_from": first,
        "date_to": last,
        "per_day": per_day,
    })
    checked = pd.DataFrame({
        **{f: t[f] for f in ("name", "contact_name", "seats", "date_from", "date_to", "per_day")},
        "uscc": code,
        "credit_grade": grade,
        "interprovincial": permit,
        "contact_phone": phone,
        "_uscc_ok": code_ok,
        "_phone_ok": _landline_or_mobile(phone).astype("boolean"),
        "_incident_ok": incident.notna().astype("boolean").mask(t["last_serious_incident"].isna()),
        "_date_from_ok": first.notna().astype("boolean").mask(t["date_from"].isna()),
        "_date_to_ok": last.notna().astype("boolean").mask(t["date_to"].isna()),
        "_dates_ordered": (last >= first).astype("boolean").mask(first.isna() | last.isna()),
        "_seats_ok": priced.astype("boolean").mask(t["seats"].isna()),
        "_per_day": per_day.astype("Int64").mask(t["per_day"].isna()),
        "_carrier_same": _consistent(clean),
    })
    return Prepared(clean=clean, checked=checked, raw=raw)


def fleet_checks(campaign: Campaign) -> list[Check]:
    classes = "、".join(f"{c.name}（{c.min_seats}-{c.max_seats}座）" for c in campaign.transport.vehicle_classes)
    checks = required_checks(FLEET.columns)
    checks += [
        Check("uscc_invalid", "uscc", "_uscc_ok", "true",
              lambda v, r: f"统一社会信用代码「{v}」校验不通过，请与营业执照逐位核对"),
        Check("choice_invalid", "credit_grade", "credit_grade", "in_set",
              lambda v, r: f"「质量信誉等级」只能填 {' / '.join(GRADES)}，实际为「{v}」", {"value_set": GRADES}),
        Check("date_invalid", "last_serious_incident", "_incident_ok", "true",
              lambda v, r: f"「最近较大及以上责任事故日期」无法识别：「{v}」；没有事故请留空"),
        Check("phone_invalid", "contact_phone", "_phone_ok", "true",
              lambda v, r: f"联系电话应为11位手机号码或「区号-号码」的固定电话，实际为「{v}」"),
        Check("choice_invalid", "interprovincial", "interprovincial", "in_set",
              lambda v, r: f"「省际包车许可」只能填 是 / 否，实际为「{v}」", {"value_set": YES_NO}),
        Check("seats_invalid", "seats", "_seats_ok", "true",
              lambda v, r: f"座位数「{v}」不属于本次行动使用的车型：{classes}"),
        date_check("date_from", "_date_from_ok", "开始日期", "2024-02-17"),
        date_check("date_to", "_date_to_ok", "结束日期", "2024-02-25"),
        Check("date_order", "date_to", "_dates_ordered", "true", fixed("「结束日期」早于「开始日期」")),
        Check("count_invalid", "per_day", "_per_day", "between",
              lambda v, r: f"「每日可派车辆数」应为 0 至 {MAX_PER_DAY} 的整数，实际为「{v}」",
              {"min_value": 0, "max_value": MAX_PER_DAY}),
        Check("carrier_inconsistent", "name", "_carrier_same", "true",
              fixed("企业信息（名称、等级、事故日期、联系人、电话、许可）与该企业其他行不一致，请统一")),
    ]
    return checks


FLEET_KIND = Kind(FLEET, prepare, fleet_checks, key=("uscc", "seats", "date_from"))
