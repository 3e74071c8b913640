"""Read a county submission (XLSX, XLS, CSV in UTF-8 or GBK) into a frame of raw cell values.

Counties send what their office software writes: a title row above the header, GBK CSV from older
Excel, dates as real date cells. The reader finds the header row, keeps every cell as the clerk
typed it (the normaliser decides what it means) and records the spreadsheet row number of each
data row so that problems can point the clerk at the row they see.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from chunnuan.intake.schema import Schema, canonical_header

HEADER_SEARCH_ROWS = 10
ROW_NO = "_row"


class SubmissionError(Exception):
    """A whole submission cannot be used. The message tells the clerk what to fix (Chinese)."""


@dataclass
class RawSubmission:
    frame: pd.DataFrame  # one column per recognised field + ROW_NO; cells as read
    unknown_headers: list[str]
    missing_fields: list[str]
    sheet: str | None = None


def _header_score(cells: list[object], schema: Schema) -> int:
    return sum(1 for c in cells if c is not None and canonical_header(c) in schema.headers.lookup)


def _find_header(rows: list[list[object]], schema: Schema) -> int:
    best, best_score = -1, 0
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        score = _header_score(row, schema)
        if score > best_score:
            best, best_score = i, score
    if best_score < 3:
        raise SubmissionError(
            f"在前 {HEADER_SEARCH_ROWS} 行中找不到表头（{schema.title}的表头如{schema.header_hint}）。"
            "请使用官方模板填写，不要删除或改动表头行。"
        )
    return best


def _sniff_kind(head: bytes) -> str:
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls"
    if b"\x00" in head:
        raise SubmissionError("文件不是 Excel 或 CSV 表格（可能是图片、PDF 或压缩包），请另存为 .xlsx 后重新提交。")
    return "csv"


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SubmissionError("无法识别 CSV 文件的文字编码（应为 UTF-8 或 GBK），请用 Excel 另存为 .xlsx 后重新提交。")


def _frame_from_header(header: list[object], data: pd.DataFrame, first_row_no: int, schema: Schema) -> RawSubmission:
    fields: list[str | None] = []
    unknown: list[str] = []
    seen: set[str] = set()
    for cell in header:
        key = canonical_header(cell) if cell is not None else ""
        name = schema.headers.lookup.get(key)
        if name is None or name in seen:  # repeated header: keep the first column of that name
            if key:
                unknown.append(str(cell))
            fields.append(None)
        else:
            seen.add(name)
            fields.append(name)
    keep = [i for i, f in enumerate(fields) if f is not None and i < data.shape[1]]
    frame = data.iloc[:, keep].copy()
    frame.columns = [fields[i] for i in keep]
    frame[ROW_NO] = range(first_row_no, first_row_no + len(frame))
    missing = [c.field for c in schema.columns if c.field not in frame.columns]
    return RawSubmission(frame.reset_index(drop=True), unknown, missing)


def _blank(cells: pd.Series) -> pd.Series:
    return cells.isna() | (cells.astype("string").str.strip() == "")


def _drop_blank_rows(frame: pd.DataFrame, schema: Schema) -> pd.DataFrame:
    """Drop rows with no cell filled (Excel keeps formatted empty rows below the data)."""
    first, second = (c.field for c in schema.columns[:2])
    candidates = _blank(frame[first]) & _blank(frame[second])  # cheap pre-filter for big files
    if not candidates.any():
        return frame
    cells = frame.loc[candidates].drop(columns=[ROW_NO])
    blank = cells.apply(_blank).all(axis=1)
    return frame.drop(index=blank[blank].index).reset_index(drop=True)


def _read_csv(data: bytes, schema: Schema) -> RawSubmission:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    text = _decode(data)
    head_rows = list(csv.reader(text[: 1 << 16].splitlines()[:HEADER_SEARCH_ROWS]))
    header_at = _find_header(head_rows, schema)
    names = [str(i) for i in range(max(len(head_rows[header_at]), 1))]
    if "\n\n" in text or "\n\r\n" in text:
        # An empty line is still a spreadsheet row: make it a row of empty cells so that numbering
        # matches what the clerk sees (blank rows are dropped after numbering).
        text = re.sub(r"(?m)^\r?$", "," * (len(names) - 1), text)
    table = pacsv.read_csv(
        io.BytesIO(text.encode("utf-8")),
        read_options=pacsv.ReadOptions(skip_rows=header_at + 1, column_names=names),
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    body = table.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow")}.get)
    # Spreadsheet row numbers are 1-based and the header sits on row header_at + 1.
    return _frame_from_header(head_rows[header_at], body, header_at + 2, schema)


def _read_workbook(path: Path, schema: Schema) -> RawSubmission:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for damaged files
        raise SubmissionError(f"Excel 文件已损坏或无法打开（{exc}），请重新保存后提交。") from exc
    for name in book.sheet_names:
        rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        rows = [[None if c == "" else c for c in row] for row in rows]
        try:
            header_at = _find_header(rows, schema)
        except SubmissionError:
            continue
        body = pd.DataFrame(rows[header_at + 1 :], columns=range(len(rows[header_at])), dtype=object)
        raw = _frame_from_header(rows[header_at], body, header_at + 2, schema)
        raw.sheet = name
        return raw
    raise SubmissionError(
        f"工作簿中没有一个工作表含有{schema.title}的表头（如{schema.header_hint}）。请使用官方模板填写，不要改动表头行。"
    )


def read_submission(path: Path, schema: Schema) -> RawSubmission:
    """Read one file; raises SubmissionError for anything that makes the whole file unusable."""
    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        raise SubmissionError(f"无法打开文件：{exc}") from exc
    if not head:
        raise SubmissionError("文件是空的（0 字节），请确认上传了填好的表格。")
    kind = _sniff_kind(head)
    try:
        raw = _read_workbook(path, schema) if kind in ("xlsx", "xls") else _read_csv(path.read_bytes(), schema)
    except (csv.Error, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
        # The parser quotes the offending line, which may hold an ID number: never pass it on.
        counts = re.search(r"Expected (\d+) columns, got (\d+)", str(exc))
        detail = f"有一行有 {counts[2]} 列，表头只有 {counts[1]} 列" if counts else "无法按 CSV 读取"
        raise SubmissionError(f"CSV 文件格式有误（{detail}，可能是单元格里有逗号）。请用 Excel 另存为 .xlsx 后重新提交。") from None
    if raw.missing_fields:
        names = "、".join(schema.by_field[f].header for f in raw.missing_fields)
        raise SubmissionError(f"缺少必需的列：{names}。请使用官方模板（chunnuan template {schema.kind}）填写，不要删除列。")
    raw.frame = _drop_blank_rows(raw.frame, schema)
    if raw.frame.empty:
        raise SubmissionError("文件中只有表头，没有数据行。")
    return raw
