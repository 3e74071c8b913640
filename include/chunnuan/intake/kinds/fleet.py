"""The carrier fleet submission (运力报表): what a transport company offers for the "点对点" charters.

One row per carrier × coach size × date range; the carrier columns repeat on each of its rows and
must agree. It goes through the same intake as the demand survey (`intake.check_submissions` with
this module's `KIND`): bad rows are quarantined with a reason, a later row for the same coach offer
(same carrier, seats and first day) replaces an earlier one. Whether a carrier *qualifies* for this
campaign (credit grade, accident record) is the planner's decision (`planner.fleet.qualify`), not
the intake's: the intake only makes sure the facts are readable and consistent.
"""

from __future__ import annotations

import pandas as pd
from openpyxl import Workbook
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from chunnuan.config.campaign import Campaign
from chunnuan.intake import normalise, workbook
from chunnuan.intake.gate import Kind
from chunnuan.intake.readers import ROW_NO
from chunnuan.intake.rules import (
    Check,
    choice_check,
    contact_phone_check,
    contact_phone_ok,
    count_check,
    date_check,
    fixed,
    in_order,
    order_check,
    read_ok,
    required_checks,
    unless_blank,
    uscc_check,
)
from chunnuan.intake.schema import USCC, YES_NO, Column, Prepared, Schema

GRADES = ("AAA", "AA", "A", "B")  # 道路运输企业质量信誉考核等级, best first
MAX_PER_DAY = 500
CARRIER_FIELDS = ("name", "credit_grade", "last_serious_incident", "contact_name", "contact_phone",
                  "interprovincial")

FLEET = Schema("fleet", "运力报表", (
    USCC,
    Column("name", "企业名称", width=24, aliases=("运输企业", "承运企业")),
    Column("credit_grade", "质量信誉等级", choices=GRADES, width=10, help="道路运输企业质量信誉考核等级：AAA / AA / A / B"),
    Column("last_serious_incident", "最近较大及以上责任事故日期", required=False, width=16, cell="date",
           help="从未发生较大及以上道路交通责任事故的留空"),
    Column("contact_name", "联系人", width=10),
    Column("contact_phone", "联系电话", width=16, help="手机号码，或固定电话「区号-号码」", cell="text"),
    Column("interprovincial", "省际包车许可", choices=YES_NO, width=10, help="是否持有省际包车客运经营许可"),
    Column("seats", "座位数", width=8, help="核定座位数；不同座位数的车辆分行填写"),
    Column("date_from", "开始日期", width=12, help="可派车的第一天，如 2024-02-17", cell="date"),
    Column("date_to", "结束日期", width=12, help="可派车的最后一天（含当天）", cell="date"),
    Column("per_day", "每日可派车辆数", width=10, help="开始至结束日期之间每天可派出的该座位数车辆数"),
))
BY_FIELD = FLEET.by_field


def vehicle_classes(campaign: Campaign) -> str:
    """The campaign's coach classes as the clerk reads them: 大型客车（40-57座）、…"""
    return "、".join(f"{c.name}（{c.min_seats}-{c.max_seats}座）" for c in campaign.transport.vehicle_classes)


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
        "_phone_ok": contact_phone_ok(phone),
        "_incident_ok": read_ok(incident, t["last_serious_incident"]),
        "_date_from_ok": read_ok(first, t["date_from"]),
        "_date_to_ok": read_ok(last, t["date_to"]),
        "_dates_ordered": in_order(first, last),
        "_seats_ok": priced.astype("boolean").mask(t["seats"].isna()),
        "_per_day": unless_blank(per_day, t["per_day"]),
        "_carrier_same": _consistent(clean),
    })
    return Prepared(clean=clean, checked=checked, raw=raw)


def fleet_checks(campaign: Campaign) -> list[Check]:
    classes = vehicle_classes(campaign)
    checks = required_checks(FLEET.columns)
    checks += [
        uscc_check(),
        choice_check(BY_FIELD["credit_grade"]),
        Check("date_invalid", "last_serious_incident", "_incident_ok", "true",
              lambda v, r: f"「最近较大及以上责任事故日期」无法识别：「{v}」；没有事故请留空"),
        contact_phone_check(),
        choice_check(BY_FIELD["interprovincial"]),
        Check("seats_invalid", "seats", "_seats_ok", "true",
              lambda v, r: f"座位数「{v}」不属于本次行动使用的车型：{classes}"),
        date_check("date_from", "_date_from_ok", "开始日期", "2024-02-17"),
        date_check("date_to", "_date_to_ok", "结束日期", "2024-02-25"),
        order_check("date_to", "_dates_ordered", "结束日期", "开始日期"),
        count_check("per_day", BY_FIELD["per_day"].header, 0, MAX_PER_DAY),
        Check("carrier_inconsistent", "name", "_carrier_same", "true",
              fixed("企业信息（名称、等级、事故日期、联系人、电话、许可）与该企业其他行不一致，请统一")),
    ]
    return checks


# --- the template (filled by transport companies) -------------------------------------------------

SHEET = "运力报表"


def _validation(column: Column, campaign: Campaign | None) -> DataValidation | None:
    if column.choices:
        return workbook.choice_validation(column)
    if column.field in ("date_from", "date_to"):
        window = campaign.travel_window if campaign is not None else None
        return workbook.date_validation(column, style="stop", window=window, window_name="出行时段")
    if column.field == "last_serious_incident":
        return workbook.date_validation(column, style="stop")
    if column.field == "per_day":
        return workbook.whole_validation(column, 0, MAX_PER_DAY)
    if column.field == "seats" and campaign is not None:
        classes = campaign.transport.vehicle_classes
        low, high = min(c.min_seats for c in classes), max(c.max_seats for c in classes)
        return workbook.whole_validation(column, low, high, f"本次行动使用的车型：{vehicle_classes(campaign)}。")
    return None


def _write_instructions(sheet: Worksheet, campaign: Campaign | None) -> None:
    rules = [
        "每个企业的每种座位数、每段日期填一行；同一企业各行的企业信息（名称、等级、事故日期、联系人、许可）须一致。",
        "统一社会信用代码须为18位且校验正确（与营业执照一致）。",
        "开始、结束日期之间的每一天，都可派出「每日可派车辆数」辆该座位数的车；不同日期车辆数不同时分行填写。",
        "同一企业再次报送时，以最新一份为准（原报送的全部行被替换）。",
    ]
    if campaign is not None:
        carriers = campaign.transport.carriers
        rules.append(f"行动只选用质量信誉等级不低于 {carriers.min_credit_grade}、近{carriers.no_serious_incident_years}年内"
                     "未发生较大及以上道路交通责任事故的企业；跨省线路只安排持省际包车许可的企业。")
    rules.append("任何车辆不超员：每车乘车人数不超过核定座位数。")
    workbook.write_form_instructions(
        sheet, campaign, "“点对点”包车运力报表", f"包车服务时段 {campaign.travel_window.label()}" if campaign else "",
        FLEET.columns, lambda c: vehicle_classes(campaign) if c.field == "seats" and campaign else "—",
        "二、审核与选用规则", rules)


# --- what the registry uses -----------------------------------------------------------------------

KIND = Kind(FLEET, prepare, fleet_checks, key=("uscc", "seats", "date_from"))


def build_template(campaign: Campaign | None) -> Workbook:
    return workbook.form_workbook("“点对点”包车运力报表", SHEET, FLEET.columns, campaign,
                                  lambda column, refs: _validation(column, campaign),
                                  lambda sheet: _write_instructions(sheet, campaign))
