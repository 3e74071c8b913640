"""`chunnuan check`: what a clerk sees before sending a file (same rules as the gate)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from openpyxl import Workbook

from chunnuan.cli import main
from tests.support.rows import make_id, valid_row, write_csv


def run_check(capsys, path, *extra):
    code = main(["check", str(path), "--campaign", "guangxi-2024", *extra])
    return code, capsys.readouterr().out


def test_json_lists_problems_by_spreadsheet_row_with_masked_values(tmp_path, capsys):
    rows = [valid_row(i) for i in range(1, 13)]  # 2 bad rows of 12 stay under the 20% limit
    rows[2]["身份证号"] = rows[2]["身份证号"][:-1] + ("0" if rows[2]["身份证号"][-1] != "0" else "1")
    rows[5]["出行类型"] = "回家"
    rows[7]["身份证号"] = rows[0]["身份证号"]  # the same worker again, later in the file
    path = write_csv(tmp_path / "平南县.csv", rows, title="平南县返乡返岗需求摸排表")

    code, out = run_check(capsys, path, "--json")

    got = json.loads(out)
    assert code == 1
    assert (got["rows"], got["valid"], got["quarantined"], got["duplicates"]) == (12, 9, 2, 1)
    assert got["rows"] == got["valid"] + got["quarantined"] + got["duplicates"]
    by_row = {p["row"]: p for p in got["problems"]}
    # title row 1, header row 2, so the third data row is spreadsheet row 5
    assert by_row[5]["column"] == "身份证号" and by_row[5]["reason"].startswith("身份证号校验位不对")
    assert by_row[5]["value"] == rows[2]["身份证号"][:6] + "********" + rows[2]["身份证号"][-4:]
    assert by_row[8] == {"row": 8, "column": "出行类型", "value": "回家",
                         "reason": "「出行类型」只能填 返乡 / 返岗，实际为「回家」"}
    assert rows[2]["身份证号"] not in out  # no full ID number anywhere in the output


def test_clean_file_exits_zero_with_a_chinese_summary(tmp_path, capsys):
    code, out = run_check(capsys, write_csv(tmp_path / "ok.csv", [valid_row(1), valid_row(2)], encoding="gbk"))
    assert code == 0
    assert "共 2 行：可入库 2 行" in out


def test_excel_cells_as_clerks_type_them(tmp_path, capsys):
    """Real date cells, serial numbers, and an ID typed into a number cell (Excel rounds it)."""
    book = Workbook()
    sheet = book.active
    sheet.append(["百色市田阳区春节返岗需求摸排表"])
    headers = list(valid_row(1))
    sheet.append(headers)
    for seq in range(1, 6):
        good = valid_row(seq, **{"户籍县(市、区)": "百色市田阳区"})
        good_row = [good[h] for h in headers]
        good_row[headers.index("计划出行日期")] = dt.datetime(2024, 2, 18)
        good_row[headers.index("填报日期")] = 45316  # 2024-01-25 as an Excel serial number
        sheet.append(good_row)
    rounded = [good[h] for h in headers]
    rounded[headers.index("身份证号")] = int(make_id(county="451003", seq=7)[:-1] + "0")
    rounded[headers.index("联系电话")] = 13900001111
    sheet.append(rounded)
    path = tmp_path / "田阳区.xlsx"
    book.save(path)

    code, out = run_check(capsys, path, "--json")

    got = json.loads(out)
    assert (got["rows"], got["valid"], got["quarantined"], got["error"]) == (6, 5, 1, None)
    [problem] = got["problems"]
    assert problem["row"] == 8 and "被 Excel 存成了数字" in problem["reason"]


@pytest.mark.parametrize(
    "make, words",
    [
        (lambda p: p.write_bytes(b""), "文件是空的（0 字节）"),
        (lambda p: p.write_bytes(b"%PDF-1.4\x00\x01binary"), "不是 Excel 或 CSV"),
        (lambda p: p.write_text("a,b,c\n1,2,3\n", encoding="utf-8"), "找不到表头（需求摸排表的表头如"),
        (lambda p: p.write_text("姓名,身份证号,联系电话\n张三,1,2\n", encoding="utf-8"), "缺少必需的列"),
        (lambda p: write_csv(p, []), "没有数据行"),
        (lambda p: p.write_bytes("姓名,身份证号,联系电话\n".encode() + b"\xff\xfe\xfa\xfb\x81\x30"),
         "第 2 行起有无法识别的文字（应为 UTF-8 或 GBK 编码）"),
    ],
    ids=["empty", "not-a-spreadsheet", "no-header", "missing-columns", "header-only", "bad-encoding"],
)
def test_unusable_files_are_sent_back_whole(tmp_path, capsys, make, words):
    path = tmp_path / "x.csv"
    make(path)
    code, out = run_check(capsys, path)
    assert code == 2
    assert out.startswith("整批退回：") and words in out


def test_another_provinces_file_is_sent_back(tmp_path, capsys):
    rows = [valid_row(i, **{"户籍县(市、区)": "湘潭县"}) for i in range(1, 6)]
    code, out = run_check(capsys, write_csv(tmp_path / "湘潭.csv", rows))
    assert code == 2 and "湖南省" in out and "正确的行动" in out


def test_row_numbers_survive_blank_lines(tmp_path, capsys):
    path = write_csv(tmp_path / "blank.csv", [valid_row(i) for i in range(1, 7)])
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.insert(3, "")  # an empty line after the second data row
    lines[5] = lines[5].replace("138" + "00000004", "12345")  # the fourth data row, now on line 6
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    code, out = run_check(capsys, path, "--json")

    got = json.loads(out)
    assert got["rows"] == 6
    assert [p["row"] for p in got["problems"]] == [6]


def test_a_line_longer_than_the_header_is_quarantined_without_its_content(tmp_path, capsys):
    rows = [valid_row(i) for i in range(1, 6)]
    path = write_csv(tmp_path / "broken.csv", rows)
    path.write_text(path.read_text(encoding="utf-8") + "李四," + make_id(seq=9) + ",多,出,来,的,列" * 5 + "\n",
                    encoding="utf-8")
    code, out = run_check(capsys, path, "--json")
    got = json.loads(out)
    assert code == 1 and (got["rows"], got["valid"], got["quarantined"]) == (6, 5, 1)
    assert {p["row"] for p in got["problems"]} == {7}
    assert any("单元格比表头多" in p["reason"] for p in got["problems"])
    assert make_id(seq=9) not in out
