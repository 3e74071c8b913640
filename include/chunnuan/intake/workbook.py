"""XLSX mechanics of the official templates a clerk downloads, fills and submits (`chunnuan template KIND OUT`).

A template is built from the same column list the reader and the gate use, so the headers, drop-down
values and rules the clerk sees are the ones the gate checks (every drop-down value passes it). Excel-side
validation is a convenience for the clerk only: the gate re-checks everything, because pasted
cells skip Excel validation and CSVs never had it.

What a form shows — its drop-down lists, Excel checks and 填表说明 prose — lives with its rules in its
kind module (`chunnuan.intake.kinds.<kind>.build_template`); this module only knows how to write a
header, the hidden 选项 sheet, a validation and the instructions sheet, and how to save the same bytes
for the same inputs.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import unicodedata
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from chunnuan.config.campaign import Campaign, DateRange
from chunnuan.intake.schema import INSTRUCTIONS_SHEET, OPTIONS_SHEET, Column

# Rows formatted ahead of the clerk: a large county reports a few thousand workers.
PREFORMATTED_ROWS = 5000
HEADER_ROW = 1
FIRST_DATA_ROW = HEADER_ROW + 1
LAST_DATA_ROW = HEADER_ROW + PREFORMATTED_ROWS


TEXT_FORMAT = "@"  # Excel keeps an 18-digit ID as typed instead of 4.50102E+17
DATE_FORMAT = "yyyy-mm-dd"
_CELL_FORMATS = {"text": TEXT_FORMAT, "date": DATE_FORMAT}  # Column.cell -> number format

# Fixed document timestamps: the same inputs give the same bytes (diffable, cacheable downloads).
FIXED_TIMESTAMP = dt.datetime(2024, 1, 1)
_ZIP_TIMESTAMP = FIXED_TIMESTAMP.timetuple()[:6]
_EXCEL_EPOCH = dt.date(1899, 12, 30)
# Without a window, a date check that only makes sure the clerk typed a date.
_ANY_DATE = (dt.date(2000, 1, 1), dt.date(2099, 12, 31))

_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_REQUIRED_FONT = Font(bold=True, color="C00000")
_OPTIONAL_FONT = Font(bold=True, color="000000")
_THIN = Side(style="thin", color="808080")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP_TOP = Alignment(wrap_text=True, vertical="top")


def write_template(kind: str, out: Path, campaign: Campaign | None = None) -> Path:
    """Write the template of `kind` (a name in intake.registry) to `out` (an .xlsx path) and return the path."""
    from chunnuan.intake import registry

    workbook = registry.module(kind).build_template(campaign)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(deterministic_bytes(workbook))
    return out


# --- the form sheet ------------------------------------------------------------------------------


def new_workbook(title: str, campaign: Campaign | None) -> Workbook:
    """An empty workbook whose document properties do not change between runs."""
    workbook = Workbook()
    props = workbook.properties
    props.title = f"{campaign.name} {title}" if campaign else title
    props.creator = props.lastModifiedBy = "chunnuan"
    props.created = props.modified = FIXED_TIMESTAMP
    return workbook


def write_header(sheet: Worksheet, columns: Sequence[Column]) -> None:
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(HEADER_ROW, index, column.header)
        cell.font = _REQUIRED_FONT if column.required else _OPTIONAL_FONT
        cell.fill = _HEADER_FILL
        cell.border = _BOX
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.comment = _header_note(column)
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    # Narrow columns wrap long headers ("是否需要点对点包车"): make room for the tallest one.
    lines = max(_lines_needed(column.header, column.width) for column in columns)
    sheet.row_dimensions[HEADER_ROW].height = 16 * lines + 6
    sheet.freeze_panes = sheet.cell(FIRST_DATA_ROW, 1)
    _print_setup(sheet)


def _print_setup(sheet: Worksheet) -> None:
    """Landscape, one page wide, header on every page: a printed copy stays readable."""
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _header_note(column: Column) -> Comment:
    lines = ["必填" if column.required else "选填"]
    if column.help:
        lines.append(column.help)
    if column.choices:
        lines.append("可填：" + " / ".join(column.choices))
    note = Comment("\n".join(lines), "填表说明")
    note.width, note.height = 240, 110
    return note


def format_data_cells(sheet: Worksheet, columns: Sequence[Column]) -> None:
    """Text and date formats (Column.cell) on the preformatted rows and on the whole column (rows added later)."""
    for index, column in enumerate(columns, start=1):
        number_format = _CELL_FORMATS.get(column.cell)
        if number_format is None:
            continue
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].number_format = number_format
        for row in range(FIRST_DATA_ROW, LAST_DATA_ROW + 1):
            sheet.cell(row, index).number_format = number_format


def data_range(column: Column, columns: Sequence[Column]) -> str:
    letter = get_column_letter(columns.index(column) + 1)
    return f"{letter}{FIRST_DATA_ROW}:{letter}{LAST_DATA_ROW}"


# --- drop-down sources on the hidden options sheet -----------------------------------------------


def write_options(sheet: Worksheet, lists: dict[str, tuple[str, list[str]]]) -> dict[str, str]:
    """Fill the hidden list sheet with field -> (title, values); returns field -> absolute range
    reference for list validations.

    Long lists live on a sheet because an inline Excel list is limited to 255 characters.
    Its titles are deliberately not submission headers, so the reader never mistakes it for data.
    """
    refs = {}
    for index, (field, (title, values)) in enumerate(lists.items(), start=1):
        letter = get_column_letter(index)
        sheet.cell(1, index, title).font = Font(bold=True)
        for row, value in enumerate(values, start=2):
            sheet.cell(row, index, value)
        sheet.column_dimensions[letter].width = 24
        refs[field] = f"{quote_sheetname(sheet.title)}!${letter}$2:${letter}${len(values) + 1}"
    sheet.sheet_state = "hidden"
    sheet.protection.sheet = True  # a clerk who unhides it should not edit the lists by accident
    return refs


# --- data validation ------------------------------------------------------------------------------


def choice_validation(column: Column) -> DataValidation:
    """The column's own choices as an inline drop-down."""
    return list_validation(column, '"' + ",".join(column.choices) + '"',
                           f"只能填 {' / '.join(column.choices)}，请从下拉列表中选择。")


def list_validation(column: Column, source: str, error: str, style: str = "stop") -> DataValidation:
    """A value from the list at `source`; style "warning" lets the clerk keep a value not in it."""
    validation = DataValidation(type="list", formula1=source, allow_blank=True)
    validation.errorStyle = style
    return explained(validation, column, error)


def whole_validation(column: Column, low: int, high: int, error: str | None = None) -> DataValidation:
    """A whole number from low to high (blank allowed)."""
    validation = DataValidation(type="whole", operator="between", formula1=str(low), formula2=str(high),
                                allow_blank=True)
    return explained(validation, column, error or f"应为 {low} 至 {high} 的整数。")


def date_validation(column: Column, style: str, window: DateRange | None = None,
                    window_name: str = "") -> DataValidation:
    """A date inside `window` (named window_name in the error box); without a window, any date."""
    if window is None:
        start, end = _ANY_DATE
        error = "请输入日期，如 2024-02-18。"
    else:
        start, end = window.start, window.end
        error = f"日期应在本次行动的{window_name}（{window.label()}）内，如 {start:%Y-%m-%d}。"
    validation = DataValidation(type="date", operator="between", formula1=str(_excel_serial(start)),
                                formula2=str(_excel_serial(end)), allow_blank=True)
    validation.errorStyle = style
    return explained(validation, column, error)


def explained(validation: DataValidation, column: Column, error: str) -> DataValidation:
    """Chinese error box when a wrong value is typed, and the column help as an input hint."""
    validation.showErrorMessage = True
    validation.errorTitle = f"「{column.header}」填写有误"[:32]  # Excel caps titles at 32 characters
    validation.error = error[:255]
    if column.help:
        validation.showInputMessage = True
        validation.promptTitle = column.header[:32]
        validation.prompt = column.help[:255]
    return validation


def _excel_serial(day: dt.date) -> int:
    return (day - _EXCEL_EPOCH).days


# --- the instructions sheet -----------------------------------------------------------------------

_INSTRUCTION_WIDTHS = {"A": 20, "B": 8, "C": 36, "D": 48}
_TEXT_WIDTH = sum(_INSTRUCTION_WIDTHS.values())


def contact_text(campaign: Campaign) -> str:
    contact = campaign.lead_contact
    parts = [contact.name]
    if contact.phone:
        parts.append(f"电话 {contact.phone}")
    if contact.email:
        parts.append(f"邮箱 {contact.email}")
    return "，".join(parts)


class InstructionWriter:
    """Appends titled, wrapped rows to the instructions sheet; row heights follow the text length."""

    def __init__(self, sheet: Worksheet) -> None:
        self.sheet = sheet
        self.row = 1

    @classmethod
    def on(cls, sheet: Worksheet) -> InstructionWriter:
        """A writer on a fresh instructions sheet, its columns sized for the text."""
        for letter, width in _INSTRUCTION_WIDTHS.items():
            sheet.column_dimensions[letter].width = width
        return cls(sheet)

    def title(self, text: str) -> None:
        self._merged(text, Font(bold=True, size=14), line_height=24)
        self.row += 1  # a blank line under the title

    def heading(self, text: str) -> None:
        self.row += 1
        self._merged(text, Font(bold=True, size=12), line_height=20)

    def paragraph(self, text: str) -> None:
        self._merged(text, Font(size=11), line_height=16)

    def table_row(self, cells: Sequence[str], bold: bool = False) -> None:
        lines = 1
        for letter, text in zip(_INSTRUCTION_WIDTHS, cells, strict=True):
            cell = self.sheet[f"{letter}{self.row}"]
            cell.value = text
            cell.font = Font(bold=bold, size=11)
            cell.border = _BOX
            cell.alignment = _WRAP_TOP
            if bold:
                cell.fill = _HEADER_FILL
            lines = max(lines, _lines_needed(text, _INSTRUCTION_WIDTHS[letter]))
        self.sheet.row_dimensions[self.row].height = 16 * lines
        self.row += 1

    def _merged(self, text: str, font: Font, line_height: int) -> None:
        cell = self.sheet.cell(self.row, 1, text)
        cell.font = font
        cell.alignment = _WRAP_TOP
        last = get_column_letter(len(_INSTRUCTION_WIDTHS))
        self.sheet.merge_cells(f"A{self.row}:{last}{self.row}")
        # Excel does not grow merged rows to fit wrapped text, so size them here.
        self.sheet.row_dimensions[self.row].height = line_height * _lines_needed(text, _TEXT_WIDTH)
        self.row += 1


def _lines_needed(text: str, width: float) -> int:
    """Wrapped line count for a column `width` characters wide; CJK characters take two."""
    units = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return max(1, math.ceil(units / max(width - 2, 1)))


def write_form_instructions(sheet: Worksheet, campaign: Campaign | None, form: str, period: str,
                            columns: Sequence[Column], allowed: Callable[[Column], str], heading: str,
                            rules: list[str]) -> None:
    """填表说明 of a one-sheet form: title, basis and contact, a line per column, the numbered rules."""
    writer = InstructionWriter.on(sheet)
    writer.title(f"{campaign.name}　{form}　填表说明" if campaign else f"{form}　填表说明")
    if campaign is not None:
        writer.paragraph(f"依据：{campaign.source.document}；{period}。")
        writer.paragraph(f"联系人：{contact_text(campaign)}")
    writer.heading("一、各列填写要求（表头为红色字的列为必填）")
    writer.table_row(("列名", "必填/选填", "可填的值", "填写说明"), bold=True)
    for column in columns:
        shown = " / ".join(column.choices) + "（下拉选择）" if column.choices else allowed(column)
        writer.table_row((column.header, "必填" if column.required else "选填", shown, column.help or "—"))
    writer.heading(heading)
    for number, rule in enumerate(rules, start=1):
        writer.paragraph(f"{number}. {rule}")
    sheet.sheet_view.showGridLines = False


# --- one-sheet forms ------------------------------------------------------------------------------


def form_workbook(title: str, sheet_name: str, columns: Sequence[Column], campaign: Campaign | None,
                  validation: Callable[[Column, dict[str, str]], DataValidation | None],
                  instructions: Callable[[Worksheet], None],
                  lists: dict[str, tuple[str, list[str]]] | None = None) -> Workbook:
    """A one-sheet form (fleet, training …): header, formats, Excel checks, the 填表说明 sheet, and the
    hidden 选项 sheet when drop-downs are too long to write inline."""
    workbook = new_workbook(title, campaign)
    sheet = workbook.active
    sheet.title = sheet_name
    write_header(sheet, columns)
    format_data_cells(sheet, columns)
    instructions(workbook.create_sheet(INSTRUCTIONS_SHEET))
    refs = write_options(workbook.create_sheet(OPTIONS_SHEET), lists) if lists else {}
    for column in columns:
        check = validation(column, refs)
        if check is not None:
            check.add(data_range(column, columns))
            sheet.add_data_validation(check)
    workbook.active = 0
    return workbook


def plain_validation(column: Column, refs: dict[str, str], windows: dict[str, tuple[DateRange | None, str]],
                     whole: dict[str, tuple[int, int]]) -> DataValidation | None:
    """The Excel check of a column of the simpler forms: a list, a date (in a window), or a whole number."""
    if column.choices:
        return choice_validation(column)
    if column.field in refs:
        return list_validation(column, refs[column.field], f"请从下拉列表中选择「{column.header}」。")
    if column.field in windows:
        window, name = windows[column.field]
        return date_validation(column, style="stop" if window else "warning", window=window, window_name=name)
    if column.field in whole:
        low, high = whole[column.field]
        return whole_validation(column, low, high)
    return None


def plain_form(form: str, sheet_name: str, columns: Sequence[Column], campaign: Campaign | None, period: str,
               lists: dict[str, tuple[str, list[str]]], windows: dict[str, tuple[DateRange | None, str]],
               whole: dict[str, tuple[int, int]], heading: str, rules: list[str]) -> Workbook:
    """A one-sheet form whose Excel checks are lists, dates and whole numbers, with its 填表说明."""
    return form_workbook(form, sheet_name, columns, campaign,
                         lambda column, refs: plain_validation(column, refs, windows, whole),
                         lambda sheet: write_form_instructions(
                             sheet, campaign, form, period, columns, lambda c: "下拉选择" if c.field in lists else "—",
                             heading, rules), lists)


# --- saving ---------------------------------------------------------------------------------------


class _FixedTimeZip(zipfile.ZipFile):
    """A zip whose entries all carry one timestamp, so identical workbooks give identical bytes."""

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):
        if isinstance(zinfo_or_arcname, str):
            info = zipfile.ZipInfo(zinfo_or_arcname, date_time=_ZIP_TIMESTAMP)
            info.compress_type = self.compression
            info.external_attr = 0o600 << 16
            zinfo_or_arcname = info
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):
        # openpyxl streams each worksheet through a temp file, which would carry its own mtime.
        self.writestr(arcname or Path(filename).name, Path(filename).read_bytes(), compress_type, compresslevel)


def deterministic_bytes(workbook: Workbook) -> bytes:
    # openpyxl's save_workbook() stamps "modified" with the current time; its writer does not.
    buffer = io.BytesIO()
    archive = _FixedTimeZip(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    ExcelWriter(workbook, archive).save()
    return buffer.getvalue()
