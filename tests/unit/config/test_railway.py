"""Stations come from 12306's list (x12306's data) with their telegraph codes, placed in the division data;
riders board at their county's station, else the nearest one of the city."""

from __future__ import annotations

import pytest

from chunnuan.config import campaign, railway


@pytest.mark.parametrize("name, telecode, place", [
    ("南宁东", "NFZ", "450100"),  # a city's station: the name names no county
    ("平南南", "PAZ", "450821"),  # 贵港市平南县 (平南 + 南)
    ("桂平", "GAZ", "450881"),  # 桂平市, a county-level city
    ("防城港北", "FBZ", "450600"),  # 防城港市, not 防城区: the city's name is the longer start
    ("曹县", "CXK", "371721"),
    ("济南西", "JGK", "370100"),
    ("广州南", "IZQ", "440100"),
    ("深圳北", "IOQ", "440300"),
    ("东莞东", "DMQ", "441900"),
    ("郑州东", "ZAF", "410100"),
    ("阜阳", "FYH", "341200"),
    ("徐州东", "UUH", "320300"),
    ("石家庄", "SJP", "130100"),
])
def test_station_is_placed_with_its_telegraph_code(name, telecode, place):
    found = railway.station(name + "站" if name == "南宁东" else name)  # 「南宁东站」 is read as 南宁东
    assert (found.name, found.telecode, found.place_code) == (name, telecode, place)


def test_unknown_or_ambiguous_station_is_refused_in_chinese():
    with pytest.raises(LookupError, match="不在12306车站表中"):
        railway.station("平南北")
    with pytest.raises(LookupError, match="不唯一"):
        railway.station("重庆北")  # 重庆 has two city-level codes (500100, 500200): the campaign pins it
    assert railway.station("重庆北", place="500157").place_code == "500157"  # 两江新区


def test_every_campaign_station_belongs_to_a_known_place():
    for cid in ("guangxi-2024", "shandong-2024"):
        rules = campaign.load(cid).rail
        found = rules.station_list()
        assert len(found) == len(rules.stations) and len({s.telecode for s in found}) == len(found)
        assert all(len(s.telecode) == 3 for s in found)


def test_rider_boards_at_own_county_else_nearest_in_city():
    gx = campaign.load("guangxi-2024").rail.station_list()
    assert railway.nearest("450821", gx).name == "平南南"  # 平南县 has its own station
    assert railway.nearest("450126", gx).name == "宾阳"
    # 港南区 (贵港市) has none: the nearest of 贵港市's (贵港 at the city centre, 平南南, 桂平)
    assert railway.nearest("450802", gx).name == "贵港"
    # 宁明县 (崇左市): 崇左 is the city's only station
    assert railway.nearest("451422", gx).name == "崇左"


def test_public_capacity_figures():
    assert {t: c.seats for t, c in railway.CARRIAGE_TYPES.items()} == {"硬座": 118, "硬卧": 66, "二等座": 90}
    assert railway.TRAIN_SEATS[False] == (1000, 2000) and railway.TRAIN_SEATS[True] == (550, 720)
