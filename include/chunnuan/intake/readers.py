"""Read a submission as county offices really send it into a frame of raw cell values.

What arrives: XLSX and XLS (also one saved under the other's name), a web system's "Excel export" that is
an HTML table, CSV in UTF-8, GBK/GB18030 or UTF-16 (Excel's "Unicode text"), separated by commas, tabs,
semicolons or full-width commas. Above the header: a
title, a 填报单位/日期 line. Below the data: 合计 rows, notes, a 填表人/审核人 signature footer. Beside it:
a 序号 column, a summary sheet, hidden sheets with last week's rows, the data split over several sheets
(返乡 and 返岗), 填报单位 typed once and merged down, formulas.

The reader finds the header row on every visible sheet, keeps every data cell as the clerk typed it (the
normaliser decides what it means) and numbers each row as the clerk sees it, so that problems point at
the row in Excel ("返岗!12" when the data is on several sheets). Rows that are not data (footers, 合计) and
sheets that are not read (hidden, summary) are named in `notes`; cells it cannot take (a formula without a
saved value, a line longer than the header, damaged bytes) become row problems, and the gate quarantines
those rows. Anything that makes the whole file unusable raises SubmissionError with what to do.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from chunnuan.intake.schema import TEMPLATE_SHEETS, Schema, canonical_header

HEADER_SEARCH_ROWS = 10
ROW_NO = "_row"
FILE_NO = "_file"  # which of the files checked together a row came from (the gate adds it)
# Rows of a workbook's k-th data sheet (k ≥ 1) are numbered k * SHEET_ROWS + the row Excel shows, so one
# integer names a row in the database; Excel sheets have at most 1,048,576 rows.
SHEET_ROWS = 10_000_000
SEPARATORS = (",", "\t", ";", "，")
FOOTER_WORDS = ("合计", "总计", "小计", "说明", "备注", "注：", "注:", "填表人", "填报人", "审核人", "负责人", "制表",
                "联系电话", "联系人", "填报日期", "签字", "签名", "盖章")
FOOTER_SCAN = 30  # footers are a few lines: look at the bottom rows only
BINARY_MAGIC = ((b"%PDF", "PDF 文件"), (b"\x89PNG", "图片"), (b"\xff\xd8\xff", "图片"), (b"GIF8", "图片"),
                (b"BM", "图片"), (b"Rar!", "压缩包"), (b"7z\xbc\xaf", "压缩包"), (b"\x1f\x8b", "压缩包"),
                (b"{\\rtf", "RTF 文档"))
PROBLEM_COLUMNS = [ROW_NO, "column", "value", "code", "reason"]


class SubmissionError(Exception):
    """A whole submission cannot be used. The message tells the clerk what to fix (Chinese)."""


@dataclass
class RawSubmission:
    frame: pd.DataFrame  # one column per field of the schema + ROW_NO; cells as read
    unknown_headers: list[str]
    missing_fields: list[str]  # required fields with no column
    sheets: list[str] = field(default_factory=list)  # data sheets read, in order (empty for CSV)
    notes: list[str] = field(default_factory=list)  # what was recognised as not data, for the clerk
    problems: pd.DataFrame | None = None  # PROBLEM_COLUMNS: cells the reader could not take
    columns: dict[int, str] = field(default_factory=dict)  # sheet column (0-based) -> field read from it


def row_label(row: int, sheets: list[str]) -> object:
    """The row as the clerk finds it: 12, or 返岗!12 when the data is on several sheets."""
    row = int(row)
    return row if len(sheets) < 2 else f"{sheets[row // SHEET_ROWS]}!{row % SHEET_ROWS}"


def _problems(rows: list[int], column: str, code: str, reason: str) -> pd.DataFrame:
    """Row problems the reader finds: whole rows or cells with nothing worth quoting back."""
    return pd.DataFrame({ROW_NO: rows, "column": column, "value": "", "code": code, "reason": reason},
                        columns=PROBLEM_COLUMNS)


# --- header ---------------------------------------------------------------------------------------------


def _header_score(cells: list[object], schema: Schema) -> int:
    return len({schema.headers.lookup.get(canonical_header(c)) for c in cells if c is not None} - {None})


def _header_row(rows: list[list[object]], schema: Schema) -> int | None:
    best, best_score = None, 2  # three recognised headers at least
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        score = _header_score(row, schema)
        if score > best_score:
            best, best_score = i, score
    return best


def _no_header(schema: Schema, where: str = f"前 {HEADER_SEARCH_ROWS} 行") -> SubmissionError:
    return SubmissionError(f"在{where}中找不到表头（{schema.title}的表头如{schema.header_hint}）。"
                           f"请使用官方模板（chunnuan template {schema.kind}）填写，不要删除或改动表头行。")


def _blank_text(value: object) -> bool:
    if isinstance(value, str):
        return not value.strip()
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def _blank(cells: pd.Series) -> pd.Series:
    return cells.isna() | (cells.astype("string").str.strip() == "")


def _footer_rows(body: pd.DataFrame) -> list[int]:
    """Positions of the rows under the data that are not data: 合计, 说明, 填表人/审核人 … (blank rows between
    them included). Only sparse rows with a cell starting with such a word count, so a worker's row stays."""
    footer, found = [], []
    for pos in range(len(body) - 1, max(len(body) - FOOTER_SCAN, 0) - 1, -1):
        cells = [c for c in body.iloc[pos].tolist() if not _blank_text(c)]
        if not cells:
            footer.append(pos)
            continue
        words = ["".join(unicodedata.normalize("NFKC", str(c)).split()) for c in cells]
        if not any(w.startswith(FOOTER_WORDS) for w in words) or len(cells) > max(4, body.shape[1] // 3):
            break  # a row filled like a worker's is a worker's, whatever one of its cells says
        footer.append(pos)
        found = list(footer)
    return found


def _frame_from_header(header: list[object], body: pd.DataFrame, first_row_no: int, schema: Schema,
                       where: str = "") -> RawSubmission:
    """The schema's columns out of a sheet body (all its columns). A header repeated keeps the copy that has
    data; optional columns may be absent (empty); rows under the data that are not data are left out."""
    body = body.set_axis(range(body.shape[1]), axis=1)
    body.index = range(first_row_no, first_row_no + len(body))
    notes = []
    footer = _footer_rows(body)
    if footer:
        rows = sorted(body.index[footer])
        notes.append(f"{where}第 {rows[0]}–{rows[-1]} 行是合计、说明或签名栏，不作为数据" if len(rows) > 1
                     else f"{where}第 {rows[0]} 行是合计、说明或签名栏，不作为数据")
        body = body.drop(index=body.index[footer])
    candidates: dict[str, list[int]] = {}
    unknown: list[str] = []
    for i, cell in enumerate(header):
        key = canonical_header(cell) if cell is not None else ""
        name = schema.headers.lookup.get(key)
        if name is None:
            if key:
                unknown.append(str(cell))
        elif i < body.shape[1]:
            candidates.setdefault(name, []).append(i)
    chosen = {}
    for name, columns in candidates.items():
        filled = [int((~body[c].map(_blank_text)).sum()) if len(columns) > 1 else 0 for c in columns]
        chosen[name] = columns[filled.index(max(filled))]
        if len(columns) > 1:
            notes.append(f"{where}「{schema.by_field[name].header}」有 {len(columns)} 列，按填写了内容的一列读取")
    frame = body[list(chosen.values())].set_axis(list(chosen), axis=1)
    for column in schema.columns:
        if column.field not in frame.columns and not column.required:
            frame[column.field] = None
    frame = frame[[c.field for c in schema.columns if c.field in frame.columns]]
    frame[ROW_NO] = frame.index
    missing = [c.field for c in schema.columns if c.required and c.field not in frame.columns]
    return RawSubmission(frame.reset_index(drop=True), unknown, missing, notes=notes,
                         columns={column: name for name, column in chosen.items()})


def _drop_blank_rows(frame: pd.DataFrame, schema: Schema) -> pd.DataFrame:
    """Drop rows with no cell filled (Excel keeps formatted empty rows below the data)."""
    first, second = (c.field for c in schema.columns[:2])
    candidates = _blank(frame[first]) & _blank(frame[second])  # cheap pre-filter for big files
    if not candidates.any():
        return frame
    cells = frame.loc[candidates].drop(columns=[ROW_NO])
    blank = cells.apply(_blank).all(axis=1)
    return frame.drop(index=blank[blank].index).reset_index(drop=True)


# --- CSV ------------------------------------------------------------------------------------------------


def _decode(data: bytes) -> tuple[str, bool]:
    """Text of a CSV and whether a few damaged bytes were replaced (those rows become row problems).
    UTF-16 (Excel's "Unicode text") by its BOM or its zero bytes; else UTF-8, else GB18030 (GBK's superset)."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16", errors="replace").lstrip("\ufeff"), False
    sample = data[:4096]
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if max(even, odd) * 40 > len(sample) and min(even, odd) * 10 <= max(even, odd):
        # UTF-16 without a BOM: separators, digits and Latin letters leave a zero byte on one side only
        encoding = "utf-16-le" if odd > even else "utf-16-be"
        return data.decode(encoding, errors="replace").lstrip("\ufeff"), False
    data = data.replace(b"\x00", b"")  # a stray NUL from a broken export: not a character anyone typed
    try:
        return data.decode("utf-8").lstrip("\ufeff"), False
    except UnicodeDecodeError as exc:
        reached = exc.start
    text = data.decode("utf-8", errors="replace")
    if text.count("\ufffd") <= max(3, len(text) // 10_000):  # a few damaged bytes in UTF-8: name their rows
        return text.lstrip("\ufeff"), True
    try:  # GB18030 decodes almost any bytes, so only a clean decode counts (damage would read as garbage)
        return data.decode("gb18030").lstrip("\ufeff"), False
    except UnicodeDecodeError as exc:
        reached = max(reached, exc.start)
    line = data[:reached].count(b"\n") + 1
    raise SubmissionError(f"第 {line} 行起有无法识别的文字（应为 UTF-8 或 GBK 编码），可能文件已损坏或不是表格。"
                          "请用 Excel 打开后另存为 .xlsx 重新提交。")


def _csv_header(text: str, schema: Schema) -> tuple[str, int, list[str], int]:
    """(separator, header record index, header cells, physical lines up to the end of the header)."""
    head = text[: 1 << 16]
    best = None
    for sep in SEPARATORS:
        if sep not in head:
            continue
        reader = csv.reader(io.StringIO(head), delimiter=sep)
        rows, lines = [], []
        try:
            for row in reader:
                rows.append(row)
                lines.append(reader.line_num)
                if len(rows) == HEADER_SEARCH_ROWS:
                    break
        except csv.Error:
            continue
        at = _header_row(rows, schema)
        if at is not None and (best is None or _header_score(rows[at], schema) > best[0]):
            best = (_header_score(rows[at], schema), sep, at, rows[at], lines[at])
    if best is None:
        raise _no_header(schema)
    return best[1:]


def _after_lines(text: str, lines: int) -> int:
    pos = 0
    for _ in range(lines):
        found = text.find("\n", pos)
        if found < 0:
            return len(text)
        pos = found + 1
    return pos


def _csv_body_fast(body: str, sep: str, width: int) -> pd.DataFrame | None:
    """The body with pyarrow (100,000 rows in a fraction of a second); None when a line does not have the
    header's number of cells, for the slower reader that can say which."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    if sep == "，" or not body.strip():
        return None  # full-width commas are not a byte pyarrow splits on; an empty body is no table to it
    if "\n\n" in body or "\n\r\n" in body or body.startswith(("\n", "\r\n")):
        # An empty line is still a spreadsheet row: make it a row of empty cells so that numbering
        # matches what the clerk sees (blank rows are dropped after numbering).
        body = re.sub(r"(?m)^\r?$", sep * (width - 1), body)
    ragged = []

    def invalid(row) -> str:
        ragged.append(row)
        return "skip"

    names = [str(i) for i in range(width)]
    table = pacsv.read_csv(
        io.BytesIO(body.encode("utf-8")),
        read_options=pacsv.ReadOptions(column_names=names),
        parse_options=pacsv.ParseOptions(delimiter=sep, newlines_in_values=True, invalid_row_handler=invalid),
        convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False,
                                             quoted_strings_can_be_null=False),
    )
    if ragged:
        return None
    return table.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow")}.get)


def _csv_body_slow(body: str, sep: str, width: int, first_row_no: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every line, padded to the header's width; a line with more filled cells than the header is a row
    problem (a separator inside a cell shifts the cells after it)."""
    records, long_rows = [], []
    for i, record in enumerate(csv.reader(io.StringIO(body), delimiter=sep)):
        if len(record) > width:
            if any(c.strip() for c in record[width:]):
                long_rows.append(first_row_no + i)
            record = record[:width]
        records.append(record + [""] * (width - len(record)))
    frame = pd.DataFrame(records, columns=range(width), dtype="string") if records else \
        pd.DataFrame({i: pd.Series(dtype="string") for i in range(width)})
    problems = _problems(long_rows, "整行", "extra_cells",
                         "这一行的单元格比表头多，可能是某个单元格里有分隔符（逗号、分号或制表符），后面的内容错了列。"
                         "请核对这一行后重新填写")
    return frame, problems


def _read_csv(data: bytes, schema: Schema) -> RawSubmission:
    text, damaged = _decode(data)
    sep, header_at, header, lines = _csv_header(text, schema)
    body, first_row_no, width = text[_after_lines(text, lines):], header_at + 2, max(len(header), 1)
    frame = _csv_body_fast(body, sep, width)
    problems = None
    if frame is None:
        frame, problems = _csv_body_slow(body, sep, width, first_row_no)
    raw = _frame_from_header(header, frame, first_row_no, schema)
    if damaged:
        bad = pd.Series(False, index=raw.frame.index)
        for column in raw.frame.columns.drop(ROW_NO):
            bad |= raw.frame[column].astype("string").str.contains("\ufffd", regex=False).fillna(False).astype(bool)
        problems = pd.concat([p for p in (problems, _problems(
            raw.frame.loc[bad, ROW_NO].tolist(), "整行", "bad_bytes",
            "这一行有无法识别的文字（文件中个别字节已损坏），请核对这一行后重新填写")) if p is not None],
            ignore_index=True)
    raw.problems = problems
    return raw


# --- workbooks ------------------------------------------------------------------------------------------


def _fill_merged(rows: list[list[object]], ranges, start: int) -> None:
    """A cell merged over several rows (填报单位 typed once) counts for each row it covers."""
    for (r0, c0), (r1, c1) in ranges or ():
        if r1 < start:
            continue
        value = rows[r0][c0] if r0 < len(rows) and c0 < len(rows[r0]) else None
        for r in range(max(r0, start), min(r1, len(rows) - 1) + 1):
            for c in range(c0, min(c1, len(rows[r]) - 1) + 1):
                if _blank_text(rows[r][c]):
                    rows[r][c] = value


_CELL = re.compile(rb"<c r=\"([A-Z]+)(\d+)\"[^>]*?(?:/>|>(.*?)</c>)", re.S)


def _formulas_without_values(path: Path) -> dict[str, list[tuple[int, int]]]:
    """(row, column) of formula cells that have no saved result, per sheet name (XLSX only). Files saved by
    other programs than Excel (or by scripts) often carry formulas that nobody calculated."""
    try:
        book = zipfile.ZipFile(path)
        workbook = book.read("xl/workbook.xml")
        rels = book.read("xl/_rels/workbook.xml.rels")
    except Exception:  # a damaged zip: calamine will say so when it reads the sheets
        return {}
    targets = dict(re.findall(rb'<Relationship[^>]*?Id="([^"]+)"[^>]*?Target="([^"]+)"', rels))
    targets |= {k: v for v, k in re.findall(rb'<Relationship[^>]*?Target="([^"]+)"[^>]*?Id="([^"]+)"', rels)}
    found = {}
    for name, rid in re.findall(rb'<sheet [^>]*?name="([^"]+)"[^>]*?r:id="([^"]+)"', workbook):
        target = targets.get(rid, b"").decode().lstrip("/")
        path = target if target.startswith("xl/") else f"xl/{target}"
        try:
            if not _has_formula(book, path):
                continue
            xml = book.read(path)
        except Exception:  # missing or damaged part: as above
            continue
        cells = [(int(row) - 1, _column_index(col)) for col, row, inner in _CELL.findall(xml)
                 if inner and b"<f" in inner and not re.search(rb"<v>[^<]+</v>", inner)]
        if cells:
            found[_xml_text(name)] = cells
    return found


def _has_formula(book: zipfile.ZipFile, path: str) -> bool:
    """Whether a sheet's XML has a formula, read a megabyte at a time (a 100,000-row sheet unzips to
    over 100 MB, which need not be held to find that it has none)."""
    tail = b""
    with book.open(path) as fh:
        while chunk := fh.read(1 << 20):
            if b"<f" in tail + chunk[:2] or b"<f" in chunk:
                return True
            tail = chunk[-1:]
    return False


def _column_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n - 1


def _xml_text(raw: bytes) -> str:
    import html

    return html.unescape(raw.decode("utf-8"))


def _open_workbook(path: Path, kind: str):
    from python_calamine import CalamineWorkbook

    try:  # by content, not by name: an .xlsx saved as .xls opens all the same (calamine goes by the name)
        if path.suffix.lower() in {"xlsx": (".xlsx", ".xlsm"), "xls": (".xls",)}[kind]:
            return CalamineWorkbook.from_path(str(path))
        with path.open("rb") as fh:
            return CalamineWorkbook.from_filelike(fh)
    except Exception:  # calamine's own error types; its English text helps no clerk
        raise SubmissionError("Excel 文件已损坏或无法打开（也可能设置了密码，或是改了扩展名的其他文件）。"
                              "请用 Excel 打开、另存为 .xlsx 后重新提交。") from None


def _read_workbook(path: Path, kind: str, schema: Schema) -> RawSubmission:
    from python_calamine import SheetTypeEnum, SheetVisibleEnum

    book = _open_workbook(path, kind)
    read: list[tuple[str, RawSubmission]] = []
    hidden, other, notes = [], [], []
    # Looking for formulas means unzipping the sheets again: done beside calamine's parse, which it overlaps.
    with ThreadPoolExecutor(max_workers=1) as pool:
        formulas = pool.submit(_formulas_without_values, path) if kind == "xlsx" else None
        try:
            for meta in book.sheets_metadata:
                if meta.typ != SheetTypeEnum.WorkSheet or meta.name in TEMPLATE_SHEETS:
                    continue  # charts; the official template's instructions and drop-down lists
                if meta.visible != SheetVisibleEnum.Visible:
                    hidden.append(meta.name)
                    continue
                sheet = book.get_sheet_by_name(meta.name)
                rows, merged = sheet.to_python(skip_empty_area=False), sheet.merged_cell_ranges  # empty cell: ""
                del sheet  # calamine's copy of the cells, as large again as the lists
                header_at = _header_row(rows, schema)
                if header_at is None:
                    if any(not _blank_text(c) for row in rows for c in row):
                        other.append(meta.name)
                    continue
                _fill_merged(rows, merged, header_at + 1)
                header, width = rows[header_at], max(len(rows[header_at]), 1)
                body = pd.DataFrame(rows[header_at + 1:], dtype=object)
                del rows  # the cells now live in `body`: a 100,000-row sheet is hundreds of MB as lists
                if body.shape[1] != width:
                    body = body.reindex(columns=range(width))
                raw = _frame_from_header(header, body, header_at + 2, schema, where=f"工作表「{meta.name}」")
                read.append((meta.name, raw))
        except SubmissionError:
            raise
        except Exception:  # a damaged sheet inside an intact zip
            raise SubmissionError("Excel 文件内容已损坏，无法读取工作表。请用 Excel 打开、另存为 .xlsx 后重新提交。") from None
        found = formulas.result() if formulas else {}
    for name, raw in read:
        raw.problems = _formula_problems(found.get(name, ()), raw, schema)
    if not read:
        if hidden:
            raise SubmissionError(f"工作簿中可见的工作表都没有{schema.title}的表头；隐藏的工作表（{'、'.join(hidden)}）"
                                  "不会被读取。请把数据放在可见的工作表中（或取消隐藏）后重新提交。")
        raise _no_header(schema, "工作簿的各个工作表")
    if hidden:
        notes.append(f"隐藏的工作表未读取：{'、'.join(hidden)}")
    if other:
        notes.append(f"没有表头、不是数据的工作表未读取：{'、'.join(other)}")
    return _combine_sheets(read, notes, schema)


def _formula_problems(cells, raw: RawSubmission, schema: Schema) -> pd.DataFrame | None:
    """(row, column) cells of a formula without a saved result that fall on a data row of a schema column."""
    if not cells:
        return None
    rows = set(raw.frame[ROW_NO].tolist())
    hits = [(r + 1, schema.by_field[raw.columns[c]].header) for r, c in cells if r + 1 in rows and c in raw.columns]
    if not hits:
        return None
    frame = _problems([r for r, _ in hits], "", "formula_no_value", "公式没有计算结果，请在 Excel 中打开后保存，再重新提交")
    return frame.assign(column=[c for _, c in hits])


def _combine_sheets(read: list[tuple[str, RawSubmission]], notes: list[str], schema: Schema) -> RawSubmission:
    """One submission from its data sheets; a sheet without a required column sends the file back, so a
    workbook is never half-read."""
    for name, raw in read:
        if raw.missing_fields:
            headers = "、".join(schema.by_field[f].header for f in raw.missing_fields)
            where = f"工作表「{name}」" if len(read) > 1 else ""
            raise SubmissionError(f"{where}缺少必需的列：{headers}。请使用官方模板（chunnuan template {schema.kind}）"
                                  "填写，不要删除列。")
    if len(read) > 1:
        notes.insert(0, f"数据分在 {len(read)} 个工作表（{'、'.join(n for n, _ in read)}），都已读取；行号写作「工作表!行」")
    frames, problems = [], []
    for k, (_, raw) in enumerate(read):
        offset = k * SHEET_ROWS
        frames.append(raw.frame.assign(**{ROW_NO: raw.frame[ROW_NO] + offset}))
        if raw.problems is not None:
            problems.append(raw.problems.assign(**{ROW_NO: raw.problems[ROW_NO] + offset}))
        notes += raw.notes
    return RawSubmission(pd.concat(frames, ignore_index=True), [h for _, r in read for h in r.unknown_headers], [],
                         sheets=[n for n, _ in read], notes=notes,
                         problems=pd.concat(problems, ignore_index=True) if problems else None)


# --- any file -------------------------------------------------------------------------------------------


def _read_html(data: bytes, schema: Schema) -> RawSubmission:
    """An "Excel export" from a web system: an HTML table saved as .xls. The first table with the header."""
    import lxml.html

    text, _ = _decode(data)
    try:
        document = lxml.html.fromstring(text)
    except Exception:  # lxml's own errors: not a page it can read
        raise SubmissionError("文件是网页格式，但无法读取其中的表格。请用 Excel 打开、另存为 .xlsx 后重新提交。") from None
    for table in document.iter("table"):
        rows = [[cell.text_content().strip() for cell in tr if cell.tag in ("td", "th")] for tr in table.iter("tr")]
        header_at = _header_row(rows, schema)
        if header_at is not None:
            width = max(len(rows[header_at]), 1)
            body = pd.DataFrame(rows[header_at + 1:], dtype=object).reindex(columns=range(width))
            return _frame_from_header(rows[header_at], body, header_at + 2, schema)
    raise _no_header(schema, "网页格式文件的表格")


def _sniff(path: Path, data: bytes) -> str:
    """xlsx, xls, html or csv, by the file's first bytes (`data`), whatever its name says."""
    if data.startswith(b"PK\x03\x04"):
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
        if "xl/workbook.xml" in names:
            return "xlsx"
        what = "Word 文档" if "word/document.xml" in names else "压缩包"
        raise SubmissionError(f"这是{what}，不是 Excel 表格。请把数据填在官方模板（.xlsx）中后重新提交。")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls"
    start = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:512].lower()
    if start.startswith((b"<!doctype html", b"<html", b"<table")) or (start.startswith(b"<") and b"<table" in data.lower()):
        return "html"
    for magic, what in BINARY_MAGIC:
        if data.startswith(magic):
            raise SubmissionError(f"这是{what}，不是 Excel 或 CSV 表格。请把数据填在官方模板（.xlsx）中后重新提交。")
    return "csv"


def read_submission(path: Path, schema: Schema) -> RawSubmission:
    """Read one file; raises SubmissionError for anything that makes the whole file unusable."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            head = fh.read(1 << 16)
    except OSError:
        raise SubmissionError(f"无法打开文件「{path.name}」，请确认文件存在且没有被其他程序占用。") from None
    if not head.strip() and len(head) < 1 << 16:
        size = "0 字节" if not head else "只有空白"
        raise SubmissionError(f"文件是空的（{size}），请确认上传的是填好的表格。")
    try:
        kind = _sniff(path, head)
    except (zipfile.BadZipFile, NotImplementedError, EOFError):  # damaged headers read as odd zip versions
        raise SubmissionError("文件像是 Excel 表格但已损坏，请用 Excel 打开、另存为 .xlsx 后重新提交。") from None
    # Workbooks are read from the file (calamine and zipfile stream it); a CSV is decoded whole.
    if kind in ("xlsx", "xls"):
        raw = _read_workbook(path, kind, schema)
    else:
        raw = (_read_html if kind == "html" else _read_csv)(path.read_bytes(), schema)
    if raw.missing_fields:
        names = "、".join(schema.by_field[f].header for f in raw.missing_fields)
        raise SubmissionError(f"缺少必需的列：{names}。请使用官方模板（chunnuan template {schema.kind}）填写，不要删除列。")
    raw.frame = _drop_blank_rows(raw.frame, schema)
    if raw.frame.empty:
        raise SubmissionError("文件中只有表头，没有数据行。请在表头下方逐行填写后重新提交；如本期确无数据，无需报送。")
    if raw.problems is not None:
        raw.problems = raw.problems[raw.problems[ROW_NO].isin(raw.frame[ROW_NO])].reset_index(drop=True)
    return raw
