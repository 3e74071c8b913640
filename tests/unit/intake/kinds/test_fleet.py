"""The carrier fleet (运力报表): its template's rows go through the fleet check, with its reasons."""

from __future__ import annotations

import json

from openpyxl import load_workbook

from chunnuan.cli import main
from chunnuan.config import campaign
from chunnuan.intake.kinds.fleet import FLEET
from chunnuan.synth import charter as synthetic

GX = campaign.load("guangxi-2024")


def test_fleet_template_rows_pass_the_fleet_check(tmp_path, capsys):
    path = tmp_path / "运力.xlsx"
    assert main(["template", "fleet", str(path), "--campaign", GX.id]) == 0
    book = load_workbook(path)
    sheet = book["运力报表"]
    assert [c.value for c in sheet[1]] == [c.header for c in FLEET.columns]
    assert any("AAA" in str(v.formula1) for v in sheet.data_validations.dataValidation)
    carrier = synthetic.uscc_for("450100", 7)
    sheet.append([carrier, "南宁市某客运公司", "AA", None, "刘调度", "0771-5800007", "是", 53,
                  "2024-02-17", "2024-02-25", 4])
    sheet.append([carrier[:-1] + ("0" if carrier[-1] != "0" else "1"), "南宁市某客运公司", "AA", None, "刘调度",
                  "0771-5800007", "是", 53, "2024-02-26", "2024-02-20", 4])
    book.save(path)
    capsys.readouterr()
    assert main(["check", str(path), "--campaign", GX.id, "--kind", "fleet", "--json"]) == 2  # 1 of 2 bad > 20%
    out = json.loads(capsys.readouterr().out)
    reasons = " ".join(p["reason"] for p in out["problems"])
    assert out["rows"] == 2 and "校验不通过" in reasons and "早于" in reasons
