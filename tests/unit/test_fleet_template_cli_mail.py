"""Fleet template and checker, the plan command, the PII guard and the SMTP sink."""

from __future__ import annotations

import email
import email.policy
import json

import numpy as np
import pytest
from openpyxl import load_workbook

from chunnuan.cli import main
from chunnuan.common import mail
from chunnuan.config import campaign
from chunnuan.devtools import smtp_sink
from chunnuan.intake.kinds.fleet import FLEET
from chunnuan.planner import write_fleet
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


def test_plan_command_writes_outputs_and_prints_json(tmp_path, capsys):
    requests = synthetic.requests(GX, 4000, seed=5)
    requests.to_csv(tmp_path / "demand.csv", index=False)
    write_fleet(synthetic.fleet(GX, 4000, seed=5), tmp_path / "fleet.csv")
    code = main(["plan", str(tmp_path / "demand.csv"), str(tmp_path / "fleet.csv"), "--campaign", GX.id,
                 "--out", str(tmp_path / "out"), "--json", "--workers", "1"])
    summary = json.loads(capsys.readouterr().out)
    assert code == 0 and summary["requests"] == 4000 == summary["chartered"] + summary["referred"]
    trips = np.loadtxt(tmp_path / "out" / "trips.csv", delimiter=",", skiprows=1, usecols=(4, 10), ndmin=2,
                       encoding="utf-8-sig") if summary["trips"] else np.empty((0, 2))
    assert len(trips) == summary["trips"] and (trips[:, 1] <= trips[:, 0]).all()


@pytest.mark.parametrize("text", ["身份证 450821199001011234", "电话13812345678", "45082119900101123x"])
def test_messages_with_personal_numbers_are_refused(text):
    with pytest.raises(mail.PiiInMessage):
        mail.assert_no_pii("正文", text)


def test_figures_and_trip_ids_are_not_mistaken_for_personal_numbers():
    mail.assert_no_pii("车次 20240218-450821-440300-001，费用 1,370,137 元，共 12345678901234567 条")


def test_sink_stores_a_real_smtp_message_as_eml(tmp_path):
    sink = smtp_sink.start(tmp_path)
    try:
        mail._send(mail.SmtpSettings("127.0.0.1", sink.port, "office@example.org"), ["county@example.org"],
                   "通知：平南县", "<p>车次 3</p>")
    finally:
        sink.stop()
    [path] = tmp_path.glob("*.eml")
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert message["To"] == "county@example.org" and message["Subject"] == "通知：平南县"
    assert "车次 3" in message.get_body(("html",)).get_content()
