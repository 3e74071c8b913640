"""Place rules every kind shares: resolving a county name (or province + county) to its code, why a
name did not resolve, the city of a county, rows that belong to another province, and the place
names a template offers in its drop-downs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from chunnuan.config import divisions
from chunnuan.config.campaign import Campaign
from chunnuan.intake.schema import Prepared


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


def county_ok(status: pd.Series) -> pd.Series:
    """The checked `_county_ok` column: True where resolved, <NA> where the county was left blank."""
    return (status == "ok").astype("boolean").mask(status.isna())


def county_reason(province_name: str, label: str = "户籍县"):
    """Why a county name did not resolve: ambiguous inside the province, another province's, or unknown."""
    def reason(value, row) -> str:
        name = str(value).strip()
        bare = name.removeprefix(province_name)
        if bare in divisions.province(province_name).ambiguous_county_names:
            return f"{label}「{name}」在{province_name}有重名，请写明所属市，如「某某市{bare}」"
        elsewhere = divisions.county_province_names().get(bare)
        if elsewhere:
            return f"{label}「{name}」是{elsewhere}的县(市、区)，不是{province_name}的"
        return f"{label}「{name}」不是{province_name}的县(市、区)，请按行政区划全称填写，如「贵港市平南县」"

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


def city_code(code: str) -> str:
    """The prefecture-level city of a county (as `Province.city_of`: a county directly under its
    province is its own city); a city or province code is its own."""
    city = code[:4] + "00"
    found = divisions.all_divisions().get(city)
    return city if found is not None and found.level == "city" else code


def city_codes(codes: pd.Series) -> pd.Series:
    """`city_code` of each county (or city, province) code; missing stays missing."""
    return codes.map({c: city_code(c) for c in codes.dropna().unique()}).astype(codes.dtype)


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
