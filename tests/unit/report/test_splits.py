"""The report's splits by 本省籍 / 外省籍 and priority group, and the 外省籍 per receiving city, against counts
written here straight over survey_worker and charter_assignment: a mixed Shandong survey (tests.support.shandong)
through the real intake and a published charter plan, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import io
import re

import pandas as pd
import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from chunnuan import db
from chunnuan.charter import steps as charter_steps
from chunnuan.common import mail
from chunnuan.config import divisions
from chunnuan.intake.batches import load_replacing, load_validated, register_files, validate_batches
from chunnuan.report import dashboard, splits, steps
from tests.support import shandong
from tests.support.shandong import (
    HUANGDAO,
    QINGDAO,
    SD,
    as_dict,
    count,
    expected_inbound,
    expected_table,
    rows_of,
)

AS_OF = dt.date(2024, 2, 9)
CITIES_WITH_DATA = ("370100", "370200", "370600")  # 济南, 青岛, 烟台
QUIET_CITY = "370300"  # 淄博: nobody


@pytest.fixture
def url(db_url, tmp_path, monkeypatch):
    """The mixed Shandong survey loaded and a charter plan published."""
    monkeypatch.setenv("CHUNNUAN_HOME", str(tmp_path / "home"))
    engine = db.engine(db_url)
    for kind, path in (("survey", shandong.write_survey(tmp_path / "山东.csv")),
                       ("fleet", shandong.write_shandong_fleet(tmp_path / "运力.csv"))):
        registered = register_files(engine, SD, [path], kind=kind)
        validate_batches(engine, SD, registered["new"])
        loaded = load_validated(engine, SD) if kind == "survey" else load_replacing(engine, SD, kind)
        assert loaded["loaded"] == (len(shandong.rows()) if kind == "survey" else 2)  # the fleet: two offers
    folder = tmp_path / "charter"
    folder.mkdir()
    charter_steps.extract(engine, SD, folder)
    charter_steps.make_plan(SD, folder)
    charter_steps.publish(engine, SD, folder, "run-1", "test", None)
    return db_url


def test_splits_equal_the_tables_for_the_province_and_each_city(url):
    figures = steps.collect(db.engine(url), SD, AS_OF)
    assert steps.gate(figures) == []
    province = as_dict(figures.split_table())
    assert list(province) == ["本省籍", "外省籍", "脱贫人口", "监测对象", "就业困难农村劳动力", "低收入农村劳动力"]
    assert province == expected_table(url)
    by_city = figures.split_table(("city_code", "city"))
    for city in (*CITIES_WITH_DATA, QUIET_CITY):
        assert as_dict(by_city[by_city["city_code"] == city]) == expected_table(url, city), city
    # The survey is what tests.support.shandong says it is, so none of the above is vacuous.
    assert (province["本省籍"]["workers"], province["外省籍"]["workers"]) == (39, 48)
    assert province["本省籍"]["workers"] + province["外省籍"]["workers"] == figures.province["workers"]
    assert all(province[s]["chartered"] > 0 and province[s]["chartered"] <= province[s]["charter_requests"]
               for s in ("本省籍", "外省籍"))
    assert province["外省籍"]["referred"] > 0  # the nine who named only 青岛市 are too few for a coach
    groups = [province[g]["workers"] for g in SD.priority_groups]
    in_any = rows_of(url, "SELECT COUNT(*) FROM survey_worker WHERE campaign_id = :c AND priority_groups <> ''")[0][0]
    assert all(groups) and sum(groups) > in_any  # several workers are in two or three groups
    assert as_dict(by_city[by_city["city_code"] == QUIET_CITY])["外省籍"]["workers"] == 0


def test_inbound_per_receiving_city_with_the_top_home_provinces(url):
    inbound = steps.collect(db.engine(url), SD, AS_OF).inbound
    got = {r["city_code"]: {k: v for k, v in r.items() if k not in ("city_code", "city")}
           for r in inbound.to_dict(orient="records")}
    assert got == expected_inbound(url)
    assert set(got) == {"370200", "370600"}
    assert got["370200"]["top_provinces"] == [("河南省", 30), ("安徽省", 8), ("四川省", 3)]  # 甘肃省 1: fourth
    assert splits.top_text(got["370200"]["top_provinces"]) == "河南省 30、安徽省 8、四川省 3"


def test_a_city_serving_workers_itself_is_that_citys_row_and_only_other_provinces_are_foreign(url):
    engine = db.engine(url)
    figures = steps.collect(engine, SD, AS_OF)
    qingdao = figures.counties[figures.counties["city_code"] == QINGDAO]
    [city_level] = qingdao[qingdao["county_code"] == QINGDAO].to_dict(orient="records")
    served = rows_of(url, f"SELECT COUNT(*) FROM survey_worker WHERE campaign_id = :c AND served_by_code = '{QINGDAO}'")
    assert (city_level["county"], city_level["is_county"], city_level["workers"]) == ("市本级", False, served[0][0])
    assert city_level["workers"] == 9 and figures.foreign.empty
    city_total = rows_of(url, "SELECT COUNT(*) FROM survey_worker WHERE campaign_id = :c "
                              "AND SUBSTR(served_by_code, 1, 4) = '3702'")[0][0]
    cities = figures.cities.set_index("city_code")
    assert cities.at[QINGDAO, "workers"] == city_total == int(qingdao["workers"].sum())
    assert cities.at[QINGDAO, "counties"] == len([c for c in divisions.province("370000").counties if c[:4] == "3702"])
    assert figures.province["counties"] == len(divisions.province("370000").counties)
    assert int(cities["workers"].sum()) == figures.province["workers"] == figures.totals["workers"]

    with engine.begin() as conn:  # a unit outside the province (郑州市): named, and the report stops
        conn.execute(text(f"UPDATE survey_worker SET served_by_code = '410100' WHERE campaign_id = :c "
                          f"AND served_by_code = '{HUANGDAO}' AND native = :no"), {"c": SD.id, "no": False})
    problems = steps.gate(steps.collect(engine, SD, AS_OF))
    assert any(p.startswith("县区代码 410100 不属于山东省") for p in problems)
    assert not any(QINGDAO in p for p in problems)


def test_dashboard_email_and_workbook_show_the_same_splits(url, tmp_path):
    engine = db.engine(url)
    want = expected_table(url)
    snap = dashboard.snapshot(engine, SD, AS_OF)
    assert snap["split_names"] == splits.names(SD) and snap["checks"] == []
    assert {r["split"]: {k: r[k] for k in splits.FIGURES} for r in snap["splits"]} == want
    page = dashboard.render(snap)
    for name, figures in want.items():
        for key, value in figures.items():
            assert int(re.search(rf'id="split-{name}-{key}">(\d+)<', page).group(1)) == value, (name, key)
    inbound = expected_inbound(url)
    for city, figures in inbound.items():
        assert int(re.search(rf'id="inbound-{city}-workers">(\d+)<', page).group(1)) == figures["workers"]
        assert re.search(rf'id="inbound-{city}-top">([^<]*)<', page).group(1) == splits.top_text(figures["top_provinces"])
    qingdao = next(c for c in snap["cities"] if c["city_code"] == QINGDAO)
    assert qingdao["splits"] == {s: count(url, s, "workers", QINGDAO) for s in splits.names(SD)}

    figures = steps.collect(engine, SD, AS_OF)
    html = steps.render(figures, "weekly")
    native, incoming = want["本省籍"]["workers"], want["外省籍"]["workers"]
    assert f"（本省籍 {native} 人、外省籍 {incoming} 人；脱贫人口 {want['脱贫人口']['workers']} 人、" in html
    assert "三、外省籍务工人员（按务工地市）" in html and splits.top_text(inbound[QINGDAO]["top_provinces"]) in html
    mail.assert_no_pii(html, page)

    book = load_workbook(io.BytesIO(steps.write_workbook(figures, tmp_path / "r.xlsx").read_bytes()), read_only=True)
    header, *body = book["分类统计"].iter_rows(values_only=True)
    sheet = {(r[0], r[1]): dict(zip(header[2:], r[2:], strict=True)) for r in body}
    labels = splits.FIGURES
    assert {s: {k: sheet["山东省", s][labels[k]] for k in labels} for s in want} == want
    for city in CITIES_WITH_DATA:
        name = divisions.all_divisions()[city].name
        assert {s: {k: sheet[name, s][labels[k]] for k in labels} for s in want} == expected_table(url, city)
    header, *body = book["外省籍分市"].iter_rows(values_only=True)
    assert {r[0]: r[-1] for r in body} == {divisions.all_divisions()[c].name: splits.top_text(f["top_provinces"])
                                          for c, f in inbound.items()}
    [county_header] = book["各县"].iter_rows(max_row=1, values_only=True)
    assert not any("脱贫" in h and "培训" not in h and "进场" not in h and "意向" not in h for h in county_header)


def test_the_split_check_names_what_disagrees():
    """report.splits.check alone: a unit whose split rows disagree with its own figures."""
    units = pd.DataFrame([{"county_code": HUANGDAO, "city_code": QINGDAO, "city": "青岛市", "county": "黄岛区",
                           **dict.fromkeys(splits.FIGURES, 0), "workers": 10, "charter_requests": 4, "chartered": 2}])
    rows = pd.DataFrame([
        {"county_code": HUANGDAO, "split": splits.NATIVE, "home_province": "37", **dict.fromkeys(splits.FIGURES, 0),
         "workers": 3},
        {"county_code": HUANGDAO, "split": splits.INBOUND, "home_province": "41", **dict.fromkeys(splits.FIGURES, 0),
         "workers": 6, "charter_requests": 4, "chartered": 2},
        {"county_code": HUANGDAO, "split": "脱贫人口", "home_province": "41", **dict.fromkeys(splits.FIGURES, 0),
         "workers": 11, "charter_requests": 1, "chartered": 2}])
    problems = splits.check(rows, units, splits.names(SD))
    assert "青岛市黄岛区「摸排人数」本省籍 3 + 外省籍 6 ≠ 合计 10" in problems
    assert "青岛市黄岛区「摸排人数」其中脱贫人口 11 大于合计 10" in problems
    assert "青岛市黄岛区脱贫人口「包车安排」2 大于「包车需求」1" in problems
    assert len(problems) == 3
    rows.loc[0, "workers"], rows.loc[2, ["workers", "charter_requests"]] = 4, (5, 2)
    assert splits.check(rows, units, splits.names(SD)) == []
