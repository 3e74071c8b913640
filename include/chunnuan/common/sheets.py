"""Plain XLSX sheets for the files the workflows publish (manifests, compliance tables, schedules, reports)."""

from __future__ import annotations

import re

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font


def write_sheet(book: Workbook, title: str, frame: pd.DataFrame, headers: dict[str, str]) -> None:
    """A sheet of `frame`'s columns in `headers` order under their Chinese headers (bold, frozen); blanks for NaN."""
    sheet = book.create_sheet(title)
    sheet.append(list(headers.values()))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in frame[list(headers)].itertuples(index=False):
        sheet.append(["" if pd.isna(v) else v for v in row])
    sheet.freeze_panes = "A2"


def safe_file_name(name: str) -> str:
    """A name usable in a file name on Windows and Linux: 广西_某某运输有限公司 stays, / : * ? and spaces go."""
    return re.sub(r'[\\/:*?"<>|\s]+', "_", name)
