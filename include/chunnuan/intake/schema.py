"""The demand-survey submission: the columns a county clerk fills, as DESIGN.md fixes them.

One `Column` per spreadsheet column: its Chinese header (what the clerk sees), the field name used
in code and in the database, the header variants counties actually send, and the allowed values.
The template, the reader, the gate and the synthetic generator all read this one list.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import cached_property


@dataclass(frozen=True)
class Column:
    field: str
    header: str
    required: bool = True
    choices: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    help: str = ""
    width: int = 14
    pii: bool = False


POVERTY_STATUSES = ("否", "脱贫人口", "监测对象")
TRIP_TYPES = ("返乡", "返岗")
YES_NO = ("是", "否")
JOB_NEEDS = ("无", "本地就业", "外出务工")

COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", help="与身份证一致", width=10, aliases=("农民工姓名",)),
    Column("id_number", "身份证号", help="18位居民身份证号码，末位X大写", width=22, pii=True,
           aliases=("身份证号码", "公民身份号码", "身份证")),
    Column("phone", "联系电话", help="11位手机号码", width=15, pii=True,
           aliases=("手机号码", "手机号", "联系方式", "电话")),
    Column("home_county", "户籍县(市、区)", help="写县(市、区)全称，如「某某市某某县」；省内重名的县区务必写明所属市", width=18,
           aliases=("户籍县", "户籍所在县(市、区)", "户籍地", "县(市、区)")),
    Column("home_township", "乡镇(街道)", required=False, width=12, aliases=("乡镇", "户籍乡镇(街道)")),
    Column("poverty_status", "脱贫人口类别", choices=POVERTY_STATUSES, width=12,
           help="否 / 脱贫人口 / 监测对象（防止返贫监测对象）", aliases=("是否脱贫人口", "脱贫人口")),
    Column("trip_type", "出行类型", choices=TRIP_TYPES, width=10, help="返乡：节前回家；返岗：节后外出务工"),
    Column("travel_date", "计划出行日期", help="如 2024-02-18 或 2024年2月18日", width=14,
           aliases=("出行日期", "计划返岗日期", "计划返乡日期")),
    Column("flex_days", "可提前或推迟天数", required=False, help="0-15 的整数，空白按 0 天", width=10,
           aliases=("可调整天数", "可提前推迟天数")),
    Column("work_province", "务工地省份", help="返岗的目的地、返乡的出发地", width=12, aliases=("务工省份",)),
    Column("work_city", "务工地城市", help="如：深圳市", width=12, aliases=("务工城市",)),
    Column("employer", "用人单位", required=False, width=20, aliases=("务工单位", "工作单位")),
    Column("needs_charter", "是否需要点对点包车", choices=YES_NO, width=10,
           aliases=("是否需要包车", "点对点包车")),
    Column("job_need", "就业需求", choices=JOB_NEEDS, width=10),
    Column("desired_trade", "意向工种", required=False, width=12, help="有就业需求时填写"),
    Column("needs_training", "是否需要技能培训", choices=YES_NO, width=10, aliases=("是否需要培训",)),
    Column("training_trade", "培训意向工种", required=False, width=12, help="需要培训时填写"),
    Column("reporting_unit", "填报单位", width=18, help="如「某某县人力资源和社会保障局」"),
    Column("reported_on", "填报日期", width=12, help="如 2024-01-25"),
)

BY_FIELD = {c.field: c for c in COLUMNS}
MAX_FLEX_DAYS = 15


def canonical_header(text: object) -> str:
    """Header text as compared: NFKC folds full-width brackets; spaces, line breaks, invisible characters
    (zero-width space, BOM) and '*' required markers go."""
    s = unicodedata.normalize("NFKC", str(text))
    return "".join(ch for ch in s if not ch.isspace() and ch not in "*＊" and unicodedata.category(ch) != "Cf")


@dataclass(frozen=True)
class HeaderIndex:
    lookup: dict[str, str] = field(default_factory=dict)

    @classmethod
    def build(cls, columns: tuple[Column, ...] = COLUMNS) -> HeaderIndex:
        lookup = {}
        for col in columns:
            for text in (col.header, *col.aliases):
                lookup[canonical_header(text)] = col.field
        return cls(lookup)


@dataclass(frozen=True)
class Schema:
    """One submission kind's columns (survey, fleet …): the reader finds headers and missing columns by it."""

    kind: str  # also the landing folder and `chunnuan template KIND`
    title: str  # what the clerk calls the form
    columns: tuple[Column, ...]

    @cached_property
    def by_field(self) -> dict[str, Column]:
        return {c.field: c for c in self.columns}

    @cached_property
    def headers(self) -> HeaderIndex:
        return HeaderIndex.build(self.columns)

    @property
    def header_hint(self) -> str:
        return "".join(f"“{c.header}”" for c in self.columns[:3])


SURVEY = Schema("survey", "需求摸排表", COLUMNS)
HEADERS = SURVEY.headers
