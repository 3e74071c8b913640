"""XLSX manifests of a published charter plan: one per carrier (what it needs for each coach) and one
per county or city that serves the workers (本省籍: the home county; 外省籍: the receiving county or city,
which arranges 车门到厂门): their trips, their riders on trains (专列/车厢: station, date, train, carriage and
the feeder coach to the station) and referrals. They hold names, ID numbers and phones: the people who run
the trips need them. They are files for those people, never email attachments."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook

from chunnuan.common.sheets import safe_file_name, write_sheet
from chunnuan.config import divisions
from chunnuan.intake.kinds import trip_returns
from chunnuan.planner.model import (
    ACTION_DROP,
    ACTION_PICKUP,
    STATUS_RAIL,
    STATUS_REFERRED,
    STOP_COLUMNS,
)

# The carrier workbook is also the form it returns (包车回执): the columns it fills on the day come last, blank.
RETURN_TRIP_COLUMNS = {c.field: c.header for c in trip_returns.TRIP_FILLED}
RETURN_RIDER_COLUMNS = {c.field: c.header for c in trip_returns.RIDER_FILLED}
TRIP_SHEET_COLUMNS = {"trip_id": "车次编号", "date": "发车日期", "route": "线路", "seats": "座位数",
                      "vehicle_class": "车型", "passengers": "乘车人数", "drivers": "驾驶员人数", "km": "里程(公里)",
                      "stops": "停靠站点（拼车）", **RETURN_TRIP_COLUMNS}
STOP_SHEET_COLUMNS = {"trip_id": "车次编号", "date": "发车日期", "stop_no": "站序", "action": "上/下车", "place": "县（市、区）/城市",
                      "point": "上下车地点", "time": "时间", "km": "距首站里程(公里)", "boarding": "上车人数",
                      "alighting": "下车人数"}
RIDER_COLUMNS = {"trip_id": "车次编号", "travel_date": "发车日期", "route": "线路", "seat_no": "序号", "name": "姓名",
                 "id_number": "身份证号", "phone": "联系电话", "home_county": "户籍县(市、区)", "board_no": "上车站序",
                 "board_point": "上车地点", "board_time": "上车时间", "drop_place": "下车地点", **RETURN_RIDER_COLUMNS}
COUNTY_CHARTER_COLUMNS = {"name": "姓名", "id_number": "身份证号", "phone": "联系电话", "trip_type": "出行类型",
                          "mode_label": "出行方式", "route": "线路", "travel_date": "乘车日期", "shift_days": "调整天数",
                          "trip_id": "车次编号",
                          "board_point": "上车地点", "board_time": "上车时间", "drop_place": "下车地点",
                          "carrier": "承运企业", "carrier_phone": "企业联系电话"}
# A rail rider (专列/车厢): the train, then the feeder coach (接驳车) that takes them to the boarding station.
COUNTY_RAIL_COLUMNS = {"name": "姓名", "id_number": "身份证号", "phone": "联系电话", "trip_type": "出行类型",
                       "mode_label": "出行方式", "route": "线路", "travel_date": "乘车日期", "shift_days": "调整天数",
                       "train_no": "车次", "carriage_no": "车厢", "board_station": "上车站", "arrive_station": "到达站",
                       "trip_id": "接驳车次", "board_point": "接驳上车地点", "carrier": "接驳承运企业",
                       "carrier_phone": "企业联系电话"}
MODE_COACH_LABEL, MODE_RAIL_LABEL, MODE_FEEDER_LABEL = "包车", "铁路", "接驳+铁路"
COUNTY_REFERRAL_COLUMNS = {"name": "姓名", "id_number": "身份证号", "phone": "联系电话", "trip_type": "出行类型",
                           "planned_date": "计划出行日期", "reason": "原因"}


def _riders(result, demand: pd.DataFrame) -> pd.DataFrame:
    people = demand[["id_number", "name", "phone", "home_county_code", "served_by_code", "trip_type"]]
    riders = result.assignments.merge(people, on="id_number", how="left")
    codes = set(riders["home_county_code"].dropna()) | set(riders["served_by_code"].dropna())
    labels = {c: divisions.place_label(c) for c in codes}
    on_train = riders["status"] == STATUS_RAIL
    feeder = on_train & (riders["trip_id"].fillna("") != "")
    mode = pd.Series(MODE_COACH_LABEL, index=riders.index).mask(on_train, MODE_RAIL_LABEL).mask(feeder, MODE_FEEDER_LABEL)
    train_no = riders["train_id"].fillna("").astype(str).str.split("-", n=1).str[-1]  # "YYYYMMDD-车次"
    return riders.assign(home_county=riders["home_county_code"].map(labels),
                         served_by=riders["served_by_code"].map(labels), mode_label=mode, train_no=train_no)


def _stops(result) -> pd.DataFrame:
    stops = result.stops if getattr(result, "stops", None) is not None else pd.DataFrame(columns=STOP_COLUMNS)
    return stops.merge(result.trips[["trip_id", "date"]], on="trip_id", how="left").sort_values(
        ["date", "trip_id", "stop_no"], kind="stable")


def _boarding(on_trip: pd.DataFrame, result) -> pd.DataFrame:
    """Where and when each rider boards and alights: a pooled trip's stops at their own county and city;
    a one-route trip boards at its origin (time: the campaign's first departure) and drops at its end."""
    stops = _stops(result)
    ends = on_trip["route_id"].astype(str).str.split(">", expand=True) if len(on_trip) else pd.DataFrame({0: [], 1: []})
    out = on_trip.assign(_origin=ends[0].to_numpy(), _dest=ends[1].to_numpy())
    up = stops[stops["action"] == ACTION_PICKUP][["trip_id", "place_code", "stop_no", "point", "time"]].rename(
        columns={"place_code": "_origin", "stop_no": "board_no", "point": "board_point", "time": "board_time"})
    down = stops[stops["action"] == ACTION_DROP][["trip_id", "place_code", "place"]].rename(
        columns={"place_code": "_dest", "place": "drop_place"})
    out = out.merge(up, on=["trip_id", "_origin"], how="left").merge(down, on=["trip_id", "_dest"], how="left")
    one_route = out["board_no"].isna()
    labels = out["trip_route"].astype(str).str.split("→", expand=True) if len(out) else pd.DataFrame({0: [], 1: []})
    out.loc[one_route, "board_no"] = 1
    out.loc[one_route, "board_point"] = labels[0][one_route]
    out.loc[one_route, "drop_place"] = labels[1][one_route]
    out["board_no"] = out["board_no"].astype(int)
    out["board_time"] = out["board_time"].fillna("")
    return out.drop(columns=["_origin", "_dest"])


def write_manifests(result, demand: pd.DataFrame, out_dir: Path) -> dict[str, list[Path]]:
    """carriers/<企业>.xlsx and counties/<县>.xlsx under out_dir; returns the paths written. Riders are listed
    per trip in boarding order (stop by stop on a pooled trip); the 停靠站点 sheet lists each pooled trip's stops."""
    out_dir = Path(out_dir)
    riders = _riders(result, demand)
    trips = result.trips
    if "stops" not in trips:
        trips = trips.assign(stops="")
    stops = _stops(result)
    on_trip = riders[riders["trip_id"].fillna("") != ""].merge(
        trips[["trip_id", "carrier_uscc", "carrier", "carrier_phone", "route"]].rename(columns={"route": "trip_route"}),
        on="trip_id", how="left")
    on_trip = _boarding(on_trip, result).sort_values(["trip_id", "board_no", "name"], kind="stable")
    on_trip["seat_no"] = on_trip.groupby("trip_id").cumcount() + 1
    written: dict[str, list[Path]] = {"carriers": [], "counties": []}

    for (code, name), carrier_trips in trips.groupby(["carrier_uscc", "carrier"], sort=True):
        book = Workbook()
        book.remove(book.active)
        write_sheet(book, trip_returns.TRIP_SHEET, carrier_trips.sort_values(["date", "trip_id"])
                    .reindex(columns=[*carrier_trips.columns, *RETURN_TRIP_COLUMNS]), TRIP_SHEET_COLUMNS)
        aboard = on_trip[on_trip["carrier_uscc"] == code]
        write_sheet(book, trip_returns.RIDER_SHEET, aboard.reindex(columns=[*aboard.columns, *RETURN_RIDER_COLUMNS]),
                    RIDER_COLUMNS)
        # after the two sheets the carrier returns (two recognised headers only: the intake does not read it)
        write_sheet(book, "停靠站点", stops[stops["trip_id"].isin(carrier_trips["trip_id"])], STOP_SHEET_COLUMNS)
        path = out_dir / "carriers" / f"{safe_file_name(name)}_{code}.xlsx"
        path.parent.mkdir(parents=True, exist_ok=True)
        book.save(path)
        written["carriers"].append(path)

    for code, county in riders.groupby("served_by_code", sort=True):
        book = Workbook()
        book.remove(book.active)
        mine = on_trip[on_trip["served_by_code"] == code]
        chartered = mine[mine["status"] != STATUS_RAIL].sort_values(["travel_date", "trip_id", "seat_no"])
        write_sheet(book, "包车名单", chartered, COUNTY_CHARTER_COLUMNS)
        write_sheet(book, "停靠站点", stops[stops["trip_id"].isin(chartered["trip_id"])], STOP_SHEET_COLUMNS)
        on_train = pd.concat([mine[mine["status"] == STATUS_RAIL],
                              county[(county["status"] == STATUS_RAIL) & (county["trip_id"].fillna("") == "")]])
        if len(on_train):  # plans without rail keep their three sheets
            write_sheet(book, "铁路名单", on_train.sort_values(["travel_date", "train_no", "carriage_no", "name"],
                                                             kind="stable"), COUNTY_RAIL_COLUMNS)
        write_sheet(book, "集中购票", county[county["status"] == STATUS_REFERRED], COUNTY_REFERRAL_COLUMNS)
        label = county["served_by"].iloc[0] or code
        path = out_dir / "counties" / f"{code}_{safe_file_name(label)}.xlsx"
        path.parent.mkdir(parents=True, exist_ok=True)
        book.save(path)
        written["counties"].append(path)
    return written


def county_figures(result, demand: pd.DataFrame) -> list[dict]:
    """Per county, figures only (for the notice email): no names, no numbers of people's documents."""
    riders = _riders(result, demand)
    out = []
    for code, county in riders.groupby("served_by_code", sort=True):
        chartered = county[county["status"] != STATUS_RAIL]
        chartered = chartered[chartered["trip_id"].fillna("") != ""]
        trips = result.trips[result.trips["trip_id"].isin(chartered["trip_id"].unique())]
        referred = county[county["status"] == STATUS_REFERRED]
        out.append({
            "county_code": code,
            "county": county["served_by"].iloc[0] or code,
            "requests": len(county),
            "chartered": len(chartered),
            "trips": len(trips),
            "first_date": str(chartered["travel_date"].min()) if len(chartered) else "",
            "last_date": str(chartered["travel_date"].max()) if len(chartered) else "",
            "shifted": int((chartered["shift_days"] != 0).sum()),
            "referred": len(referred),
            "referrals_by_reason": referred["reason"].value_counts().to_dict(),
            "trip_list": trips.groupby(["date", "route"]).agg(coaches=("trip_id", "size"),
                                                             passengers=("passengers", "sum"))
                              .reset_index().to_dict("records"),
            "pooled_trips": _pooled_for(result, chartered, code),
            **_rail_for(result, county),
        })
    return out


def _rail_for(result, county: pd.DataFrame) -> dict:
    """The county's riders on trains: per train its date, stations, carriages and riders, and the feeder
    coaches taking them to the station. Figures, train numbers and place names only."""
    on_train = county[county["status"] == STATUS_RAIL]
    if on_train.empty:
        return {"rail": 0, "train_list": [], "feeder_list": []}
    trains = on_train.groupby(["travel_date", "train_id", "train_no", "board_station", "arrive_station"],
                              sort=True).agg(carriages=("carriage_no", "nunique"), riders=("id_number", "size"))
    trains = trains.reset_index()
    cars = result.cars if result.cars is not None else pd.DataFrame(columns=["train_id", "mode"])
    trains["mode"] = trains["train_id"].map(cars.drop_duplicates("train_id").set_index("train_id")["mode"]).fillna("")
    # a rail rider's trip is their feeder coach
    fed = on_train[on_train["trip_id"].fillna("") != ""].groupby("trip_id").size().rename("riders").reset_index()
    feeders = fed.merge(result.trips[["trip_id", "date", "route", "carrier"]], on="trip_id")
    return {"rail": len(on_train),
            "train_list": trains.rename(columns={"travel_date": "date"}).astype({"date": str}).to_dict("records"),
            "feeder_list": feeders.sort_values(["date", "trip_id"]).to_dict("records")}


def _pooled_for(result, chartered: pd.DataFrame, code: str) -> list[dict]:
    """The county's workers' pooled trips (拼车): date, stops in order with times, the places it shares the
    coach with, and how many of its workers ride. Figures and place names only."""
    stops = _stops(result)
    mine = chartered.groupby("trip_id").size()
    out = []
    for trip_id, g in stops[stops["trip_id"].isin(mine.index)].groupby("trip_id", sort=False):
        here = divisions.place_label(code)
        shared = [p for p in g.loc[g["action"] == ACTION_PICKUP, "place"] if p != here]
        out.append({"trip_id": trip_id, "date": g["date"].iloc[0], "riders": int(mine[trip_id]),
                    "stops": [f"{r.stop_no}.{r.place}{r.action}（{r.point} {r.time}）" for r in g.itertuples()],
                    "shared_with": "、".join(shared)})
    return out
