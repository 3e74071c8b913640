"""集中购票 rosters: the riders a published charter plan refers to 集中购票, as the lists the railway's
绿色通道 needs, one XLSX per departure station (both notices: 为农民工集中购买汽车票、火车票开通绿色通道).

A rider departs from the home county (返岗) or the work place (返乡: the work county where the survey names
one, else the work city), and boards at that place's station among the campaign's (`rail.stations`):
the county's own station, else the nearest of its city, else the nearest of all (config.railway.nearest).
The rider arrives at the station of the other end, chosen the same way. Within a station's file the riders
are grouped by date and destination station; each group is one purchase: 序号, 姓名, 身份证号, 联系电话 —
real-name tickets need the ID. The files hold IDs and phones: they stay in the system (outputs/…/tickets/)
for the people who buy the tickets, never in an email body.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from sqlalchemy import Connection, and_, func, select

from chunnuan.common.sheets import safe_file_name, write_sheet
from chunnuan.config import divisions, railway
from chunnuan.config.campaign import Campaign
from chunnuan.db.models import CharterAssignment, SurveyWorker

ROSTER_COLUMNS = {"group_no": "组号", "travel_date": "乘车日期", "to_station": "到达站", "seq": "序号", "name": "姓名",
                  "id_number": "身份证号", "phone": "联系电话", "served_by": "所属县(市、区)", "trip_type": "出行类型"}
STATION_COLUMNS = {"station": "出发站", "telecode": "电报码", "riders": "集中购票人数", "groups": "购票组数"}
GROUP_COLUMNS = {"group_no": "组号", "travel_date": "乘车日期", "to_station": "到达站", "destination": "目的地",
                 "riders": "人数"}


def referred_riders(conn: Connection, campaign: Campaign, plan_id: int) -> pd.DataFrame:
    """The plan's riders referred to 集中购票 with what the roster needs (one row each)."""
    # imported here: the planner's package is heavy, and the report imports this module
    from chunnuan.planner.model import STATUS_REFERRED

    w = SurveyWorker
    work_place = func.coalesce(func.nullif(w.work_county_code, ""), w.work_city_code)
    query = (select(CharterAssignment.id_number, w.name, w.phone, w.trip_type, w.served_by_code,
                    w.home_county_code, work_place.label("work_place"),
                    func.coalesce(CharterAssignment.planned_date, w.travel_date).label("travel_date"))
             .select_from(CharterAssignment)
             .join(w, and_(w.campaign_id == campaign.id, w.id_number == CharterAssignment.id_number))
             .where(CharterAssignment.plan_id == plan_id, CharterAssignment.status == STATUS_REFERRED))
    return pd.read_sql(query, conn)


def board(riders: pd.DataFrame, campaign: Campaign) -> pd.DataFrame:
    """Riders with their departure and arrival stations, date and group (station, date, destination)."""
    if campaign.rail is None:
        raise ValueError(f"行动配置 {campaign.id} 没有列出铁路车站（rail.stations），无法生成集中购票名单")
    stations = campaign.rail.station_list()
    returning = riders["trip_type"] == "返乡"
    work = riders["work_place"].fillna(riders["home_county_code"])  # an unplaced work city: the home's station
    start = work.where(returning, riders["home_county_code"])
    end = riders["home_county_code"].where(returning, work)
    at = {code: railway.nearest(code, stations) for code in set(start) | set(end)}
    out = riders.assign(
        from_station=start.map(lambda c: at[c].name), telecode=start.map(lambda c: at[c].telecode),
        from_label=start.map(lambda c: at[c].label), to_station=end.map(lambda c: at[c].name),
        destination=end.map(divisions.place_label), served_by=riders["served_by_code"].map(divisions.place_label),
        travel_date=pd.to_datetime(riders["travel_date"]).dt.strftime("%Y-%m-%d"))
    out = out.sort_values(["from_station", "travel_date", "to_station", "name", "id_number"], kind="stable")
    keys = ["from_station", "travel_date", "to_station"]
    first = ~out.duplicated(keys)  # sorted: a group's first rider starts the station's next group
    out["group_no"] = first.astype("int64").groupby(out["from_station"]).cumsum()
    out["seq"] = out.groupby(keys).cumcount() + 1
    return out.reset_index(drop=True)


def per_station(riders: pd.DataFrame) -> pd.DataFrame:
    """Riders and purchase groups per departure station (`board`'s rows in; no personal data out)."""
    if riders.empty:
        return pd.DataFrame(columns=list(STATION_COLUMNS))
    out = riders.groupby(["from_label", "telecode"], sort=True).agg(
        riders=("id_number", "size"), groups=("group_no", "max")).reset_index()
    return out.rename(columns={"from_label": "station"})[list(STATION_COLUMNS)]


def station_figures(conn: Connection, campaign: Campaign, plan_id: int) -> pd.DataFrame:
    """`per_station` for a published plan (empty without one or without stations), for the report."""
    if campaign.rail is None or plan_id < 0:
        return per_station(pd.DataFrame())
    return per_station(board(referred_riders(conn, campaign, plan_id), campaign))


def write_rosters(engine, campaign: Campaign, plan_id: int, out_dir: Path) -> dict:
    """<站名>站_<电报码>.xlsx per departure station under out_dir; returns the figures (no personal data)."""
    with engine.connect() as conn:
        riders = board(referred_riders(conn, campaign, plan_id), campaign)
    out_dir = Path(out_dir)
    for old in out_dir.glob("*.xlsx"):  # a re-run rewrites the whole set
        old.unlink()
    for (name, telecode), rows in riders.groupby(["from_station", "telecode"], sort=True):
        groups = rows.groupby(["group_no", "travel_date", "to_station", "destination"], sort=True).size() \
            .rename("riders").reset_index()
        book = Workbook()
        book.remove(book.active)
        write_sheet(book, "购票名单", rows, ROSTER_COLUMNS)
        write_sheet(book, "分组汇总", groups, GROUP_COLUMNS)
        out_dir.mkdir(parents=True, exist_ok=True)
        book.save(out_dir / f"{safe_file_name(name)}站_{telecode}.xlsx")
    stations = per_station(riders)
    return {"stations": len(stations), "riders": len(riders), "by_station": stations.to_dict(orient="records")}
