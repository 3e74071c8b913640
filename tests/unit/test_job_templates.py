"""The openings, fair-results and progress templates: headers the reader knows, drop-downs whose every
value the gate accepts, the campaign's own service items and figures."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from openpyxl import load_workbook

from chunnuan.cli import main
from chunnuan.config import campaign
from chunnuan.intake.kinds.fair_results import FAIR_RESULTS
from chunnuan.intake.kinds.openings import OPENINGS
from chunnuan.intake.kinds.progress import PROGRESS, figure_table
from tests.support.jobs import uscc

GX, SD = campaign.load("guangxi-2024"), campaign.load("shandong-2024")


def options(book, title: str) -> list[str]:
    sheet = book["选项"]
    column = next(c for c in sheet[1] if c.value == title).column
    return [r[0] for r in sheet.iter_rows(min_row=2, min_col=column, max_col=column, values_only=True) if r[0]]


def filled(tmp_path, capsys, kind, the_campaign, schema, rows_of):
    """Write the template, fill one row per drop-down value via rows_of(book), and check the file."""
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


@pytest.mark.parametrize("the_campaign", [GX, SD], ids=lambda c: c.id)
def test_openings_and_fair_results_drop_downs_pass_the_gate(tmp_path, capsys, the_campaign):
    day = dt.datetime.combine(the_campaign.job_fairs.window.start, dt.time()) + dt.timedelta(days=20)

    def openings(book):
        counties, trades = options(book, "县(市、区)选项"), options(book, "工种选项")
        assert trades == the_campaign.training.trades and "广东省" in options(book, "省份选项")
        return [[uscc(i), f"企业{i}", None, county, "制造业", trades[i % len(trades)], 10, 3000, 5000, day, "是",
                 "人社局", day] for i, county in enumerate(counties)]

    rows, out = filled(tmp_path, capsys, "openings", the_campaign, OPENINGS, openings)
    assert out["rows"] == out["valid"] == len(rows) > 100 and out["problems"] == []

    def results(book):
        return [[county, None, f"第{i}场", day, "现场", 10, 100, 500, 50, 120, 20, "人社局", day]
                for i, county in enumerate(options(book, "县(市、区)选项"))]

    rows, out = filled(tmp_path, capsys, "fair_results", the_campaign, FAIR_RESULTS, results)
    assert out["rows"] == out["valid"] == len(rows) and out["problems"] == []


@pytest.mark.parametrize("the_campaign", [GX, SD], ids=lambda c: c.id)
def test_progress_lists_the_campaigns_items_and_every_area_passes(tmp_path, capsys, the_campaign):
    figures = figure_table(the_campaign)

    def progress(book):
        items, names, areas = (options(book, t) for t in ("服务项目选项", "统计指标选项", "地区选项"))
        assert items == [i.name for i in the_campaign.service_items]
        assert set(names) == set(figures["figure_name"]) and areas[0] == the_campaign.province
        pairs = list(zip(figures["item_name"], figures["figure_name"], strict=True))
        day = dt.datetime.combine(the_campaign.window.start, dt.time()) + dt.timedelta(days=10)
        return [[area, *pairs[i % len(pairs)], 3, day, "部门", day] for i, area in enumerate(areas)]

    rows, out = filled(tmp_path, capsys, "progress", the_campaign, PROGRESS, progress)
    assert out["rows"] == out["valid"] == len(rows) and out["problems"] == []
