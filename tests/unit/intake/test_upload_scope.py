"""Who may send and see which uploads (chunnuan.intake.uploads.Scope), and clerks' file names made safe: pure
rules, no database."""

from __future__ import annotations

import pytest

from chunnuan.config import campaign
from chunnuan.intake import registry, uploads

GX = campaign.load("guangxi-2024")


def test_a_county_is_one_scope_whatever_way_it_is_written():
    names = {uploads.clerk_scope(n, GX) for n in ("平南县", "贵港市平南县", "450821", " 平南县 ")}
    assert names == {uploads.Scope("贵港市平南县", "county")}


def test_cities_and_departments_are_areas_and_anything_else_is_refused():
    assert uploads.clerk_scope("贵港市", GX) == uploads.Scope("贵港市", "area")
    assert uploads.clerk_scope("交通运输", GX) == uploads.Scope("交通运输", "area")
    for wrong in ("火星县", "历下区", ""):  # not in Guangxi (历下区 is Jinan's), or nothing
        with pytest.raises(ValueError, match="请联系协调员"):
            uploads.clerk_scope(wrong, GX)


def test_each_scope_sends_its_own_forms_and_sees_its_own_uploads():
    county, area = uploads.clerk_scope("平南县", GX), uploads.clerk_scope("贵港市", GX)
    assert {k.name for k in county.kinds()} == {k.name for k in registry.KINDS if k.filed_by == "county"}
    assert {k.name for k in area.kinds()} == {"progress", "highlights"}
    assert "fleet" not in {k.name for k in county.kinds() + area.kinds()}  # carriers' form: coordinators upload it
    assert uploads.COORDINATOR.kinds() == list(registry.KINDS)
    assert county.sees("贵港市平南县") and not county.sees("贵港市桂平市") and not county.sees("贵港市")
    assert uploads.COORDINATOR.sees("贵港市桂平市")


def test_every_kind_says_who_files_it():
    assert {k.filed_by for k in registry.KINDS} <= {"county", "area", "province"}


@pytest.mark.parametrize(("given", "safe"), [
    ("平南县.xlsx", "平南县.xlsx"),
    ("C:\\Users\\县\\平南县 摸排(2).XLSX", "平南县_摸排(2).xlsx"),
    ("../../etc/passwd.csv", "passwd.csv"),
    ("..xlsx", "报表.xlsx"),
    ("<script>.csv", "script.csv"),
    ("a" * 200 + ".xls", "a" * 80 + ".xls"),
    ("", "报表"),
])
def test_file_names_lose_folders_and_odd_characters(given, safe):
    assert uploads.safe_name(given) == safe
