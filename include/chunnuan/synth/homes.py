"""Where synthetic workers come from: the campaign province's counties (each sends a survey file) and the
other provinces' counties its inbound workers come from, with townships and the ID region codes in force
in each birth year.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import numpy as np

from chunnuan.config import divisions
from chunnuan.synth.places import inbound
from chunnuan.synth.random import pool
from chunnuan.synth.random import rng as stream

TOWN_FIRST = "大新东西南北上下长石龙马平安和兴福古白黄青太永三双金沙官水江桥塘思六那"
TOWN_SECOND = "安平山江田塘岭坪水林口湾圩桥村头坡洞冲陂河城庄集"
COUNTY_SUFFIX = re.compile(r"(?:各族自治县|\w{1,3}族自治县|自治县|县|市|区)$")

# Inbound workers come from a few labour-sending counties of each home province (劳务输出大县), not from
# all of them alike: a home province keeps HOMES_PER_SHARE counties per point of its share (at least
# MIN_HOMES), the likeliest by SENDING_KIND (rural counties send, city districts hardly) times a spread.
HOMES_PER_SHARE = 0.8
MIN_HOMES = 3
SENDING_KIND = {"县": 1.0, "旗": 1.0, "市": 0.7, "区": 0.15}
SENDING_SPREAD = 1.3


@dataclass(frozen=True)
class Counties:
    """The campaign province's counties first (`own` of them, sorted by code), then the inbound workers'
    home counties (sorted by code)."""

    codes: np.ndarray  # int
    names: list[str]  # 平南县
    labels: list[str]  # 贵港市平南县 (the province's own form, without the province)
    short: list[str]  # 平南县, or the label where the bare name is ambiguous in its province
    bare_allowed: np.ndarray  # bool: the bare name resolves to this county inside its province
    city: np.ndarray  # int city code
    province_names: np.ndarray  # object: 广西壮族自治区, 河南省 …
    weight: np.ndarray  # float: share of the inbound workers from this county (0 for the own counties)
    townships: np.ndarray  # object, all counties' townships back to back
    township_start: np.ndarray  # int, per county
    township_count: np.ndarray  # int, per county
    own: int


def _township_names(county_name: str, rng: np.random.Generator) -> list[str]:
    """A plausible list of towns and streets for a county (the seat town first)."""
    root = COUNTY_SUFFIX.sub("", county_name) or county_name[:2]
    urban = county_name.endswith(("区", "市"))
    names = [root + ("街道" if urban else "镇")]
    target = int(rng.integers(8, 16))
    while len(names) < target:
        name = TOWN_FIRST[rng.integers(len(TOWN_FIRST))] + TOWN_SECOND[rng.integers(len(TOWN_SECOND))]
        suffix = ("镇", "乡", "街道")[rng.choice(3, p=(0.65, 0.2, 0.15) if urban else (0.75, 0.25, 0.0))]
        if name + suffix not in names:
            names.append(name + suffix)
    return names


def sending_homes(province: divisions.Province, seed: int) -> list[tuple[str, float]]:
    """(county code, share of the inbound workers) of the labour-sending counties of every home province."""
    plan = inbound(province)
    if plan is None:
        return []
    rng = stream(seed, "inbound-homes")
    total = sum(w for _, w in plan.home_provinces)
    out = []
    for name, share in plan.home_provinces:
        other = divisions.province(name)
        codes = sorted(other.counties)
        kind = np.array([SENDING_KIND.get(other.counties[c].name[-1], 0.5) for c in codes])
        score = kind * rng.lognormal(0.0, SENDING_SPREAD, len(codes))
        top = np.argsort(-score, kind="stable")[: max(MIN_HOMES, round(share * HOMES_PER_SHARE))]
        out += [(codes[i], float(score[i] / score[top].sum() * share / total)) for i in top]
    return sorted(out)


@cache
def _province_of(code: str) -> divisions.Province:
    return divisions.province(code[:2] + "0000")


def counties(province: divisions.Province, seed: int) -> Counties:
    homes = sending_homes(province, seed)
    codes = sorted(province.counties) + [c for c, _ in homes]
    own = len(province.counties)
    names, labels, short, bare_ok = [], [], [], []
    for code in codes:
        p = _province_of(code)
        name = p.counties[code].name
        names.append(name)
        labels.append(p.county_label(code))
        bare_ok.append(p.county_names.get(name) == code)
        short.append(name if bare_ok[-1] else labels[-1])
    own_rng, inbound_rng = stream(seed, "townships"), stream(seed, "townships-inbound")
    towns = [_township_names(n, own_rng if i < own else inbound_rng) for i, n in enumerate(names)]
    counts = np.array([len(t) for t in towns])
    return Counties(
        codes=np.array([int(c) for c in codes]),
        names=names,
        labels=labels,
        short=short,
        bare_allowed=np.array(bare_ok),
        city=np.array([int(_province_of(c).city_of(c).code) for c in codes]),
        province_names=pool(_province_of(c).name for c in codes),
        weight=np.r_[np.zeros(own), [w for _, w in homes]],
        townships=pool(t for ts in towns for t in ts),
        township_start=np.r_[0, np.cumsum(counts)[:-1]],
        township_count=counts,
        own=own,
    )


# ---------------------------------------------------------------------------------------------------
# ID region codes: a number keeps the county code in force when it was issued
# ---------------------------------------------------------------------------------------------------

_NAME_YEARS = re.compile(r"(?:\[(?P<start>\d*)-(?P<end>\d*)\])?(?P<name>.+)")


@cache
def _code_history(province_code: str) -> tuple[tuple[int, str, int, int], ...]:
    """(code, county name, first year, last year) of every county code python-stdnum knows in the province.

    stdnum.cn.ric (and real life) only accept a region code that existed in the holder's birth year:
    a worker from 贵港市平南县 born in 1980 carries 452524 (平南县 before 1995), not 450821.
    """
    from stdnum import numdb

    out = []
    for _, low, _, _, children in numdb.get("cn/loc").prefixes:
        if low != province_code[:2]:
            continue
        for _, child_low, child_high, props, _ in children:
            for part in props.get("county", "").split(","):
                found = _NAME_YEARS.fullmatch(part)
                if found is None:
                    continue
                for code in range(int(low + child_low), int(low + child_high) + 1):
                    if code % 100:  # prefecture entries (..00) are no county
                        out.append((code, found["name"], int(found["start"] or 0), int(found["end"] or 9999)))
    return tuple(out)


@cache
def _history_by_root(province_code: str) -> dict[str, list[tuple[int, str, int, int]]]:
    """The province's code history by county name without its suffix (平南县, 平南市 -> 平南)."""
    out: dict[str, list] = {}
    for entry in _code_history(province_code):
        out.setdefault(COUNTY_SUFFIX.sub("", entry[1]), []).append(entry)
    return out


def region_codes(counties: Counties, years: np.ndarray) -> np.ndarray:
    """For each county and birth year, an ID region code in force that year (0 where none is known).

    Tried in order: the county's own code, older codes of the same name (平南县 452524), then any such
    code of a county of the same city (a district created later: its people carry the old county's code).
    """
    own = []
    for code, name in zip(counties.codes, counties.names, strict=True):
        province_code = f"{code // 10000}0000"
        same_code = [e for e in _code_history(province_code) if e[0] == code]
        same_root = _history_by_root(province_code).get(COUNTY_SUFFIX.sub("", name), [])
        own.append(same_code + [e for e in same_root if e[0] != code])

    table = np.zeros((len(counties.codes), len(years)), dtype=np.int64)

    def fill(i: int, candidates: list) -> None:
        for j, year in enumerate(years):
            if table[i, j] == 0:
                table[i, j] = next((c for c, _, start, end in candidates if start <= year <= end), 0)

    for i, candidates in enumerate(own):
        fill(i, candidates)
    for i in range(len(counties.codes)):
        neighbours = np.flatnonzero(counties.city == counties.city[i])
        fill(i, [e for k in neighbours for e in own[k]])
    return table
