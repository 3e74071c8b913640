"""A synthetic province for the demand survey: one submission per county and the truth of every mistake.

`generate(campaign, workers, seed, out)` writes what a province's county offices would send: XLSX
(some with a merged title row, real date cells, numbers typed into text columns), GBK CSV from older
Excel, UTF-8 CSV with or without BOM, header variants and the cell forms clerks really type. About 4%
of rows carry exactly one injected mistake (or are an older report of a worker another county also
reported); `out/_truth/injected.csv` lists each with the check code the intake gate must give it, so
tests can hold the gate to it. The truth sits in a subfolder so a landing-folder scan never picks it up.

The province serves two kinds of worker (synth.places): its natives (本省籍), going out to the usual
destinations or working in the province, reported by their home county; and workers from other
provinces working in it (外省籍: Shandong about 37%, Guangxi 3%), from a few labour-sending counties of
their home provinces (synth.homes), reported by the receiving county in their work city, mixed with its
natives. Priority groups come from the campaign's `priority_groups` (synth.groups; a worker may be in
several).

ID numbers carry the home county's code in force in the holder's birth year (python-stdnum's history of
codes), so they pass stdnum.cn.ric.is_valid; younger workers and unchanged counties carry today's code.

Workers asking for a 点对点 charter bus (about 30%) travel the way charters are organised: on a few
routes per home county to the largest work cities (natives: the province's destinations; inbound: its
receiving cities, e.g. 南阳市宛城区 → 青岛市) and on a few peak days, within their flex days, so that
most of them can fill coaches when the charter planner runs on the survey.

The same (campaign, workers, seed, formats) gives byte-identical files, and the files' mtimes fix the
arrival order. Everything is built column-wise with numpy; only files are looped over, so a million
rows take seconds.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import os
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from chunnuan.common import idcodes
from chunnuan.config import divisions
from chunnuan.config.campaign import Campaign
from chunnuan.intake.kinds.survey import COLUMNS
from chunnuan.synth import groups as priority
from chunnuan.synth.calendar import EPOCH, date_of, day_number, spring_festival_holiday, travel_day_weights
from chunnuan.synth.homes import COUNTY_SUFFIX, TOWN_FIRST, TOWN_SECOND, Counties, region_codes
from chunnuan.synth.homes import counties as home_counties
from chunnuan.synth.places import destinations, inbound
from chunnuan.synth.random import pick, pool
from chunnuan.synth.random import rng as stream

FIELDS = tuple(c.field for c in COLUMNS)
TRUTH_DIR = "_truth"
TRUTH_COLUMNS = ["file", "row", "code", "field", "kept_file", "kept_row"]
FORMATS = ("mixed", "csv")

EXCEL_EPOCH = dt.date(1899, 12, 30)
LOCAL_TZ = ZoneInfo("Asia/Shanghai")
ZIP_TIME = (2024, 1, 1, 9, 0, 0)

MISTAKE_RATE = 0.034  # plus ~0.6% duplicate reports: about 4% of rows need the gate's attention
DUPLICATE_RATE = 0.006
MAX_FILE_MISTAKE_SHARE = 0.15  # well under intake.max_bad_row_share (20%): no file is sent back whole

# ---------------------------------------------------------------------------------------------------
# Data pools. Chinese only as data; every string here is GBK-encodable (older Excel writes GBK CSV).
# ---------------------------------------------------------------------------------------------------

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤蒙农"
)
# Surnames much more common in one province than nationally (壮族 names in Guangxi, for instance).
LOCAL_SURNAMES = {"450000": "黄韦覃莫蒙陆梁李农廖", "370000": "王张李刘孙"}
GIVEN_MALE = "伟强军磊洋勇杰涛斌超明辉刚健峰建华平鹏宇浩俊文波志海林东亮晨旭飞龙福永胜德成国庆发金贵兴"
GIVEN_FEMALE = "芳娟敏静丽艳娜秀英玲霞燕萍红梅兰琳婷雪慧颖倩洁琴凤桂珍莉丹月春"
TRADES = (
    "普工", "电子装配工", "焊工", "电工", "叉车司机", "缝纫工", "中式烹调师", "保安员", "家政服务员", "快递员",
    "建筑木工", "钢筋工", "汽车维修工", "美容美发", "育婴员", "养老护理员", "电商直播", "挖掘机驾驶员",
)
TRAINING_TRADES = (
    "电工", "焊工", "家政服务员", "育婴员", "养老护理员", "电商直播", "中式烹调师", "挖掘机驾驶员",
    "叉车司机", "汽车维修工", "茶艺师", "电子商务师",
)
BRANDS = ("华兴", "鸿达", "宏发", "永利", "金辉", "恒通", "德力", "联创", "嘉盛", "新兴", "顺达", "远大",
          "立信", "富源", "中川", "明达")
INDUSTRIES = ("电子", "五金", "服装", "塑胶", "家具", "建筑工程", "物流", "食品", "纺织", "机械", "光电", "印刷")
COMPANY_FORMS = ("有限公司", "有限公司", "股份有限公司", "制品厂")

# 点对点 charter requests (see _organise_charters): counties organise coaches on a few routes and peak days.
CHARTER_CITIES = 4  # to the province's largest destinations (Guangxi: 深圳 东莞 广州 佛山)
ROUTE_TARGET = 150  # a county adds a city per ~150 requests of a trip type (three coaches' worth)
DEPARTURE_TARGET = 100  # a route adds a departure day per ~100 requests (two 53-seat coaches)
CHARTER_DAY_POWER = 2  # departure days: the trip's travel-day weights squared (half the spread around the peak)
CHARTER_SHIFT = {0: 55, -1: 15, 1: 15, -2: 7.5, 2: 7.5}  # a requester's date - his departure's (within his flex)
CHARTER_LONE_SHARE = 0.15  # requests on no organised route: own city and day, the planner refers most
# 务工地县(市、区) is optional: most inbound workers' receiving county is written, fewer natives' (only for
# work inside the province; the receiving county's bureau reports the inbound worker either way).
WORK_COUNTY_SHOWN = {"inbound": 0.85, "native": 0.4}
HOME_PROVINCE_FILES = 0.3  # files that fill 户籍省份 for every row (the county then without its province)
AREA_CODES = {
    "450000": ("0771", "0772", "0773", "0774", "0775", "0776", "0777", "0778", "0779"),
    "370000": ("0531", "0532", "0533", "0534", "0535", "0536", "0537", "0538", "0539", "0543", "0546"),
}
MOBILE_PREFIXES = {  # prefix -> weight; all inside libphonenumber's CN mobile pattern
    **{f"13{d}": 3 for d in range(10)}, **{f"15{d}": 2 for d in (0, 1, 2, 3, 5, 6, 7, 8, 9)},
    **{f"18{d}": 2 for d in range(10)}, **{f"17{d}": 1 for d in (3, 5, 6, 7, 8)},
    **{f"19{d}": 1 for d in (1, 5, 8, 9)}, "166": 1, "147": 1,
}

# Header variants counties send; the reader folds them onto the official header.
HEADER_ALIASES = {
    "name": ("农民工姓名",), "id_number": ("身份证号码", "公民身份号码"), "phone": ("手机号码", "联系方式"),
    "home_province": ("户籍所在省份",), "home_county": ("户籍县（市、区）", "户籍所在县(市、区)"),
    "home_township": ("乡镇",), "priority_groups": ("脱贫人口类别", "重点群体"),
    "travel_date": ("出行日期",), "flex_days": ("可提前推迟天数",), "work_province": ("务工省份",),
    "work_city": ("务工城市",), "work_county": ("务工县(市、区)",), "employer": ("务工单位", "工作单位"),
    "needs_charter": ("是否需要包车",), "needs_training": ("是否需要培训",),
}

# Injected mistakes: check code -> relative frequency. id_excel_number only happens in XLSX files.
MISTAKES = {
    "missing": 24, "phone_invalid": 18, "id_checksum": 14, "date_invalid": 10, "date_out_of_window": 10,
    "choice_invalid": 8, "county_unknown": 7, "id_excel_number": 16, "out_of_scope": 5, "work_county_unknown": 4,
    "group_unknown": 3,
}
MISSING_FIELDS = {
    "phone": 34, "travel_date": 12, "home_county": 10, "trip_type": 10, "work_city": 10, "name": 6,
    "id_number": 6, "needs_charter": 5, "reported_on": 4, "work_province": 3,
}
CHOICE_FIELDS = {
    "trip_type": 40, "needs_charter": 15, "job_need": 10, "needs_training": 10,
}
BAD_CHOICES = {  # none of these is a value or an alias the gate accepts
    "trip_type": ("回家", "外出", "返程", "回乡", "返工"),
    "needs_charter": ("要", "待定", "可能"),
    "job_need": ("打工", "有", "待定", "找工作"),
    "needs_training": ("想", "待定", "要", "可以"),
}
BAD_DATES = {
    "travel_date": ("2月30日", "下周", "2024-02-30", "节后", "正月初八", "待定", "2024年2月", "2024-13-05"),
    "reported_on": ("1月32日", "2024-01-32", "上周", "2024.2.30"),
}
DATE_INVALID_FIELDS = {"travel_date": 8, "reported_on": 2}
FIXED_FIELD = {
    "phone_invalid": "phone", "id_checksum": "id_number", "id_excel_number": "id_number",
    "county_unknown": "home_county", "date_out_of_window": "travel_date", "out_of_scope": "home_county",
    "work_county_unknown": "work_county", "group_unknown": "priority_groups",
}
BAD_GROUPS = ("贫困户", "低保户", "一般户", "困难户", "残疾人")  # no group of either campaign, nor a word for none

# Date cell forms. Text styles work in CSV and XLSX; CELL and NUMBER are typed XLSX cells.
ISO, SLASH, CHINESE, DOTTED, COMPACT, SERIAL_TEXT, CELL, NUMBER = range(8)
TEXT_STYLES = (ISO, SLASH, CHINESE, DOTTED, COMPACT, SERIAL_TEXT)
CSV_DOMINANT = {ISO: 45, SLASH: 30, CHINESE: 20, DOTTED: 5}
XLSX_DOMINANT = {CELL: 60, ISO: 20, CHINESE: 10, SLASH: 10}
CSV_OTHER = (ISO, SLASH, CHINESE, DOTTED, COMPACT, SERIAL_TEXT)
XLSX_OTHER = (CELL, NUMBER, ISO, SLASH, CHINESE)

_FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


# ---------------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------------


def _digits(values: np.ndarray, width: int) -> np.ndarray:
    """Decimal digits of non-negative integers, most significant first: shape (n, width)."""
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return (values.astype(np.int64)[:, None] // powers) % 10


def _year_month_day(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    d = EPOCH + days.astype("timedelta64[D]")
    months = d.astype("datetime64[M]")
    year = d.astype("datetime64[Y]").astype(np.int64) + 1970
    month = months.astype(np.int64) % 12 + 1
    day = (d - months).astype(np.int64) + 1
    return year, month, day


def _rank_within(groups: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Rank (0 = smallest key) of each element among the elements of its group."""
    order = np.lexsort((keys, groups))
    sorted_groups = groups[order]
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_groups)) + 1]
    first_of_group = np.repeat(starts, np.diff(np.r_[starts, len(order)]))
    ranks = np.empty(len(order), dtype=np.int64)
    ranks[order] = np.arange(len(order)) - first_of_group
    return ranks


# ---------------------------------------------------------------------------------------------------
# ID numbers (GB 11643)
# ---------------------------------------------------------------------------------------------------


def id_numbers(county_codes: np.ndarray, birth_days: np.ndarray, sequence: np.ndarray) -> np.ndarray:
    """18-character resident ID numbers: county code, birth date, 3-digit sequence, check character."""
    year, month, day = _year_month_day(birth_days)
    grid = np.empty((len(county_codes), 18), dtype=np.uint8)
    grid[:, :6] = _digits(county_codes, 6)
    grid[:, 6:14] = _digits(year * 10000 + month * 100 + day, 8)
    grid[:, 14:17] = _digits(sequence, 3)
    grid[:, 17] = idcodes.id_check_chars(grid[:, :17]) - ord("0")
    grid += ord("0")
    return grid.view("S18").ravel().astype("U18").astype(object)


def _wrong_check_char(ids: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The same IDs with a check character that is certainly wrong."""
    grid = idcodes.ascii_grid(ids.tolist()).copy()
    position = np.zeros(256, dtype=np.int64)
    position[idcodes.ID_CHECK_CHARS] = np.arange(11)
    grid[:, 17] = idcodes.ID_CHECK_CHARS[(position[grid[:, 17]] + rng.integers(1, 11, len(ids))) % 11]
    return grid.view("S18").ravel().astype("U18").astype(object)


# ---------------------------------------------------------------------------------------------------
# Date cells
# ---------------------------------------------------------------------------------------------------


def _date_texts(days: np.ndarray, styles: np.ndarray) -> np.ndarray:
    """Date cells as text in each row's style (typed-cell styles get ISO text; the XLSX writer types them)."""
    out = np.empty(len(days), dtype=object)
    if len(days) == 0:
        return out
    low, high = int(days.min()), int(days.max())
    table = np.empty((len(TEXT_STYLES), high - low + 1), dtype=object)
    for i, day in enumerate(range(low, high + 1)):
        d = date_of(day)
        table[:, i] = (
            d.isoformat(), f"{d.year}/{d.month}/{d.day}", f"{d.year}年{d.month}月{d.day}日",
            f"{d.year}.{d.month}.{d.day}", d.strftime("%Y%m%d"), str((d - EXCEL_EPOCH).days),
        )
    text_style = np.where(np.isin(styles, TEXT_STYLES), styles, ISO)
    return table[text_style, days - low]


# ---------------------------------------------------------------------------------------------------
# Counties
# ---------------------------------------------------------------------------------------------------


def _county_sizes(names: list[str], workers: int, seed: int) -> np.ndarray:
    """Native workers per county: rural counties send more people out than city districts; nobody gets zero."""
    rng = stream(seed, "county-sizes")
    n = len(names)
    if workers < n:
        raise ValueError(f"workers={workers} is fewer than the {n} counties: every county sends a file")
    kind = np.array([1.5 if s.endswith("县") else 1.1 if s.endswith("市") else 0.6 for s in names])
    weights = rng.lognormal(0.0, 0.6, n) * kind
    return 1 + rng.multinomial(workers - n, weights / weights.sum())


# ---------------------------------------------------------------------------------------------------
# Workers: one row of typed facts each
# ---------------------------------------------------------------------------------------------------


def _unique_sequences(region: np.ndarray, birth: np.ndarray, male: np.ndarray, rng) -> np.ndarray:
    """3-digit sequence numbers (odd for men, even for women) making (region, birth, sequence) unique."""
    n = len(region)
    seq = np.empty(n, dtype=np.int64)
    todo = np.arange(n)
    while len(todo):
        draw = rng.integers(0, 499, len(todo)) * 2
        seq[todo] = np.where(male[todo], draw + 1, draw + 2)
        key = (region.astype(np.int64) * 100_000 + (birth - birth.min())) * 1000 + seq
        order = np.argsort(key, kind="stable")
        clash = np.zeros(n, dtype=bool)
        clash[order[1:][key[order][1:] == key[order][:-1]]] = True  # keep the first, redraw the rest
        todo = np.flatnonzero(clash)
    return seq


def _names(male: np.ndarray, native: np.ndarray, province_code: str, rng) -> np.ndarray:
    """Names; the province's own workers carry its common surnames more often than workers from elsewhere."""
    surnames = list(SURNAMES)
    weights = 1.0 / np.arange(1, len(surnames) + 1) ** 0.9
    local = weights.copy()
    for ch in LOCAL_SURNAMES.get(province_code, ""):
        local[surnames.index(ch)] *= 3.0
    n = len(male)
    surname = np.where(
        native,
        pool(surnames)[rng.choice(len(surnames), n, p=local / local.sum())],
        pool(surnames)[rng.choice(len(surnames), n, p=weights / weights.sum())],
    )
    pools = {True: pool(GIVEN_MALE), False: pool(GIVEN_FEMALE)}
    given = np.empty(n, dtype=object)
    for is_male, chars in pools.items():
        rows = np.flatnonzero(male == is_male)
        first = chars[rng.integers(0, len(chars), len(rows))]
        second = chars[rng.integers(0, len(chars), len(rows))]
        two_chars = rng.random(len(rows)) < 0.7
        given[rows] = np.where(two_chars, first + second, first)
    return surname + given


def _phones(n: int, rng) -> np.ndarray:
    prefixes = list(MOBILE_PREFIXES)
    weights = np.array([MOBILE_PREFIXES[p] for p in prefixes], dtype=float)
    prefix = np.array([int(p) for p in prefixes], dtype=np.int64)
    chosen = prefix[rng.choice(len(prefixes), n, p=weights / weights.sum())]
    return (chosen * 10**8 + rng.integers(0, 10**8, n)).astype("U11").astype(object)


def _births(campaign: Campaign, counties: Counties, county: np.ndarray, rng) -> tuple[np.ndarray, np.ndarray]:
    """Birth days (age 16-60 at the campaign start, most workers 25-50) and the ID region code of each.

    A birth year for which no code of the county is known is drawn again among the years that have one
    (a district created in 1983 has no worker with an ID issued before).
    """
    start = pd.Timestamp(campaign.window.start)
    youngest = day_number((start - pd.DateOffset(years=campaign.intake.min_worker_age)).date())
    oldest = day_number((start - pd.DateOffset(years=60)).date()) + 1
    min_age = campaign.intake.min_worker_age
    age_years = min_age + (60 - min_age) * rng.beta(2.2, 2.6, len(county))
    age_days = np.round(age_years * 365.2425).astype(np.int64)
    birth = np.clip(day_number(campaign.window.start) - age_days, oldest, youngest)

    first_year = int(_year_month_day(np.array([oldest]))[0][0])
    years = np.arange(first_year, int(_year_month_day(np.array([youngest]))[0][0]) + 1)
    table = region_codes(counties, years)
    for _ in range(5):  # redraws land in valid years; a clip at the age bounds may need another pass
        region = table[county, _year_month_day(birth)[0] - first_year]
        missing = np.flatnonzero(region == 0)
        if len(missing) == 0:
            break
        for i in np.unique(county[missing]):
            rows = missing[county[missing] == i]
            valid_years = years[table[i] > 0]
            if len(valid_years) == 0:
                continue
            new_year = valid_years[rng.integers(0, len(valid_years), len(rows))]
            jan_first = (np.asarray(new_year - 1970).astype("datetime64[Y]").astype("datetime64[D]") - EPOCH)
            day_of_year = rng.integers(0, 365, len(rows))
            birth[rows] = np.clip(jan_first.astype(np.int64) + day_of_year, oldest, youngest)
    region = table[county, _year_month_day(birth)[0] - first_year]
    # No code known at all (never the case for Guangxi or Shandong's counties): fall back to today's code.
    return birth, np.where(region > 0, region, counties.codes[county])


def _charter_day_weights(campaign: Campaign, trip: str) -> tuple[np.ndarray, np.ndarray]:
    """Departure days of organised charters: the trip's travel days, sharper around the peak.

    Counties send their coaches on the busiest days (返岗: the first days after the holiday): the
    weights are the trip's travel-day weights to the power CHARTER_DAY_POWER, over the same days.
    """
    days, p = travel_day_weights(campaign, trip)
    return days, p**CHARTER_DAY_POWER / (p**CHARTER_DAY_POWER).sum()


def _organise_charters(campaign: Campaign, n_counties: int, county: np.ndarray, trip: np.ndarray,
                       charter: np.ndarray, flex: np.ndarray, place: np.ndarray, travel: np.ndarray,
                       shares: np.ndarray, seed: int, purpose: str) -> tuple[np.ndarray, np.ndarray]:
    """Work city and travel day of the workers asking for a charter, the way counties organise charters.

    `county` is the home county (0 .. n_counties - 1), `place` the work city (an index into `shares`):
    natives' routes run between their county and the usual destinations, inbound workers' between their
    home county elsewhere and the province's receiving cities. `purpose` names the random stream.

    Drawn independently, requests spread over every county × city × day and almost none fill a coach.
    Counties instead run 点对点 coaches on a few routes to the province's CHARTER_CITIES largest
    destinations (each county has its own order of them, drawn by their shares), one more city per
    about ROUTE_TARGET requests of a trip type, and on a few peak days (_charter_day_weights), one
    more departure per about DEPARTURE_TARGET requests of a route. A requester signs up for one of
    them: his date is the departure's or one near it (CHARTER_SHIFT), never further than his flex days,
    so his window covers the departure. CHARTER_LONE_SHARE of the requests keep their own city and
    day (no organised route; the planner refers most of them). Returns new (place, travel); rows that
    do not ask for a charter keep theirs. Vectorised: one pass over the requests, no loop per county.
    """
    rng = stream(seed, purpose)
    k = min(CHARTER_CITIES, len(shares))
    pool = np.argsort(-shares, kind="stable")[:k]
    keys = np.log(shares[pool]) + rng.gumbel(size=(n_counties, k))  # Gumbel top-k: each county's order
    preference = pool[np.argsort(-keys, axis=1, kind="stable")]  # (county, rank) -> place

    rows = np.flatnonzero(charter & (rng.random(len(charter)) >= CHARTER_LONE_SHARE))
    home = county[rows]
    returning = trip[rows] == "返乡"
    group = home * 2 + returning  # (county, trip type)
    routes = np.clip(np.rint(np.bincount(group, minlength=2 * n_counties) / ROUTE_TARGET), 1, k).astype(np.int64)
    weight = shares[preference[home]] * (np.arange(k) < routes[group][:, None])
    cumulative = weight.cumsum(axis=1)
    rank = (cumulative < (rng.random(len(rows)) * cumulative[:, -1])[:, None]).sum(axis=1)
    rank = np.minimum(rank, routes[group] - 1)

    route = group * k + rank  # (county, trip type, city)
    route_size = np.bincount(route, minlength=2 * n_counties * k)
    batches = np.maximum(1, np.rint(route_size / DEPARTURE_TARGET)).astype(np.int64)
    batch = _rank_within(route, rng.random(len(rows))) * batches[route] // route_size[route]
    batch_returning = np.repeat(np.arange(len(batches)) // k % 2 == 1, batches)
    departure = np.empty(len(batch_returning), dtype=np.int64)
    allowed = np.zeros(len(rows), dtype=bool)
    shifted = np.clip(pick(rng, CHARTER_SHIFT, len(rows)).astype(np.int64), -flex[rows], flex[rows])
    day = np.empty(len(rows), dtype=np.int64)
    for kind, is_returning in (("返乡", True), ("返岗", False)):
        days, p = _charter_day_weights(campaign, kind)
        in_kind = batch_returning == is_returning
        departure[in_kind] = rng.choice(days, int(in_kind.sum()), p=p)
        at = returning == is_returning
        day[at] = departure[np.r_[0, np.cumsum(batches)[:-1]][route[at]] + batch[at]]
        index = day[at] + shifted[at] - days[0]
        ok = (index >= 0) & (index < len(days))
        ok[ok] = p[index[ok]] > 0
        allowed[at] = ok
    day = np.where(allowed, day + shifted, day)  # a shift off the trip's travel days keeps the departure's

    place, travel = place.copy(), travel.copy()
    place[rows] = preference[home, rank]
    travel[rows] = day
    return place, travel


def _places(province: divisions.Province) -> tuple[list[tuple[str, str, float]], int]:
    """Every work place of the province's workers: the natives' destinations first (how many is the second
    value), then the cities receiving inbound workers (province, city, share)."""
    natives = destinations(province)
    plan = inbound(province)
    receiving = [(province.name, city, share) for city, share in plan.cities] if plan else []
    return natives + receiving, len(natives)


def _homes(counties: Counties, province: divisions.Province, workers: int, seed: int, rng) -> np.ndarray:
    """Home county of each worker: natives county by county, then the inbound workers (外省籍)."""
    plan = inbound(province)
    n_inbound = round(workers * plan.share) if plan else 0
    natives = np.repeat(np.arange(counties.own), _county_sizes(counties.short[: counties.own],
                                                                workers - n_inbound, seed))
    weight = counties.weight[counties.own:]
    arriving = counties.own + rng.choice(len(weight), n_inbound, p=weight / weight.sum()) if n_inbound else []
    return np.r_[natives, arriving].astype(np.int64)


def _receiving_counties(counties: Counties, city_codes: np.ndarray, together: np.ndarray, seed: int) -> np.ndarray:
    """For workers working in a city of the province (city code, 0 elsewhere): a county of that city
    (an index of the province's own counties; -1 elsewhere). Industry sits in the city districts.

    Workers with the same `together` key (a charter route: home county, trip type, work city) share one
    county: their coach goes 车门到厂门 to one place, and the planner routes to the work county."""
    rng = stream(seed, "work-counties")
    own = np.arange(counties.own)
    kind = np.array([2.0 if n.endswith("区") else 1.0 if n.endswith("市") else 0.6 for n in counties.names[: counties.own]])
    weight = kind * rng.lognormal(0.0, 0.5, counties.own)
    _, first, which = np.unique(together, return_index=True, return_inverse=True)
    city_of_group = city_codes[first]
    drawn = np.full(len(first), -1, dtype=np.int64)
    for city in np.unique(city_of_group[city_of_group > 0]):
        groups = np.flatnonzero(city_of_group == city)
        members = own[counties.city[own] == city]
        drawn[groups] = members[rng.choice(len(members), len(groups), p=weight[members] / weight[members].sum())]
    return drawn[which]


def _draw_workers(campaign: Campaign, province: divisions.Province, counties: Counties, workers: int,
                  seed: int) -> dict[str, np.ndarray]:
    rng = stream(seed, "workers")
    county = _homes(counties, province, workers, seed, rng)
    n = len(county)
    native = county < counties.own
    male = rng.random(n) < 0.65

    birth, region = _births(campaign, counties, county, rng)
    sequence = _unique_sequences(region, birth, male, rng)

    trip = np.where(rng.random(n) < 0.55, "返岗", "返乡").astype(object)
    travel = np.empty(n, dtype=np.int64)
    for kind in ("返乡", "返岗"):
        rows = np.flatnonzero(trip == kind)
        days, p = travel_day_weights(campaign, kind)
        travel[rows] = rng.choice(days, len(rows), p=p)
    window_start = day_number(campaign.window.start)
    report_lag = rng.integers(1, 21, n)

    places, n_destinations = _places(province)
    shares = np.array([w for *_, w in places], dtype=float)
    natives_go, inbound_come = shares[:n_destinations], shares[n_destinations:]
    place = np.where(
        native,
        rng.choice(n_destinations, n, p=natives_go / natives_go.sum()),
        n_destinations + (rng.choice(len(inbound_come), n, p=inbound_come / inbound_come.sum())
                          if len(inbound_come) else 0),
    )

    returning = trip == "返乡"
    job_need = np.where(
        returning,
        pick(rng, {"无": 55, "本地就业": 20, "外出务工": 25}, n),
        pick(rng, {"无": 65, "本地就业": 5, "外出务工": 30}, n),
    )
    training = np.where(rng.random(n) < 0.18, "是", "否").astype(object)
    company = (
        pool(BRANDS)[rng.integers(0, len(BRANDS), n)]
        + pool(INDUSTRIES)[rng.integers(0, len(INDUSTRIES), n)]
        + pool(COMPANY_FORMS)[rng.integers(0, len(COMPANY_FORMS), n)]
    )
    township = counties.township_start[county] + np.floor(
        rng.random(n) ** 1.6 * counties.township_count[county]
    ).astype(np.int64)
    # Every draw of this stream comes in the order it always had and the charter routes have their own
    # stream: reorganising charter requests changes where and when they travel, nothing else.
    name = _names(male, native, province.code, rng)
    phone = _phones(n, rng)
    flex = rng.choice(8, n, p=[0.3, 0.15, 0.15, 0.15, 0.08, 0.07, 0.05, 0.05])
    has_employer = rng.random(n) < 0.75
    charter = rng.random(n) < np.where(returning, 0.12, 0.45)
    trade = np.where(job_need == "无", "", pool(TRADES)[rng.integers(0, len(TRADES), n)])
    training_trade = np.where(
        training == "是", pool(TRAINING_TRADES)[rng.integers(0, len(TRAINING_TRADES), n)], ""
    )
    show_work_county = rng.random(n) < np.where(native, WORK_COUNTY_SHOWN["native"], WORK_COUNTY_SHOWN["inbound"])
    member = priority.membership(list(campaign.priority_groups), province.code, n, stream(seed, "priority-groups"))

    for rows, origin, n_origins, offset, route_shares, purpose in (
        (np.flatnonzero(native), county[native], counties.own, 0, natives_go, "charter-routes"),
        (np.flatnonzero(~native), county[~native] - counties.own, len(counties.codes) - counties.own,
         n_destinations, inbound_come, "charter-routes-inbound"),
    ):
        if len(rows):
            place[rows], travel[rows] = _organise_charters(
                campaign, n_origins, origin, trip[rows], charter[rows], flex[rows], place[rows] - offset,
                travel[rows], route_shares, seed, purpose)
            place[rows] += offset
    reported = np.minimum(np.maximum(travel - report_lag, window_start), travel)

    cities = {city.name: int(code) for code, city in province.cities.items()}
    place_city = np.array([cities.get(c, 0) if p == province.name else 0 for p, c, _ in places], dtype=np.int64)
    # Charter requesters travel together by route; everybody else on his own.
    route = (county * 2 + returning) * len(places) + place
    together = np.where(charter, route, len(counties.codes) * 2 * len(places) + np.arange(n))
    work_county = _receiving_counties(counties, place_city[place], together, seed)
    work_in = work_county >= 0
    short_city = pool(divisions.short_name(c) for _, c, _ in places)[place]
    return {
        "home": county,
        "file": np.where(native, county, work_county),  # the receiving county's bureau reports inbound workers
        "native": native,
        "work_in": work_in,
        "id": id_numbers(region, birth, sequence),
        "name": name,
        "phone": phone,
        "township": township,
        "groups": priority.cells(member, list(campaign.priority_groups)),
        "member": member,
        "trip": trip,
        "travel_day": travel,
        "flex": flex,
        "work_province": pool(p for p, _, _ in places)[place],
        "work_province_short": pool(divisions.short_name(p) for p, _, _ in places)[place],
        "work_city": pool(c for _, c, _ in places)[place],
        "work_city_short": short_city,
        "work_county": work_county,
        "show_work_county": (show_work_county | charter) & work_in,  # a charter's riders know its 厂门
        "employer": np.where(has_employer, short_city + company, ""),
        "charter": np.where(charter, "是", "否").astype(object),
        "job_need": job_need,
        "trade": trade,
        "training": training,
        "training_trade": training_trade,
        "reported_day": reported,
    }


# ---------------------------------------------------------------------------------------------------
# Duplicate reports: the same worker in a second county's file, with a different 填报日期
# ---------------------------------------------------------------------------------------------------


def _add_duplicate_reports(rows: dict[str, np.ndarray], counties: Counties, campaign: Campaign,
                           seed: int) -> dict[str, np.ndarray]:
    """Append a second report for some workers, filed by another county (in the same city as the county
    that filed the first where possible: the worker moved, or two bureaus both counted him).

    The two reports get different 填报日期 inside [window start, travel date]; the earlier one must
    lose when submissions are merged. `pair` links the two rows, `late` marks the winner.
    """
    rng = stream(seed, "duplicates")
    n = len(rows["file"])
    window_start = day_number(campaign.window.start)
    candidates = np.flatnonzero(rows["travel_day"] > window_start)
    k = min(int(round(DUPLICATE_RATE * n)), len(candidates))
    chosen = np.sort(rng.choice(candidates, k, replace=False))

    other = np.empty(k, dtype=np.int64)
    for i, first in enumerate(rows["file"][chosen]):  # k is small (0.6% of workers)
        everyone_else = np.delete(np.arange(counties.own), first)
        same_city = everyone_else[counties.city[everyone_else] == counties.city[first]]
        pool = same_city if len(same_city) else everyone_else
        other[i] = pool[rng.integers(len(pool))]

    span = rows["travel_day"][chosen] - window_start
    early = window_start + np.floor(rng.random(k) * span).astype(np.int64)
    late = early + 1 + np.floor(rng.random(k) * (rows["travel_day"][chosen] - early)).astype(np.int64)
    copy_wins = rng.random(k) < 0.5
    # A small county must not end up with many losing rows: keep at most 10% of a file's rows losers.
    loser_file = np.where(copy_wins, rows["file"][chosen], other)
    room = np.floor(0.1 * np.bincount(rows["file"], minlength=counties.own)).astype(np.int64)
    keep = _rank_within(loser_file, np.arange(k)) < room[loser_file]
    chosen, other, early, late = chosen[keep], other[keep], early[keep], late[keep]
    copy_wins = copy_wins[keep]
    k = len(chosen)

    out = {name: np.concatenate([values, values[chosen]]) for name, values in rows.items()}
    out["file"][n:] = other
    out["reported_day"][chosen] = np.where(copy_wins, early, late)
    out["reported_day"][n:] = np.where(copy_wins, late, early)
    new_phone = rng.random(k) < 0.3  # a worker who changed numbers between the two reports
    out["phone"][n:] = np.where(new_phone, _phones(k, rng), out["phone"][n:])
    out["pair"] = np.full(n + k, -1, dtype=np.int64)
    out["pair"][chosen] = np.arange(k)
    out["pair"][n:] = np.arange(k)
    out["late"] = np.zeros(n + k, dtype=bool)
    out["late"][chosen] = ~copy_wins
    out["late"][n:] = copy_wins
    return out


# ---------------------------------------------------------------------------------------------------
# Files: format, encoding, title row, header words and habits of each county office
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FilePlan:
    county: int
    name: str
    kind: str  # xlsx | csv
    encoding: str  # utf-8 | utf-8-sig | gbk (CSV only)
    title: str | None
    subtitle: str | None
    headers: tuple[str, ...]
    reporting_unit: str
    date_style: int
    bare_county_share: float
    home_province_column: bool  # 户籍省份 filled for every row, the county then without its province
    numeric_phones: bool
    numeric_flex: bool
    instructions_sheet: bool
    crlf: bool
    arrival: int

    @property
    def first_data_row(self) -> int:
        return 2 + (self.title is not None) + (self.subtitle is not None)

    @property
    def format_label(self) -> str:
        return "xlsx" if self.kind == "xlsx" else {"gbk": "csv_gbk", "utf-8": "csv_utf8"}.get(
            self.encoding, "csv_utf8_bom"
        )


def _kinds(n: int, formats: str, rng) -> list[tuple[str, str]]:
    """Exact shares, shuffled: a third XLSX, then of the CSVs a third GBK, the rest UTF-8 (some with BOM)."""
    if formats == "csv":
        kinds = [("csv", "utf-8")] * n
    else:
        n_xlsx = round(n / 3)
        n_gbk = round((n - n_xlsx) / 3)
        kinds = [("xlsx", "")] * n_xlsx + [("csv", "gbk")] * n_gbk + [("csv", "utf-8")] * (n - n_xlsx - n_gbk)
    kinds = [kinds[i] for i in rng.permutation(n)]
    return [(k, "utf-8-sig" if e == "utf-8" and rng.random() < 0.4 else e) for k, e in kinds]


def _headers(style: int, rng) -> tuple[str, ...]:
    out = []
    for col in COLUMNS:
        header = col.header
        if style == 1 and col.field in HEADER_ALIASES and rng.random() < 0.6:
            options = HEADER_ALIASES[col.field]
            header = options[rng.integers(len(options))]
        elif style == 2:  # a template typed with full-width brackets and * on required columns
            header = ("*" if col.required else "") + header.replace("(", "（").replace(")", "）")
        out.append(header)
    return tuple(out)


def _plan_files(counties: Counties, campaign: Campaign, formats: str, seed: int) -> list[FilePlan]:
    """One file per county of the province (counties.own of them)."""
    rng = stream(seed, "files")
    n = counties.own
    kinds = _kinds(n, formats, rng)
    arrival = rng.permutation(n)
    year = campaign.travel_window.start.year
    plans = []
    for i in range(n):
        kind, encoding = kinds[i]
        xlsx = kind == "xlsx"
        short = counties.short[i]
        unit = short + ("人力资源和社会保障局", "人社局", "就业服务中心")[rng.choice(3, p=(0.7, 0.2, 0.1))]
        has_title = rng.random() < (0.5 if xlsx else 0.1)
        dominant = pick(rng, XLSX_DOMINANT if xlsx else CSV_DOMINANT, 1)[0]
        plans.append(
            FilePlan(
                county=i,
                name=f"{counties.codes[i]}-{counties.labels[i]}.{'xlsx' if xlsx else 'csv'}",
                kind=kind,
                encoding=encoding,
                title=f"{short}{year}年春节农民工返乡返岗需求摸排表" if has_title else None,
                subtitle=f"填报单位（盖章）：{unit}" if has_title and xlsx and rng.random() < 0.3 else None,
                headers=_headers(int(rng.choice(3, p=(0.6, 0.25, 0.15))), rng),
                reporting_unit=unit,
                date_style=int(dominant),
                bare_county_share=float(rng.choice([0.0, 0.5, 0.9])),
                home_province_column=bool(rng.random() < HOME_PROVINCE_FILES),
                numeric_phones=xlsx and rng.random() < 0.25,
                numeric_flex=xlsx and rng.random() < 0.7,
                instructions_sheet=xlsx and rng.random() < 0.3,
                crlf=encoding == "gbk" or rng.random() < 0.5,
                arrival=int(arrival[i]),
            )
        )
    if formats == "mixed" and not any(p.title and p.kind == "xlsx" for p in plans):
        first_xlsx = next(i for i, p in enumerate(plans) if p.kind == "xlsx")
        title = f"{counties.short[first_xlsx]}{year}年春节农民工返乡返岗需求摸排表"
        plans[first_xlsx] = dataclasses.replace(plans[first_xlsx], title=title)
    return plans


def _order_rows(rows: dict[str, np.ndarray], plans: list[FilePlan], seed: int) -> dict[str, np.ndarray]:
    """Rows file by file, grouped by township the way clerks collect them; spreadsheet row numbers added."""
    rng = stream(seed, "row-order")
    order = np.lexsort((rng.random(len(rows["file"])), rows["township"], rows["file"]))
    out = {k: v[order] for k, v in rows.items()}
    first_row = np.array([p.first_data_row for p in plans])
    starts = np.searchsorted(out["file"], np.arange(len(plans)))
    out["row"] = first_row[out["file"]] + np.arange(len(order)) - starts[out["file"]]
    return out


# ---------------------------------------------------------------------------------------------------
# Cells: what each clerk typed, in the forms counties really use (all of them valid)
# ---------------------------------------------------------------------------------------------------


@dataclass
class Cells:
    text: dict[str, np.ndarray]  # field -> object array of str ("" = blank cell)
    travel_style: np.ndarray
    reported_style: np.ndarray
    travel_day: np.ndarray
    reported_day: np.ndarray
    id_as_number: np.ndarray  # bool: the clerk typed the ID into a number cell (XLSX only)


def _date_styles(file: np.ndarray, plans: list[FilePlan], rng) -> np.ndarray:
    dominant = np.array([p.date_style for p in plans])[file]
    is_xlsx = np.array([p.kind == "xlsx" for p in plans])[file]
    other = np.where(
        is_xlsx,
        np.array(XLSX_OTHER)[rng.integers(0, len(XLSX_OTHER), len(file))],
        np.array(CSV_OTHER)[rng.integers(0, len(CSV_OTHER), len(file))],
    )
    return np.where(rng.random(len(file)) < 0.85, dominant, other)


def _id_forms(ids: np.ndarray, rng) -> np.ndarray:
    """Lowercase x at the end, full-width digits from a Chinese input method."""
    out = ids.copy()
    ends_x = np.flatnonzero(np.char.endswith(ids.astype("U18"), "X") & (rng.random(len(ids)) < 0.3))
    out[ends_x] = np.strings.replace(ids[ends_x].astype("U18"), "X", "x").astype(object)
    wide = np.flatnonzero(rng.random(len(ids)) < 0.02)
    out[wide] = np.strings.translate(ids[wide].astype("U18"), _FULL_WIDTH).astype(object)
    return out


def _phone_forms(phones: np.ndarray, rng) -> np.ndarray:
    """+86, spaces and dashes, full-width digits: all still one valid mobile number."""
    out = phones.copy()
    form = rng.choice(6, len(phones), p=[0.84, 0.04, 0.02, 0.04, 0.04, 0.02])
    for f in range(1, 6):
        rows = np.flatnonzero(form == f)
        p = phones[rows].astype("U11")
        head, mid, tail = np.strings.slice(p, 0, 3), np.strings.slice(p, 3, 7), np.strings.slice(p, 7, 11)
        if f == 1:
            shown = np.strings.add("+86 ", p)
        elif f == 2:
            shown = np.strings.add("+86", p)
        elif f == 3:
            shown = np.strings.add(np.strings.add(np.strings.add(np.strings.add(head, "-"), mid), "-"), tail)
        elif f == 4:
            shown = np.strings.add(np.strings.add(np.strings.add(np.strings.add(head, " "), mid), " "), tail)
        else:
            shown = np.strings.translate(p, _FULL_WIDTH)
        out[rows] = shown.astype(object)
    return out


def _home_forms(rows: dict[str, np.ndarray], counties: Counties, plans: list[FilePlan],
                rng) -> tuple[np.ndarray, np.ndarray]:
    """户籍省份 and 户籍县(市、区) cells as offices write them.

    The county: 贵港市平南县, or 平南县 where the bare name is the county's alone in its province. Files
    that fill 户籍省份 give every row's province there. The others leave it blank: a native now and then
    writes his province in front of the county, an inbound worker mostly does (河南省南阳市宛城区) and
    otherwise writes city and county (南阳市宛城区), never a bare name another province may share.
    """
    home, n = rows["home"], len(rows["home"])
    native = home < counties.own
    labels, names = pool(counties.labels)[home], pool(counties.names)[home]
    province_names = counties.province_names[home]
    split = np.array([p.home_province_column for p in plans])[rows["file"]]
    share = np.array([p.bare_county_share for p in plans])[rows["file"]]
    bare = counties.bare_allowed[home] & (rng.random(n) < share) & (native | split)
    county = np.where(bare, names, labels)
    prefixed = ~split & np.where(native, rng.random(n) < 0.03, (rng.random(n) < 0.6) | (labels == names))
    county = np.where(prefixed, province_names + county, county)
    short = pool(divisions.short_name(p) for p in counties.province_names)[home]
    province = np.where(rng.random(n) < 0.1, short, province_names)
    return np.where(split, province, ""), county


def _flex_forms(flex: np.ndarray, rng) -> np.ndarray:
    text = flex.astype("U1").astype(object)
    u = rng.random(len(flex))
    text = np.where((flex == 0) & (u < 0.3), "", text)  # blank counts as 0 days
    return np.where((flex > 0) & (u < 0.05), text + "天", text)


def _short_names(full: np.ndarray, short: np.ndarray, share: float, rng) -> np.ndarray:
    """广东省 -> 广东, 深圳市 -> 深圳 for a share of rows."""
    return np.where(rng.random(len(full)) < share, short, full)


def _render(rows: dict[str, np.ndarray], counties: Counties, plans: list[FilePlan], seed: int) -> Cells:
    rng = stream(seed, "cells")
    file = rows["file"]
    travel_style = _date_styles(file, plans, rng)
    reported_style = _date_styles(file, plans, rng)
    home_province, home_county = _home_forms(rows, counties, plans, rng)
    text = {
        "name": rows["name"],
        "id_number": _id_forms(rows["id"], rng),
        "phone": _phone_forms(rows["phone"], rng),
        "home_province": home_province,
        "home_county": home_county,
        "home_township": np.where(rng.random(len(file)) < 0.95, counties.townships[rows["township"]], ""),
        "priority_groups": priority.as_typed(rows["groups"], rng),
        "trip_type": rows["trip"],
        "travel_date": _date_texts(rows["travel_day"], travel_style),
        "flex_days": _flex_forms(rows["flex"], rng),
        "work_province": _short_names(rows["work_province"], rows["work_province_short"], 0.15, rng),
        "work_city": _short_names(rows["work_city"], rows["work_city_short"], 0.1, rng),
        "work_county": np.where(rows["show_work_county"], pool(counties.names)[np.maximum(rows["work_county"], 0)], ""),
        "employer": rows["employer"],
        "needs_charter": rows["charter"],
        "job_need": rows["job_need"],
        "desired_trade": rows["trade"],
        "needs_training": rows["training"],
        "training_trade": rows["training_trade"],
        "reporting_unit": pool(p.reporting_unit for p in plans)[file],
        "reported_on": _date_texts(rows["reported_day"], reported_style),
    }
    text = {f: np.asarray(v, dtype=object).copy() for f, v in text.items()}
    return Cells(text, travel_style, reported_style, rows["travel_day"].copy(), rows["reported_day"].copy(),
                 np.zeros(len(file), dtype=bool))


# ---------------------------------------------------------------------------------------------------
# Mistakes: exactly one per chosen row, each tripping exactly one check
# ---------------------------------------------------------------------------------------------------


def _mistake_counts(rows: dict[str, np.ndarray], n_files: int, rng) -> tuple[np.ndarray, np.ndarray]:
    """Rows that may carry a mistake (not part of a duplicate pair) and how many each file gets."""
    file = rows["file"]
    eligible = rows["pair"] < 0
    per_file = np.bincount(file, minlength=n_files)
    losers = np.bincount(file[(rows["pair"] >= 0) & ~rows["late"]], minlength=n_files)
    cap = np.floor(MAX_FILE_MISTAKE_SHARE * per_file).astype(np.int64) - losers
    wanted = rng.binomial(per_file, MISTAKE_RATE)
    available = np.bincount(file[eligible], minlength=n_files)
    return eligible, np.clip(np.minimum(np.minimum(wanted, cap), available), 0, None)


def _choose_mistakes(rows: dict[str, np.ndarray], plans: list[FilePlan], counties: Counties,
                     seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Positions of mistaken rows, their check code and the field the mistake is in."""
    rng = stream(seed, "mistakes")
    file = rows["file"]
    eligible, per_file = _mistake_counts(rows, len(plans), rng)
    key = np.where(eligible, rng.random(len(file)), np.inf)
    positions = np.flatnonzero(_rank_within(file, key) < per_file[file])

    is_xlsx = np.array([p.kind == "xlsx" for p in plans])[file[positions]]
    codes = np.where(
        is_xlsx,
        pick(rng, MISTAKES, len(positions)),
        pick(rng, {k: v for k, v in MISTAKES.items() if k != "id_excel_number"}, len(positions)),
    )
    # An ID ending in X cannot be typed into a number cell: that clerk got the check digit wrong instead.
    ends_x = np.char.endswith(rows["id"][positions].astype("U18"), "X")
    codes = np.where((codes == "id_excel_number") & ends_x, "id_checksum", codes)

    fields = pd.Series(codes).map(FIXED_FIELD).fillna("").to_numpy(dtype=object)
    for code, options in (("missing", MISSING_FIELDS), ("choice_invalid", CHOICE_FIELDS),
                          ("date_invalid", DATE_INVALID_FIELDS)):
        at = np.flatnonzero(codes == code)
        fields[at] = pick(rng, options, len(at))
    return positions, *_fit_scope(codes, fields, counties)


def _fit_scope(codes: np.ndarray, fields: np.ndarray, counties: Counties) -> tuple[np.ndarray, np.ndarray]:
    """A row can be put out of scope only where some home outside the province is known (the inbound
    workers' home counties); without one the clerk gets the phone wrong instead.

    Nothing else needs care: the gate judges scope only where both the home county and the work
    province are known, so a missing or unknown home county or work place trips its own check alone."""
    codes = codes.astype(object)
    if counties.own == len(counties.codes):
        codes[codes == "out_of_scope"] = "phone_invalid"
    return codes, np.where(codes == "phone_invalid", "phone", fields).astype(object)


def _invalid_phones(phones: np.ndarray, province_code: str, rng) -> np.ndarray:
    """10 or 12 digits, or a landline: what clerks type instead of a mobile number."""
    plain = phones.astype("U11")
    extra = rng.integers(0, 10, len(phones)).astype("U1")
    areas = pool(AREA_CODES.get(province_code, ("010", "020")))
    local = rng.integers(2_000_000, 8_999_999, len(phones)).astype("U7").astype(object)
    landline = areas[rng.integers(0, len(areas), len(phones))] + "-" + local
    form = rng.integers(0, 3, len(phones))
    return np.select(
        [form == 0, form == 1],
        [np.strings.slice(plain, 0, 10).astype(object), np.strings.add(plain, extra).astype(object)],
        landline,
    )


@cache
def _made_up_counties() -> np.ndarray:
    """County names no county of China has (a town's name typed as a county, a garbled name)."""
    real = {COUNTY_SUFFIX.sub("", name) for name in divisions.county_province_names()}
    real |= {COUNTY_SUFFIX.sub("", d.name) for d in divisions.all_divisions().values()}
    roots = (a + b for a in TOWN_FIRST for b in TOWN_SECOND)
    return pool(sorted(root + suffix for root in roots if root not in real for suffix in ("县", "区")))


def _shared_counties(province: divisions.Province) -> np.ndarray:
    """Bare names several provinces share (鼓楼区, 朝阳区 …), none of them this province's: without a
    province they resolve nowhere."""
    shared = divisions.national_county_names().ambiguous
    names = [n for n, labels in shared.items()
             if n not in province.county_names and not any(lab.startswith(province.name) for lab in labels)
             and not n.startswith(tuple(divisions.provinces_by_name()))]
    return pool(sorted(names))


def _unknown_counties(home_provinces: np.ndarray, province: divisions.Province, rng) -> np.ndarray:
    """A 户籍县 that resolves nowhere for each row: a shared bare name or a made-up one; made up where the
    row names another province in 户籍省份 (that province may have the shared name once)."""
    shared, made_up = _shared_counties(province), _made_up_counties()
    elsewhere = ~np.isin(home_provinces, ("", province.name, divisions.short_name(province.name)))
    use_shared = ~elsewhere & (rng.random(len(home_provinces)) < 0.5)
    return np.where(use_shared, shared[rng.integers(0, len(shared), len(home_provinces))],
                    made_up[rng.integers(0, len(made_up), len(home_provinces))])


def _with_region(ids: np.ndarray, region: np.ndarray) -> np.ndarray:
    """The same holders' ID numbers (birth date, sequence) issued in another county."""
    birth = pd.to_datetime(pd.Series(ids.astype("U18")).str.slice(6, 14), format="%Y%m%d").to_numpy()
    days = (birth.astype("datetime64[D]") - EPOCH).astype(np.int64)
    sequence = np.array([int(i[14:17]) for i in ids], dtype=np.int64)
    return id_numbers(region, days, sequence)


def _out_of_window_days(campaign: Campaign, n: int, rng) -> np.ndarray:
    window = campaign.travel_window
    before = day_number(window.start) - rng.integers(5, 46, n)
    after = day_number(window.end) + rng.integers(1, 61, n)
    return np.where(rng.random(n) < 0.5, before, after)


def _inject(cells: Cells, rows: dict[str, np.ndarray], positions: np.ndarray, codes: np.ndarray,
            fields: np.ndarray, campaign: Campaign, province: divisions.Province, counties: Counties,
            plans: list[FilePlan], seed: int) -> None:
    """Turn each chosen row's cell into the mistake; the row's other cells stay valid."""
    rng = stream(seed, "inject")
    text = cells.text

    def at(code: str, field: str | None = None) -> np.ndarray:
        hit = codes == code if field is None else (codes == code) & (fields == field)
        return positions[hit]

    for field in MISSING_FIELDS:
        text[field][at("missing", field)] = ""
    for field in ("work_province", "work_city"):  # a clerk who leaves the work place blank leaves it all
        text["work_county"][at("missing", field)] = ""
    for field, bad in BAD_CHOICES.items():
        rows_ = at("choice_invalid", field)
        text[field][rows_] = pool(bad)[rng.integers(0, len(bad), len(rows_))]
    for field, bad in BAD_DATES.items():
        rows_ = at("date_invalid", field)
        text[field][rows_] = pool(bad)[rng.integers(0, len(bad), len(rows_))]
        styles = cells.travel_style if field == "travel_date" else cells.reported_style
        styles[rows_] = ISO  # typed as text, never a date cell

    rows_ = at("id_checksum")
    text["id_number"][rows_] = _wrong_check_char(rows["id"][rows_], rng)
    rows_ = at("id_excel_number")
    text["id_number"][rows_] = rows["id"][rows_]
    cells.id_as_number[rows_] = True
    rows_ = at("phone_invalid")
    text["phone"][rows_] = _invalid_phones(rows["phone"][rows_], province.code, rng)
    rows_ = at("group_unknown")
    text["priority_groups"][rows_] = pool(BAD_GROUPS)[rng.integers(0, len(BAD_GROUPS), len(rows_))]
    rows_ = at("county_unknown")
    text["home_county"][rows_] = _unknown_counties(text["home_province"][rows_], province, rng)
    _put_out_of_scope(text, rows, at("out_of_scope"), province, counties, plans, rng)
    _misplace_work_county(text, rows, at("work_county_unknown"), counties, rng)
    rows_ = at("date_out_of_window")
    cells.travel_day[rows_] = _out_of_window_days(campaign, len(rows_), rng)
    text["travel_date"][rows_] = _date_texts(cells.travel_day[rows_], cells.travel_style[rows_])


def _put_out_of_scope(text: dict[str, np.ndarray], rows: dict[str, np.ndarray], at: np.ndarray,
                      province: divisions.Province, counties: Counties, plans: list[FilePlan], rng) -> None:
    """A worker of another province working in another province, filed by mistake: his home becomes one
    of the inbound workers' home counties (ID number re-issued there), his work place an outside city."""
    home = counties.own + rng.integers(0, len(counties.codes) - counties.own, len(at))
    outside = [(p, c) for p, c, _ in destinations(province) if p != province.name] or [("江苏省", "苏州市")]
    place = rng.integers(0, len(outside), len(at))
    split = np.array([p.home_province_column for p in plans])[rows["file"][at]]
    labels = pool(counties.labels)[home]
    text["home_province"][at] = np.where(split, counties.province_names[home], "")
    text["home_county"][at] = np.where(split, labels, counties.province_names[home] + labels)
    text["id_number"][at] = _with_region(rows["id"][at], counties.codes[home])
    text["work_province"][at] = pool(p for p, _ in outside)[place]
    text["work_city"][at] = pool(c for _, c in outside)[place]
    text["work_county"][at] = ""


def _misplace_work_county(text: dict[str, np.ndarray], rows: dict[str, np.ndarray], at: np.ndarray,
                          counties: Counties, rng) -> None:
    """务工地县 naming a county of the province that is not in the work city: 济南的历下区 for a worker in
    青岛; for work outside the province a name its work province has nowhere (天津 has a 河东区 too)."""
    names = pool(counties.names[: counties.own])
    city = counties.city[: counties.own]

    @cache
    def allowed(work_province: str, work_city: int) -> np.ndarray:
        if work_city >= 0:
            return np.flatnonzero((city != work_city) & ~np.isin(names, names[city == work_city]))
        there = [c.name for c in divisions.province(work_province).counties.values()]
        return np.flatnonzero(~np.isin(names, there))

    for row in at:  # a few rows in a hundred
        work_city = city[rows["work_county"][row]] if rows["work_in"][row] else -1
        choices = allowed(rows["work_province"][row], int(work_city))
        text["work_county"][row] = names[choices[rng.integers(len(choices))]]


# ---------------------------------------------------------------------------------------------------
# Writers
# ---------------------------------------------------------------------------------------------------


def _csv_bytes(plan: FilePlan, columns: list[list[str]]) -> bytes:
    """Plain comma-joined lines: the generated cells never hold a comma, quote or newline."""
    newline = "\r\n" if plan.crlf else "\n"
    lines = []
    if plan.title:
        lines.append(plan.title + "," * (len(FIELDS) - 1))  # what Excel writes for a merged title row
    lines.append(",".join(plan.headers))
    body = newline.join(map(",".join, zip(*columns, strict=True)))  # C-level joins, no Python loop body
    if body.count(",") != len(columns[0]) * (len(columns) - 1):
        raise AssertionError(f"{plan.name}: a generated cell holds a comma")
    content = newline.join(lines) + newline + body + newline
    return content.encode("gbk" if plan.encoding == "gbk" else plan.encoding)


def _xlsx_column(field: str, values: list[str], sl: slice, plan: FilePlan, cells: Cells) -> list[object]:
    """Cells as openpyxl values: blanks as None, dates/numbers typed where the clerk's sheet typed them."""
    out: list[object] = [v if v != "" else None for v in values]
    if field in ("travel_date", "reported_on"):
        styles = (cells.travel_style if field == "travel_date" else cells.reported_style)[sl]
        days = (cells.travel_day if field == "travel_date" else cells.reported_day)[sl]
        for i in np.flatnonzero(np.isin(styles, (CELL, NUMBER))):
            if out[i] is not None:
                d = date_of(days[i])
                out[i] = d if styles[i] == CELL else (d - EXCEL_EPOCH).days
    elif field == "id_number":
        for i in np.flatnonzero(cells.id_as_number[sl]):
            out[i] = float(values[i][:15] + "000")  # Excel keeps 15 significant digits
    elif (field == "phone" and plan.numeric_phones) or (field == "flex_days" and plan.numeric_flex):
        out = [int(v) if isinstance(v, str) and v.isascii() and v.isdigit() else v for v in out]
    return out


def _xlsx_bytes(plan: FilePlan, columns: dict[str, list[str]], sl: slice, cells: Cells,
                when: dt.datetime) -> bytes:
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter
    from openpyxl.writer.excel import ExcelWriter

    book = Workbook(write_only=True)
    sheet = book.create_sheet("摸排表")
    for i, col in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = col.width
    if plan.title:
        sheet.append([plan.title])
        sheet.merged_cells.add(f"A1:{get_column_letter(len(COLUMNS))}1")
    if plan.subtitle:
        sheet.append([plan.subtitle])
    sheet.append(list(plan.headers))
    typed = [_xlsx_column(f, columns[f], sl, plan, cells) for f in FIELDS]
    for row in zip(*typed, strict=True):
        sheet.append(row)
    if plan.instructions_sheet:
        notes = book.create_sheet("填表说明")
        for line in ("1. 每位农民工填一行，身份证号请设为文本格式。", "2. 户籍县重名的请写明所属市。",
                     "3. 日期请写成 2024-02-18 这样的格式。"):
            notes.append([line])
    book.properties.creator = plan.reporting_unit
    book.properties.created = book.properties.modified = when.replace(tzinfo=None)
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(book, archive).save()
    return _with_fixed_zip_times(raw.getvalue())


def _with_fixed_zip_times(data: bytes) -> bytes:
    """Rewrite the archive with a fixed timestamp on every member (zipfile stamps the current time)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


def _remove_other_format(out: Path, plans: list[FilePlan]) -> None:
    """A county's file from an earlier run in the other format would be a second submission: remove it."""
    for plan in plans:
        other = (out / plan.name).with_suffix(".csv" if plan.kind == "xlsx" else ".xlsx")
        other.unlink(missing_ok=True)


def _arrival_base(campaign: Campaign) -> dt.datetime:
    return dt.datetime.combine(campaign.window.start, dt.time(9, 0), tzinfo=LOCAL_TZ)


def _write_files(out: Path, plans: list[FilePlan], rows: dict[str, np.ndarray], cells: Cells,
                 campaign: Campaign) -> None:
    base = _arrival_base(campaign)
    starts = np.searchsorted(rows["file"], np.arange(len(plans) + 1))
    for plan in plans:
        sl = slice(int(starts[plan.county]), int(starts[plan.county + 1]))
        columns = {f: cells.text[f][sl].tolist() for f in FIELDS}
        if plan.kind == "xlsx":
            data = _xlsx_bytes(plan, columns, sl, cells, base)
        else:
            data = _csv_bytes(plan, [columns[f] for f in FIELDS])
        path = out / plan.name
        path.write_bytes(data)
        stamp = base.timestamp() + plan.arrival  # arrival order: oldest mtime first
        os.utime(path, (stamp, stamp))


# ---------------------------------------------------------------------------------------------------
# Truth and summary
# ---------------------------------------------------------------------------------------------------


def _truth(rows: dict[str, np.ndarray], plans: list[FilePlan], positions: np.ndarray, codes: np.ndarray,
           fields: np.ndarray) -> pd.DataFrame:
    names = pool(p.name for p in plans)
    mistakes = pd.DataFrame({
        "file": names[rows["file"][positions]], "row": rows["row"][positions], "code": codes, "field": fields,
    })
    paired = np.flatnonzero(rows["pair"] >= 0)
    by_pair = pd.DataFrame({"pair": rows["pair"][paired], "late": rows["late"][paired], "at": paired})
    losers = by_pair[~by_pair["late"]].set_index("pair")["at"]
    winners = by_pair[by_pair["late"]].set_index("pair")["at"].reindex(losers.index).to_numpy()
    losers = losers.to_numpy()
    duplicates = pd.DataFrame({
        "file": names[rows["file"][losers]], "row": rows["row"][losers], "code": "duplicate_worker",
        "field": "id_number", "kept_file": names[rows["file"][winners]], "kept_row": rows["row"][winners],
    })
    truth = pd.concat([mistakes, duplicates], ignore_index=True).reindex(columns=TRUTH_COLUMNS)
    truth["kept_row"] = truth["kept_row"].astype("Int64")
    return truth.sort_values(["file", "row"], kind="stable").reset_index(drop=True)


def _shape(campaign: Campaign, workers: dict[str, np.ndarray], counties: Counties) -> dict:
    """What the drawn province looks like (before duplicates and mistakes): natives and inbound workers,
    priority groups, where the inbound workers come from and go to, and their charter requests."""
    native = workers["native"]
    arriving = ~native
    home_provinces = pd.Series(counties.province_names[workers["home"][arriving]]).value_counts()
    cities = pd.Series(workers["work_city"][arriving]).value_counts()
    charter = arriving & (workers["charter"] == "是")
    return {
        "native": int(native.sum()),
        "native_working_in_province": int((native & workers["work_in"]).sum()),
        "inbound": int(arriving.sum()),
        "priority_groups": dict(zip(campaign.priority_groups, workers["member"].sum(axis=0).tolist(), strict=True)),
        "in_several_groups": int((workers["member"].sum(axis=1) > 1).sum()),
        "inbound_home_provinces": {k: int(v) for k, v in home_provinces.items()},
        "inbound_work_cities": {k: int(v) for k, v in cities.items()},
        "inbound_charter_requests": {trip: int((charter & (workers["trip"] == trip)).sum()) for trip in ("返岗", "返乡")},
    }


def _summary(campaign: Campaign, workers: int, seed: int, formats: str, plans: list[FilePlan],
             rows: dict[str, np.ndarray], truth: pd.DataFrame, shape: dict) -> dict:
    total = len(rows["file"])
    by_code = {code: 0 for code in (*MISTAKES, "duplicate_worker")}
    by_code.update(truth["code"].value_counts().sort_index().to_dict())
    merged = by_code["duplicate_worker"]
    quarantined = len(truth) - merged
    per_file_rows = np.bincount(rows["file"], minlength=len(plans))
    bad = truth[truth["code"] != "duplicate_worker"]["file"].value_counts()
    lost = truth[truth["code"] == "duplicate_worker"]["file"].value_counts()
    formats_written: dict[str, int] = {}
    for p in plans:
        formats_written[p.format_label] = formats_written.get(p.format_label, 0) + 1
    first, last = spring_festival_holiday(campaign.travel_window.start.year)
    return {
        "campaign": campaign.id,
        "province": campaign.province,
        "workers": workers,
        "seed": seed,
        "formats": formats,
        "files": len(plans),
        "rows": total,
        "injected": {k: int(v) for k, v in by_code.items()},
        "expected": {"rows": total, "valid": total - quarantined - merged, "quarantined": quarantined,
                     "merged": merged},
        "formats_written": dict(sorted(formats_written.items())),
        "shape": shape,
        "spring_festival_holiday": [first.isoformat(), last.isoformat()],
        "per_file": [
            {"file": p.name, "format": p.format_label, "title_row": p.title is not None,
             "first_data_row": p.first_data_row, "rows": int(per_file_rows[p.county]),
             "quarantined": int(bad.get(p.name, 0)), "merged": int(lost.get(p.name, 0)), "arrival": p.arrival}
            for p in plans
        ],
    }


# ---------------------------------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------------------------------


def generate(campaign: Campaign, workers: int, seed: int, out: Path, formats: str = "mixed") -> dict:
    """Write one demand-survey submission per county of the campaign's province into `out`.

    Also writes `out/_truth/injected.csv` (file,row,code,field,kept_file,kept_row: every injected mistake
    and every duplicate report that must lose) and `out/_truth/summary.json` (the returned dict).
    `expected` in the summary holds rows == valid + quarantined + merged for the whole province, where
    valid is the number of workers that end up loaded.
    """
    if formats not in FORMATS:
        raise ValueError(f"formats must be one of {FORMATS}, not {formats!r}")
    if seed < 0:
        raise ValueError("seed must be a non-negative integer")
    out = Path(out)
    province = divisions.province(campaign.province_code)
    counties = home_counties(province, seed)
    plans = _plan_files(counties, campaign, formats, seed)

    workers_rows = _draw_workers(campaign, province, counties, workers, seed)
    rows = _order_rows(_add_duplicate_reports(workers_rows, counties, campaign, seed), plans, seed)
    cells = _render(rows, counties, plans, seed)
    positions, codes, fields = _choose_mistakes(rows, plans, counties, seed)
    _inject(cells, rows, positions, codes, fields, campaign, province, counties, plans, seed)

    out.mkdir(parents=True, exist_ok=True)
    _remove_other_format(out, plans)
    _write_files(out, plans, rows, cells, campaign)
    truth = _truth(rows, plans, positions, codes, fields)
    summary = _summary(campaign, workers, seed, formats, plans, rows, truth,
                       _shape(campaign, workers_rows, counties))
    truth_dir = out / TRUTH_DIR
    truth_dir.mkdir(exist_ok=True)
    truth.to_csv(truth_dir / "injected.csv", index=False, lineterminator="\n")
    (truth_dir / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n",
                                            encoding="utf-8")
    return summary
