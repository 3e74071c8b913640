"""Official XLSX templates a county clerk downloads, fills and submits (`chunnuan template KIND OUT`).

A template is built from the same column list the reader and the gate use, so the headers, drop-down
values and rules the clerk sees are the ones the gate checks (every drop-down value passes it). Excel-side
validation is a convenience for the clerk only: the gate re-checks everything, because pasted
cells skip Excel validation and CSVs never had it.

`KINDS` is the registry: one entry per submission kind (survey 需求摸排表, fleet 运力报表, training 培训班报表).
"""

from __future__ import annotations

import datetime as dt
import io
import math
import unicodedata
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from chunnuan.config import divisions
from chunnuan.config.campaign import Campaign, DateRange
from chunnuan.intake.kinds.fair_results import COUNT_FIELDS as FAIR_COUNT_FIELDS
from chunnuan.intake.kinds.fair_results import FAIR_RESULTS, MAX_COUNT
from chunnuan.intake.kinds.fleet import FLEET, MAX_PER_DAY
from chunnuan.intake.kinds.openings import MAX_HEADCOUNT, MAX_WAGE, OPENINGS
from chunnuan.intake.kinds.progress import PROGRESS, figure_table
from chunnuan.intake.kinds.training import COUNT_FIELDS, MAX_PEOPLE, TRAINING
from chunnuan.intake.schema import COLUMNS, MAX_FLEX_DAYS, Column

# Rows formatted ahead of the clerk: a large county reports a few thousand workers.
PREFORMATTED_ROWS = 5000
HEADER_ROW = 1
FIRST_DATA_ROW = HEADER_ROW + 1
LAST_DATA_ROW = HEADER_ROW + PREFORMATTED_ROWS

SURVEY_SHEET = "需求摸排"
INSTRUCTIONS_SHEET = "填表说明"
OPTIONS_SHEET = "选项"

TEXT_FORMAT = "@"  # Excel keeps an 18-digit ID as typed instead of 4.50102E+17
DATE_FORMAT = "yyyy-mm-dd"
# Typed digits that Excel must not turn into numbers; dates that should be real date cells.
TEXT_FIELDS = ("id_number", "phone", "uscc", "contact_phone")
DATE_FIELDS = ("travel_date", "reported_on", "last_serious_incident", "date_from", "date_to", "start_date",
               "end_date", "closing_date", "fair_date", "as_of")

# Fixed document timestamps: the same inputs give the same bytes (diffable, cacheable downloads).
FIXED_TIMESTAMP = dt.datetime(2024, 1, 1)
_ZIP_TIMESTAMP = FIXED_TIMESTAMP.timetuple()[:6]
_EXCEL_EPOCH = dt.date(1899, 12, 30)
# Without a campaign, a date check that only makes sure the clerk typed a date.
_ANY_DATE = (dt.date(2000, 1, 1), dt.date(2099, 12, 31))

_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_REQUIRED_FONT = Font(bold=True, color="C00000")
_OPTIONAL_FONT = Font(bold=True, color="000000")
_THIN = Side(style="thin", color="808080")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP_TOP = Alignment(wrap_text=True, vertical="top")


@dataclass(frozen=True)
class TemplateKind:
    name: str
    title: str  # Chinese, as the clerk and the CLI help call it
    build: Callable[[Campaign | None], Workbook]


def write_template(kind: str, out: Path, campaign: Campaign | None = None) -> Path:
    """Write the template of `kind` to `out` (an .xlsx path) and return the path."""
    if kind not in KINDS:
        known = "、".join(f"{k}（{v.title}）" for k, v in KINDS.items())
        raise ValueError(f"没有模板种类 {kind!r}；可用的有：{known}")
    workbook = KINDS[kind].build(campaign)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(_deterministic_bytes(workbook))
    return out


# --- the survey template --------------------------------------------------------------------------


def build_survey_workbook(campaign: Campaign | None) -> Workbook:
    workbook = Workbook()
    _fix_properties(workbook, "农民工返乡返岗需求摸排表", campaign)
    survey = workbook.active
    survey.title = SURVEY_SHEET
    instructions = workbook.create_sheet(INSTRUCTIONS_SHEET)
    options = workbook.create_sheet(OPTIONS_SHEET)

    option_refs = _write_options(options, _survey_lists(campaign))
    _write_header(survey, COLUMNS)
    _format_data_cells(survey, COLUMNS)
    for column in COLUMNS:
        validation = _survey_validation(column, campaign, option_refs)
        if validation is not None:
            validation.add(_data_range(column))
            survey.add_data_validation(validation)
    _write_survey_instructions(instructions, campaign)
    workbook.active = 0
    return workbook


def _write_header(sheet: Worksheet, columns: Sequence[Column]) -> None:
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


def _format_data_cells(sheet: Worksheet, columns: Sequence[Column]) -> None:
    """Text and date formats on the preformatted rows and on the whole column (rows added later)."""
    for index, column in enumerate(columns, start=1):
        number_format = _number_format(column)
        if number_format is None:
            continue
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].number_format = number_format
        for row in range(FIRST_DATA_ROW, LAST_DATA_ROW + 1):
            sheet.cell(row, index).number_format = number_format


def _number_format(column: Column) -> str | None:
    if column.field in TEXT_FIELDS:
        return TEXT_FORMAT
    if column.field in DATE_FIELDS:
        return DATE_FORMAT
    return None


def _data_range(column: Column, columns: Sequence[Column] = COLUMNS) -> str:
    letter = get_column_letter(columns.index(column) + 1)
    return f"{letter}{FIRST_DATA_ROW}:{letter}{LAST_DATA_ROW}"


# --- drop-down sources on the hidden options sheet -----------------------------------------------


def county_labels(campaign: Campaign) -> list[str]:
    """The campaign province's counties as the clerk picks them ("贵港市平南县"), grouped by city."""
    province = divisions.province(campaign.province_code)
    return [province.county_label(code) for code in sorted(province.counties)]


def province_full_names() -> list[str]:
    """Full province names in GB/T 2260 order; short forms and pseudo-entries without a suffix left out."""
    found = {d.code: d.name for name, d in divisions.provinces_by_name().items()
             if name == d.name and divisions.short_name(name) != name}
    return [found[code] for code in sorted(found)]


def _survey_lists(campaign: Campaign | None) -> dict[str, tuple[str, list[str]]]:
    lists = {"work_province": ("务工地省份选项", province_full_names())}
    if campaign is not None:
        lists["home_county"] = ("户籍县选项", county_labels(campaign))
    return lists


def _write_options(sheet: Worksheet, lists: dict[str, tuple[str, list[str]]]) -> dict[str, str]:
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


def _survey_validation(
    column: Column, campaign: Campaign | None, option_refs: dict[str, str]
) -> DataValidation | None:
    """The Excel check for one survey column, or None where Excel cannot help (free text)."""
    if column.choices:
        return _list_validation(column, '"' + ",".join(column.choices) + '"',
                                f"只能填 {' / '.join(column.choices)}，请从下拉列表中选择。")
    if column.field == "home_county" and "home_county" in option_refs:
        province = divisions.province(campaign.province_code).name
        return _list_validation(column, option_refs["home_county"],
                                f"请从下拉列表中选择{province}的县(市、区)，格式如「{county_labels(campaign)[0]}」。")
    if column.field == "work_province":
        return _list_validation(column, option_refs["work_province"],
                                "请从下拉列表中选择省份全称，如「广东省」。")
    if column.field == "flex_days":
        validation = DataValidation(type="whole", operator="between", formula1="0",
                                    formula2=str(MAX_FLEX_DAYS), allow_blank=True)
        return _explained(validation, column, f"应为 0 至 {MAX_FLEX_DAYS} 的整数；空白按 0 天。")
    if column.field == "travel_date":
        return _date_validation(column, campaign, style="stop")
    if column.field == "reported_on":
        # The gate does not bound 填报日期, so Excel only warns instead of refusing.
        return _date_validation(column, campaign, style="warning")
    return None


def _list_validation(column: Column, source: str, error: str) -> DataValidation:
    validation = DataValidation(type="list", formula1=source, allow_blank=True)
    return _explained(validation, column, error)


def _date_validation(column: Column, campaign: Campaign | None, style: str, window: DateRange | None = None,
                     window_name: str = "出行时段") -> DataValidation:
    """A date inside `window` (default: the campaign's travel window; no campaign: any date)."""
    window = window or (campaign.travel_window if campaign is not None else None)
    if window is None:
        start, end = _ANY_DATE
        error = "请输入日期，如 2024-02-18。"
    else:
        start, end = window.start, window.end
        error = f"日期应在本次行动的{window_name}（{window.label()}）内，如 {start:%Y-%m-%d}。"
    validation = DataValidation(type="date", operator="between", formula1=str(_excel_serial(start)),
                                formula2=str(_excel_serial(end)), allow_blank=True)
    validation.errorStyle = style
    return _explained(validation, column, error)


def _explained(validation: DataValidation, column: Column, error: str) -> DataValidation:
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


def _write_survey_instructions(sheet: Worksheet, campaign: Campaign | None) -> None:
    for letter, width in _INSTRUCTION_WIDTHS.items():
        sheet.column_dimensions[letter].width = width
    writer = _InstructionWriter(sheet)
    writer.title(f"{campaign.name}　农民工返乡返岗需求摸排表　填表说明" if campaign
                 else "农民工返乡返岗需求摸排表　填表说明")
    for line in _campaign_lines(campaign):
        writer.paragraph(line)
    writer.heading("一、各列填写要求（表头为红色字的列为必填）")
    writer.table_row(("列名", "必填/选填", "可填的值", "填写说明"), bold=True)
    for column in COLUMNS:
        writer.table_row((column.header, "必填" if column.required else "选填",
                          _allowed_values(column, campaign), column.help or "—"))
    writer.heading("二、审核规则（系统入库时逐行检查，与 chunnuan check 自查结果一致）")
    for number, rule in enumerate(_rules(campaign), start=1):
        writer.paragraph(f"{number}. {rule}")
    writer.heading("三、提交方式")
    for number, step in enumerate(_submission_steps(campaign), start=1):
        writer.paragraph(f"{number}. {step}")
    sheet.sheet_view.showGridLines = False


def _campaign_lines(campaign: Campaign | None) -> list[str]:
    if campaign is None:
        return ["本表为通用模板。生成时指定行动（--campaign）可得到含本省县(市、区)下拉列表、出行时段和联系人的模板。"]
    return [
        f"依据：{campaign.source.document}（{campaign.source.issuer}印发）",
        f"行动时间：{campaign.window.label()}；摸排的计划出行日期须在 {campaign.travel_window.label()} 之间。",
        f"联系人：{_contact_text(campaign)}",
    ]


def _contact_text(campaign: Campaign) -> str:
    contact = campaign.lead_contact
    parts = [contact.name]
    if contact.phone:
        parts.append(f"电话 {contact.phone}")
    if contact.email:
        parts.append(f"邮箱 {contact.email}")
    return "，".join(parts)


def _allowed_values(column: Column, campaign: Campaign | None) -> str:
    if column.choices:
        return " / ".join(column.choices) + "（下拉选择）"
    if column.field == "home_county":
        if campaign is None:
            return "本省的县(市、区)，写明所属市，如「贵港市平南县」"
        labels = county_labels(campaign)
        return f"下拉选择{campaign.province}的县(市、区)（共 {len(labels)} 个），如「{labels[0]}」"
    return _FIXED_ALLOWED.get(column.field, "文字").format(
        window=campaign.travel_window.label() if campaign else "本次行动出行时段内", max_flex=MAX_FLEX_DAYS
    )


_FIXED_ALLOWED = {
    "id_number": "18位数字，末位可为X（单元格已设为文本格式）",
    "phone": "11位手机号码（单元格已设为文本格式）",
    "travel_date": "日期：{window}",
    "flex_days": "0至{max_flex}的整数，空白按0天",
    "work_province": "下拉选择省份全称，如「广东省」",
    "work_city": "所填省份内的市或县(区)，如「深圳市」",
    "reported_on": "日期，如 2024-01-25",
}


def _rules(campaign: Campaign | None) -> list[str]:
    window = f"本次行动的出行时段（{campaign.travel_window.label()}）" if campaign else "本次行动规定的出行时段"
    bad_share = f"{campaign.intake.max_bad_row_share:.0%}" if campaign else "规定比例"
    min_age = f"{campaign.intake.min_worker_age}周岁" if campaign else "规定的最低务工年龄"
    province = campaign.province if campaign else "本省"
    return [
        "每位务工人员填一行，不要合并单元格，不要在表头上方或数据中间插入标题、小计行；不要删除、改名或调换表头。",
        "身份证号须为18位，末位校验码须正确（末位X请大写），请与身份证原件逐位核对；"
        "该列已设为“文本”格式，请勿改为数字格式，否则末几位会丢失。",
        f"按身份证号计算须年满{min_age}。",
        "联系电话须为11位手机号码。",
        f"户籍县(市、区)须为{province}的县(市、区)，重名的县区须写明所属市。",
        "务工地省份写全称；务工地城市须在所填省份内（返岗填目的地，返乡填出发地）。",
        f"计划出行日期须在{window}内；日期请写成 2024-02-18 这样的格式。",
        "就业需求为「本地就业」或「外出务工」时须填写意向工种；需要技能培训时须填写培训意向工种。",
        "同一人（身份证号相同）重复填报的，以填报日期较晚的一行为准（同一天的以靠后的一行为准），其余行按重复合并。",
        "有问题的行单独退回（每行附原因），其余行正常入库；"
        f"有问题的行超过全部行数的{bad_share}，或多数行的户籍县不属于{province}时，整份文件退回，请修改后重新提交。",
    ]


def _submission_steps(campaign: Campaign | None) -> list[str]:
    check = f"chunnuan check 文件名.xlsx --campaign {campaign.id}" if campaign else "chunnuan check 文件名.xlsx --campaign 行动编号"
    contact = _contact_text(campaign) if campaign else "本级人力资源社会保障部门"
    return [
        f"在「{SURVEY_SHEET}」工作表第 {FIRST_DATA_ROW} 行起逐行填写（已预设 {PREFORMATTED_ROWS} 行格式，"
        "超出时可分多个文件提交），保存为 .xlsx 格式，文件名建议为「县(市、区)名_填报日期.xlsx」。",
        f"提交前可用 {check} 自查，结果与系统审核一致。",
        "按行动办要求报送文件；系统审核后将问题清单（第几行、哪一列、原因）反馈给填报单位，"
        "请按清单修改后重新提交（同一人以填报日期较晚的为准，不会重复统计）。",
        f"如有疑问请联系：{contact}。",
    ]


class _InstructionWriter:
    """Appends titled, wrapped rows to the instructions sheet; row heights follow the text length."""

    def __init__(self, sheet: Worksheet) -> None:
        self.sheet = sheet
        self.row = 1

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


# --- saving ---------------------------------------------------------------------------------------


def _fix_properties(workbook: Workbook, title: str, campaign: Campaign | None) -> None:
    props = workbook.properties
    props.title = f"{campaign.name} {title}" if campaign else title
    props.creator = props.lastModifiedBy = "chunnuan"
    props.created = props.modified = FIXED_TIMESTAMP


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


def _deterministic_bytes(workbook: Workbook) -> bytes:
    # openpyxl's save_workbook() stamps "modified" with the current time; its writer does not.
    buffer = io.BytesIO()
    archive = _FixedTimeZip(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    ExcelWriter(workbook, archive).save()
    return buffer.getvalue()


# --- the fleet template (运力报表, filled by transport companies) ------------------------------------

FLEET_SHEET = "运力报表"


def _form_workbook(title: str, sheet_name: str, columns: Sequence[Column], campaign: Campaign | None,
                   validation: Callable[[Column, dict[str, str]], DataValidation | None],
                   instructions: Callable[[Worksheet], None],
                   lists: dict[str, tuple[str, list[str]]] | None = None) -> Workbook:
    """A one-sheet form (fleet, training …): header, formats, Excel checks, the 填表说明 sheet, and the
    hidden 选项 sheet when drop-downs are too long to write inline."""
    workbook = Workbook()
    _fix_properties(workbook, title, campaign)
    sheet = workbook.active
    sheet.title = sheet_name
    _write_header(sheet, columns)
    _format_data_cells(sheet, columns)
    instructions(workbook.create_sheet(INSTRUCTIONS_SHEET))
    refs = _write_options(workbook.create_sheet(OPTIONS_SHEET), lists) if lists else {}
    for column in columns:
        check = validation(column, refs)
        if check is not None:
            check.add(_data_range(column, columns))
            sheet.add_data_validation(check)
    workbook.active = 0
    return workbook


def build_fleet_workbook(campaign: Campaign | None) -> Workbook:
    return _form_workbook("“点对点”包车运力报表", FLEET_SHEET, FLEET.columns, campaign,
                          lambda column, refs: _fleet_validation(column, campaign),
                          lambda sheet: _write_fleet_instructions(sheet, campaign))


def _fleet_validation(column: Column, campaign: Campaign | None) -> DataValidation | None:
    if column.choices:
        return _list_validation(column, '"' + ",".join(column.choices) + '"',
                                f"只能填 {' / '.join(column.choices)}，请从下拉列表中选择。")
    if column.field in ("date_from", "date_to"):
        return _date_validation(column, campaign, style="stop")
    if column.field == "last_serious_incident":
        return _date_validation(column, None, style="stop")
    if column.field == "per_day":
        validation = DataValidation(type="whole", operator="between", formula1="0", formula2=str(MAX_PER_DAY),
                                    allow_blank=True)
        return _explained(validation, column, f"应为 0 至 {MAX_PER_DAY} 的整数。")
    if column.field == "seats" and campaign is not None:
        classes = campaign.transport.vehicle_classes
        low, high = min(c.min_seats for c in classes), max(c.max_seats for c in classes)
        validation = DataValidation(type="whole", operator="between", formula1=str(low), formula2=str(high),
                                    allow_blank=True)
        return _explained(validation, column, f"本次行动使用的车型：{_vehicle_classes(campaign)}。")
    return None


def _vehicle_classes(campaign: Campaign) -> str:
    return "、".join(f"{c.name}（{c.min_seats}-{c.max_seats}座）" for c in campaign.transport.vehicle_classes)


def _write_form_instructions(sheet: Worksheet, campaign: Campaign | None, form: str, period: str,
                             columns: Sequence[Column], allowed: Callable[[Column], str], heading: str,
                             rules: list[str]) -> None:
    """填表说明 of a one-sheet form: title, basis and contact, a line per column, the numbered rules."""
    for letter, width in _INSTRUCTION_WIDTHS.items():
        sheet.column_dimensions[letter].width = width
    writer = _InstructionWriter(sheet)
    writer.title(f"{campaign.name}　{form}　填表说明" if campaign else f"{form}　填表说明")
    if campaign is not None:
        writer.paragraph(f"依据：{campaign.source.document}；{period}。")
        writer.paragraph(f"联系人：{_contact_text(campaign)}")
    writer.heading("一、各列填写要求（表头为红色字的列为必填）")
    writer.table_row(("列名", "必填/选填", "可填的值", "填写说明"), bold=True)
    for column in columns:
        shown = " / ".join(column.choices) + "（下拉选择）" if column.choices else allowed(column)
        writer.table_row((column.header, "必填" if column.required else "选填", shown, column.help or "—"))
    writer.heading(heading)
    for number, rule in enumerate(rules, start=1):
        writer.paragraph(f"{number}. {rule}")
    sheet.sheet_view.showGridLines = False


def _write_fleet_instructions(sheet: Worksheet, campaign: Campaign | None) -> None:
    rules = [
        "每个企业的每种座位数、每段日期填一行；同一企业各行的企业信息（名称、等级、事故日期、联系人、许可）须一致。",
        "统一社会信用代码须为18位且校验正确（与营业执照一致）。",
        "开始、结束日期之间的每一天，都可派出「每日可派车辆数」辆该座位数的车；不同日期车辆数不同时分行填写。",
        "同一企业再次报送时，以最新一份为准（原报送的全部行被替换）。",
    ]
    if campaign is not None:
        carriers = campaign.transport.carriers
        rules.append(f"行动只选用质量信誉等级不低于 {carriers.min_credit_grade}、近{carriers.no_serious_incident_years}年内"
                     "未发生较大及以上道路交通责任事故的企业；跨省线路只安排持省际包车许可的企业。")
    rules.append("任何车辆不超员：每车乘车人数不超过核定座位数。")
    _write_form_instructions(
        sheet, campaign, "“点对点”包车运力报表", f"包车服务时段 {campaign.travel_window.label()}" if campaign else "",
        FLEET.columns, lambda c: _vehicle_classes(campaign) if c.field == "seats" and campaign else "—",
        "二、审核与选用规则", rules)


# --- the training-class template --------------------------------------------------------------------

TRAINING_SHEET = "培训班报表"


def build_training_workbook(campaign: Campaign | None) -> Workbook:
    lists = None
    if campaign is not None:
        lists = {"county": ("县(市、区)选项", county_labels(campaign)),
                 "trade": ("工种选项", list(campaign.training.trades)),
                 "brand": ("劳务品牌选项", list(campaign.training.brands))}
    return _form_workbook("技能培训班报表", TRAINING_SHEET, TRAINING.columns, campaign,
                          lambda column, refs: _training_validation(column, campaign, refs),
                          lambda sheet: _write_training_instructions(sheet, campaign), lists)


def _training_validation(column: Column, campaign: Campaign | None, refs: dict[str, str]) -> DataValidation | None:
    if column.choices:
        return _list_validation(column, '"' + ",".join(column.choices) + '"',
                                f"只能填 {' / '.join(column.choices)}，请从下拉列表中选择。")
    if column.field in refs and (campaign is None or column.field != "brand" or campaign.training.brands):
        return _list_validation(column, refs[column.field], f"请从下拉列表中选择「{column.header}」。")
    if column.field in ("start_date", "end_date"):
        window = campaign.training.window if campaign is not None else None
        return _date_validation(column, campaign, style="stop", window=window, window_name="培训班核查时段")
    if column.field == "reported_on":
        return _date_validation(column, None, style="warning")
    if column.field in COUNT_FIELDS:
        low = 1 if column.field == "places" else 0
        validation = DataValidation(type="whole", operator="between", formula1=str(low),
                                    formula2=str(MAX_PEOPLE), allow_blank=True)
        return _explained(validation, column, f"应为 {low} 至 {MAX_PEOPLE} 的整数。")
    return None


def _write_training_instructions(sheet: Worksheet, campaign: Campaign | None) -> None:
    rules = [
        "每期培训班填一行；县(市、区)再次报送时，以最新一份为准（该县原报送的全部培训班被替换），请每次报送本县全部培训班。",
        "同一县内培训班名称不重名；同一班级在同一份表中重复出现时，以填报日期最新的一行为准。",
        "结业人数不超过报名人数，取证人数不超过结业人数，其中脱贫人口不超过报名人数。",
    ]
    if campaign is not None:
        t = campaign.training
        rules.append(f"报名人数可超出计划名额不超过 {t.enrolment_tolerance:.0%}；开班、结业日期应在 {t.window.label()} 内。")
        if "pre_dispatch_class" in t.rules:
            rules.append(f"每个县（市、区）至少开展 {t.min_pre_dispatch_classes_per_county} 期送工前技能培训班。")
        if "before_dispatch_peak" in t.rules:
            rules.append(f"送工前培训班须在本县送工高峰（返岗出行人数最多的一天）前至少 {t.lead_days} 天开班。")
        if "places_cover_demand" in t.rules:
            rules.append(f"各工种培训名额应覆盖需求摸排中本县务工人员的培训需求（本县不足 {t.min_trade_demand} 人的工种"
                         "可到市级或邻县培训班参训）；名额不足的工种会被列出并提醒。")
    lists = ("county", "trade", "brand") if campaign is not None else ()
    _write_form_instructions(
        sheet, campaign, "技能培训班报表", f"培训班核查时段 {campaign.training.window.label()}" if campaign else "",
        TRAINING.columns, lambda c: "下拉选择" if c.field in lists else "—", "二、审核与核查规则", rules)


# --- openings, fair results, service progress: drop-downs, dates and whole numbers ----------------------


def _plain_validation(column: Column, campaign: Campaign | None, refs: dict[str, str],
                      windows: dict[str, tuple[DateRange | None, str]],
                      whole: dict[str, tuple[int, int]]) -> DataValidation | None:
    """The Excel check of a column of the simpler forms: a list, a date (in a window), or a whole number."""
    if column.choices:
        return _list_validation(column, '"' + ",".join(column.choices) + '"',
                                f"只能填 {' / '.join(column.choices)}，请从下拉列表中选择。")
    if column.field in refs:
        return _list_validation(column, refs[column.field], f"请从下拉列表中选择「{column.header}」。")
    if column.field in windows:
        window, name = windows[column.field]
        return _date_validation(column, None, style="stop" if window else "warning", window=window, window_name=name)
    if column.field in whole:
        low, high = whole[column.field]
        validation = DataValidation(type="whole", operator="between", formula1=str(low), formula2=str(high),
                                    allow_blank=True)
        return _explained(validation, column, f"应为 {low} 至 {high} 的整数。")
    return None


def _plain_form(form: str, sheet_name: str, columns: Sequence[Column], campaign: Campaign | None, period: str,
                lists: dict[str, tuple[str, list[str]]], windows: dict[str, tuple[DateRange | None, str]],
                whole: dict[str, tuple[int, int]], heading: str, rules: list[str]) -> Workbook:
    """A one-sheet form whose Excel checks are lists, dates and whole numbers, with its 填表说明."""
    return _form_workbook(form, sheet_name, columns, campaign,
                          lambda column, refs: _plain_validation(column, campaign, refs, windows, whole),
                          lambda sheet: _write_form_instructions(
                              sheet, campaign, form, period, columns, lambda c: "下拉选择" if c.field in lists else "—",
                              heading, rules), lists)


def build_openings_workbook(campaign: Campaign | None) -> Workbook:
    lists = {"province": ("省份选项", province_full_names())}
    if campaign is not None:
        lists.update({"county": ("县(市、区)选项", county_labels(campaign)),
                      "trade": ("工种选项", list(campaign.training.trades))})
    window = campaign.job_fairs.window if campaign is not None else None
    windows = {"closing_date": (None, ""), "reported_on": (None, "")}
    whole = {"headcount": (1, MAX_HEADCOUNT), "wage_min": (1, MAX_WAGE), "wage_max": (1, MAX_WAGE)}
    rules = [
        "每家企业在每个工作地点、每个招聘工种填一行；同一企业再次报送时，以最新一份为准（原报送的全部岗位被替换）。",
        "统一社会信用代码须为18位且校验正确（与营业执照一致）。",
        "省内岗位的工作地点从下拉列表选择；省外岗位（劳务协作）先填「岗位所在省份」，再写该省的县(市、区)全称。",
        "月薪按元/月填写，上限不低于下限；招聘截止日期已过的岗位不再推荐。",
        "招聘工种与技能培训工种名称一致时，才能与农民工的意向工种对上；下拉列表之外的工种也可填写，但可能无人匹配。",
    ]
    if window is not None:
        rules.append(f"春风行动招聘会时段：{window.label()}。")
    return _plain_form("岗位信息归集表", "岗位信息", OPENINGS.columns, campaign,
                       f"春风行动招聘会时段 {window.label()}" if window else "", lists, windows, whole,
                       "二、审核与匹配规则", rules)


def build_fair_results_workbook(campaign: Campaign | None) -> Workbook:
    lists = {"county": ("县(市、区)选项", county_labels(campaign))} if campaign is not None else {}
    window = campaign.job_fairs.window if campaign is not None else None
    windows = {"fair_date": (window, "春风行动招聘会时段"), "reported_on": (None, "")}
    whole = dict.fromkeys(FAIR_COUNT_FIELDS, (0, MAX_COUNT))
    rules = [
        "每场招聘会填一行；县(市、区)再次报送时，以最新一份为准（该县原报送的全部行被替换），请每次报送本县已举办的全部招聘会。",
        "招聘会安排表中的招聘会请填写其编号（如 450821-01）；计划外加办的招聘会编号留空。",
        "提供岗位数不少于参会企业数；达成意向人数不超过进场人数；其中脱贫人口不超过对应总数。",
        "直播带岗、线上招聘会的「进场人数」填观看或登录人次。",
    ]
    return _plain_form("招聘会成效报表", "招聘会成效", FAIR_RESULTS.columns, campaign,
                       f"春风行动招聘会时段 {window.label()}" if window else "", lists, windows, whole,
                       "二、审核规则", rules)


def build_progress_workbook(campaign: Campaign | None) -> Workbook:
    lists = {}
    if campaign is not None:
        province = divisions.province(campaign.province_code)
        figures = figure_table(campaign)
        lists = {"area": ("地区选项", [province.name, *(c.name for c in province.cities.values()),
                                       *county_labels(campaign)]),
                 "item": ("服务项目选项", list(dict.fromkeys(figures["item_name"]))),
                 "figure": ("统计指标选项", list(dict.fromkeys(figures["figure_name"])))}
    windows = {"as_of": (campaign.window if campaign is not None else None, "行动时段"), "reported_on": (None, "")}
    rules = [
        "每个地区、每个服务项目、每个统计指标填一行，数值为截至日期的累计数。",
        "地区：县(市、区)填全称；市本级（不含所辖县区）填市名；省本级填省名。县区与市本级相加即全市，各市与省本级相加即全省。",
        "同一地区、同一服务项目、同一截至日期再次报送时，以最新一份为准（原报送的该项目各指标被替换）；以前各截至日期的数保留。",
        "人数、场次、件数为整数；金额以万元计，可带小数。",
    ]
    if campaign is not None:
        rules.append("各服务项目的统计指标：" + "；".join(
            f"{i.name}：{'、'.join(f'{f.name}（{f.unit}）' for f in i.figures)}" for i in campaign.service_items))
    return _plain_form("服务项目进展表", "服务项目进展", PROGRESS.columns, campaign,
                       f"行动时段 {campaign.window.label()}" if campaign else "", lists, windows, {},
                       "二、填报与审核规则", rules)


KINDS: dict[str, TemplateKind] = {
    "survey": TemplateKind("survey", "需求摸排表", build_survey_workbook),
    "fleet": TemplateKind("fleet", "运力报表", build_fleet_workbook),
    "training": TemplateKind("training", "培训班报表", build_training_workbook),
    "openings": TemplateKind("openings", "岗位信息归集表", build_openings_workbook),
    "fair_results": TemplateKind("fair_results", "招聘会成效报表", build_fair_results_workbook),
    "progress": TemplateKind("progress", "服务项目进展表", build_progress_workbook),
}
