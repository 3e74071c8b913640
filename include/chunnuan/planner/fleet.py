"""Carriers and the coaches they can send each day; the campaign's qualification rules.

Fleet file (CSV in UTF-8/GBK, or XLSX; first sheet; one row per carrier × seat count × date range):

    统一社会信用代码   18 characters, checked with stdnum.cn.uscc
    企业名称
    质量信誉等级       AAA / AA / A / B (道路运输企业质量信誉考核)
    最近较大及以上责任事故日期   blank if none
    联系人, 联系电话
    省际包车许可       是 / 否 (省际包车客运经营许可)
    座位数             核定座位数 of these coaches (a class in the campaign's vehicle_classes)
    开始日期, 结束日期  the days these coaches are offered (inclusive)
    每日可派车辆数      coaches of this size the carrier can send on each of those days

The carrier columns repeat on each of its rows and must agree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError

from chunnuan.campaign import Campaign

GRADES = ("AAA", "AA", "A", "B")  # best first
HEADERS = {
    "统一社会信用代码": "uscc",
    "企业名称": "name",
    "质量信誉等级": "credit_grade",
    "最近较大及以上责任事故日期": "last_serious_incident",
    "联系人": "contact_name",
    "联系电话": "contact_phone",
    "省际包车许可": "interprovincial",
    "座位数": "seats",
    "开始日期": "date_from",
    "结束日期": "date_to",
    "每日可派车辆数": "per_day",
}
CARRIER_FIELDS = ("name", "credit_grade", "last_serious_incident", "contact_name", "contact_phone",
                  "interprovincial")


class FleetError(ValueError):
    """A fleet file that cannot be used; the message lists each problem with its row (Chinese)."""


@dataclass(frozen=True)
class Carrier:
    uscc: str
    name: str
    credit_grade: str
    last_serious_incident: dt.date | None
    contact_name: str
    contact_phone: str
    interprovincial: bool

    @property
    def grade_rank(self) -> int:
        """0 for AAA (best) … 3 for B."""
        return GRADES.index(self.credit_grade)


@dataclass(frozen=True)
class Fleet:
    carriers: tuple[Carrier, ...]
    # One row per carrier × seats × day: columns uscc, seats, date (datetime.date), count.
    vehicles: pd.DataFrame = field(repr=False)

    def carrier(self, code: str) -> Carrier:
        return next(c for c in self.carriers if c.uscc == code)

    @classmethod
    def build(cls, carriers: list[Carrier], offers: list[tuple[str, int, dt.date, dt.date, int]]) -> Fleet:
        """From carriers and (uscc, seats, first day, last day, coaches per day) offers."""
        rows = []
        for code, seats, first, last, per_day in offers:
            for i in range((last - first).days + 1):
                rows.append((code, int(seats), first + dt.timedelta(days=i), int(per_day)))
        frame = pd.DataFrame(rows, columns=["uscc", "seats", "date", "count"])
        frame = frame.groupby(["uscc", "seats", "date"], as_index=False)["count"].sum()
        return cls(tuple(sorted(carriers, key=lambda c: c.uscc)), frame)


@dataclass(frozen=True)
class Qualification:
    fleet: Fleet  # only qualified carriers and seat counts the campaign prices
    rejected: tuple[tuple[str, str, str], ...]  # (uscc, name, reason in Chinese)


def qualify(fleet: Fleet, campaign: Campaign) -> Qualification:
    """Keep carriers meeting the credit grade and safety record rules, and coaches of a priced class."""
    rules = campaign.transport.carriers
    worst_allowed = GRADES.index(rules.min_credit_grade)
    since = campaign.travel_window.start.replace(year=campaign.travel_window.start.year
                                                 - rules.no_serious_incident_years)
    kept, rejected = [], []
    for c in fleet.carriers:
        if c.grade_rank > worst_allowed:
            rejected.append((c.uscc, c.name, f"质量信誉等级 {c.credit_grade} 低于要求的 {rules.min_credit_grade}"))
        elif c.last_serious_incident is not None and c.last_serious_incident >= since:
            rejected.append((c.uscc, c.name, f"近{rules.no_serious_incident_years}年内发生较大及以上道路交通责任事故"
                                             f"（{c.last_serious_incident:%Y-%m-%d}）"))
        else:
            kept.append(c)
    codes = {c.uscc for c in kept}
    vehicles = fleet.vehicles[fleet.vehicles["uscc"].isin(codes)]
    priced = vehicles["seats"].map(lambda s: campaign.transport.vehicle_class(int(s)) is not None)
    for seats in sorted(vehicles.loc[~priced, "seats"].unique()):
        rejected.append(("", "", f"{seats}座车辆不属于行动配置中任何车型（vehicle_classes），未使用"))
    return Qualification(Fleet(tuple(kept), vehicles[priced].reset_index(drop=True)), tuple(rejected))


def _read_table(path: Path) -> pd.DataFrame:
    if path.suffix.lower() in (".xlsx", ".xls"):
        return pd.read_excel(path, dtype=str, engine="calamine").fillna("")
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise FleetError(f"{path.name}: 无法识别文字编码（应为 UTF-8 或 GBK）")
    import io

    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)


def _date(text: str, row: int, header: str, problems: list[str], blank_ok: bool = False) -> dt.date | None:
    text = str(text).strip()
    if not text:
        if not blank_ok:
            problems.append(f"第{row}行 {header} 为空")
        return None
    stamp = pd.to_datetime(text.replace("年", "-").replace("月", "-").replace("日", ""), errors="coerce")
    if pd.isna(stamp):
        problems.append(f"第{row}行 {header}「{text}」不是有效日期")
        return None
    return stamp.date()


def _int(text: str, row: int, header: str, problems: list[str], low: int) -> int | None:
    try:
        value = int(str(text).strip())
    except ValueError:
        problems.append(f"第{row}行 {header}「{text}」应为整数")
        return None
    if value < low:
        problems.append(f"第{row}行 {header} 应不小于 {low}")
        return None
    return value


def read_fleet(path: Path) -> Fleet:
    """Read a fleet file; any bad row fails the whole file with every problem listed."""
    table = _read_table(Path(path))
    table.columns = [str(c).strip() for c in table.columns]
    missing = [h for h in HEADERS if h not in table.columns]
    if missing:
        raise FleetError(f"{Path(path).name}: 缺少列 {'、'.join(missing)}")
    table = table.rename(columns=HEADERS)
    problems: list[str] = []
    carriers: dict[str, Carrier] = {}
    offers = []
    for i, rec in enumerate(table.to_dict("records")):
        row = i + 2  # header is row 1
        code = str(rec["uscc"]).strip().upper()
        try:
            code = uscc.validate(code)
        except ValidationError:
            problems.append(f"第{row}行 统一社会信用代码「{code}」校验不通过")
            continue
        grade = str(rec["credit_grade"]).strip().upper()
        if grade not in GRADES:
            problems.append(f"第{row}行 质量信誉等级「{grade}」应为 {'/'.join(GRADES)}")
            continue
        permit = str(rec["interprovincial"]).strip()
        if permit not in ("是", "否"):
            problems.append(f"第{row}行 省际包车许可应填「是」或「否」")
            continue
        carrier = Carrier(code, str(rec["name"]).strip(), grade,
                          _date(rec["last_serious_incident"], row, "最近较大及以上责任事故日期", problems, True),
                          str(rec["contact_name"]).strip(), str(rec["contact_phone"]).strip(), permit == "是")
        if code in carriers and carriers[code] != carrier:
            problems.append(f"第{row}行 企业 {code} 的企业信息与前面的行不一致")
            continue
        carriers[code] = carrier
        seats = _int(rec["seats"], row, "座位数", problems, 1)
        per_day = _int(rec["per_day"], row, "每日可派车辆数", problems, 0)
        first = _date(rec["date_from"], row, "开始日期", problems)
        last = _date(rec["date_to"], row, "结束日期", problems)
        if None in (seats, per_day, first, last):
            continue
        if last < first:
            problems.append(f"第{row}行 结束日期早于开始日期")
            continue
        offers.append((code, seats, first, last, per_day))
    if problems:
        raise FleetError(f"{Path(path).name} 有误：\n" + "\n".join(f"  - {p}" for p in problems))
    return Fleet.build(list(carriers.values()), offers)


def write_fleet(fleet: Fleet, path: Path) -> None:
    """The same file format (one row per carrier × seats × day); used by tests and the benchmark."""
    by_code = {c.uscc: c for c in fleet.carriers}
    rows = []
    for rec in fleet.vehicles.sort_values(["uscc", "seats", "date"]).to_dict("records"):
        c = by_code[rec["uscc"]]
        rows.append({
            "统一社会信用代码": c.uscc, "企业名称": c.name, "质量信誉等级": c.credit_grade,
            "最近较大及以上责任事故日期": f"{c.last_serious_incident:%Y-%m-%d}" if c.last_serious_incident else "",
            "联系人": c.contact_name, "联系电话": c.contact_phone, "省际包车许可": "是" if c.interprovincial else "否",
            "座位数": rec["seats"], "开始日期": f"{rec['date']:%Y-%m-%d}", "结束日期": f"{rec['date']:%Y-%m-%d}",
            "每日可派车辆数": rec["count"],
        })
    pd.DataFrame(rows, columns=list(HEADERS)).to_csv(path, index=False, encoding="utf-8-sig")
