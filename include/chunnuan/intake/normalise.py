"""Turn raw cells into clean, typed values, vectorised so a million rows take seconds.

What counties send and we accept: full-width digits and letters (NFKC), a lowercase x at the end
of an ID number, phones with +86, spaces or dashes, dates as 2024-02-18, 2024/2/18, 2024.2.18,
2024年2月18日, 20240218, real Excel date cells or Excel serial numbers. Anything that cannot be read
becomes missing here and is reported by the gate with the value the clerk typed.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import cache

import numpy as np
import pandas as pd

from chunnuan.common import idcodes

EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_DATE_PATTERNS = (
    r"^(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$",
    r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$",
)
# After NFKC every dash-like and bracket character a clerk types is one of these ASCII ones.
_PHONE_JUNK = r"[ \t()\-]"


def cell_text(value: object) -> object:
    """A non-string cell (from an XLSX) as the text the clerk saw."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d") if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


@cache
def _invisible() -> re.Pattern:
    """Every format character (Unicode category Cf: zero-width space, BOM, direction marks, tags)."""
    bmp = "".join(chr(c) for c in range(0x10000) if unicodedata.category(chr(c)) == "Cf")
    return re.compile(f"[{re.escape(bmp)}\U000110bd\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]")


def visible(text: str) -> str:
    """NFKC, without invisible characters (zero-width space, BOM, direction marks) that a copy from a web
    page or chat leaves in a cell: 「全州县\u200b」 is 全州县."""
    folded = unicodedata.normalize("NFKC", text)
    return folded if folded.isascii() else _invisible().sub("", folded)


SHOWN_CHARS = 40  # of a cell quoted in a message: enough to find it, not a page of text


def shown_value(value: object) -> str | None:
    """A cell as a message quotes it: the text the clerk saw, invisible characters named, cut short."""
    if value is None or value is pd.NA:
        return None
    text = cell_text(value)
    if text is None:
        return None
    if not text.isascii():
        text = _invisible().sub("[不可见字符]", text)
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "…"


def _clean_cell(value: object) -> str | None:
    shown = value if isinstance(value, str) else cell_text(value)
    if shown is None:
        return None
    return visible(shown).strip() or None


def text(cells: pd.Series) -> pd.Series:
    """Cells as trimmed NFKC text; empty cells become <NA>.

    Most survey columns repeat a few hundred values, so each distinct value is cleaned once. Columns of
    mostly distinct values (names, ID numbers, phones) are cleaned vectorised, with NFKC (and invisible
    characters removed) only on the cells that have non-ASCII characters (ASCII is NFKC-stable).
    """
    codes, uniques = pd.factorize(cells, use_na_sentinel=True)
    if len(uniques) * 4 <= len(cells):
        cleaned = pd.array([_clean_cell(v) for v in uniques], dtype="string")
        return pd.Series(cleaned.take(codes, allow_fill=True), index=cells.index)
    if cells.dtype == object:  # an XLSX column: numbers, dates and booleans become the text shown
        cells = cells.map(lambda v: v if isinstance(v, str) or v is None else cell_text(v))
    out = cells.astype("string")
    wide = ~out.str.isascii().fillna(True).to_numpy(dtype=bool)
    if wide.any():
        values = out.to_numpy(dtype=object, na_value=None)
        at = np.flatnonzero(wide)
        values[at] = [visible(v) for v in values[at]]
        out = pd.Series(values, index=cells.index, dtype="string")
    out = out.str.strip()
    return out.mask(out == "")


def prose(cells: pd.Series) -> pd.Series:
    """Free text as the clerk wrote it: trimmed, invisible characters removed, but not NFKC-folded (that
    would turn the full-width ，。： of Chinese prose into ASCII); empty cells become <NA>."""
    def one(value: object) -> str | None:
        shown = None if value is None or value is pd.NA else cell_text(value)
        return (_invisible().sub("", shown).strip() or None) if shown is not None else None
    return pd.Series(pd.array([one(v) for v in cells], dtype="string"), index=cells.index)


def numeric_cells(cells: pd.Series) -> pd.Series:
    """True where the spreadsheet stored a number (an ID typed into a number cell loses digits)."""
    if cells.dtype != object:
        return pd.Series(False, index=cells.index)
    return cells.map(lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and v == v)


def excel_damaged_ids(cells: pd.Series, ids: pd.Series, files: pd.Series | None = None) -> pd.Series:
    """True where Excel stored an ID as a number: a number cell, 4.50821E+17 text, or its 15 significant
    digits and then zeros. A real ID can end in 000 too (about one in 1,100 holds its check digit that way),
    so such an ID whose check digit holds counts as damaged only when most IDs of its file (`files`) end in
    000: Excel rounds a whole column. An ID alone in its file would otherwise be sent back for ever."""
    numeric = numeric_cells(cells).to_numpy(dtype=bool)
    scientific = ids.str.fullmatch(r"\d(?:\.\d+)?E\+?\d+").fillna(False).to_numpy(dtype=bool)
    rounded = ids.str.fullmatch(r"\d{15}0{3}").fillna(False).to_numpy(dtype=bool)
    holds = id_checksum_ok(ids.where(rounded)).fillna(False).to_numpy(dtype=bool)
    if files is None:
        files = pd.Series(0, index=ids.index)
    filled = ids.notna().to_numpy(dtype=bool)
    per_file = pd.DataFrame({"rounded": rounded, "filled": filled}).groupby(files.to_numpy()).transform("sum")
    column_rounded = per_file["rounded"].to_numpy() * 2 > per_file["filled"].to_numpy()
    return pd.Series(numeric | scientific | (rounded & (~holds | column_rounded)), index=ids.index)


def _by_unique(values: pd.Series, fn, dtype: str) -> pd.Series:
    """Apply fn to the distinct values only: survey columns repeat the same few hundred values."""
    uniques = pd.Series(values.dropna().unique(), dtype=values.dtype)
    if uniques.empty:
        return pd.Series(pd.NaT if dtype.startswith("datetime") else None, index=values.index, dtype=dtype)
    mapping = pd.Series(fn(uniques).to_numpy(), index=uniques)
    return values.map(mapping).astype(dtype)


def id_number(cells: pd.Series) -> pd.Series:
    return text(cells).str.replace(" ", "", regex=False).str.upper()


@cache
def mobile_regex() -> str:
    """Mainland mobile numbers as Google's libphonenumber metadata defines them (number ranges in use)."""
    import phonenumbers

    return phonenumbers.PhoneMetadata.metadata_for_region("CN").mobile.national_number_pattern


def phone(cells: pd.Series) -> pd.Series:
    s = text(cells).str.replace(_PHONE_JUNK, "", regex=True)
    # +86 / 0086 / 86 before an 11-digit mobile number (string slicing: RE2 has no lookahead)
    for prefix in ("+86", "0086", "86"):
        rest = s.str.slice(len(prefix))
        national = s.str.startswith(prefix) & rest.str.fullmatch(r"1\d{10}")
        s = s.mask(national.fillna(False).astype(bool), rest)
    return s


def _parse_date_text(uniques: pd.Series) -> pd.Series:
    parsed = pd.Series(pd.NaT, index=uniques.index, dtype="datetime64[s]")
    for pattern in _DATE_PATTERNS:
        parts = uniques.str.extract(pattern)
        ymd = parts.dropna().astype(int)
        if not ymd.empty:
            got = pd.to_datetime(
                pd.DataFrame({"year": ymd["y"], "month": ymd["m"], "day": ymd["d"]}), errors="coerce"
            )
            parsed.loc[got.index] = parsed.loc[got.index].fillna(got)
    serial = pd.to_numeric(uniques.where(uniques.str.fullmatch(r"\d{5}(?:\.0+)?")), errors="coerce")
    serial = serial.where(serial.between(30000, 60000))
    from_serial = EXCEL_EPOCH + pd.to_timedelta(serial, unit="D")
    return parsed.fillna(from_serial).astype("datetime64[s]")


def dates(cells: pd.Series) -> pd.Series:
    """datetime64 (midnight, local date); NaT where empty or unreadable."""
    return _by_unique(text(cells), _parse_date_text, "datetime64[s]")


def small_int(cells: pd.Series, default: int, unit: str = "天") -> pd.Series:
    """Integers such as 可提前或推迟天数 or 报名人数: '3', '3天', '40人', '３'; empty -> default; unreadable -> -1."""
    s = text(cells).str.removesuffix(unit).str.strip()
    values = pd.to_numeric(s, errors="coerce").astype("float64")  # huge texts become floats, not uint64
    whole = values.where((values == values.round()) & (values.abs() < 2**53))  # 1e400 is no head count
    out = whole.fillna(-1).astype("int64")
    return out.mask(s.isna(), default)


def choice(cells: pd.Series, aliases: dict[str, str]) -> pd.Series:
    s = text(cells)
    return _by_unique(s, lambda u: u.replace(aliases), "string") if aliases else s


def id_checksum_ok(ids: pd.Series) -> pd.Series:
    """GB 11643 check digit (common.idcodes), computed for all rows at once; <NA> where the format is wrong."""
    fmt_ok = ids.str.fullmatch(r"\d{17}[\dX]").fillna(False).astype(bool)
    out = pd.Series(pd.NA, index=ids.index, dtype="boolean")
    if fmt_ok.any():
        out[fmt_ok] = idcodes.id_checks_hold(idcodes.ascii_grid(ids[fmt_ok].tolist()))
    return out


def id_birth_dates(ids: pd.Series) -> pd.Series:
    """Birth date encoded in positions 7-14 of the ID number; NaT where absent or impossible."""
    digits = ids.str.slice(6, 14).where(ids.str.fullmatch(r"\d{17}[\dX]").fillna(False).astype(bool))
    return _by_unique(digits, lambda u: pd.to_datetime(u, format="%Y%m%d", errors="coerce"), "datetime64[s]")


def uscc(cells: pd.Series) -> tuple[pd.Series, pd.Series]:
    """统一社会信用代码 as typed, without spaces and upper-cased, and whether its check character holds
    (<NA> where blank)."""
    code = text(cells).str.replace(" ", "", regex=False).str.upper()
    return code, code.map(idcodes.uscc_valid, na_action="ignore").astype("boolean")
