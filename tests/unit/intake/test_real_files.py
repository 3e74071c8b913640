"""Files laid out as county offices really send them, one habit per file, each with the outcome a clerk
should get: office habits are not errors, nothing is lost silently, and what cannot be used says why."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from chunnuan.config import campaign
from chunnuan.intake import registry
from chunnuan.intake.gate import check_submission
from tests.support.kinds import headers, survey_row
from tests.support.rows import make_id

GX = campaign.load("guangxi-2024")
H = headers("survey")
ROWS = [survey_row(n) for n in range(1, 6)]


def check(path: Path):
    result = check_submission(path, GX, "pandas", kind=registry.gate_kind("survey"))
    assert result.conserved()
    return result


def book(path: Path, fill) -> Path:
    wb = openpyxl.Workbook()
    fill(wb)
    wb.save(path)
    return path


def rows_of(sheet, rows, first=None):
    for r in rows:
        sheet.append(([first(r)] if first else []) + [r[h] for h in H])


def csv_text(sep: str = ",", rows=ROWS, header=H) -> str:
    return "\n".join([sep.join(header), *(sep.join(r[h] for h in H) for r in rows)]) + "\n"


# --- office habits are not errors ----------------------------------------------------------------------


def test_title_unit_line_serial_column_total_row_and_signature_footer(tmp_path):
    def fill(wb):
        s = wb.active
        s.append(["2024年“春暖农民工”服务行动返乡返岗需求摸排表"])
        s.merge_cells("A1:T1")
        s.append(["填报单位（盖章）：平南县人力资源和社会保障局", None, None, None, "填报日期：2024年1月25日"])
        s.append(["序号", *H])
        for i, r in enumerate(ROWS, 1):
            s.append([i, *(r[h] for h in H)])
        s.append(["合计", None, None, None, "5 人"])
        s.append(["说明：本表由各乡镇汇总后报县人社局。"])
        s.append([])
        s.append(["填表人：韦某", None, "联系电话：0775-7822000", None, "审核人：覃某"])

    result = check(book(tmp_path / "平南县.xlsx", fill))
    assert (result.rows, len(result.valid), len(result.quarantined), result.error) == (5, 5, 0, None)
    assert any("第 9–12 行" in n and "不作为数据" in n for n in result.notes)


def test_the_problem_list_tells_the_clerk_what_was_not_read(tmp_path, monkeypatch):
    from chunnuan.intake.feedback import write_feedback

    monkeypatch.setenv("CHUNNUAN_HOME", str(tmp_path / "home"))
    path = tmp_path / "x.csv"
    path.write_text(csv_text() + "合计,5\n填表人：张三,,审核人：李四\n", encoding="utf-8")
    result = check(path)
    assert (result.rows, len(result.valid)) == (5, 5)

    sheet = openpyxl.load_workbook(write_feedback(GX.id, path.name, result)).active
    lines = [row[0] for row in sheet.iter_rows(values_only=True)]
    assert "说明：第 7–8 行是合计、说明或签名栏，不作为数据" in lines


def test_a_worker_row_left_incomplete_at_the_bottom_is_a_row_not_a_footer(tmp_path):
    rows = [*ROWS, {**survey_row(6), "计划出行日期": "", "联系电话": ""}]

    result = check(book(tmp_path / "x.xlsx", lambda wb: (wb.active.append(H), rows_of(wb.active, rows))))

    assert (result.rows, len(result.valid), len(result.quarantined)) == (6, 5, 1)
    assert set(result.problems["row"]) == {7}


def test_unit_and_date_merged_down_take_the_merged_value(tmp_path):
    def fill(wb):
        s = wb.active
        s.append(H)
        for i, r in enumerate(ROWS):
            s.append([r[h] if i == 0 or h not in ("填报单位", "填报日期") else None for h in H])
        for h in ("填报单位", "填报日期"):
            letter = get_column_letter(H.index(h) + 1)
            s.merge_cells(f"{letter}2:{letter}6")

    result = check(book(tmp_path / "x.xlsx", fill))
    assert len(result.valid) == 5
    assert set(result.valid["reporting_unit"]) == {ROWS[0]["填报单位"]}


def test_a_formula_without_a_saved_result_gets_its_own_reason(tmp_path):
    def fill(wb):
        s = wb.active
        s.append(H)
        rows_of(s, ROWS)
        s.cell(row=3, column=H.index("计划出行日期") + 1, value="=DATE(2024,2,18)")  # openpyxl saves no result

    result = check(book(tmp_path / "x.xlsx", fill))
    assert (len(result.valid), len(result.quarantined)) == (4, 1)
    [problem] = result.problems.to_dict("records")
    assert problem["row"] == 3 and problem["column"] == "计划出行日期"
    assert "公式没有计算结果，请在 Excel 中打开后保存" in problem["reason"]


def test_summary_sheet_first_hidden_sheet_skipped_and_data_on_two_sheets(tmp_path):
    stale = survey_row(9)

    def fill(wb):
        summary = wb.active
        summary.title = "汇总"
        summary.append(["县(市、区)", "人数"])
        summary.append(["平南县", 5])
        hidden = wb.create_sheet("上周")
        hidden.sheet_state = "hidden"
        hidden.append(H)
        rows_of(hidden, [stale])
        for name, part in (("返乡", ROWS[:2]), ("返岗", ROWS[2:])):
            s = wb.create_sheet(name)
            s.append(H)
            rows_of(s, part)
        wb["返岗"]["B3"] = "123"  # 返岗!3: a bad ID

    result = check(book(tmp_path / "x.xlsx", fill))
    assert (result.rows, len(result.valid), len(result.quarantined)) == (5, 4, 1)
    assert stale["身份证号"] not in set(result.valid["id_number"])
    assert list(result.problems["row"]) == ["返岗!3"]
    notes = " ".join(result.notes)
    assert "返乡、返岗" in notes and "隐藏的工作表未读取：上周" in notes and "汇总" in notes


def test_the_official_template_filled_in_has_no_notes(tmp_path):
    """Its instructions and hidden drop-down sheets are the template's own: nothing to tell the clerk."""
    from chunnuan.intake.workbook import write_template

    path = write_template("survey", tmp_path / "模板.xlsx", GX)
    wb = openpyxl.load_workbook(path)
    for i, r in enumerate(ROWS, start=2):
        for j, h in enumerate(H, start=1):
            wb.worksheets[0].cell(row=i, column=j, value=r[h])
    wb.save(path)

    result = check(path)
    assert (len(result.valid), result.notes) == (5, [])


def test_sheets_that_disagree_send_the_file_back_naming_the_sheet(tmp_path):
    def fill(wb):
        first = wb.active
        first.title = "返乡"
        first.append(H)
        rows_of(first, ROWS[:2])
        second = wb.create_sheet("返岗")
        short = [h for h in H if h != "出行类型"]
        second.append(short)
        for r in ROWS[2:]:
            second.append([r[h] for h in short])

    result = check(book(tmp_path / "x.xlsx", fill))
    assert "工作表「返岗」缺少必需的列：出行类型" in result.error


def test_only_hidden_sheets_hold_the_data(tmp_path):
    def fill(wb):
        wb.active.append(["说明"])
        hidden = wb.create_sheet("数据")
        hidden.sheet_state = "hidden"
        hidden.append(H)
        rows_of(hidden, ROWS)

    result = check(book(tmp_path / "x.xlsx", fill))
    assert "隐藏的工作表（数据）" in result.error and "取消隐藏" in result.error


def test_optional_column_absent_line_break_in_header_and_a_repeated_header(tmp_path):
    def fill(wb):
        s = wb.active
        kept = [h for h in H if h != "乡镇(街道)"]
        s.append([h.replace("计划出行日期", "计划出行\n日期") for h in kept] + ["联系电话"])
        for r in ROWS:  # the first 联系电话 column left blank, the copy at the end filled
            s.append([r[h] if h != "联系电话" else None for h in kept] + [r["联系电话"]])

    result = check(book(tmp_path / "x.xlsx", fill))
    assert (len(result.valid), result.error) == (5, None)
    assert result.valid["phone"].notna().all()


def test_an_xlsx_saved_under_an_xls_name_is_read(tmp_path):
    path = book(tmp_path / "x.xlsx", lambda wb: (wb.active.append(H), rows_of(wb.active, ROWS)))
    renamed = path.rename(tmp_path / "平南县.xls")
    assert len(check(renamed).valid) == 5


def test_a_web_systems_excel_export_that_is_an_html_table(tmp_path):
    """Many government systems' "导出 Excel" write an HTML table named .xls (GBK, a title row, numbers as text)."""
    cells = "".join(f"<td>{h}</td>" for h in H)
    body = "".join("<tr>" + "".join(f"<td>{r[h]}</td>" for h in H) + "</tr>" for r in ROWS)
    page = (f"<html><head><meta charset='gbk'></head><body><table><tr><td colspan='19'>需求摸排表</td></tr>"
            f"<tr>{cells}</tr>{body}</table></body></html>")
    path = tmp_path / "导出.xls"
    path.write_bytes(page.encode("gbk"))

    result = check(path)
    assert (result.rows, len(result.valid), result.error) == (5, 5, None)
    assert set(result.valid["id_number"]) == {r["身份证号"] for r in ROWS}


@pytest.mark.parametrize("encoding, sep", [
    ("utf-8-sig", ","), ("gbk", ","), ("gb18030", ";"), ("utf-16", "\t"), ("utf-8", "，"), ("utf-16-le", "\t"),
], ids=["utf8-bom", "gbk", "gb18030-semicolon", "unicode-text", "fullwidth-comma", "utf16-no-bom"])
def test_encodings_and_separators(tmp_path, encoding, sep):
    path = tmp_path / "x.csv"
    path.write_bytes(csv_text(sep).encode(encoding))
    result = check(path)
    assert (result.rows, len(result.valid), result.error) == (5, 5, None)


def test_double_bom_stray_nul_and_a_blank_line_of_commas(tmp_path):
    text = csv_text()
    lines = text.split("\n")
    lines.insert(3, ",,,,")  # a blank line Excel left, with a few separators: still row 4
    lines[5] = lines[5].replace(ROWS[3]["联系电话"], "12345")  # the fourth worker, on row 6
    path = tmp_path / "x.csv"
    path.write_bytes(b"\xef\xbb\xbf\xef\xbb\xbf" + "\n".join(lines).encode() + b"\x00")

    result = check(path)
    assert (result.rows, len(result.valid), len(result.quarantined)) == (5, 4, 1)
    assert list(result.problems["row"]) == [6]


def test_a_line_break_inside_a_quoted_header_keeps_row_numbers(tmp_path):
    header = ",".join(f'"{h}"' if h != "联系电话" else '"联系\n电话"' for h in H)
    rows = [*ROWS[:2], {**ROWS[2], "联系电话": "12345"}, *ROWS[3:]]
    path = tmp_path / "x.csv"
    path.write_text(header + "\n" + csv_text(rows=rows).split("\n", 1)[1], encoding="utf-8")

    result = check(path)
    assert list(result.problems["row"]) == [4]  # the third worker: Excel shows the header as one row


def test_invisible_characters_do_not_make_a_right_county_wrong(tmp_path):
    rows = [{**r, "户籍县(市、区)": "贵港市平南县\u200b"} for r in ROWS]
    rows[0]["用人单位"] = "\ufeff深圳市某电子厂"
    path = tmp_path / "x.csv"
    path.write_text(csv_text(rows=rows), encoding="utf-8")
    result = check(path)
    assert (len(result.valid), len(result.quarantined)) == (5, 0)


# --- Excel's damage to ID numbers -----------------------------------------------------------------------


def _rounded_id_that_holds() -> str:
    """A real-looking ID ending in 000 whose check digit holds: what Excel's rounding can also produce."""
    found = next(i for i in (make_id("450821", "19900101", n * 100) for n in range(1, 10)) if i.endswith("000"))
    return found


def _holds(id_number: str) -> bool:
    return make_id(id_number[:6], id_number[6:14], int(id_number[14:17])) == id_number


def test_scientific_notation_gets_the_excel_reason(tmp_path):
    rows = [*ROWS[:4], {**ROWS[4], "身份证号": "4.50821E+17"}]
    path = tmp_path / "x.csv"
    path.write_text(csv_text(rows=rows), encoding="utf-8")
    [reason] = check(path).problems["reason"]
    assert "身份证号被 Excel 存成了数字" in reason


def test_a_column_excel_rounded_gets_the_excel_reason_even_where_the_check_digit_holds(tmp_path):
    """Excel rounds a whole column: most IDs fail their check digit, and one that holds by chance (about
    one in eleven) is caught with them, every one with the Excel reason rather than 校验位不对."""
    rows = [{**r, "身份证号": r["身份证号"][:15] + "000"} for r in ROWS[:4]]
    rows.append({**ROWS[4], "身份证号": _rounded_id_that_holds()})
    assert not any(_holds(r["身份证号"]) for r in rows[:4]) and _holds(rows[4]["身份证号"])
    path = tmp_path / "x.csv"
    path.write_text(csv_text(rows=rows), encoding="utf-8")

    result = check(path)
    assert list(result.problems["row"]) == [2, 3, 4, 5, 6]
    assert all("身份证号被 Excel 存成了数字" in r for r in result.problems["reason"])


def test_a_real_id_ending_in_000_alone_in_its_file_is_loaded(tmp_path):
    rows = [*ROWS[:4], {**ROWS[4], "身份证号": _rounded_id_that_holds()}]
    path = tmp_path / "x.csv"
    path.write_text(csv_text(rows=rows), encoding="utf-8")
    assert len(check(path).valid) == 5


# --- what cannot be used says why, briefly, without personal data ---------------------------------------


def test_a_huge_cell_gives_a_short_reason(tmp_path):
    rows = [*ROWS[:4], {**ROWS[4], "出行类型": "返" * 100_000}]
    path = tmp_path / "x.csv"
    path.write_text(csv_text(rows=rows), encoding="utf-8")
    result = check(path)
    [problem] = result.problems.to_dict("records")
    assert len(problem["reason"]) < 200 and len(problem["value"]) <= 41


def test_invisible_characters_are_named_in_what_the_clerk_reads(tmp_path):
    rows = [*ROWS[:4], {**ROWS[4], "出行类型": "返岗\u200b2"}]
    path = tmp_path / "x.csv"
    path.write_text(csv_text(rows=rows), encoding="utf-8")
    [problem] = check(path).problems.to_dict("records")
    assert problem["value"] == "返岗[不可见字符]2"


def test_a_damaged_workbook_with_an_intact_zip_is_a_result_not_a_crash(tmp_path):
    path = book(tmp_path / "x.xlsx", lambda wb: (wb.active.append(H), rows_of(wb.active, ROWS)))
    parts = {}
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            parts[name] = z.read(name)
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"][:300]  # cut mid-sheet
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)

    result = check(path)
    assert result.error and "损坏" in result.error and not result.internal


@pytest.mark.parametrize("data, words", [
    (b"%PDF-1.7\n%\xe2\xe3", "PDF 文件"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "图片"),
    (b"", "文件是空的"),
])
def test_files_that_are_not_tables_say_what_they_are(tmp_path, data, words):
    path = tmp_path / "x.xlsx"
    path.write_bytes(data)
    assert words in check(path).error


def test_a_word_document_named_xlsx(tmp_path):
    path = tmp_path / "x.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
    assert "Word 文档" in check(path).error


def test_header_only_says_what_to_do(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text(",".join(H) + "\n", encoding="utf-8")
    assert "请在表头下方逐行填写" in check(path).error


def test_a_program_failure_on_one_file_costs_the_others_nothing(tmp_path, monkeypatch):
    from chunnuan.intake import gate

    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_text(csv_text(), encoding="utf-8")
    bad.write_text(csv_text(rows=[{**r, "姓名": "触发"} for r in ROWS]), encoding="utf-8")
    kind = registry.gate_kind("survey")

    def prepare(raw, the_campaign):
        if (raw["name"] == "触发").any():
            raise RuntimeError("a bug")
        return kind.prepare(raw, the_campaign)

    from dataclasses import replace

    broken = replace(kind, prepare=prepare)
    first, second = gate.check_submissions([good, bad], GX, "pandas", kind=broken)
    assert (len(first.valid), first.error) == (5, None)
    assert second.internal and "程序出错" in second.error and second.valid is None
