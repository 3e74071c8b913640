"""Carriers' returned manifests (包车回执) through the real intake on SQLite and PostgreSQL: the workbooks the
published plan wrote come back filled; mistakes are quarantined row by row, a 超员 trip is loaded and flagged and
the coordinators hear of it once on a real SMTP server (no ID or phone in the message), rows stay conserved and a
newer return for a trip replaces the earlier one."""

from __future__ import annotations

import re

from openpyxl import load_workbook

from chunnuan import db
from chunnuan.charter.returns import alert_overcrowding
from chunnuan.common.mail import SmtpSettings
from chunnuan.common.masking import PII_IN_TEXT
from chunnuan.config import settings
from chunnuan.devtools import smtp_sink
from chunnuan.synth.returns import fill_carrier_workbook
from tests.support.campaign_db import messages, query
from tests.support.returns_db import GX, publish_plan, submit


def spoil(path, plate_row: int, rider_row: int, other_id: str) -> None:
    """Two mistakes: a malformed plate on the trip sheet, a rider of another trip on the rider sheet."""
    book = load_workbook(path)
    trips, riders = book["车次"], book["乘车名单"]
    plate = next(c.column for c in trips[1] if c.value == "车牌号")
    trips.cell(plate_row, plate, "桂12345")
    id_col = next(c.column for c in riders[1] if c.value == "身份证号")
    riders.cell(rider_row, id_col, other_id)
    book.save(path)


def batches(url) -> list[tuple]:
    return query(url, "SELECT rows_read, rows_loaded, rows_quarantined, rows_merged FROM submission_batch "
                      "WHERE kind = 'trip_returns' ORDER BY id")


def test_returns_load_flag_alert_and_replace(db_url, chunnuan_home, tmp_path):
    published = publish_plan(db_url, tmp_path)
    [workbook] = published["carrier_files"]
    trips = [r[0] for r in query(db_url, "SELECT trip_id FROM charter_trip ORDER BY travel_date, trip_id")]
    assert len(trips) == 4
    landing = settings.landing_dir(GX.id, "trip_returns")
    cases = {"overcrowded": frozenset(trips[:1]), "not_run": frozenset(trips[1:2])}
    made = fill_carrier_workbook(workbook, landing / "回执.xlsx", **cases)

    first = submit(db_url, landing / "回执.xlsx", "trip_returns")

    assert batches(db_url) == [(124, 124, 0, 0)]  # 4 trips, 120 riders
    assert first["loaded"] == 124 and made["trips"] == 4
    flagged = query(db_url, "SELECT trip_id, riders, seats FROM trip_return WHERE overcrowded")
    assert [(t, r - s) for t, r, s in flagged] == [(trips[0], 3)]
    assert query(db_url, "SELECT trip_id FROM trip_return WHERE record = 'trip' AND NOT ran") == [(trips[1],)]

    # The 超员 alert, on a real SMTP server on loopback: once per trip and head count.
    sink = smtp_sink.start(tmp_path / "outbox")
    try:
        smtp = SmtpSettings("127.0.0.1", sink.port, "office@example.gov.cn")
        assert alert_overcrowding(db.engine(db_url), GX, smtp)["alerts_sent"] == 1

        # A corrected return with two mistakes: each quarantines its own row, the rest replaces the first return.
        outsider = query(db_url, "SELECT id_number FROM charter_assignment WHERE trip_id = :t", t=trips[1])[0][0]
        fill_carrier_workbook(workbook, landing / "回执-更正.xlsx", seed=2, **cases)
        spoil(landing / "回执-更正.xlsx", plate_row=3, rider_row=2, other_id=outsider)
        second = submit(db_url, landing / "回执-更正.xlsx", "trip_returns")
        assert alert_overcrowding(db.engine(db_url), GX, smtp)["alerts_sent"] == 0  # same trip, same count
    finally:
        sink.stop()

    assert batches(db_url) == [(124, 0, 0, 124), (124, 122, 2, 0)]
    assert second == {"batches": second["batches"], "loaded": 122, "merged": 124}
    reasons = " ".join(r[0] for r in query(db_url, "SELECT reasons FROM quarantined_row"))
    assert "车牌号「桂12345」格式不对" in reasons and f"不在车次「{trips[0]}」的乘车名单中" in reasons
    assert outsider not in reasons
    assert query(db_url, "SELECT trip_id FROM trip_return WHERE record = 'trip' ORDER BY trip_id") == [
        (t,) for t in sorted(trips) if t != trips[1]]  # the spoiled trip row is out until corrected

    [message] = messages(tmp_path / "outbox")
    body = message.get_body(("html",)).get_content()
    assert message["To"] == GX.lead_contact.email and trips[0] in message["Subject"]
    assert "核定 35 座，实载 38 人，超员 3 人" in body and "贵港市第1汽车运输有限公司" in body
    assert re.search(r"发车 2024-02-18 0[6-8]:\d\d）", body)  # the departure's time of day is kept
    assert PII_IN_TEXT.search(body + message["Subject"]) is None
