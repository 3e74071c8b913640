"""Place rules: one city-code derivation for every kind, and the layering that keeps kinds out of the core."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from chunnuan.config import divisions
from chunnuan.config.divisions import city_code
from chunnuan.intake.places import city_codes


@pytest.mark.parametrize("province", ["450000", "370000", "460000", "420000", "650000", "110000"])
def test_city_code_is_the_provinces_city_of(province):
    p = divisions.province(province)
    assert all(city_code(c) == p.city_of(c).code for c in p.counties)


def test_cities_and_provinces_are_their_own_city():
    assert [city_code(c) for c in ("450800", "450000", "469001", "429004")] == ["450800", "450000", "469001", "429004"]
    codes = pd.Series(["450821", None, "450000"], dtype="string")
    assert city_codes(codes).tolist() == ["450800", pd.NA, "450000"]


@pytest.mark.parametrize("module", ["chunnuan.intake.gate", "chunnuan.intake.workbook", "chunnuan.intake.rules",
                                    "chunnuan.intake.places", "chunnuan.intake.schema"])
def test_the_intake_core_imports_no_kind(module):
    """Kinds import the core (gate's Kind, rules, workbook); never the other way round: no cycles."""
    code = (f"import sys, {module}; "
            "print(sorted(m for m in sys.modules if m.startswith('chunnuan.intake.kinds.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize("given, county", [("吉林省", "吉林市舒兰市"), ("吉林", "吉林市舒兰市"), ("吉林省", "舒兰市"),
                                           ("吉林省", "吉林省吉林市舒兰市"), ("河南省", "南阳市宛城区")])
def test_a_home_county_resolves_in_the_province_the_form_gives(given, county):
    """A county whose city begins with the province's short name (吉林省 吉林市) is not cut short."""
    from chunnuan.intake.places import home_county_status

    home = divisions.province(given)
    expected = home.county_names[county.removeprefix(home.name)]
    code, status = home_county_status(pd.Series([county]), pd.Series([given]), divisions.province("山东省"))

    assert (code[0], status[0]) == (expected, "ok")
