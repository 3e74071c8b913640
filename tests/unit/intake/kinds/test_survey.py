"""The demand survey: its official template (what the clerk sees), and that a filled copy passes the real gate."""

from __future__ import annotations

import datetime as dt
from itertools import cycle
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import range_to_tuple
from stdnum.cn import ric

from chunnuan.config import campaign as campaigns
from chunnuan.config import divisions
from chunnuan.intake import gate
from chunnuan.intake.kinds import survey
from chunnuan.intake.kinds.survey import COLUMNS, MAX_FLEX_DAYS
from chunnuan.intake.kinds.survey import SHEET as SURVEY_SHEET
from chunnuan.intake.workbook import (
    FIRST_DATA_ROW,
    INSTRUCTIONS_SHEET,
    LAST_DATA_ROW,
    OPTIONS_SHEET,
    write_template,
)

HEADERS = [c.header for c in COLUMNS]
CHOICE_COLUMNS = [c for c in COLUMNS if c.choices]
COUNTY_COUNTS = {"guangxi-2024": 111, "shandong-2024": 136}


# --- fixtures and helpers ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def guangxi():
    return campaigns.load("guangxi-2024")


@pytest.fixture(scope="module", params=sorted(COUNTY_COUNTS))
def any_campaign(request):
    return campaigns.load(request.param)


@pytest.fixture(scope="module")
def campaign_template(tmp_path_factory, any_campaign) -> Path:
    return write_template("survey", tmp_path_factory.mktemp(any_campaign.id) / "survey.xlsx", any_campaign)


@pytest.fixture(scope="module")
def template_path(tmp_path_factory, guangxi) -> Path:
    return write_template("survey", tmp_path_factory.mktemp("template") / "survey.xlsx", guangxi)


@pytest.fixture(scope="module")
def book(template_path):
    return openpyxl.load_workbook(template_path)


@pytest.fixture(scope="module")
def generic_book(tmp_path_factory):
    return openpyxl.load_workbook(write_template("survey", tmp_path_factory.mktemp("generic") / "survey.xlsx"))


def check_submission(path, campaign):
    return gate.check_submission(path, campaign, engine="pandas", kind=survey.KIND)


def letter_of(header: str) -> str:
    return get_column_letter(HEADERS.index(header) + 1)


def validation_for(book, header: str):
    """The data validation covering the first data cell of a column, or None."""
    cell = f"{letter_of(header)}{FIRST_DATA_ROW}"
    found = [dv for dv in book[SURVEY_SHEET].data_validations.dataValidation if cell in dv.sqref]
    assert len(found) <= 1, f"{header}: {len(found)} validations overlap"
    return found[0] if found else None


def list_values(book, validation) -> list[str]:
    """The values a list validation offers: inline ("a,b") or from a range on another sheet."""
    source = validation.formula1
    if source.startswith('"'):
        return source.strip('"').split(",")
    sheet, (min_col, min_row, max_col, max_row) = range_to_tuple(source)
    rows = book[sheet].iter_rows(min_row=min_row, max_row=max_row, min_col=min_col, max_col=max_col,
                                 values_only=True)
    return [value for (value,) in rows]


def excel_serial(day: dt.date) -> int:
    return (day - dt.date(1899, 12, 30)).days


def id_number(prefix17: str) -> str:
    # stdnum's calc_check_digit ignores the last character it is given, so pass a placeholder.
    return prefix17 + ric.calc_check_digit(prefix17 + "0")


def worker(n: int, county_label: str, county_code: str, campaign, **overrides) -> dict:
    """One valid survey row, keyed by field; the travel date is a real date inside the window."""
    window = campaign.travel_window
    row = {
        "name": f"测试{n}",
        "id_number": id_number(f"{county_code}19900101{n % 1000:03d}"),
        "phone": f"138{n:08d}",
        "home_county": county_label,
        "priority_groups": ("否", *campaign.priority_groups)[n % (len(campaign.priority_groups) + 1)],
        "trip_type": ("返乡", "返岗")[n % 2],
        "travel_date": window.start + dt.timedelta(days=n % ((window.end - window.start).days + 1)),
        "flex_days": n % (MAX_FLEX_DAYS + 1),
        "work_province": "广东省",
        "work_city": "深圳市",
        "needs_charter": "是",
        "job_need": "外出务工",
        "desired_trade": "电子装配",
        "needs_training": "否",
        "reporting_unit": "县人力资源和社会保障局",
        "reported_on": window.start,
    }
    return row | overrides


def fill(template: Path, rows: list[dict], out: Path) -> Path:
    """What a clerk does: type rows under the header of the downloaded template and save."""
    book = openpyxl.load_workbook(template)
    sheet = book[SURVEY_SHEET]
    for row_no, row in enumerate(rows, start=FIRST_DATA_ROW):
        for col_no, column in enumerate(COLUMNS, start=1):
            if column.field in row:
                sheet.cell(row_no, col_no, row[column.field])
    book.save(out)
    return out


def county_rows(campaign, count: int | None = None) -> list[dict]:
    province = divisions.province(campaign.province_code)
    codes = sorted(province.counties)[:count]
    return [worker(n, province.county_label(code), code, campaign) for n, code in enumerate(codes, start=1)]


# --- the workbook -----------------------------------------------------------------------------------


def test_sheets_in_order_with_the_list_sheet_hidden(book):
    assert book.sheetnames == [SURVEY_SHEET, INSTRUCTIONS_SHEET, OPTIONS_SHEET]
    assert book.active.title == SURVEY_SHEET
    assert book[OPTIONS_SHEET].sheet_state == "hidden"


def test_header_row_is_the_schema_headers(book):
    header = [cell.value for cell in book[SURVEY_SHEET][1]]
    assert header == HEADERS


def test_required_columns_are_marked_by_style_not_text(book):
    cells = dict(zip(HEADERS, book[SURVEY_SHEET][1], strict=True))
    required = {cells[c.header].font.color.rgb for c in COLUMNS if c.required}
    optional = {cells[c.header].font.color.rgb for c in COLUMNS if not c.required}
    assert len(required) == 1 and len(optional) == 1 and required != optional
    assert all(cell.font.bold for cell in cells.values())


def test_header_notes_carry_the_help(book):
    cells = dict(zip(HEADERS, book[SURVEY_SHEET][1], strict=True))
    for column in COLUMNS:
        note = cells[column.header].comment
        assert note is not None, column.header
        assert (column.help or ("必填" if column.required else "选填")) in note.text


def test_layout_frozen_header_and_widths(book):
    sheet = book[SURVEY_SHEET]
    assert sheet.freeze_panes == f"A{FIRST_DATA_ROW}"
    for column in COLUMNS:
        assert sheet.column_dimensions[letter_of(column.header)].width == column.width


@pytest.mark.parametrize("column", CHOICE_COLUMNS, ids=lambda c: c.field)
def test_choice_columns_have_dropdowns(book, column):
    validation = validation_for(book, column.header)
    assert validation is not None and validation.type == "list"
    assert list_values(book, validation) == list(column.choices)
    assert validation.showErrorMessage and "只能填" in validation.error
    assert f"{letter_of(column.header)}{LAST_DATA_ROW}" in validation.sqref


def test_county_dropdown_lists_every_county_of_the_province(campaign_template, any_campaign):
    book = openpyxl.load_workbook(campaign_template)
    validation = validation_for(book, "户籍县(市、区)")
    labels = list_values(book, validation)
    province = divisions.province(any_campaign.province_code)
    assert len(labels) == len(set(labels)) == COUNTY_COUNTS[any_campaign.id]
    assert {province.county_names[label] for label in labels} == set(province.counties)
    assert validation.showErrorMessage and province.name in validation.error


def test_work_province_dropdown_has_full_names_only(book):
    names = list_values(book, validation_for(book, "务工地省份"))
    assert len(names) == 34 and "广东省" in names and "广西壮族自治区" in names
    assert "广东" not in names and "苏鲁交界" not in names


def test_flex_days_whole_number_up_to_the_limit(book):
    validation = validation_for(book, "可提前或推迟天数")
    assert (validation.type, validation.operator) == ("whole", "between")
    assert (validation.formula1, validation.formula2) == ("0", str(MAX_FLEX_DAYS))


@pytest.mark.parametrize("header", ["计划出行日期", "填报日期"])
def test_date_columns_are_dates_inside_the_travel_window(book, guangxi, header):
    sheet = book[SURVEY_SHEET]
    letter = letter_of(header)
    assert sheet[f"{letter}{FIRST_DATA_ROW}"].number_format == "yyyy-mm-dd"
    validation = validation_for(book, header)
    assert (validation.type, validation.operator) == ("date", "between")
    window = guangxi.travel_window
    assert (int(validation.formula1), int(validation.formula2)) == (excel_serial(window.start),
                                                                    excel_serial(window.end))


@pytest.mark.parametrize("header", ["身份证号", "联系电话"])
def test_id_and_phone_cells_are_text(book, header):
    sheet = book[SURVEY_SHEET]
    letter = letter_of(header)
    for row in (FIRST_DATA_ROW, LAST_DATA_ROW):
        assert sheet[f"{letter}{row}"].number_format == "@"
    assert sheet.column_dimensions[letter].number_format == "@"  # rows typed past the preformatted block


def test_instructions_name_the_campaign_rules_and_contact(book, guangxi):
    text = "\n".join(str(v) for row in book[INSTRUCTIONS_SHEET].iter_rows(values_only=True) for v in row if v)
    for expected in ("桂农工办发〔2024〕1号", guangxi.lead_contact.name, guangxi.lead_contact.phone,
                     guangxi.travel_window.label(), "20%", "校验", "填报日期较晚", "--campaign guangxi-2024"):
        assert expected in text, expected
    for column in COLUMNS:
        assert column.header in text


def test_without_campaign_the_template_is_generic(generic_book):
    text = "\n".join(str(v) for row in generic_book[INSTRUCTIONS_SHEET].iter_rows(values_only=True)
                     for v in row if v)
    assert "〔2024〕" not in text and "出行时段" in text
    assert validation_for(generic_book, "户籍县(市、区)") is None  # no province, no county list
    assert validation_for(generic_book, "出行类型") is not None
    assert generic_book[SURVEY_SHEET][f"B{LAST_DATA_ROW}"].number_format == "@"


def test_same_inputs_give_the_same_bytes(tmp_path, guangxi):
    first = write_template("survey", tmp_path / "a.xlsx", guangxi).read_bytes()
    second = write_template("survey", tmp_path / "b.xlsx", guangxi).read_bytes()
    assert first == second


def test_unknown_kind_names_the_available_kinds(tmp_path):
    assert callable(survey.build_template)
    for typo in ("fleet-typo", "surveys", "__init__", "../survey"):
        with pytest.raises(ValueError, match=r"survey（需求摸排表）.*training（培训班报表）"):
            write_template(typo, tmp_path / "x.xlsx")


# --- round trip through the real gate ------------------------------------------------------------


def test_every_dropdown_county_passes_the_gate(tmp_path, campaign_template, any_campaign):
    """A row per county picked from the drop-down; the 5000 preformatted blank rows are not rows."""
    rows = county_rows(any_campaign)
    book = openpyxl.load_workbook(campaign_template)
    provinces = cycle(list_values(book, validation_for(book, "务工地省份")))
    for row in rows:  # every work province of the drop-down, each with one of its own cities
        row["work_province"] = next(provinces)
        row["work_city"] = min(divisions.place_names(divisions.provinces_by_name()[row["work_province"]].code))
    filled = fill(campaign_template, rows, tmp_path / "filled.xlsx")
    assert openpyxl.load_workbook(filled)[SURVEY_SHEET].max_row == LAST_DATA_ROW

    result = check_submission(filled, any_campaign)

    assert result.error is None
    assert result.summary()["problems"] == []
    assert result.counts == {"rows": len(rows), "valid": len(rows), "quarantined": 0, "duplicates": 0}
    assert sorted(result.valid["home_county_code"]) == sorted(divisions.province(any_campaign.province_code).counties)


def test_a_wrong_choice_is_quarantined_with_its_row(tmp_path, guangxi, template_path):
    rows = county_rows(guangxi, count=5)
    rows.append(rows[0] | {"id_number": id_number("45010219850505001"), "trip_type": "回家"})
    filled = fill(template_path, rows, tmp_path / "filled.xlsx")

    result = check_submission(filled, guangxi)

    assert result.error is None
    assert result.counts == {"rows": 6, "valid": 5, "quarantined": 1, "duplicates": 0}
    problem = result.problems.iloc[0]
    assert (len(result.problems), problem["row"], problem["code"], problem["column"]) == (
        1, FIRST_DATA_ROW + 5, "choice_invalid", "出行类型")
    assert "回家" in problem["reason"]


def test_an_unfilled_template_is_reported_as_having_no_rows(template_path, guangxi):
    result = check_submission(template_path, guangxi)
    assert result.error is not None and "没有数据行" in result.error
