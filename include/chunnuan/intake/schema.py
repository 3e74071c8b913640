"""What every submission kind is made of: its columns (`Column`), the kind's column list (`Schema`), how
headers are matched (`HeaderIndex`), and what a kind's `prepare` returns (`Prepared`).

One `Column` per spreadsheet column: its Chinese header (what the clerk sees), the field name used in
code and in the database, the header variants counties actually send, and the allowed values. The
template, the reader, the gate and the synthetic generators all read a kind's one list
(`chunnuan.intake.kinds.<kind>`).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # no pandas import for code that only needs the columns
    import pandas as pd

YES_NO = ("是", "否")


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
    cell: str = ""  # "text": digits Excel must keep as typed (IDs, phones); "date": a date cell


USCC = Column("uscc", "统一社会信用代码", help="营业执照上的18位代码", width=22, cell="text",
              aliases=("社会信用代码", "信用代码"))


# The official templates' own sheets besides the form (intake.workbook writes them): the reader passes them by.
INSTRUCTIONS_SHEET = "填表说明"
OPTIONS_SHEET = "选项"
TEMPLATE_SHEETS = (INSTRUCTIONS_SHEET, OPTIONS_SHEET)


def canonical_header(text: object) -> str:
    """Header text as compared: NFKC folds full-width brackets; spaces, line breaks, invisible characters
    (zero-width space, BOM) and '*' required markers go."""
    s = unicodedata.normalize("NFKC", str(text))
    return "".join(ch for ch in s if not ch.isspace() and ch not in "*＊" and unicodedata.category(ch) != "Cf")


@dataclass(frozen=True)
class HeaderIndex:
    lookup: dict[str, str] = field(default_factory=dict)

    @classmethod
    def build(cls, columns: tuple[Column, ...]) -> HeaderIndex:
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


@dataclass
class Prepared:
    """What a kind's `prepare` makes of the raw cells, all with the same rows: `clean` (typed values, what
    gets loaded), `checked` (the columns the checks read, including derived facts such as "ID check digit
    right") and `raw` (the cells as read, for the values shown to the clerk)."""

    clean: pd.DataFrame
    checked: pd.DataFrame
    raw: pd.DataFrame
