"""Rail offers (铁路运力报表) on real SQLite and PostgreSQL: bad rows quarantined with their reason, a bureau's
newer submission replaces its earlier rows, and every batch stays conserved (read = loaded + quarantined +
merged, by the same SQL the gate asserts)."""

from __future__ import annotations

import pandas as pd

from chunnuan import db
from chunnuan.common.sql import load as load_sql
from chunnuan.config import campaign
from chunnuan.intake.batches import load_replacing, register_files, validate_batches
from chunnuan.synth.rail import offers
from tests.support.campaign_db import query

SD = campaign.load("shandong-2024")


def submit(url, path) -> dict:
    engine = db.engine(url)
    registered = register_files(engine, SD, [path], kind="rail")
    [outcome] = validate_batches(engine, SD, registered["new"])
    return outcome | {"load": load_replacing(engine, SD, "rail")}


def test_rail_offers_conserved_and_replaced_by_bureau(db_url, chunnuan_home, tmp_path):
    table = offers(SD, trains=12, seed=5)
    table.loc[0, "每厢定员"] = "160"  # no 硬座/硬卧/二等座 carriage holds that
    table.loc[1, "到达站"] = "拉萨"  # a real station the campaign does not use
    table = pd.concat([table, table.iloc[[5]].assign(团体票价="99")], ignore_index=True)  # the same offer again
    path = tmp_path / "铁路运力.csv"
    table.to_csv(path, index=False, encoding="gbk")

    outcome = submit(db_url, path)

    assert outcome["rows"] == 13 and outcome["quarantined"] == 2
    assert outcome["load"]["loaded"] == 10 and outcome["load"]["merged"] == 1  # row 7 replaced by row 14
    reasons = dict(query(db_url, "SELECT source_row, reasons FROM quarantined_row ORDER BY source_row"))
    assert "公开定员" in reasons[2] and "不是本次行动使用的车站" in reasons[3]
    assert query(db_url, "SELECT fare FROM rail_offer WHERE train_no = :t", t=table.loc[5, "车次"]) == [(99.0,)]
    seats = query(db_url, "SELECT carriage_type, whole_train, carriages, seats_per_carriage, seats FROM rail_offer")
    assert all(s == (n * per if not whole else s) for _, whole, n, per, s in seats)
    assert all(550 <= s <= 2000 for _, whole, _, _, s in seats if whole)

    # The bureau sends a shorter list: all its earlier rows are replaced, none dropped silently.
    second = tmp_path / "铁路运力-更新.csv"
    offers(SD, trains=3, seed=6).to_csv(second, index=False, encoding="utf-8-sig")
    again = submit(db_url, second)
    assert again["load"]["loaded"] == 3 and again["load"]["merged"] == 10
    assert query(db_url, "SELECT COUNT(*) FROM rail_offer") == [(3,)]

    counts = query(db_url, "SELECT rows_read, rows_loaded, rows_quarantined, rows_merged FROM submission_batch "
                           "ORDER BY id")
    assert counts == [(13, 0, 2, 11), (3, 3, 0, 0)]
    assert query(db_url, load_sql("batch_conservation.sql"), campaign_id=SD.id) == []
