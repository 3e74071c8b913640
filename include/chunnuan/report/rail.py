"""专列（车厢）in the report and on the dashboard (issue 18): 专列 趟次, 包车厢 节数 and riders by mode (包车 /
铁路, 其中接驳 / 集中购票) for the province and each city, from the published plan's rows (report_rail.sql and
charter_car), so they equal SQL over the plan. A plan without rail has 0 trains and 0 rail riders.

A 专列 counts once for each city with riders on it (a train boarding at several stations serves several
cities), so the cities' trains may add up to more than the province's; riders add up exactly.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection, func, select, text

from chunnuan.common import sql
from chunnuan.db.models import CharterCar

MODE_TRAIN, MODE_CARRIAGE = "专列", "车厢"  # charter_car.mode (planner.model's MODE_TRAIN / MODE_CARRIAGE)
STATUS_COACH, STATUS_RAIL, STATUS_REFERRED = "包车", "铁路", "集中购票"
# figure -> Chinese header, in report order
FIGURES = {"trains": "专列(趟次)", "reserved_carriages": "包车厢(节)", "coach": "包车(人)", "rail": "铁路(人)",
           "feeder": "其中接驳(人)", "referred": "集中购票(人)"}
RIDER_FIGURES = ("coach", "rail", "feeder", "referred")


def load(conn: Connection, campaign_id: str, plan_id: int) -> pd.DataFrame:
    """report_rail.sql's rows: per serving unit, status, train and carriage, how many riders."""
    return pd.read_sql(text(sql.load("report_rail.sql")), conn, params={"campaign_id": campaign_id, "plan_id": plan_id})


def plan_totals(conn: Connection, plan_id: int) -> dict[str, int]:
    """The plan's 专列 and reserved carriages straight from charter_car (every carriage, with riders or not)."""
    trains = select(func.count(func.distinct(CharterCar.train_id))).where(
        CharterCar.plan_id == plan_id, CharterCar.mode == MODE_TRAIN)
    carriages = select(func.count()).where(CharterCar.plan_id == plan_id, CharterCar.mode == MODE_CARRIAGE)
    return {"trains": int(conn.execute(trains).scalar() or 0),
            "reserved_carriages": int(conn.execute(carriages).scalar() or 0)}


def province_figures(engine, campaign_id: str) -> dict[str, int]:
    """FIGURES for the province from the newest published plan (all 0 without one), e.g. for `make demo`."""
    from chunnuan.common.plans import latest_published

    with engine.connect() as conn:
        plan_id, _ = latest_published(conn, campaign_id)
        return {**_figures(load(conn, campaign_id, plan_id)), **plan_totals(conn, plan_id)}


def _figures(rows: pd.DataFrame) -> dict[str, int]:
    def riders(mask) -> int:
        return int(rows.loc[mask, "riders"].sum())

    trains = rows.loc[rows["car_mode"] == MODE_TRAIN, "train_id"].nunique()
    carriages = len(rows.loc[rows["car_mode"] == MODE_CARRIAGE, ["train_id", "carriage_no"]].drop_duplicates())
    rail = rows["status"] == STATUS_RAIL
    return {"trains": int(trains), "reserved_carriages": int(carriages), "coach": riders(rows["status"] == STATUS_COACH),
            "rail": riders(rail), "feeder": riders(rail & (rows["fed"] == 1)),
            "referred": riders(rows["status"] == STATUS_REFERRED)}


def table(rows: pd.DataFrame, units: pd.DataFrame, province: str, totals: dict[str, int]) -> pd.DataFrame:
    """One row for the province (its trains and carriages from charter_car), then one per city (units: the
    report's county rows with city_code and city), columns area + FIGURES."""
    city = rows.merge(units[["county_code", "city_code", "city"]], on="county_code", how="inner")
    out = [{"area": province, **_figures(rows), **totals}]
    out += [{"area": name, **_figures(g)} for (_, name), g in city.groupby(["city_code", "city"], sort=True)]
    return pd.DataFrame(out, columns=["area", *FIGURES])


def checks(totals: dict) -> list[str]:
    """The report gate's rail checks on report_totals.sql: feeders carry exactly the rail riders with a feeder
    leg, and the carriages seat exactly the rail riders."""
    problems = []
    if totals["feeder_passengers"] != totals["fed_riders"]:
        problems.append(f"接驳车载客合计 {totals['feeder_passengers']} ≠ 乘接驳车到站人数 {totals['fed_riders']}")
    if totals["car_riders"] != totals["rail_riders"]:
        problems.append(f"车厢乘车人数合计 {totals['car_riders']} ≠ 安排铁路人数 {totals['rail_riders']}")
    return problems


def sentence(province: dict) -> str:
    """The report email's line (empty when no rider goes by rail)."""
    if not province.get("rail"):
        return ""
    return (f"专列（车厢）：开行专列 {province['trains']} 趟次、包车厢 {province['reserved_carriages']} 节，"
            f"铁路运送 {province['rail']} 人（其中接驳车送站 {province['feeder']} 人）；按出行方式：包车 "
            f"{province['coach']} 人、铁路 {province['rail']} 人、集中购票 {province['referred']} 人"
            f"（各市情况见附件“专列车厢”表）。")


def snapshot(frame: pd.DataFrame) -> dict:
    """The dashboard's figures: {"province": FIGURES, "cities": [{"city", FIGURES}]} as plain ints."""
    rows = [{"area": str(r["area"]), **{k: int(r[k]) for k in FIGURES}} for r in frame.to_dict(orient="records")]
    if not rows:
        return {"province": dict.fromkeys(FIGURES, 0), "cities": []}
    province, *cities = rows
    return {"province": {k: province[k] for k in FIGURES}, "cities": [c for c in cities if c["rail"]]}
