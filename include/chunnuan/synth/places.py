"""Where a province's migrant workers work: one table for every synthetic generator."""

from __future__ import annotations

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
