"""Carrier fleet submissions through the same intake: quarantine, replace, conserve, read back as a Fleet."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import text

from chunnuan import db
from chunnuan.config import campaign
from chunnuan.intake.batches import current_fleet, load_replacing, register_files, validate_batches
from chunnuan.planner import Fleet, write_fleet
from chunnuan.synth.charter import fleet as synthetic_fleet

GX = campaign.load("guangxi-2024")


def submit(url, path) -> dict:
    engine = db.engine(url)
    registered = register_files(engine, GX, [path], kind="fleet")
    [outcome] = validate_batches(engine, GX, registered["new"])
    return outcome | {"load": load_replacing(engine, GX, "fleet")}


def scalar(url, sql, **params):
    with db.engine(url).connect() as conn:
        return conn.execute(text(sql), params).scalar()


def test_fleet_rows_loaded_or_quarantined_and_later_submission_replaces(db_url, chunnuan_home, tmp_path):
    fleet = synthetic_fleet(GX, 20_000, seed=3)
    path = tmp_path / "运力.csv"
    write_fleet(fleet, path)
    table = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    table.loc[0, "统一社会信用代码"] = table.loc[0, "统一社会信用代码"][:-1] + "0"  # wrong check character
    table.loc[1, "座位数"] = "80"  # no such class in the campaign
    table.to_csv(path, index=False, encoding="gbk")

    outcome = submit(db_url, path)

    assert outcome["status"] == "validated" and outcome["quarantined"] == 2
    assert outcome["rows"] == len(table) == outcome["valid"] + 2
    reasons = scalar(db_url, "SELECT reasons FROM quarantined_row WHERE source_row = 2")
    assert "统一社会信用代码" in reasons and "校验不通过" in reasons
    assert "不属于本次行动使用的车型" in scalar(db_url, "SELECT reasons FROM quarantined_row WHERE source_row = 3")
    offers = current_fleet(db.engine(db_url), GX)
    assert len(offers) == len(table) - 2
    back = Fleet.from_rows(offers)
    assert {c.uscc for c in back.carriers} == {c.uscc for c in fleet.carriers}

    # One carrier sends a new, smaller offer: all its earlier rows are replaced, none dropped silently.
    code = table.loc[5, "统一社会信用代码"]
    earlier = int((table["统一社会信用代码"] == code).sum())
    newer = table[table["统一社会信用代码"] == code].head(1).assign(每日可派车辆数="1")
    second = tmp_path / "运力-更新.csv"
    newer.to_csv(second, index=False, encoding="utf-8-sig")
    outcome = submit(db_url, second)

    assert outcome["load"]["merged"] == earlier
    assert scalar(db_url, "SELECT COUNT(*) FROM fleet_offer WHERE uscc = :c", c=code) == 1
    assert scalar(db_url, "SELECT per_day FROM fleet_offer WHERE uscc = :c", c=code) == 1
    first_batch = scalar(db_url, "SELECT MIN(id) FROM submission_batch")
    read, loaded, quarantined, merged = (scalar(db_url, f"SELECT {c} FROM submission_batch WHERE id = :b", b=first_batch)
                                         for c in ("rows_read", "rows_loaded", "rows_quarantined", "rows_merged"))
    assert read == loaded + quarantined + merged and merged == earlier


def test_fleet_file_of_another_kind_is_sent_back_whole(db_url, chunnuan_home, tmp_path):
    path = tmp_path / "错表.csv"
    path.write_text("姓名,身份证号,联系电话\n张三,1,2\n", encoding="utf-8")
    outcome = submit(db_url, path)
    assert outcome["status"] == "rejected"
    assert "找不到表头" in outcome["error"] and "运力报表" in outcome["error"]
    assert scalar(db_url, "SELECT COUNT(*) FROM fleet_offer") == 0
