"""The returned manifest (包车回执): the carrier's workbook of a published plan, filled on the day and sent back.

The charter DAG publishes one workbook per carrier (charter.manifests) with two sheets: 车次 (one row per
coach) and 乘车名单 (one row per rider). The carrier fills, on the trip sheet, 车牌号, 驾驶员, 实际发车时间 and
实载人数, and on the rider sheet 是否乘车 (是 / 否 / 改乘), and sends the workbook back through the intake. The
reader reads both sheets with this one column list; a row naming a person (姓名 or 身份证号) is a rider row,
any other a trip row.

Checks against the plan in force (charter.register, files written at publish): the trip is in the plan, on its
day; a rider is on that trip. A trip that did not run is a trip row with 实载人数 0 (or blank) and no departure
time, plate or driver. A trip with more riders than seats (超员) is not a mistake of the form but a safety
finding: the row is loaded with `overcrowded` set and the coordinator is alerted (returns.alert_overcrowding).

A newer return for a trip replaces what was returned for that trip before (owner = trip_id).
"""

from __future__ import annotations

import re

import pandas as pd
from openpyxl import Workbook

from chunnuan.charter import register
from chunnuan.config.campaign import Campaign
from chunnuan.intake import normalise, workbook
from chunnuan.intake.gate import Kind
from chunnuan.intake.readers import ROW_NO
from chunnuan.intake.rules import (
    Check,
    count_check,
    date_check,
    fixed,
    read_ok,
    required_checks,
)
from chunnuan.intake.schema import INSTRUCTIONS_SHEET, Column, Prepared, Schema

BOARDED = ("是", "否", "改乘")
MAX_RIDERS = 99  # readable head counts; 超员 above the seats is kept and flagged, not refused

# 车牌号 as GA 36-2018 writes them: province character, issuing-office letter (no I or O), then five letters
# or digits, or six for new-energy vehicles (D/F first or last). No maintained Python package validates them
# (the PyPI ones recognise plates in photos), so a regex it is.
PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
PLATE = re.compile(f"[{PROVINCES}][A-HJ-NP-Z](?:[A-HJ-NP-Z0-9]{{5}}|[DF][A-HJ-NP-Z0-9]{{5}}|[0-9]{{5}}[DF])")
_PLATE_JUNK = re.compile(r"[\s·.\-]")
_TIME_ONLY = re.compile(r"\d{1,2}:\d{2}(?::\d{2})?")

TRIP_ID = Column("trip_id", "车次编号", width=16)
TRAVEL_DATE = Column("travel_date", "发车日期", width=12, cell="date")
SEATS = Column("seats", "座位数", required=False, width=8)
TRIP_FILLED = (  # what the carrier fills on the trip sheet
    Column("plate", "车牌号", required=False, width=12, help="如 桂R12345；未发车的留空"),
    Column("driver", "驾驶员", required=False, width=12, help="驾驶员姓名，多人的用「、」分隔；未发车的留空"),
    Column("departed_at", "实际发车时间", required=False, width=18,
           help="如 2024-02-18 07:30，或只写 07:30（当天）；未发车的留空"),
    Column("riders", "实载人数", required=False, width=10, help="实际乘车人数；未发车的填 0"),
)
RIDER_FILLED = (
    Column("boarded", "是否乘车", required=False, choices=BOARDED, width=10,
           help="是 / 否 / 改乘（改乘其他车辆或交通方式）"),
)
NAME = Column("name", "姓名", required=False, width=10)
ID_NUMBER = Column("id_number", "身份证号", required=False, width=22, pii=True, cell="text")
RETURNS = Schema("trip_returns", "包车回执", (
    TRIP_ID, TRAVEL_DATE, SEATS, *TRIP_FILLED, NAME, ID_NUMBER, *RIDER_FILLED))
BY_FIELD = RETURNS.by_field


def plates(cells: pd.Series) -> pd.Series:
    """车牌号 as compared: NFKC, upper case, without spaces, dots or dashes (桂R·12345 is 桂R12345)."""
    return normalise.text(cells).str.upper().str.replace(_PLATE_JUNK, "", regex=True)


def departures(cells: pd.Series, days: pd.Series) -> pd.Series:
    """实际发车时间 as datetime64; a time alone is on `days` (the row's 发车日期); NaT where unreadable."""
    text = normalise.text(cells)
    time_only = text.str.fullmatch(_TIME_ONLY).fillna(False).astype(bool)
    on_day = days.dt.strftime("%Y-%m-%d") + " " + text
    full = text.where(~time_only, on_day).str.replace("/", "-", regex=False)
    return pd.to_datetime(full, errors="coerce", format="mixed").astype("datetime64[s]")


def prepare(raw: pd.DataFrame, campaign: Campaign) -> Prepared:
    t = {c.field: normalise.text(raw[c.field]) for c in RETURNS.columns}
    plan = register.read(campaign.id)
    trips = plan.trips.set_index("trip_id") if plan else pd.DataFrame(columns=["date", "seats"])
    on_plan = set(zip(plan.riders["trip_id"], plan.riders["id_number"], strict=True)) if plan else set()

    trip_id = t["trip_id"]
    rider = t["name"].notna() | t["id_number"].notna()
    day = normalise.dates(raw["travel_date"])
    plan_day = trip_id.map(trips["date"]).astype("datetime64[s]")
    plan_seats = trip_id.map(trips["seats"]).astype("Int64")
    known = trip_id.isin(trips.index).astype("boolean").mask(trip_id.isna())
    plate = plates(raw["plate"])
    departed = departures(raw["departed_at"], day)
    riders = normalise.small_int(raw["riders"], default=0, unit="人")
    filled = t["plate"].notna() | t["driver"].notna() | t["departed_at"].notna() | (riders != 0)
    ran = ~rider & filled  # a trip row with nothing filled and 0 riders is a trip that did not run
    id_number = normalise.id_number(raw["id_number"])
    boarded = normalise.choice(raw["boarded"], {"已乘车": "是", "未乘车": "否", "乘车": "是", "未乘": "否"})
    on_trip = pd.Series([(a, b) in on_plan for a, b in zip(trip_id.fillna(""), id_number.fillna(""), strict=True)],
                        index=raw.index, dtype="boolean")

    clean = pd.DataFrame({
        "source_row": raw[ROW_NO].astype("int64"),
        "trip_id": trip_id,
        "id_number": id_number.where(rider, ""),  # '' on the trip's own row (part of the key)
        "record": rider.map({True: "rider", False: "trip"}),
        "travel_date": day,
        "plate": plate.where(ran),
        "driver": t["driver"].where(ran),
        # as local-time text: the bulk loader stores datetimes as dates (all other kinds' are days)
        "departed_at": departed.dt.strftime("%Y-%m-%d %H:%M").where(ran),
        "riders": riders.where(~rider).astype("Int64"),
        "seats": plan_seats.where(~rider),
        "ran": ran.where(~rider).astype("boolean"),
        "overcrowded": ((riders > plan_seats) & ~rider).astype("boolean").fillna(False),
        "boarded": boarded.where(rider),
        "plan_id": plan.plan_id if plan else -1,
    })
    not_needed = "-"  # placeholder for a field the other sheet's rows do not have (the required checks skip it)
    checked = pd.DataFrame({
        "trip_id": trip_id,
        "travel_date": t["travel_date"],
        "plate": t["plate"].where(ran, not_needed),
        "driver": t["driver"].where(ran, not_needed),
        "departed_at": t["departed_at"].where(ran, not_needed),
        "riders": t["riders"].where(ran, not_needed),  # blank is 0 (did not run) unless the trip ran
        "boarded": boarded.where(rider, not_needed),
        "id_number": id_number.where(rider, not_needed),
        "_boarded": boarded.where(rider),
        "_trip_known": known,
        "_date_ok": read_ok(day, t["travel_date"]),
        "_on_day": (day == plan_day).astype("boolean").mask(day.isna() | plan_day.isna()),
        "_plate_ok": plate.str.fullmatch(PLATE.pattern).astype("boolean").where(ran),
        "_departed_ok": read_ok(departed, t["departed_at"]).where(ran),
        "_departed_on_day": (departed.dt.normalize() == plan_day).astype("boolean")
                            .mask(departed.isna() | plan_day.isna() | ~ran),
        "_riders": riders.astype("Int64").where(~rider),
        "_on_trip": on_trip.mask(~rider | ~known.fillna(False).astype(bool) | id_number.isna()),
    })
    return Prepared(clean=clean, checked=checked, raw=raw)


def return_checks(campaign: Campaign) -> list[Check]:
    plan = register.read(campaign.id)
    which = f"已发布的包车方案（第{plan.plan_id}版）" if plan else "已发布的包车方案（尚未发布任何方案）"
    return [
        *required_checks(RETURNS.columns),
        *[Check("missing", c.field, c.field, "not_null", fixed(f"「{c.header}」未填写（已发车的车次须填写）"))
          for c in TRIP_FILLED if c.field != "riders"],
        Check("missing", "riders", "riders", "not_null", fixed("「实载人数」未填写（已发车的车次须填写）")),
        Check("missing", "boarded", "boarded", "not_null", fixed("「是否乘车」未填写：请填 是 / 否 / 改乘")),
        Check("missing", "id_number", "id_number", "not_null", fixed("「身份证号」未填写：请保留名单中的身份证号")),
        Check("trip_unknown", "trip_id", "_trip_known", "true",
              lambda v, r: f"车次「{v}」不在{which}中，请核对车次编号（按发布的名单原样填写）"),
        date_check("travel_date", "_date_ok", "发车日期", "2024-02-18"),
        Check("trip_day_wrong", "travel_date", "_on_day", "true",
              lambda v, r: f"发车日期「{v}」与方案中该车次的日期不符"),
        Check("plate_invalid", "plate", "_plate_ok", "true",
              lambda v, r: f"车牌号「{v}」格式不对，应如「桂R12345」（省份简称 + 字母 + 5位，新能源车6位）"),
        Check("date_invalid", "departed_at", "_departed_ok", "true",
              lambda v, r: f"「实际发车时间」无法识别：「{v}」，请写成 2024-02-18 07:30 或 07:30"),
        Check("departure_day_wrong", "departed_at", "_departed_on_day", "true",
              lambda v, r: f"实际发车时间「{v}」不在该车次的发车日期当天"),
        count_check("riders", "实载人数", 0, MAX_RIDERS),
        Check("choice_invalid", "boarded", "_boarded", "in_set",
              lambda v, r: f"「是否乘车」只能填 {' / '.join(BOARDED)}，实际为「{v}」", {"value_set": BOARDED}),
        Check("rider_not_on_trip", "id_number", "_on_trip", "true",
              lambda v, r: f"身份证号「{v}」不在车次「{r['trip_id']}」的乘车名单中，请按发布的名单填写"),
    ]


# --- the template: the carrier workbook's two sheets, empty -----------------------------------------------

TRIP_SHEET, RIDER_SHEET = "车次", "乘车名单"
TRIP_SHEET_COLUMNS = (TRIP_ID, TRAVEL_DATE, SEATS, *TRIP_FILLED)
RIDER_SHEET_COLUMNS = (TRIP_ID, TRAVEL_DATE, NAME, ID_NUMBER, *RIDER_FILLED)
RULES = [
    "本表即发布的承运企业名单：请在原表上填写后交回，不要改动车次编号、发车日期、姓名和身份证号。",
    "「车次」表每车一行：填车牌号、驾驶员、实际发车时间和实载人数；未发车的车次实载人数填 0，其他留空。",
    "「乘车名单」表每人一行：是否乘车填 是 / 否 / 改乘。",
    "实载人数超过核定座位数（超员）的车次照常入库并立即告知行动协调员：严禁超员，请如实填写。",
    "同一车次再次交回时，以最新一份为准（该车次原交回的各行被替换）。",
]


def build_template(campaign: Campaign | None) -> Workbook:
    book = workbook.new_workbook("包车回执", campaign)
    book.active.title = TRIP_SHEET
    workbook.write_header(book.active, TRIP_SHEET_COLUMNS)
    workbook.write_header(book.create_sheet(RIDER_SHEET), RIDER_SHEET_COLUMNS)
    workbook.write_form_instructions(
        book.create_sheet(INSTRUCTIONS_SHEET), campaign, "“点对点”包车回执",
        f"包车服务时段 {campaign.travel_window.label()}" if campaign else "", RETURNS.columns,
        lambda c: " / ".join(c.choices) if c.choices else "—", "二、填写规则", RULES)
    return book


KIND = Kind(RETURNS, prepare, return_checks, key=("trip_id", "id_number"))
