"""Place rules every kind shares: resolving a county name (or province + county) to its code, an area (county, 市本级 or 省本级) to its, why a
name did not resolve, the city of a county, rows that belong to another province, and the place
names a template offers in its drop-downs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from chunnuan.config import divisions
from chunnuan.config.campaign import Campaign
from chunnuan.intake.schema import Prepared


def area_codes(values: pd.Series, campaign: Campaign) -> pd.Series:
    """An area as departments report it -> its code: a county, a city (its 市本级 work) or the province
    (省本级); NaN where it is none of these."""
    province = divisions.province(campaign.province_code)
    names = {province.name: province.code, f"{province.name}本级": province.code, "省本级": province.code}
    for code, city in province.cities.items():
        names.update({city.name: code, f"{city.name}本级": code, province.name + city.name: code})
    county, _ = county_status(values, province)
    return county.fillna(values.str.replace(" ", "", regex=False).map(names))


def county_status(values: pd.Series, province: divisions.Province) -> tuple[pd.Series, pd.Series]:
    """County code where the name resolves inside the province; status 'ok'/'ambiguous'/'elsewhere'/'unknown'."""
    names = values.str.replace(" ", "", regex=False)
    code = names.map(province.county_names)
    elsewhere = divisions.county_province_names()
    bare = names.str.removeprefix(province.name)
    status = pd.Series(
        np.select(
            [code.notna(), bare.isin(province.ambiguous_county_names), bare.isin(elsewhere.keys())],
            ["ok", "ambiguous", "elsewhere"],
            "unknown",
        ),
        index=values.index,
        dtype=object,
    ).mask(values.isna())
    return code, status


def home_county_status(values: pd.Series, home_provinces: pd.Series, province: divisions.Province
                       ) -> tuple[pd.Series, pd.Series]:
    """A home (户籍) county anywhere in China: inside the row's 户籍省份 when the form gives one, else inside
    the campaign province, else by a name only one county of China has. Status 'ok'/'ambiguous'/'unknown'."""
    national = divisions.national_county_names()
    names = values.str.replace(" ", "", regex=False)
    pairs = pd.DataFrame({"p": home_provinces.fillna(""), "n": names}).dropna().drop_duplicates()
    resolved: dict[tuple[str, str], tuple[str | None, str]] = {}
    for given, name in pairs.itertuples(index=False):
        resolved[given, name] = _home_county(given, name, province, national)
    keys = list(zip(home_provinces.fillna(""), names, strict=True))
    found = [resolved.get(k, (None, None)) for k in keys]
    code = pd.Series([f[0] for f in found], index=values.index, dtype="string")
    status = pd.Series([f[1] for f in found], index=values.index, dtype=object).mask(values.isna())
    return code, status


def _home_county(given: str, name: str, province: divisions.Province,
                 national: divisions.NationalNames) -> tuple[str | None, str]:
    home = _province_or_none(given)
    if given and home is None:  # a 户籍省份 that names no province: the reason asks for it
        return None, "unknown"
    if home is not None:  # the form splits province and county: the county is looked up there only
        bare = name.removeprefix(home.name).removeprefix(divisions.short_name(home.name))
        code = home.county_names.get(name) or home.county_names.get(bare)  # 吉林市舒兰市 starts with 吉林 itself
        return (code, "ok") if code else (None, "ambiguous" if bare in home.ambiguous_county_names else "unknown")
    code = province.county_names.get(name) or national.codes.get(name)
    if code:
        return code, "ok"
    if name.removeprefix(province.name) in province.ambiguous_county_names or name in national.ambiguous:
        return None, "ambiguous"
    return None, "unknown"


def _province_or_none(name: str) -> divisions.Province | None:
    try:
        return divisions.province(name) if name else None
    except LookupError:
        return None


def home_county_reason(province: divisions.Province, label: str = "户籍县"):
    """Why a home county did not resolve; the examples are the campaign province's own."""
    example = _example_label(province)

    def reason(value, row) -> str:
        name = str(value).strip().replace(" ", "")
        given = row.get("home_province")
        given = given if isinstance(given, str) and given else ""
        home = _province_or_none(given) if given else None
        if given and home is None:
            return f"户籍省份「{given}」无法识别，请写省份全称，如「{province.name}」"
        choices = divisions.national_county_names().ambiguous.get(name, ())
        if home is not None:
            choices = tuple(c for c in choices if c.startswith(home.name))
        bare = name.removeprefix(province.name)
        if home is None and bare in province.ambiguous_county_names:
            return _ambiguous_in_province(label, name, province.name, bare)
        if choices:
            return f"{label}「{name}」有重名（{'、'.join(choices[:4])}），请写明省份和所属市"
        what = f"不是{home.name}的县(市、区)" if home is not None else "无法识别"
        other = _other_province(province)
        return (f"{label}「{name}」{what}，请按行政区划全称填写：本省如「{example}」，"
                f"外省如「{other.name}{_example_label(other)}」")

    return reason


def _ambiguous_in_province(label: str, name: str, province_name: str, bare: str) -> str:
    return f"{label}「{name}」在{province_name}有重名，请写明所属市，如「某某市{bare}」"


def _example_label(province: divisions.Province) -> str:
    return province.county_label(sorted(province.counties)[0])


def _other_province(province: divisions.Province) -> divisions.Province:
    """A neighbour-ish province for the out-of-province example: 河南 for most, 湖南 for Henan itself."""
    return divisions.province("湖南省" if province.name == "河南省" else "河南省")


def county_ok(status: pd.Series) -> pd.Series:
    """The checked `_county_ok` column: True where resolved, <NA> where the county was left blank."""
    return (status == "ok").astype("boolean").mask(status.isna())


def county_reason(province_name: str, label: str = "户籍县"):
    """Why a county name did not resolve: ambiguous inside the province, another province's, or unknown."""
    def reason(value, row) -> str:
        name = str(value).strip()
        bare = name.removeprefix(province_name)
        if bare in divisions.province(province_name).ambiguous_county_names:
            return _ambiguous_in_province(label, name, province_name, bare)
        elsewhere = divisions.county_province_names().get(bare)
        if elsewhere:
            return f"{label}「{name}」是{elsewhere}的县(市、区)，不是{province_name}的"
        example = _example_label(divisions.province(province_name))
        return f"{label}「{name}」不是{province_name}的县(市、区)，请按行政区划全称填写，如「{example}」"

    return reason


def resolve_places(province_names: pd.Series, counties: pd.Series) -> tuple[pd.Series, pd.Series]:
    """County code where "<province> + county" resolves; province_ok False for an unknown province name."""
    known = divisions.provinces_by_name()
    province_ok = province_names.isin(known.keys()).astype("boolean")
    code = pd.Series(pd.NA, index=counties.index, dtype="string")
    for name in province_names[province_ok.fillna(False).astype(bool)].unique():
        rows = province_names == name
        names = counties[rows].str.replace(" ", "", regex=False)
        code[rows] = names.map(divisions.province(name).county_names)
    return code, province_ok


def city_codes(codes: pd.Series) -> pd.Series:
    """`city_code` of each county (or city, province) code; missing stays missing."""
    return codes.map({c: divisions.city_code(c) for c in codes.dropna().unique()}).astype(codes.dtype)


def foreign_provinces(prepared: Prepared, campaign: Campaign, column: str = "home_county") -> pd.Series:
    """Per row: the province(s) of a county (checked[column], resolved in _county_ok) that exists only
    outside the campaign's province, else <NA>."""
    names = prepared.checked[column]
    failed = prepared.checked["_county_ok"].eq(False).fillna(False).to_numpy(dtype=bool)
    provinces = pd.Series(pd.NA, index=names.index, dtype="string")
    elsewhere = names[failed].map(divisions.county_province_names()).astype("string")
    own = divisions.province(campaign.province_code).name
    provinces[failed] = elsewhere.mask(elsewhere.str.contains(own, regex=False).fillna(False).astype(bool))
    return provinces


# --- drop-down lists -------------------------------------------------------------------------------


def county_labels(campaign: Campaign) -> list[str]:
    """The campaign province's counties as the clerk picks them ("贵港市平南县"), grouped by city."""
    province = divisions.province(campaign.province_code)
    return [province.county_label(code) for code in sorted(province.counties)]


def province_full_names() -> list[str]:
    """Full province names in GB/T 2260 order; short forms and pseudo-entries without a suffix left out."""
    found = {d.code: d.name for name, d in divisions.provinces_by_name().items()
             if name == d.name and divisions.short_name(name) != name}
    return [found[code] for code in sorted(found)]
