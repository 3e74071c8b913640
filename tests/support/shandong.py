"""A hand-made mixed Shandong survey for the report's splits: natives going out, returning and staying in
the province; inbound workers from four provinces to Qingdao (a work county named, or only the city: 市本级)
and Yantai; workers in several priority groups. With a fleet that charters some of each."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sqlalchemy import text

from chunnuan import db
from chunnuan.config import campaign, divisions
from chunnuan.planner import Carrier, Fleet, write_fleet
from chunnuan.report import splits
from chunnuan.synth.charter import uscc_for
from tests.support.rows import make_id, valid_row, write_csv

SD = campaign.load("shandong-2024")
PINGYIN = "370124"  # 济南市平阴县
HUANGDAO = "370211"  # 青岛市黄岛区
QINGDAO = "370200"  # 青岛市 (市本级)
ZHIFU = "370602"  # 烟台市芝罘区
# (home county code, 户籍县 as written, how many)
INBOUND_TO_HUANGDAO = (("411302", "河南省南阳市宛城区", 30), ("510106", "四川省成都市金牛区", 3))
INBOUND_TO_QINGDAO = (("341202", "安徽省阜阳市颍州区", 8), ("620102", "甘肃省兰州市城关区", 1))
INBOUND_TO_YANTAI = (("130102", "河北省石家庄市长安区", 6),)


def _groups(seq: int) -> str:
    """Some workers in one group, some in two or three, most in none."""
    groups = [g for g, every in (("脱贫人口", 4), ("监测对象", 5), ("就业困难农村劳动力", 6), ("低收入农村劳动力", 7))
              if seq % every == 0]
    return "、".join(groups) or "否"


def rows() -> list[dict]:
    out, seq = [], 0

    def add(county: str, label: str, **cells: str) -> None:
        nonlocal seq
        seq += 1
        out.append(valid_row(seq, 姓名=f"山东测试{seq}", 身份证号=make_id(county=county, seq=seq), **{
            "户籍县(市、区)": label, "重点群体类别": _groups(seq), "填报单位": "平阴县人力资源和社会保障局", **cells}))

    for i in range(30):  # 本省籍 out to Suzhou: one coach
        add(PINGYIN, "济南市平阴县", 务工地省份="江苏省", 务工地城市="苏州市", 用人单位="苏州某电子厂",
            计划出行日期="2024-02-18", 可提前或推迟天数=str(i % 2))
    for _ in range(5):  # 本省籍 back home from Beijing, looking for work and training near home
        add(PINGYIN, "济南市平阴县", 出行类型="返乡", 务工地省份="北京市", 务工地城市="北京市", 是否需要点对点包车="否",
            就业需求="本地就业", 意向工种="电工", 是否需要技能培训="是", 培训意向工种="电工", 计划出行日期="2024-02-05")
    for _ in range(4):  # 本省籍 working in the province
        add(PINGYIN, "济南市平阴县", 务工地省份="山东省", 务工地城市="青岛市", 是否需要点对点包车="否")
    for county, label, n in INBOUND_TO_HUANGDAO:  # 外省籍 to a named work county: one coach with the Sichuan three
        for _ in range(n):
            add(county, label, 务工地省份="山东省", 务工地城市="青岛市", **{"务工地县(市、区)": "黄岛区"},
                用人单位="青岛某船厂", 计划出行日期="2024-02-18", 填报单位="青岛市黄岛区人力资源和社会保障局")
    for county, label, n in INBOUND_TO_QINGDAO:  # 外省籍 naming only the city: too few for a coach
        for _ in range(n):
            add(county, label, 务工地省份="山东省", 务工地城市="青岛市", 用人单位="青岛某家电厂",
                就业需求="本地就业", 意向工种="焊工", 填报单位="青岛市人力资源和社会保障局")
    for county, label, n in INBOUND_TO_YANTAI:  # 外省籍 going home from Yantai, no coach asked for
        for _ in range(n):
            add(county, label, 出行类型="返乡", 务工地省份="山东省", 务工地城市="烟台市", **{"务工地县(市、区)": "芝罘区"},
                是否需要点对点包车="否", 用人单位="烟台某果品公司", 计划出行日期="2024-02-03",
                填报单位="烟台市芝罘区人力资源和社会保障局")
    return out


def write_survey(path: Path) -> Path:
    return write_csv(path, rows())


def write_shandong_fleet(path: Path) -> Path:
    carrier = Carrier(uscc_for("370100", 1), "济南市安达汽车运输有限公司", "AAA", None, "李调度", "0531-4200001", True)
    window = (SD.travel_window.start, SD.travel_window.end)
    write_fleet(Fleet.build([carrier], [(carrier.uscc, 35, *window, 3), (carrier.uscc, 53, *window, 2)]), path)
    return path


# --- Counting straight from the tables, the way the tests check the report's splits ---------------------

SPLIT_WHERE = {splits.NATIVE: "w.native = :yes", splits.INBOUND: "w.native = :no"}
GROUP_WHERE = "'、' || w.priority_groups || '、' LIKE :pattern"
FIGURE_WHERE = {
    "workers": "1 = 1", "returning_home": "w.trip_type = '返乡'", "returning_to_work": "w.trip_type = '返岗'",
    "charter_requests": "w.needs_charter = :yes", "chartered": "a.status = '包车'", "referred": "a.status <> '包车'",
    "transported": "a.status = '包车' AND COALESCE(r.boarded, '是') = '是'",
    "job_seekers": "w.job_need <> '无'", "training_demand": "w.needs_training = :yes",
}


def count(url: str, split: str, figure: str, city: str | None = None) -> int:
    """Workers of one split with one figure, straight from the tables (city: the serving unit's city)."""
    where = [SPLIT_WHERE.get(split, GROUP_WHERE), FIGURE_WHERE[figure]]
    if city is not None:
        where.append("SUBSTR(w.served_by_code, 1, 4) = :city4")
    join = ("JOIN charter_assignment a ON a.id_number = w.id_number AND a.plan_id = (SELECT MAX(id) FROM charter_plan "
            "WHERE campaign_id = :c AND status = 'published') LEFT JOIN trip_return r ON r.record = 'rider' "
            "AND r.trip_id = a.trip_id AND r.id_number = a.id_number") if figure in ("chartered", "referred",
                                                                                   "transported") else ""
    sql = f"SELECT COUNT(*) FROM survey_worker w {join} WHERE w.campaign_id = :c AND " + " AND ".join(where)
    params = {"c": SD.id, "yes": True, "no": False, "pattern": f"%、{split}、%", "city4": (city or "")[:4]}
    with db.engine(url).connect() as conn:
        return conn.execute(text(sql), params).scalar()


def rows_of(url: str, sql: str) -> list:
    with db.engine(url).connect() as conn:
        return conn.execute(text(sql), {"c": SD.id, "no": False}).all()


def expected_table(url: str, city: str | None = None) -> dict[str, dict[str, int]]:
    return {s: {f: count(url, s, f, city) for f in splits.FIGURES} for s in splits.names(SD)}


def as_dict(table: pd.DataFrame) -> dict[str, dict[str, int]]:
    return {r["split"]: {f: int(r[f]) for f in splits.FIGURES} for r in table.to_dict(orient="records")}


def expected_inbound(url: str) -> dict[str, dict]:
    """外省籍 per receiving city: figures and top three home provinces, counted here."""
    city = "SUBSTR(w.served_by_code, 1, 4) || '00'"
    plan = "(SELECT MAX(id) FROM charter_plan WHERE campaign_id = :c AND status = 'published')"
    figures = rows_of(url, f"""
        SELECT {city}, COUNT(*), SUM(CASE WHEN trip_type = '返岗' THEN 1 ELSE 0 END),
               SUM(CASE WHEN trip_type = '返乡' THEN 1 ELSE 0 END), SUM(CASE WHEN needs_charter = :no THEN 0 ELSE 1 END)
        FROM survey_worker w WHERE w.campaign_id = :c AND w.native = :no GROUP BY {city}""")
    chartered = dict(rows_of(url, f"""
        SELECT {city}, COUNT(*) FROM charter_assignment a JOIN survey_worker w ON w.id_number = a.id_number
        WHERE a.plan_id = {plan} AND a.status = '包车' AND w.campaign_id = :c AND w.native = :no GROUP BY {city}"""))
    homes = rows_of(url, f"""
        SELECT {city}, SUBSTR(home_county_code, 1, 2), COUNT(*) FROM survey_worker w
        WHERE campaign_id = :c AND native = :no GROUP BY {city}, SUBSTR(home_county_code, 1, 2)""")
    out = {}
    for code, workers, to_work, home, requests in figures:
        top = sorted(((-n, p) for c, p, n in homes if c == code))[:splits.TOP_PROVINCES]
        out[code] = {"workers": workers, "returning_to_work": to_work, "returning_home": home,
                     "charter_requests": requests, "chartered": chartered.get(code, 0),
                     "top_provinces": [(divisions.all_divisions()[p + "0000"].name, -n) for n, p in top]}
    return out


def top_row_html(city_code: str, figures: dict) -> str:
    """How the report email's 外省籍 table shows one receiving city (figures: expected_inbound's)."""
    cells = "".join(f'<td align="right">{figures[k]}</td>' for k in splits.INBOUND_FIGURES)
    return f"<td>{divisions.all_divisions()[city_code].name}</td>{cells}<td>{splits.top_text(figures['top_provinces'])}</td>"
