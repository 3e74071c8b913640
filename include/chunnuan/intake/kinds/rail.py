"""The railway's offer (铁路运力报表): trains and reserved carriages for 专列（车厢） (桂 一(三), 鲁 二(二)).

One row per railway bureau × train × date × carriage type: 车次, 日期, 始发站, 到达站, the 经停站 where
riders may also board, the carriage type and its 定员, how many carriages are offered — or 整列 for a
whole train (专列) with its 整列定员 — the group fare per person and the bureau's contact. It goes
through the same intake as the fleet: bad rows are quarantined with a reason, and a bureau's newer
submission replaces all its earlier rows (owner = `bureau`).

Capacity is checked against the public figures of config.railway (硬座 ~118, 硬卧 66, 二等座 ~90 per
carriage, within the campaign's `rail.seat_tolerance`; a 普速专列 1,000–2,000, a 动车/高铁专列 550–720):
a 定员 far from them is a typing error, and the planner must never seat more than a carriage holds.
Stations must be ones the campaign lists (`rail.stations`), so every boarding point is placed in a
county or city. The contact's phone stays in the system (the table), as on the fleet.
"""

from __future__ import annotations

import re

import pandas as pd
from openpyxl import Workbook

from chunnuan.config import railway
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
    day_numbers,
    fixed,
    read_ok,
    required_checks,
    window_check,
)
from chunnuan.intake.schema import Column, Prepared, Schema

WHOLE_TRAIN = "整列"
MAX_CARRIAGES = 20  # a train has at most about 18–20 carriages
MAX_FARE = 2000  # 元/人: more is a typing error (a 硬卧 across the country costs a few hundred)
TRAIN_NO = re.compile(r"[GDCZTKLYS]?\d{1,4}")  # 车次: G1234, K228, Z3, L5001 (临客), Y (旅游), S (市郊), 5501
STOP_SEPARATORS = re.compile(r"[、，,；;/\s]+")

RAIL = Schema("rail", "铁路运力报表", (
    Column("bureau", "铁路局", width=26, help="报送单位，如「中国铁路南宁局集团有限公司」；同一单位各行须一致",
           aliases=("报送单位", "铁路局集团公司")),
    Column("train_no", "车次", width=10, help="如 G1234、K228、L5001（临客）", cell="text"),
    Column("travel_date", "日期", width=12, help="始发日期，如 2024-02-17", cell="date", aliases=("开行日期", "始发日期")),
    Column("from_station", "始发站", width=12, help="12306 站名，如「南宁东」", aliases=("出发站",)),
    Column("to_station", "到达站", width=12, help="12306 站名，如「广州南」", aliases=("终到站",)),
    Column("stops", "经停站", required=False, width=24,
           help="可上车的经停站，用顿号分隔，如「贵港、平南南」；只在始发站上车的留空", aliases=("可上车经停站",)),
    Column("carriage_type", "车厢类型", choices=tuple(railway.CARRIAGE_TYPES), width=10,
           help=" / ".join(f"{t.name}（{t.stock}约{t.seats}）" for t in railway.CARRIAGE_TYPES.values())),
    Column("seats_per_carriage", "每厢定员", width=10, help="每节车厢的定员（座位或铺位数）"),
    Column("carriages", "可提供车厢数", width=12, help=f"可包的车厢节数；整列包下（专列）填「{WHOLE_TRAIN}」",
           aliases=("车厢数",)),
    Column("train_seats", "整列定员", required=False, width=10,
           help=f"「可提供车厢数」为{WHOLE_TRAIN}时填全列定员；其他留空"),
    Column("fare", "团体票价", width=10, help="元/人", aliases=("团体票价(元/人)", "票价")),
    Column("contact_name", "联系人", width=10),
    Column("contact_phone", "联系电话", width=16, help="手机号码，或固定电话「区号-号码」", cell="text"),
))
BY_FIELD = RAIL.by_field


def _station_names(campaign: Campaign) -> set[str]:
    return {s.name for s in campaign.rail.station_list()} if campaign.rail else set()


def _station(names: pd.Series, known: set[str]) -> tuple[pd.Series, pd.Series]:
    """(the 12306 name without 站, known to the campaign: True / False / <NA> where blank)."""
    name = names.str.removesuffix("站")
    return name, name.isin(known).astype("boolean").mask(name.isna())


def _stops(cells: pd.Series, known: set[str]) -> tuple[pd.Series, pd.Series]:
    """(stops joined by 、, all known: True / False / <NA> where blank)."""
    lists = cells.map(lambda s: [p.removesuffix("站") for p in STOP_SEPARATORS.split(s) if p], na_action="ignore")
    joined = lists.map(lambda ps: "、".join(ps), na_action="ignore").astype("string")
    ok = lists.map(lambda ps: all(p in known for p in ps), na_action="ignore").astype("boolean")
    return joined, ok


def _number(cells: pd.Series, unit: str) -> pd.Series:
    """A positive amount such as a fare ('120', '120元', '120.5'); NaN where blank or unreadable."""
    text = normalise.text(cells).str.removesuffix(unit).str.strip()
    return pd.to_numeric(text, errors="coerce").astype("float64")  # NaN, not <NA>: unreadable must fail the check


def _per_carriage_ok(types: pd.Series, seats: pd.Series, tolerance: float) -> pd.Series:
    figure = types.map({t.name: t.seats for t in railway.CARRIAGE_TYPES.values()}).astype("Float64")
    ok = ((seats - figure).abs() <= figure * tolerance).astype("boolean")
    return ok.mask(figure.isna() | (seats < 0))  # an unknown type or an unreadable number is reported on its own


def _train_ok(types: pd.Series, whole: pd.Series, seats: pd.Series, tolerance: float) -> pd.Series:
    fast = types.map({t.name: t.fast for t in railway.CARRIAGE_TYPES.values()})
    low = fast.map({f: r[0] * (1 - tolerance) for f, r in railway.TRAIN_SEATS.items()}).astype("Float64")
    high = fast.map({f: r[1] * (1 + tolerance) for f, r in railway.TRAIN_SEATS.items()}).astype("Float64")
    ok = ((seats >= low) & (seats <= high)).astype("boolean")
    return ok.mask(~whole | low.isna() | (seats < 0))


def prepare(raw: pd.DataFrame, campaign: Campaign) -> Prepared:
    t = {c.field: normalise.text(raw[c.field]) for c in RAIL.columns}
    known = _station_names(campaign)
    tolerance = campaign.rail.seat_tolerance if campaign.rail else 0.0
    train_no = t["train_no"].str.upper()
    day = normalise.dates(raw["travel_date"])
    origin, origin_ok = _station(t["from_station"], known)
    destination, destination_ok = _station(t["to_station"], known)
    stops, stops_ok = _stops(t["stops"], known)
    kind = normalise.choice(raw["carriage_type"], {"硬座车": "硬座", "硬卧车": "硬卧", "二等": "二等座"})
    per_carriage = normalise.small_int(raw["seats_per_carriage"], default=-1, unit="人")
    whole = (t["carriages"].str.replace("专列", WHOLE_TRAIN) == WHOLE_TRAIN).fillna(False).astype(bool)
    carriages = normalise.small_int(raw["carriages"], default=-1, unit="节").where(~whole, 0)
    train_seats = normalise.small_int(raw["train_seats"], default=-1, unit="人")
    capacity = (carriages * per_carriage).where(~whole, train_seats)
    fare = _number(raw["fare"], "元")
    phone = normalise.phone(raw["contact_phone"])

    clean = pd.DataFrame({
        "source_row": raw[ROW_NO].astype("int64"),
        "bureau": t["bureau"],
        "train_no": train_no,
        "travel_date": day,
        "from_station": origin,
        "to_station": destination,
        "stops": stops.fillna(""),
        "carriage_type": kind,
        "seats_per_carriage": per_carriage,
        "whole_train": whole,
        "carriages": carriages.where(~whole, pd.NA).astype("Int64"),  # a whole train: as many as it has
        "seats": capacity,  # what the offer carries in all: carriages × 定员, or the 整列定员
        "fare": fare,
        "contact_name": t["contact_name"],
        "contact_phone": t["contact_phone"],
    })
    checked = pd.DataFrame({
        **{f: t[f] for f in ("bureau", "travel_date", "from_station", "to_station", "seats_per_carriage",
                             "carriages", "fare", "contact_name")},
        "train_no": train_no,
        "carriage_type": kind,
        "contact_phone": phone,
        "_train_no_ok": train_no.str.fullmatch(TRAIN_NO.pattern).astype("boolean"),
        "_date_ok": read_ok(day, t["travel_date"]),
        "_day": day_numbers(day),
        "_from_known": origin_ok,
        "_to_known": destination_ok,
        "_stops_known": stops_ok,
        "_ends_differ": (origin != destination).astype("boolean").mask(origin.isna() | destination.isna()),
        "_seats_per_carriage": per_carriage.astype("Int64").mask(t["seats_per_carriage"].isna()),
        "_per_carriage_ok": _per_carriage_ok(kind, per_carriage, tolerance),
        "_carriages": carriages.astype("Int64").mask(t["carriages"].isna() | whole),
        "_train_seats_given": (train_seats > 0).astype("boolean").mask(~whole),
        "_train_ok": _train_ok(kind, whole, train_seats, tolerance),
        "_fare_ok": ((fare > 0) & (fare <= MAX_FARE)).astype("boolean").mask(t["fare"].isna()),
        "_phone_ok": contact_phone_ok(phone),
    })
    return Prepared(clean=clean, checked=checked, raw=raw)


def _station_check(field: str, column: str, campaign: Campaign) -> Check:
    header = BY_FIELD[field].header
    some = "、".join(sorted(_station_names(campaign))[:6])
    return Check("station_unknown", field, column, "true",
                 lambda v, r: f"「{header}」中的「{v}」不是本次行动使用的车站（须为12306站名，如{some}等；"
                              "需增加车站请联系行动办公室在行动配置中登记）")


def rail_checks(campaign: Campaign) -> list[Check]:
    tolerance = campaign.rail.seat_tolerance if campaign.rail else 0.0
    figures = "、".join(f"{t.name}约{t.seats}" for t in railway.CARRIAGE_TYPES.values())
    trains = "；".join(f"{railway.train_kind(f)} {lo:,}—{hi:,}人" for f, (lo, hi) in railway.TRAIN_SEATS.items())
    return [
        *required_checks(RAIL.columns),
        Check("train_no_invalid", "train_no", "_train_no_ok", "true",
              lambda v, r: f"车次「{v}」格式不对，应如 G1234、K228、L5001"),
        date_check("travel_date", "_date_ok", "日期", "2024-02-17"),
        window_check("travel_date", "_day", "日期", "出行时段", campaign.travel_window),
        _station_check("from_station", "_from_known", campaign),
        _station_check("to_station", "_to_known", campaign),
        _station_check("stops", "_stops_known", campaign),
        Check("station_unknown", "to_station", "_ends_differ", "true", fixed("「到达站」与「始发站」相同")),
        choice_check(BY_FIELD["carriage_type"]),
        count_check("seats_per_carriage", "每厢定员", 1, 200),
        Check("capacity_invalid", "seats_per_carriage", "_per_carriage_ok", "true",
              lambda v, r: (f"「每厢定员」{v} 与{r['carriage_type']}车厢的公开定员相差超过{tolerance:.0%}"
                            f"（{figures}），请核对")),
        count_check("carriages", "可提供车厢数", 1, MAX_CARRIAGES),
        Check("missing", "train_seats", "_train_seats_given", "true",
              fixed(f"「可提供车厢数」为{WHOLE_TRAIN}时须填写「整列定员」（全列座位或铺位数）")),
        Check("capacity_invalid", "train_seats", "_train_ok", "true",
              lambda v, r: f"「整列定员」「{v}」不在专列的常见范围内（{trains}，允许相差{tolerance:.0%}），请核对"),
        Check("fare_invalid", "fare", "_fare_ok", "true",
              lambda v, r: f"「团体票价」应为 0 至 {MAX_FARE} 元之间的金额，实际为「{v}」"),
        contact_phone_check(),
    ]


# --- the template (filled by the railway bureau) --------------------------------------------------

KIND = Kind(RAIL, prepare, rail_checks, key=("bureau", "train_no", "travel_date", "carriage_type"))


def build_template(campaign: Campaign | None) -> Workbook:
    lists, windows = {}, {"travel_date": (campaign.travel_window if campaign else None, "出行时段")}
    if campaign is not None and campaign.rail is not None:
        names = [s.name for s in campaign.rail.station_list()]
        lists = {"from_station": ("车站选项", names), "to_station": ("车站选项", names)}
    figures = "；".join(f"{t.name}（{t.stock}）每厢约{t.seats}" for t in railway.CARRIAGE_TYPES.values())
    rules = [
        "每个车次、每个日期、每种车厢类型填一行；同一铁路局再次报送时，以最新一份为准（原报送的全部行被替换）。",
        "始发站、到达站、经停站写12306站名（如「南宁东」「广州南」），须为本次行动登记的车站；经停站只写可以上车的站。",
        f"每厢定员按车厢实际定员填写，与公开定员相差不超过允许范围：{figures}。",
        f"包下整列（专列）时「可提供车厢数」填「{WHOLE_TRAIN}」并填「整列定员」："
        + "；".join(f"{railway.train_kind(f)}约 {lo:,}—{hi:,} 人" for f, (lo, hi) in railway.TRAIN_SEATS.items()) + "。",
        "任何车厢不超员：每厢安排人数不超过每厢定员。",
        "联系人电话只在系统内使用，不会写进邮件。",
    ]
    whole = {"seats_per_carriage": (1, 200), "train_seats": (1, 3000)}
    return workbook.plain_form("铁路运力报表", "铁路运力", RAIL.columns, campaign,
                               f"出行时段 {campaign.travel_window.label()}" if campaign else "", lists, windows,
                               whole, "二、填报与审核规则", rules)
