"""Shandong's workers from all of China through the database (issue 16): a mixed county file loaded on SQLite
and PostgreSQL with nothing lost, job seekers matched from where they want to work, and a database of the
old shape (poverty_status) migrated with nothing lost."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from alembic import command
from sqlalchemy import text

from chunnuan import db
from chunnuan.config import campaign
from chunnuan.intake.batches import load_validated, register_files, validate_batch
from chunnuan.job_fairs.steps import extract, outputs_dir, plan, publish
from tests.support.rows import make_id, valid_row, write_csv

SD = campaign.load("shandong-2024")
WANCHENG, LIXIA, LANSHAN, HUANGDAO = "411302", "370102", "371302", "370211"


def sd_row(seq: int, home: str, county_code: str, **overrides) -> dict[str, str]:
    return valid_row(seq, **{"身份证号": make_id(county=county_code, seq=seq), "户籍县(市、区)": home,
                             "务工地省份": "山东省", "务工地城市": "青岛市", "务工地县(市、区)": "黄岛区",
                             "就业需求": "外出务工", "意向工种": "电工",
                             "填报单位": "青岛市黄岛区人力资源和社会保障局", **overrides})


def rows_of(url, sql, **params) -> list[tuple]:
    with db.engine(url).connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql), params)]


def test_a_mixed_shandong_file_loads_with_nothing_lost(db_url, chunnuan_home, tmp_path):
    rows = [
        sd_row(1, "河南省南阳市宛城区", WANCHENG, 重点群体类别="脱贫人口、就业困难人员"),
        sd_row(2, "南阳市宛城区", WANCHENG, 务工地城市="济南市", **{"务工地县(市、区)": ""}),
        sd_row(3, "济南市历下区", LIXIA, 重点群体类别="低收入农村劳动力"),
        sd_row(4, "临沂市兰山区", LANSHAN, 务工地省份="江苏省", 务工地城市="苏州市", 就业需求="本地就业",
               **{"务工地县(市、区)": ""}),
        sd_row(5, "河南省南阳市宛城区", WANCHENG, 务工地省份="江苏省", 务工地城市="苏州市",
               **{"务工地县(市、区)": ""}),  # out of scope
        sd_row(6, "鼓楼区", WANCHENG),  # ambiguous
    ]
    rows.append({**rows[0], "填报日期": "2024-01-27"})  # the same worker again, later: merged
    rows += [sd_row(n, "济南市历下区", LIXIA, 就业需求="无", 意向工种="") for n in range(10, 14)]
    engine = db.engine(db_url)
    registered = register_files(engine, SD, [write_csv(tmp_path / "黄岛区.csv", rows)])
    [batch] = registered["new"]
    validate_batch(engine, SD, batch.batch_id, batch.path)
    loaded = load_validated(engine, SD)

    [counts] = loaded["batches"]
    assert (counts["rows_read"], counts["rows_loaded"], counts["rows_quarantined"], counts["rows_merged"]) == (11, 8, 2, 1)
    stored = rows_of(db_url, "SELECT native, served_by_code, priority_groups, work_city_code FROM survey_worker")
    assert sorted((bool(r[0]), *r[1:]) for r in stored) == sorted([
        (False, HUANGDAO, "脱贫人口、就业困难农村劳动力", "370200"),
        (False, "370100", "", "370100"),
        (True, LIXIA, "低收入农村劳动力", "370200"),
        (True, LANSHAN, "", "320500"),
        *[(True, LIXIA, "", "370200")] * 4,
    ])
    codes = rows_of(db_url, "SELECT codes FROM quarantined_row ORDER BY source_row")
    assert codes == [("out_of_scope",), ("county_unknown",)]

    # Job seekers are ranked from where they want to work: inbound from the work place (黄岛区; 济南市 when
    # only the city is named), a native seeking a local job from home, and counted at the county serving them.
    inputs = extract(engine, SD)
    seek = inputs.seekers.set_index("served_by_code")[["seek_county_code", "seek_city_code"]]
    assert seek.loc[HUANGDAO].tolist() == [HUANGDAO, "370200"]
    assert seek.loc["370100"].tolist() == ["370100", "370100"]
    assert seek.loc[LANSHAN].tolist() == [LANSHAN, "371300"]
    assert seek.loc[LIXIA].tolist() == [HUANGDAO, "370200"]  # a native working in the province: there
    assert set(inputs.counties["county_code"]) == {HUANGDAO, LIXIA, LANSHAN}  # 济南市 (市本级) has no county fair

    # Published lists go to the unit serving each seeker: 黄岛区's list holds its inbound seeker, 历下区's its
    # native working in 青岛, and the seeker who named only 济南市 is on the city's own list (市本级).
    planned = plan(engine, SD, "run-1", SD.job_fairs.window.start)
    publish(engine, SD, planned["plan_id"])
    folder = outputs_dir(SD.id, planned["plan_id"]) / "counties"
    names = {path.name: pd.read_excel(path, sheet_name="求职者推荐岗位")["姓名"].tolist()
             for path in folder.glob("*求职者推荐岗位.xlsx")}
    assert [len(names[f"{unit}-求职者推荐岗位.xlsx"]) for unit in ("济南市本级", "青岛市黄岛区", "济南市历下区")] == [1, 1, 1]
    assert sum(len(v) for v in names.values()) == len(inputs.seekers)


def test_an_old_database_is_migrated_with_nothing_lost(tmp_path):
    """Rows loaded before issue 16 (poverty_status) keep every fact: groups, native, who serves them."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    db.upgrade(url, "0004")
    with db.engine(url).begin() as conn:
        conn.execute(text("INSERT INTO submission_batch (id, campaign_id, kind, file_name, sha256, status, received_at) "
                          "VALUES (1, 'guangxi-2024', 'survey', 'a.csv', 'x', 'loaded', :t)"),
                     {"t": dt.datetime(2024, 1, 20)})
        for n, (poverty, province, city) in enumerate([("脱贫人口", "广东省", "深圳市"), ("否", "广东省", "昆山"),
                                                       ("监测对象", "江苏省", "昆山市")], start=1):
            conn.execute(text(
                "INSERT INTO survey_worker (campaign_id, id_number, batch_id, source_row, name, phone, "
                "home_county_code, home_city_code, poverty_status, trip_type, travel_date, flex_days, "
                "work_province, work_city, needs_charter, job_need, needs_training, reporting_unit, reported_on) "
                "VALUES ('guangxi-2024', :id, 1, :n, '张三', '13800000000', '450821', '450800', :p, '返岗', "
                "'2024-02-18', 0, :prov, :city, true, '无', false, '平南县人社局', '2024-01-20')"),
                {"id": make_id(seq=n), "n": n, "p": poverty, "prov": province, "city": city})

    db.upgrade(url)

    assert rows_of(url, "SELECT priority_groups, native, served_by_code, work_city_code, work_county_code "
                        "FROM survey_worker ORDER BY source_row") == [
        ("脱贫人口", 1, "450821", "440300", None), ("", 1, "450821", None, None), ("监测对象", 1, "450821", "320500", "320583")]
    command.downgrade(db.alembic_config(url), "0004")  # and back: the old column as it was
    assert rows_of(url, "SELECT poverty_status FROM survey_worker ORDER BY source_row") == [
        ("脱贫人口",), ("否",), ("监测对象",)]
