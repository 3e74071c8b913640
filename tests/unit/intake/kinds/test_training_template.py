"""The training-class template: headers the reader knows, drop-downs whose every value the gate accepts."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from openpyxl import load_workbook

from chunnuan.cli import main
from chunnuan.config import campaign
from chunnuan.intake.kinds.training import TRAINING

GX, SD = campaign.load("guangxi-2024"), campaign.load("shandong-2024")


def options(book, title: str) -> list[str]:
    sheet = book["选项"]
    column = next(c for c in sheet[1] if c.value == title).column
    return [r[0] for r in sheet.iter_rows(min_row=2, min_col=column, max_col=column, values_only=True) if r[0]]


@pytest.mark.parametrize("the_campaign", [GX, SD], ids=lambda c: c.id)
def test_every_drop_down_value_passes_the_check(tmp_path, capsys, the_campaign):
    path = tmp_path / "培训班.xlsx"
    assert main(["template", "training", str(path), "--campaign", the_campaign.id]) == 0
    book = load_workbook(path)
    sheet = book["培训班报表"]
    assert [c.value for c in sheet[1]] == [c.header for c in TRAINING.columns]
    counties, trades, brands = (options(book, t) for t in ("县(市、区)选项", "工种选项", "劳务品牌选项"))
    assert len(counties) == len(set(counties)) > 100 and trades == the_campaign.training.trades
    assert brands == the_campaign.training.brands
    start = dt.datetime(2024, 2, 1)
    for i, county in enumerate(counties):  # one class per county, cycling through trades and brands
        sheet.append([county, f"第{i}期", "送工前", trades[i % len(trades)], brands[i % len(brands)], start,
                      start + dt.timedelta(days=6), 40, 40, 10, 38, 30, "职业学校", "人社局", start])
    book.save(path)
    capsys.readouterr()

    assert main(["check", str(path), "--campaign", the_campaign.id, "--kind", "training", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["rows"] == out["valid"] == len(counties) and out["problems"] == []


def test_instructions_state_the_campaigns_rules(tmp_path):
    texts = {}
    for c in (GX, SD):
        main(["template", "training", str(tmp_path / f"{c.id}.xlsx"), "--campaign", c.id])
        sheet = load_workbook(tmp_path / f"{c.id}.xlsx")["填表说明"]
        texts[c.id] = " ".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row if v)
    assert "至少开展 1 期送工前技能培训班" in texts[GX.id] and "至少开展" not in texts[SD.id]
    assert all("可超出计划名额不超过 10%" in t and "前至少 3 天开班" in t for t in texts.values())
