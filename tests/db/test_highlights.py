"""Highlights loaded on real SQLite and PostgreSQL: a department's newer submission for an area and date
replaces what it sent for them (other departments, areas and dates stay), rows stay conserved and text
holding a mobile number never reaches the table."""

from __future__ import annotations

from chunnuan import db
from chunnuan.config import campaign
from chunnuan.intake import registry
from chunnuan.intake.batches import load_replacing, register_files, validate_batches
from tests.support.campaign_db import query
from tests.support.jobs import highlight_row, write_rows

GX = campaign.load("guangxi-2024")
SCHEMA = registry.gate_kind("highlights").schema
MOBILE = "13812345678"


def submit(url, path):
    engine = db.engine(url)
    registered = register_files(engine, GX, [path], kind="highlights")
    validate_batches(engine, GX, registered["new"])
    return load_replacing(engine, GX, "highlights")


def batch_counts(url):
    return query(url, "SELECT rows_read, rows_loaded, rows_quarantined, rows_merged FROM submission_batch ORDER BY id")


def test_a_departments_resubmission_replaces_its_area_and_date(db_url, chunnuan_home, tmp_path):
    week1 = [highlight_row(1, 日期="2024-02-16"), highlight_row(2, 日期="2024-02-16", 类别="存在问题"),
             highlight_row(3, 日期="2024-02-16", 类别="下一步打算"),
             highlight_row(4, 日期="2024-02-16", 部门="交通运输", 服务项目='送"点对点"返乡返岗运输服务'),
             highlight_row(5, 日期="2024-02-16", 地区="贵港市"),
             highlight_row(6, 日期="2024-02-16", 内容=f"联系电话{MOBILE}")]  # quarantined
    first = submit(db_url, write_rows(tmp_path / "亮点1.csv", SCHEMA, week1))
    assert first["loaded"] == 5 and first["merged"] == 0

    week2 = [highlight_row(1, 日期="2024-02-16", 内容="改定稿"), highlight_row(2, 日期="2024-02-16", 类别="存在问题"),
             highlight_row(7, 日期="2024-02-23"), highlight_row(7, 日期="2024-02-23", 内容="同一条的后一行")]
    second = submit(db_url, write_rows(tmp_path / "亮点2.csv", SCHEMA, week2))

    assert second["loaded"] == 3
    assert second["merged"] == 3 + 1  # Pingnan 民政 02-16's three earlier rows, and the repeated row
    pingnan = query(db_url, "SELECT report_date, category, content FROM highlight "
                            "WHERE area_code = '450821' AND department = '民政' ORDER BY report_date, category")
    assert [(str(d), c, t) for d, c, t in pingnan] == [
        ("2024-02-16", "亮点工作", "改定稿"), ("2024-02-16", "存在问题", highlight_row()["内容"]),
        ("2024-02-23", "亮点工作", "同一条的后一行")]  # 02-16's 下一步打算 was dropped by the resubmission
    assert query(db_url, "SELECT department, area_code FROM highlight WHERE NOT (area_code = '450821' AND "
                         "department = '民政') ORDER BY area_code") == [("民政", "450800"), ("交通运输", "450821")]
    assert query(db_url, "SELECT COUNT(*) FROM highlight")[0][0] == 5
    assert query(db_url, f"SELECT COUNT(*) FROM highlight WHERE content LIKE '%{MOBILE}%'")[0][0] == 0

    counts = batch_counts(db_url)
    assert counts == [(6, 2, 1, 3), (4, 3, 0, 1)]
    assert all(read == loaded + quarantined + merged for read, loaded, quarantined, merged in counts)
