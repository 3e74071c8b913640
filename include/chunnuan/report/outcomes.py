"""What became of the "点对点" plan, from the carriers' returned manifests (包车回执): the report's outcome figures.

Per county (report_outcomes.sql) the plan's riders split into boarded (是), no-shows (否), switched (改乘) and
not_returned — riders whose trip has not come back yet. 运送 (`transported`) counts riders who boarded, plus
the not-returned ones as planned: until a trip's return arrives its riders are 计划 and every place that shows
the figure says how many of it are (`planned_part`). Per trip (report_outcome_trips.sql): which came back,
which did not run, which were overcrowded (超员).

report.steps calls this module at four points (figures, collect, gate, render); the county lists of no-shows
are files kept in the system (`write_no_shows`), never in a report or an email: they name people.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, text

from chunnuan.common import sql
from chunnuan.config.campaign import Campaign

FIGURES = {"transported": "包车运送", "boarded": "实际乘车", "no_shows": "未乘车", "switched": "改乘",
           "not_returned": "未交回执（计划）"}
RETURNED = ("boarded", "no_shows", "switched", "not_returned")  # add up to the plan's riders (`chartered`)
PARTS = (("transported", "chartered"), ("boarded", "transported"))
PLANNED = "计划"


def load(conn, params: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(per county, per trip) for the plan `params["plan_id"]`."""
    by_county = pd.read_sql(text(sql.load("report_outcomes.sql")), conn, params=params)
    trips = pd.read_sql(text(sql.load("report_outcome_trips.sql")), conn, params=params)
    return by_county, trips


def merge(by_county: pd.DataFrame, outcomes: pd.DataFrame) -> pd.DataFrame:
    """report_by_county.sql's rows with the outcome figures (0 where the county has no chartered riders)."""
    out = by_county.merge(outcomes.drop(columns="planned"), on="county_code", how="left")
    out[list(RETURNED)] = out[list(RETURNED)].fillna(0).astype("int64")
    out["transported"] = out["boarded"] + out["not_returned"]
    return out


def check(counties: pd.DataFrame) -> list[str]:
    """Each county's planned riders = boarded + no-shows + switched + not returned."""
    place = counties["city"] + counties["county"]
    wrong = counties[counties[list(RETURNED)].sum(axis=1) != counties["chartered"]]
    return [f"{place[i]}：包车安排 {r.chartered} 人 ≠ 实际乘车、未乘车、改乘、未交回执之和 "
            f"{r.boarded + r.no_shows + r.switched + r.not_returned}" for i, r in wrong.iterrows()]


def trip_summary(trips: pd.DataFrame) -> dict:
    """The plan's trips: how many came back, did not run, were overcrowded (with their ids, dates and routes)."""
    returned = trips[trips["returned"] == 1]

    def listed(frame: pd.DataFrame) -> list[dict]:
        return [{"trip_id": str(r.trip_id), "date": str(r.travel_date)[:10], "route": str(r.route),
                 "carrier": None if pd.isna(r.carrier) else str(r.carrier), "seats": int(r.seats),
                 "riders": None if pd.isna(r.riders) else int(r.riders)} for r in frame.itertuples()]

    not_run = returned[returned["ran"].astype("boolean").eq(False).fillna(False).astype(bool)]
    overcrowded = returned[returned["overcrowded"].astype("boolean").fillna(False).astype(bool)]
    return {"trips": len(trips), "returned": len(returned), "not_returned": len(trips) - len(returned),
            "not_run": listed(not_run), "overcrowded": listed(overcrowded)}


def planned_part(value: int, not_returned: int) -> str:
    """A 运送 figure as shown: 1,234, 1,234（计划） when no return has come, 1,234（含计划 56） in between."""
    if not_returned == 0:
        return f"{value:,}"
    return f"{value:,}（{PLANNED}）" if not_returned == value else f"{value:,}（含{PLANNED} {not_returned:,}）"


def sentence(province: dict, trips: dict) -> str:
    """The report's line on what happened to the plan (empty when no plan was published)."""
    if not trips.get("trips"):
        return ""
    if trips["returned"] == 0:
        return (f"包车回执尚未交回：{trips['trips']} 车次 {province['chartered']:,} 人均为{PLANNED}数，"
                "实际乘车人数待运输企业交回回执后统计。")
    text_ = (f"已交回包车回执 {trips['returned']} / {trips['trips']} 车次：实际乘车 {province['boarded']:,} 人，"
             f"未乘车 {province['no_shows']:,} 人，改乘 {province['switched']:,} 人")
    if trips["not_returned"]:
        text_ += f"；未交回回执的 {trips['not_returned']} 车次 {province['not_returned']:,} 人按{PLANNED}数计"
    if trips["not_run"]:
        text_ += f"；未发车 {len(trips['not_run'])} 车次（{'、'.join(t['trip_id'] for t in trips['not_run'])}）"
    if trips["overcrowded"]:
        text_ += (f"；超员 {len(trips['overcrowded'])} 车次（"
                  + "、".join(f"{t['trip_id']} 核定{t['seats']}座实载{t['riders']}人" for t in trips["overcrowded"])
                  + "），须立即核实整改")
    return text_ + "。"


NO_SHOW_COLUMNS = {"name": "姓名", "id_number": "身份证号", "phone": "联系电话", "trip_id": "车次编号",
                   "travel_date": "乘车日期", "route": "线路", "boarded": "是否乘车"}


def write_no_shows(engine: Engine, campaign: Campaign) -> dict:
    """Per county, the plan's riders returned as 否 or 改乘: var/outputs/<行动>/charter/no-shows/<县>.xlsx (files kept
    in the system: they name people). Rewritten whole each time; a county with none has no file."""
    from openpyxl import Workbook

    from chunnuan.common.plans import latest_published
    from chunnuan.common.sheets import safe_file_name, write_sheet
    from chunnuan.config import divisions, settings

    with engine.connect() as conn:
        plan_id, _ = latest_published(conn, campaign.id)
        rows = pd.read_sql(text(sql.load("returns_no_shows.sql")), conn,
                           params={"campaign_id": campaign.id, "plan_id": plan_id})
    folder = settings.outputs_dir(campaign.id, "charter") / "no-shows"
    for old in folder.glob("*.xlsx"):
        old.unlink()
    written = {}
    for code, county in rows.groupby("county_code", sort=True):
        book = Workbook()
        book.remove(book.active)
        write_sheet(book, "未乘车名单", county, NO_SHOW_COLUMNS)
        path = folder / f"{code}_{safe_file_name(divisions.place_label(code) or code)}.xlsx"
        path.parent.mkdir(parents=True, exist_ok=True)
        book.save(path)
        written[code] = len(county)
    return {"counties": len(written), "riders": int(len(rows)), "folder": str(folder)}


def plan_outcome(engine: Engine, campaign: Campaign) -> dict | None:
    """The plan in force as the returns tell it, for the approval summary of the next plan (figures only)."""
    from chunnuan.common.plans import latest_published

    with engine.connect() as conn:
        plan_id, _ = latest_published(conn, campaign.id)
        if plan_id < 0:
            return None
        by_county, trips = load(conn, {"campaign_id": campaign.id, "plan_id": plan_id})
    totals = {k: int(by_county[k].sum()) for k in ("planned", *RETURNED)}
    return {"plan_id": plan_id, **totals, "chartered": totals["planned"],
            "transported": totals["boarded"] + totals["not_returned"], "trips": trip_summary(trips)}


def approval_lines(outcome: dict | None) -> list[str]:
    """Markdown lines on how the plan in force went, under the next plan's approval summary."""
    if not outcome:
        return []
    line = sentence(outcome, outcome["trips"])
    return ["", f"**第{outcome['plan_id']}版方案执行情况**（运送 {planned_part(outcome['transported'], outcome['not_returned'])}"
                f" 人）：{line}"]
