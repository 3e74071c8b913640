"""Synthetic employer openings (企业岗位空缺) for a campaign, for the demo and the matching benchmark.

`openings(campaign, n, seed)` returns n rows in the submission form's field names, as county 人社局
would collect them from enterprises: an enterprise (valid 18-character 统一社会信用代码 registered in
its county, a plausible name built on the county's name) posts one or a few openings, each with a
trade from campaign.training.trades (mostly the ones typical of its industry), headcount (1–200,
mostly small), monthly wage range, closing date and whether it is a 重点企业/重点园区 enterprise.
One row per enterprise × county × trade, as the form's intake keys them (opening_intake).

About 85% of the enterprises are in the campaign's province, weighted to city districts and to the
cities its workers most often work in (its natives staying in the province and the workers from other
provinces it receives: synth.places); the rest are in the usual outside
destinations (广东 cities for Guangxi; 江苏、北京、天津、上海、浙江… for Shandong), whose wages are
higher. Cities without county-level divisions in the data (东莞、中山) are left out: an opening's county
must resolve. Deterministic for (campaign, n, seed).

`as_match_input(rows)` adds what chunnuan.job_fairs.matching needs (opening_id, city_code, province_code,
key_enterprise as bool).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from chunnuan.common.idcodes import organisation_code, uscc_with_check
from chunnuan.config import divisions
from chunnuan.config.campaign import Campaign
from chunnuan.synth.places import DESTINATIONS, inbound
from chunnuan.synth.random import rng as _rng

COLUMNS = ["uscc", "enterprise", "county", "county_code", "industry", "trade", "headcount", "wage_min", "wage_max",
           "closing_date", "key_enterprise", "reporting_unit", "reported_on"]
IN_PROVINCE = 0.85
OPENINGS_PER_ENTERPRISE = 0.45  # geometric p: 2.2 openings per enterprise on average
KEY_SHARE = 0.15
TYPICAL_TRADE = 0.8  # share of openings in a trade typical of the enterprise's industry
OUTSIDE_WAGE = 1.25
MIN_WAGE, MAX_WAGE = 2500, 12000

INDUSTRIES = {  # industry -> (weight in the province, weight outside, typical trades, business words)
    "制造业": (30, 55, ("普工", "电子装配工", "电工", "焊工", "叉车司机", "缝纫工"),
            ("电子科技", "机械制造", "服装", "五金制品", "塑胶制品", "家具", "新材料科技", "食品")),
    "建筑业": (16, 10, ("建筑木工", "钢筋工", "挖掘机驾驶员", "电工", "焊工"),
            ("建筑工程", "建设工程", "装饰工程", "路桥工程")),
    "住宿和餐饮业": (14, 8, ("中式烹调师", "中式面点师", "茶艺师"), ("餐饮管理", "酒店管理", "饮食服务")),
    "居民服务业": (16, 10, ("家政服务员", "育婴员", "养老护理员", "美容美发", "保安员"),
              ("家政服务", "物业管理", "保安服务", "养老服务", "美容美发")),
    "批发和零售业": (12, 7, ("电子商务师", "电商直播", "叉车司机"), ("商贸", "电子商务", "农产品贸易", "超市")),
    "交通运输业": (7, 6, ("快递员", "叉车司机", "汽车维修工", "挖掘机驾驶员"), ("物流", "运输", "汽车服务", "供应链管理")),
    "信息技术服务业": (5, 4, ("电子商务师", "电商直播"), ("网络科技", "信息技术", "文化传媒")),
}
BRANDS = ("华兴", "鸿达", "宏发", "永利", "金辉", "恒通", "德力", "联创", "嘉盛", "新兴", "顺达", "远大", "立信",
          "富源", "中川", "明达", "正和", "盛世", "天成", "博远", "瑞丰", "佳和", "长盈", "广源", "众诚", "安达",
          "锦程", "鑫泰", "宏图", "汇通", "同创", "康宁", "万盛", "金桥", "泰和", "润丰", "大成", "恒昌", "隆基",
          "壮美")
BRAND_CHARS = "华兴鸿达宏发永利金辉恒通德联创嘉盛新顺远立信富源中川明正和世天成博瑞丰佳长盈广众诚安锦程鑫泰汇同康万桥润隆基美晟昊"
FORMS = ("有限公司", "有限公司", "有限责任公司", "股份有限公司")
WAGE_BASE = {  # 元/月, middle of the in-province range
    "电工": 5200, "焊工": 5800, "家政服务员": 4800, "育婴员": 5600, "养老护理员": 4300, "中式烹调师": 5200,
    "中式面点师": 4600, "电子商务师": 5000, "茶艺师": 3800, "电商直播": 5500, "挖掘机驾驶员": 7200,
    "叉车司机": 5000, "汽车维修工": 5200, "美容美发": 4300, "保安员": 3600, "缝纫工": 4600, "建筑木工": 6500,
    "钢筋工": 6600, "电子装配工": 4300, "普工": 4200, "快递员": 5500,
}
DEFAULT_WAGE = 4800
# Openings the survey's seekers ask for that no training class teaches (the rest are the training trades).
JOB_ONLY_TRADES = ("普工", "快递员")
DEFAULT_OUTSIDE = (("广东省", "深圳市", 3), ("广东省", "广州市", 2), ("浙江省", "杭州市", 1), ("江苏省", "苏州市", 1))


def make_uscc(county_code: str, body: str) -> str:
    """统一社会信用代码 of an enterprise (登记管理部门 9 = 市场监管, 类别 1 = 企业) registered in a county."""
    return uscc_with_check("91" + county_code + organisation_code(body))


def _city_boost(home: divisions.Province, places) -> dict[str, float]:
    """How many of the province's workers work in each of its cities, in the destination table's weights:
    its natives staying in the province, and the inbound workers (synth.places.INBOUND) in proportion."""
    boost = {city: share for prov, city, share in places if divisions.province(prov).code == home.code}
    plan = inbound(home)
    if plan is not None:
        arriving = sum(share for *_, share in places) * plan.share / (1 - plan.share)
        total = sum(share for _, share in plan.cities)
        for city, share in plan.cities:
            boost[city] = boost.get(city, 0) + arriving * share / total
    return boost


def _county_weights(campaign: Campaign) -> tuple[list[str], np.ndarray, list[str], np.ndarray]:
    """(county codes, weights) inside the province and in its usual outside destinations."""
    home = divisions.province(campaign.province_code)
    places = DESTINATIONS.get(home.code, DEFAULT_OUTSIDE)
    boost = _city_boost(home, places)
    inside = sorted(home.counties)
    inside_w = np.array([(2.0 if home.counties[c].name.endswith("区") else 1.0)
                         * (1 + boost.get(home.city_of(c).name, 0) / 2) for c in inside])
    outside, outside_w = [], []
    for prov, city, share in places:
        other = divisions.province(prov)
        if other.code == home.code:
            continue
        codes = sorted(c for c in other.counties if other.city_of(c).name == city)
        weights = np.array([2.0 if other.counties[c].name.endswith("区") else 1.0 for c in codes])
        outside += codes
        outside_w += list(share * weights / weights.sum()) if codes else []
    return inside, inside_w / inside_w.sum(), outside, np.array(outside_w) / sum(outside_w)


def _label(code: str) -> tuple[str, str, str]:
    """(full label as the province's county_label gives it, the county's own name, the place an enterprise
    there is named after: the county, or the city for a city district)."""
    province = divisions.province(code[:2] + "0000")
    name = province.counties[code].name
    return province.county_label(code), name, province.city_of(code).name if name.endswith("区") else name


def _brand(rng: np.random.Generator) -> str:
    if rng.random() < 0.6:
        return BRANDS[rng.integers(len(BRANDS))]
    first, second = rng.integers(len(BRAND_CHARS), size=2)
    return BRAND_CHARS[first] + BRAND_CHARS[second]


def _round100(values: np.ndarray) -> np.ndarray:
    return (np.round(values / 100) * 100).astype(np.int64)


def openings(campaign: Campaign, n: int, seed: int) -> pd.DataFrame:
    """n openings in the form's field names (see COLUMNS); deterministic for (campaign, n, seed)."""
    if n < 1:
        raise ValueError("n 应至少为 1")
    rng = _rng(seed, "openings")
    inside, inside_w, outside, outside_w = _county_weights(campaign)

    trades = list(dict.fromkeys([*campaign.training.trades, *JOB_ONLY_TRADES]))
    sizes = np.minimum(rng.geometric(OPENINGS_PER_ENTERPRISE, n), len(trades))  # one opening per trade
    enterprises = int(np.searchsorted(np.cumsum(sizes), n) + 1)
    sizes = sizes[:enterprises]
    sizes[-1] -= sizes.sum() - n
    at_home = rng.random(enterprises) < IN_PROVINCE
    county = np.where(at_home, np.array(inside, dtype=object)[rng.choice(len(inside), enterprises, p=inside_w)],
                      np.array(outside, dtype=object)[rng.choice(len(outside), enterprises, p=outside_w)])
    names = list(INDUSTRIES)
    home_p = np.array([INDUSTRIES[i][0] for i in names], dtype=float)
    away_p = np.array([INDUSTRIES[i][1] for i in names], dtype=float)
    industry = np.where(at_home, rng.choice(len(names), enterprises, p=home_p / home_p.sum()),
                        rng.choice(len(names), enterprises, p=away_p / away_p.sum()))
    key = rng.random(enterprises) < KEY_SHARE
    bodies = rng.choice(10**8, enterprises, replace=False)

    labels = {c: _label(c) for c in set(county.tolist())}
    taken: set[str] = set()
    enterprise_names, codes = [], []
    for i in range(enterprises):
        words = INDUSTRIES[names[industry[i]]][3]
        place = labels[county[i]][2]
        name = ""
        while not name or name in taken:
            name = place + _brand(rng) + words[rng.integers(len(words))] + FORMS[rng.integers(len(FORMS))]
        taken.add(name)
        enterprise_names.append(name)
        codes.append(make_uscc(county[i], f"{bodies[i]:08d}"))

    owner = np.repeat(np.arange(enterprises), sizes)
    typical = [[trades.index(t) for t in INDUSTRIES[name][2] if t in trades] for name in names]
    trade = np.empty(n, dtype=np.int64)
    use_typical = rng.random(n) < TYPICAL_TRADE
    at = 0
    for i in range(enterprises):  # distinct trades per enterprise, mostly typical of its industry
        own = typical[industry[i]]
        first = list(rng.permutation(own))
        other = list(rng.permutation([t for t in range(len(trades)) if t not in own]))
        for row in range(at, at + sizes[i]):
            trade[row] = (first if (use_typical[row] and first) or not other else other).pop()
        at += sizes[i]
    trade_names = np.array(trades, dtype=object)[trade]

    headcount = np.clip(np.round(rng.lognormal(1.4 + 0.8 * key[owner], 1.0)), 1, 200).astype(np.int64)
    base = np.array([WAGE_BASE.get(t, DEFAULT_WAGE) for t in trades], dtype=float)[trade]
    base *= np.where(at_home[owner], 1.0, OUTSIDE_WAGE) * rng.lognormal(0.0, 0.15, n)
    wage_min = np.clip(_round100(base), MIN_WAGE, MAX_WAGE - 500)
    wage_max = np.clip(wage_min + _round100(wage_min * rng.uniform(0.1, 0.6, n)), wage_min, MAX_WAGE)

    window = campaign.job_fairs.window
    span = (window.end - window.start).days
    reported = rng.integers(0, max(1, int(span * 0.8)), n)
    closing = np.minimum(reported + rng.integers(10, 46, n), span + 14)
    start = np.datetime64(window.start, "D")
    owner_county = county[owner]
    return pd.DataFrame({
        "uscc": np.array(codes, dtype=object)[owner],
        "enterprise": np.array(enterprise_names, dtype=object)[owner],
        "county": [labels[c][0] for c in owner_county],
        "county_code": owner_county,
        "industry": np.array(names, dtype=object)[industry[owner]],
        "trade": trade_names,
        "headcount": headcount,
        "wage_min": wage_min,
        "wage_max": wage_max,
        "closing_date": (start + closing.astype("timedelta64[D]")).astype(object),
        "key_enterprise": np.where(key[owner], "是", "否").astype(object),
        "reporting_unit": [labels[c][1] + "人力资源和社会保障局" for c in owner_county],
        "reported_on": (start + reported.astype("timedelta64[D]")).astype(object),
    }, columns=COLUMNS)


def as_match_input(rows: pd.DataFrame) -> pd.DataFrame:
    """The form rows with what chunnuan.matching.match needs: opening_id (1.. in row order), city_code,
    province_code, key_enterprise as bool."""
    codes = rows["county_code"].astype(str)
    city = {c: divisions.province(c[:2] + "0000").city_of(c).code for c in codes.unique()}
    out = rows.copy()
    out.insert(0, "opening_id", np.arange(1, len(rows) + 1, dtype=np.int64))
    out["city_code"] = codes.map(city)
    out["province_code"] = codes.str[:2] + "0000"
    out["key_enterprise"] = rows["key_enterprise"].eq("是")
    return out
