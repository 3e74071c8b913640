"""Hand-made rows of the openings, fair-results, progress and highlights forms for tests: valid by default, one
field changed to make a case."""

from __future__ import annotations

import csv
from pathlib import Path

from chunnuan.intake.schema import Schema
from chunnuan.synth.charter import uscc_for


def uscc(n: int, region: str = "450821") -> str:
    """A valid unified social credit code, different for each n."""
    return uscc_for(region, n)


def opening_row(n: int = 1, **overrides: str) -> dict[str, str]:
    row = {
        "统一社会信用代码": uscc(n),
        "企业名称": f"平南县第{n}电子科技有限公司",
        "岗位所在省份": "",
        "岗位所在县(市、区)": "贵港市平南县",
        "所属行业": "制造业",
        "招聘工种": "电工",
        "招聘人数": "20",
        "月薪下限(元)": "3500",
        "月薪上限(元)": "5000",
        "招聘截止日期": "2024-03-31",
        "重点企业或重点园区": "否",
        "填报单位": "平南县人力资源和社会保障局",
        "填报日期": "2024-02-01",
    }
    row.update(overrides)
    return row


def fair_result_row(n: int = 1, **overrides: str) -> dict[str, str]:
    row = {
        "县(市、区)": "贵港市平南县",
        "招聘会编号": f"450821-{n:02d}",
        "招聘会名称": f"平南县2024年春风行动专场招聘会（第{n}场）",
        "举办日期": f"2024-02-{18 + n:02d}",
        "形式": "现场",
        "参会企业数": "40",
        "提供岗位数": "1200",
        "进场人数": "900",
        "其中脱贫人口": "150",
        "达成意向人数": "300",
        "其中脱贫人口达成意向": "60",
        "填报单位": "平南县人力资源和社会保障局",
        "填报日期": "2024-02-28",
    }
    row.update(overrides)
    return row


def progress_row(**overrides: str) -> dict[str, str]:
    row = {
        "地区": "贵港市平南县",
        "服务项目": "送关爱帮扶",
        "统计指标": "走访慰问",
        "累计数值": "320",
        "截至日期": "2024-02-23",
        "填报部门": "工会",
        "填报日期": "2024-02-23",
    }
    row.update(overrides)
    return row


def highlight_row(n: int = 1, **overrides: str) -> dict[str, str]:
    row = {
        "地区": "贵港市平南县",
        "部门": "民政",
        "服务项目": "送关爱帮扶",
        "类别": "亮点工作",
        "标题": f"平南县走访慰问留守老人儿童（第{n}条）",
        "内容": "县民政局联合乡镇逐户走访农村留守老人、儿童，建立关爱台账，春节前送去慰问品。",
        "日期": "2024-02-23",
    }
    row.update(overrides)
    return row


def write_rows(path: Path, schema: Schema, rows: list[dict[str, str]]) -> Path:
    """A CSV with the form's headers (columns a row leaves out stay blank)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=[c.header for c in schema.columns])
        writer.writeheader()
        writer.writerows(rows)
    return path


def check(tmp_path: Path, kind, rows: list[dict[str, str]], the_campaign):
    """The gate's decision (Great Expectations engine) on a CSV of these rows of `kind`."""
    from chunnuan.intake.gate import check_submission

    return check_submission(write_rows(tmp_path / f"{kind.name}.csv", kind.schema, rows), the_campaign, "gx",
                            kind=kind)


def one_bad(make, change: dict[str, str]) -> list[dict[str, str]]:
    """Six rows, the second (spreadsheet row 3) changed: 1 bad in 6 is under the 20% limit."""
    return [make(1), make(2, **change), *(make(n) for n in range(3, 7))]


def options(book, title: str) -> list[str]:
    """The values of one drop-down list on a template's hidden 选项 sheet."""
    sheet = book["选项"]
    column = next(c for c in sheet[1] if c.value == title).column
    return [r[0] for r in sheet.iter_rows(min_row=2, min_col=column, max_col=column, values_only=True) if r[0]]


def filled(tmp_path: Path, capsys, kind: str, the_campaign, schema: Schema, rows_of):
    """Write the template, fill one row per drop-down value via rows_of(book), and check the file."""
    import json

    from openpyxl import load_workbook

    from chunnuan.cli import main

    path = tmp_path / f"{kind}.xlsx"
    assert main(["template", kind, str(path), "--campaign", the_campaign.id]) == 0
    book = load_workbook(path)
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[1]] == [c.header for c in schema.columns]
    rows = rows_of(book)
    for row in rows:
        sheet.append(row)
    book.save(path)
    capsys.readouterr()
    assert main(["check", str(path), "--campaign", the_campaign.id, "--kind", kind, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    return rows, out
