"""专列（车厢）figures per city and province from report_rail.sql's rows (hand-built), checked by hand."""

from __future__ import annotations

import pandas as pd

from chunnuan.report import rail

COLUMNS = ["county_code", "status", "train_id", "carriage_no", "car_mode", "fed", "riders"]
UNITS = pd.DataFrame({"county_code": ["450821", "450881", "450102"], "city_code": ["450800", "450800", "450100"],
                      "city": ["贵港市", "贵港市", "南宁市"]})


def test_trains_count_once_per_city_riders_add_up():
    rows = pd.DataFrame([
        ("450821", "铁路", "20240218-D2801", 1, "专列", 1, 40),  # one 专列 boarding in two cities
        ("450821", "铁路", "20240218-D2801", 2, "专列", 0, 10),
        ("450102", "铁路", "20240218-D2801", 3, "专列", 0, 70),
        ("450881", "铁路", "20240219-Z101", 1, "车厢", 1, 118),  # two reserved carriages, one shared
        ("450821", "铁路", "20240219-Z101", 2, "车厢", 1, 30),
        ("450881", "铁路", "20240219-Z101", 2, "车厢", 1, 50),
        ("450821", "包车", None, None, None, 1, 200),
        ("450102", "集中购票", None, None, None, 0, 7),
        ("990000", "包车", None, None, None, 1, 5),  # not a unit of the province: province only
    ], columns=COLUMNS)
    out = rail.table(rows, UNITS, "广西壮族自治区", {"trains": 1, "reserved_carriages": 3}).set_index("area")
    assert out.loc["广西壮族自治区"].to_dict() == {"trains": 1, "reserved_carriages": 3, "coach": 205, "rail": 318,
                                                "feeder": 238, "referred": 7}
    assert out.loc["贵港市"].to_dict() == {"trains": 1, "reserved_carriages": 2, "coach": 200, "rail": 248,
                                         "feeder": 238, "referred": 0}
    assert out.loc["南宁市"].to_dict() == {"trains": 1, "reserved_carriages": 0, "coach": 0, "rail": 70,
                                         "feeder": 0, "referred": 7}
    assert list(out.index) == ["广西壮族自治区", "南宁市", "贵港市"]  # province, then cities in code order


def test_no_rail_no_sentence_and_zero_snapshot():
    empty = rail.table(pd.DataFrame(columns=COLUMNS), UNITS, "广西壮族自治区", {"trains": 0, "reserved_carriages": 0})
    assert rail.sentence(empty.iloc[0].to_dict()) == ""
    assert rail.snapshot(empty) == {"province": dict.fromkeys(rail.FIGURES, 0), "cities": []}


def test_gate_checks_feeders_and_carriages_against_the_riders():
    fine = {"feeder_passengers": 50, "fed_riders": 50, "car_riders": 120, "rail_riders": 120}
    assert rail.checks(fine) == []
    broken = rail.checks({**fine, "feeder_passengers": 53, "car_riders": 118})
    assert broken == ["接驳车载客合计 53 ≠ 乘接驳车到站人数 50", "车厢乘车人数合计 118 ≠ 安排铁路人数 120"]
