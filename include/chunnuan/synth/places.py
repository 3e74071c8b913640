"""Where a province's migrant workers work, and where the workers working in it come from: one table
for every synthetic generator."""

from __future__ import annotations

from dataclasses import dataclass

from chunnuan.config import divisions

# (province, city, share). The cities are checked against divisions.place_names when used
# (destinations()), so a typo here fails loudly instead of quarantining rows.
DESTINATIONS = {
    "450000": (
        ("广东省", "深圳市", 18), ("广东省", "东莞市", 15), ("广东省", "广州市", 13), ("广东省", "佛山市", 10),
        ("广东省", "中山市", 5), ("广东省", "惠州市", 4), ("广东省", "江门市", 3), ("广东省", "珠海市", 2),
        ("广东省", "肇庆市", 2), ("浙江省", "宁波市", 3), ("浙江省", "杭州市", 2), ("浙江省", "温州市", 1.5),
        ("浙江省", "金华市", 1.5), ("福建省", "厦门市", 2.5), ("福建省", "泉州市", 2), ("福建省", "福州市", 1.5),
        ("广西壮族自治区", "南宁市", 6), ("广西壮族自治区", "柳州市", 3), ("广西壮族自治区", "桂林市", 1.5),
        ("广西壮族自治区", "玉林市", 1.5), ("海南省", "海口市", 1), ("海南省", "三亚市", 1),
    ),
    "370000": (
        ("江苏省", "苏州市", 10), ("江苏省", "南京市", 5), ("江苏省", "无锡市", 4), ("江苏省", "常州市", 2),
        ("北京市", "北京市", 10), ("天津市", "天津市", 10), ("上海市", "上海市", 10), ("浙江省", "宁波市", 5),
        ("浙江省", "杭州市", 4), ("山东省", "青岛市", 12), ("山东省", "济南市", 8), ("山东省", "烟台市", 4),
        ("山东省", "潍坊市", 3), ("山东省", "临沂市", 3), ("广东省", "深圳市", 3), ("广东省", "广州市", 2),
    ),
}


@dataclass(frozen=True)
class Inbound:
    """Workers from other provinces (外省籍) working in the province: their share of the province's
    workers, the provinces they come from and the cities of the province they work in (relative weights)."""

    share: float
    home_provinces: tuple[tuple[str, float], ...]
    cities: tuple[tuple[str, float], ...]


INBOUND = {
    # 在鲁务工的外省籍农村劳动力: mostly from the neighbouring farming provinces, to the coastal industry.
    "370000": Inbound(
        0.37,
        (("河南省", 30), ("安徽省", 12), ("河北省", 12), ("江苏省", 8), ("四川省", 7), ("山西省", 6),
         ("甘肃省", 6), ("黑龙江省", 3), ("吉林省", 3), ("内蒙古自治区", 3), ("云南省", 3), ("贵州省", 3),
         ("湖北省", 2)),
        (("青岛市", 30), ("济南市", 20), ("烟台市", 10), ("潍坊市", 9), ("临沂市", 6), ("淄博市", 6),
         ("济宁市", 5), ("威海市", 5), ("东营市", 3), ("日照市", 2), ("德州市", 2), ("泰安市", 1),
         ("聊城市", 1), ("滨州市", 1)),
    ),
    # Guangxi sends far more than it receives: a few from the neighbours to its industrial cities.
    "450000": Inbound(
        0.03,
        (("湖南省", 35), ("贵州省", 25), ("云南省", 20), ("广东省", 20)),
        (("南宁市", 35), ("柳州市", 25), ("玉林市", 12), ("贵港市", 10), ("桂林市", 8), ("钦州市", 5),
         ("北海市", 5)),
    ),
}


def destinations(province: divisions.Province, cities: tuple[str, ...] | None = None) -> list[tuple[str, str, float]]:
    """The province's destinations (only `cities` of them, in the table's order, when given); a province
    without a table sends its workers to its own cities, equally."""
    places = DESTINATIONS.get(province.code) or tuple(
        (province.name, city.name, 1.0) for city in province.cities.values()
    )
    if cities is not None and province.code in DESTINATIONS:
        places = tuple(p for p in places if p[1] in cities)
    by_name = divisions.provinces_by_name()
    for prov, city, _ in places:
        if city not in divisions.place_names(by_name[prov].code):
            raise ValueError(f"destination {city} is not in {prov}")
    return list(places)


def inbound(province: divisions.Province) -> Inbound | None:
    """The province's inbound workers (None: a province without a table receives nobody from outside).

    Checked when used: every home province exists and is another province, every city is a city of the
    province with counties (the receiving county's bureau reports the worker)."""
    found = INBOUND.get(province.code)
    if found is None:
        return None
    by_name = divisions.provinces_by_name()
    for name, _ in found.home_provinces:
        if name not in by_name or by_name[name].code == province.code:
            raise ValueError(f"inbound home province {name} is not another province")
    cities = {city.name: code for code, city in province.cities.items()}
    for city, _ in found.cities:
        if city not in cities or not any(province.city_of(c).code == cities[city] for c in province.counties):
            raise ValueError(f"inbound city {city} is not a city of {province.name} with counties")
    return found
