"""XLSX manifests of a published charter plan: one per carrier (what it needs for each coach) and one
per county or city that serves the workers (本省籍: the home county; 外省籍: the receiving county or city,
which arranges 车门到厂门): their trips and referrals. They hold names, ID numbers and phones: the people
who run the trips need them. They are files for those people, never email attachments."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook

from chunnuan.common.sheets import safe_file_name, write_sheet
from chunnuan.config import divisions
from chunnuan.intake.kinds import trip_returns

# The carrier workbook is also the form it returns (包车回执): the columns it fills on the day come last, blank.
RETURN_TRIP_COLUMNS = {c.field: c.header for c in trip_returns.TRIP_FILLED}
RETURN_RIDER_COLUMNS = {c.field: c.header for c in trip_returns.RIDER_FILLED}
TRIP_SHEET_COLUMNS = {"trip_id": "车次编号", "date": "发车日期", "route": "线路", "seats": "座位数",
                      "vehicle_class": "车型", "passengers": "乘车人数", "drivers": "驾驶员人数", "km": "里程(公里)",
                      **RETURN_TRIP_COLUMNS}
RIDER_COLUMNS = {"trip_id": "车次编号", "travel_date": "发车日期", "route": "线路", "seat_no": "序号", "name": "姓名",
                 "id_number": "身份证号", "phone": "联系电话", "home_county": "户籍县(市、区)", **RETURN_RIDER_COLUMNS}
COUNTY_CHARTER_COLUMNS = {"name": "姓名", "id_number": "身份证号", "phone": "联系电话", "trip_type": "出行类型",
                          "route": "线路", "travel_date": "乘车日期", "shift_days": "调整天数", "trip_id": "车次编号",
                          "carrier": "承运企业", "carrier_phone": "企业联系电话"}
COUNTY_REFERRAL_COLUMNS = {"name": "姓名", "id_number": "身份证号", "phone": "联系电话", "trip_type": "出行类型",
                           "planned_date": "计划出行日期", "reason": "原因"}


def _riders(result, demand: pd.DataFrame) -> pd.DataFrame:
    people = demand[["id_number", "name", "phone", "home_county_code", "served_by_code", "trip_type"]]
    riders = result.assignments.merge(people, on="id_number", how="left")
    codes = set(riders["home_county_code"].dropna()) | set(riders["served_by_code"].dropna())
    labels = {c: divisions.place_label(c) for c in codes}
    return riders.assign(home_county=riders["home_county_code"].map(labels),
                         served_by=riders["served_by_code"].map(labels))


def write_manifests(result, demand: pd.DataFrame, out_dir: Path) -> dict[str, list[Path]]:
    """carriers/<企业>.xlsx and counties/<县>.xlsx under out_dir; returns the paths written."""
    out_dir = Path(out_dir)
    riders = _riders(result, demand)
    trips = result.trips
    on_trip = riders[riders["trip_id"].fillna("") != ""].merge(
        trips[["trip_id", "carrier_uscc", "carrier", "carrier_phone"]], on="trip_id", how="left")
    on_trip = on_trip.sort_values(["trip_id", "name"], kind="stable")
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
        path = out_dir / "carriers" / f"{safe_file_name(name)}_{code}.xlsx"
        path.parent.mkdir(parents=True, exist_ok=True)
        book.save(path)
        written["carriers"].append(path)

    for code, county in riders.groupby("served_by_code", sort=True):
        book = Workbook()
        book.remove(book.active)
        chartered = on_trip[on_trip["served_by_code"] == code].sort_values(["travel_date", "trip_id", "seat_no"])
        write_sheet(book, "包车名单", chartered, COUNTY_CHARTER_COLUMNS)
        write_sheet(book, "集中购票", county[county["trip_id"].fillna("") == ""], COUNTY_REFERRAL_COLUMNS)
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
        chartered = county[county["trip_id"].fillna("") != ""]
        trips = result.trips[result.trips["trip_id"].isin(chartered["trip_id"].unique())]
        referred = county[county["trip_id"].fillna("") == ""]
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
        })
    return out
