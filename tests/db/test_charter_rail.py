"""The rail parts of a published "点对点" plan (专列（车厢）, issue 18) through the real publish step on SQLite
and PostgreSQL: a plan the real planner made for a surveyed county, with two of its coaches turned by hand
into rail in the contract's columns (planner/model.py) — one coach's riders go by reserved carriages with a
feeder coach to the station, another's by a 专列 boarding in their own county. Checked: the tables, the
railway's group-ticket lists, the county manifests and emails, the railway's notice, and the report's
figures against SQL over the plan; no ID number or phone in any email."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from openpyxl import load_workbook

from chunnuan import db
from chunnuan.charter import steps as charter_steps
from chunnuan.charter import train_lists
from chunnuan.charter.steps import extract, make_plan, outputs_dir, publish
from chunnuan.common.mail import SmtpSettings
from chunnuan.config import settings
from chunnuan.devtools import smtp_sink
from chunnuan.intake import registry
from chunnuan.planner.io import load_plan, save_plan
from chunnuan.planner.model import CAR_COLUMNS, MODE_CARRIAGE, MODE_FEEDER, MODE_TRAIN, STATUS_RAIL
from chunnuan.report import dashboard
from chunnuan.report import rail as rail_report
from chunnuan.report.steps import collect, gate, render
from tests.support.campaign_db import messages, query
from tests.support.jobs import write_rows
from tests.support.kinds import fleet_row
from tests.support.returns_db import GUIPING, GX, PINGNAN, submit, survey_rows
from tests.support.rows import write_csv

pytestmark = pytest.mark.slow
SEATS = {MODE_CARRIAGE: 118, MODE_TRAIN: 76}  # 硬座 carriage; a 8-car 动车 专列 of 608


def car_rows(train_id: str, mode: str, carriages: int, riders: list[int], board: str) -> list[dict]:
    day = dt.datetime.strptime(train_id[:8], "%Y%m%d").date().isoformat()
    return [{"train_id": train_id, "train_no": train_id[9:], "date": day, "mode": mode, "carriage_no": n,
             "carriage_type": "硬座" if mode == MODE_CARRIAGE else "二等座", "capacity": SEATS[mode],
             "riders": riders[n - 1] if n <= len(riders) else 0, "from_station": board, "to_station": "深圳北",
             "fare": 180.0, "cost": 180.0 * (riders[n - 1] if n <= len(riders) else 0), "bureau": "南宁局",
             "contact_name": "铁路联系人", "contact_phone": "0771-2431234"} for n in range(1, carriages + 1)]


def railify(result) -> tuple[str, str]:
    """Turn the plan's first 平南 coach into a feeder to 平南南 for reserved carriages (riders split over two
    carriages) and drop its first 桂平 coach, whose riders board a 专列 at 桂平 (no feeder)."""
    trips, a = result.trips, result.assignments
    county = a.set_index("trip_id")["id_number"].str[:6]
    feeder = next(t for t in trips["trip_id"] if county.get(t) is not None and (county[[t]] == PINGNAN).all())
    dropped = next(t for t in trips["trip_id"] if county.get(t) is not None and (county[[t]] == GUIPING).all())
    day = {t: str(d).replace("-", "") for t, d in zip(trips["trip_id"], trips["date"], strict=True)}
    z, d = f"{day[feeder]}-Z101", f"{day[dropped]}-D2801"
    on_f, on_d = a["trip_id"] == feeder, a["trip_id"] == dropped
    a.loc[on_f | on_d, "status"] = STATUS_RAIL
    a.loc[on_f, ["train_id", "board_station"]] = [z, "平南南"]
    a.loc[on_f, "carriage_no"] = [1 + (i % 2) for i in range(int(on_f.sum()))]
    a.loc[on_d, ["train_id", "board_station", "trip_id"]] = [d, "桂平", ""]
    a.loc[on_d, "carriage_no"] = 1
    a.loc[on_f | on_d, "arrive_station"] = "深圳北"
    trips.loc[trips["trip_id"] == feeder, ["mode", "route"]] = [MODE_FEEDER, "贵港市平南县→平南南站"]
    result.trips = trips[trips["trip_id"] != dropped].reset_index(drop=True)
    split = a[on_f].groupby("carriage_no").size()
    result.cars = pd.DataFrame(car_rows(z, MODE_CARRIAGE, 2, [int(split[1]), int(split[2])], "平南南")
                               + car_rows(d, MODE_TRAIN, 8, [int(on_d.sum())], "桂平"), columns=CAR_COLUMNS)
    return z, d


def test_rail_plan_published_with_lists_manifests_emails_and_report_figures(db_url, chunnuan_home, tmp_path):
    submit(db_url, write_csv(tmp_path / "摸排.csv", survey_rows(120)), "survey")
    submit(db_url, write_rows(tmp_path / "运力.csv", registry.gate_kind("fleet").schema,
                              [fleet_row(1, 座位数="35", 每日可派车辆数="2")]), "fleet")
    engine = db.engine(db_url)
    folder = settings.run_dir(GX.id, "charter", "run-1")
    assert extract(engine, GX, folder)["rail_offers"] == 0
    assert pd.read_parquet(folder / "rail.parquet").empty  # the contract's frame, no offers yet
    make_plan(GX, folder, workers=1)
    result = load_plan(folder / "plan")
    z, d = railify(result)
    save_plan(result, folder / "plan")

    sink = smtp_sink.start(tmp_path / "outbox")
    try:
        out = publish(engine, GX, folder, "run-1", "协调员", SmtpSettings("127.0.0.1", sink.port, "office@example.gov.cn"))
    finally:
        sink.stop()
    plan_id = out["plan_id"]
    assert out["train_lists"] == 2 and out["railway_emails"] == 1

    # Stored: the carriages, each rider's train and carriage, the feeder's mode.
    cars = query(db_url, f"SELECT train_id, carriage_no, mode, capacity, riders FROM charter_car WHERE plan_id = {plan_id}")
    assert len(cars) == 10 and sum(r for *_, r in cars) == int((result.assignments["status"] == STATUS_RAIL).sum())
    seated = dict(((t, c), n) for t, c, n in query(
        db_url, "SELECT train_id, carriage_no, COUNT(*) FROM charter_assignment WHERE status = '铁路' "
                f"AND plan_id = {plan_id} GROUP BY train_id, carriage_no"))
    assert {(t, c): r for t, c, _, _, r in cars if r} == seated
    assert query(db_url, f"SELECT mode, COUNT(*) FROM charter_trip WHERE plan_id = {plan_id} AND mode = 'feeder' "
                         "GROUP BY mode") == [("feeder", 1)]
    assert query(db_url, "SELECT COUNT(*) FROM charter_assignment WHERE train_id IS NULL AND status = '铁路'") == [(0,)]

    # The railway's lists: one file per train, one sheet per carriage, one row per rider, ≤ 定员.
    trains = outputs_dir(GX.id, plan_id) / "trains"
    assert sorted(p.stem for p in trains.glob("*.xlsx")) == sorted([z, d])
    names = dict(query(db_url, "SELECT id_number, name FROM survey_worker"))
    for train_id, n_cars in ((z, 2), (d, 8)):
        book = load_workbook(trains / f"{train_id}.xlsx", read_only=True)
        assert book.sheetnames == [train_lists.INFO_SHEET, *(train_lists.carriage_sheet(n) for n in range(1, n_cars + 1))]
        for n in range(1, n_cars + 1):
            rows = list(book[train_lists.carriage_sheet(n)].iter_rows(values_only=True))
            assert rows[0] == ("序号", "姓名", "身份证号", "上车站", "到达站")
            body = rows[1:]
            assert len(body) == seated.get((train_id, n), 0) <= dict(((t, c), cap) for t, c, _, cap, _ in cars)[
                (train_id, n)]
            assert [r[0] for r in body] == list(range(1, len(body) + 1))
            assert all(names[r[2]] == r[1] and r[4] == "深圳北" for r in body)

    # County manifests: rail riders with station, date, train, carriage and feeder; not among 集中购票.
    counties = {p.name[:6]: load_workbook(p, read_only=True) for p in (outputs_dir(GX.id, plan_id) / "counties").glob("*.xlsx")}
    pn = list(counties[PINGNAN]["铁路名单"].iter_rows(values_only=True))
    header = pn[0]
    assert {"出行方式", "乘车日期", "车次", "车厢", "上车站", "到达站", "接驳车次"} <= set(header)
    col = {h: i for i, h in enumerate(header)}
    assert {(r[col["出行方式"]], r[col["车次"]], r[col["上车站"]]) for r in pn[1:]} == {("接驳+铁路", "Z101", "平南南")}
    assert all(r[col["接驳车次"]] for r in pn[1:]) and len(pn) - 1 == seated[(z, 1)] + seated[(z, 2)]
    gp = list(counties[GUIPING]["铁路名单"].iter_rows(min_row=2, values_only=True))
    assert {(r[col["出行方式"]], r[col["车次"]], r[col["接驳车次"]]) for r in gp} == {("铁路", "D2801", None)}
    rail_ids = {r[col["身份证号"]] for r in pn[1:] + gp}
    for book in counties.values():
        assert not rail_ids & {r[1] for r in book["集中购票"].iter_rows(min_row=2, values_only=True)}
        assert not rail_ids & {r[1] for r in book["包车名单"].iter_rows(min_row=2, values_only=True)}

    # The carrier's workbook lists the feeder's riders, set down at the station.
    [carrier] = (outputs_dir(GX.id, plan_id) / "carriers").glob("*.xlsx")
    on_feeder = [r for r in load_workbook(carrier, read_only=True)["乘车名单"].iter_rows(min_row=2, values_only=True)
                 if r[5] in rail_ids]
    assert len(on_feeder) == len(pn) - 1 and {r[11] for r in on_feeder} == {"平南南站"}

    # Emails: the counties name their trains and feeder; the railway's notice names its trains; no PII.
    sent = messages(tmp_path / "outbox")
    bodies = {m["Subject"]: m.get_body(("html",)).get_content() for m in sent}
    [pn_body] = [b for s, b in bodies.items() if s.endswith("贵港市平南县")]
    assert "Z101" in pn_body and "平南南" in pn_body and "接驳车次" in pn_body
    [rail_subject] = [s for s in bodies if "团体票乘车人名单" in s]
    assert sent[-1]["To"] == str(GX.lead_contact.email) and "南宁局" in rail_subject
    assert all(t in bodies[rail_subject] for t in ("Z101", "D2801", f"{z}.xlsx"))
    phones = dict(query(db_url, "SELECT id_number, phone FROM survey_worker"))
    for body in bodies.values():
        assert not any(i in body or p in body or names[i] in body for i, p in phones.items())
        assert "0771-2431234" not in body and "铁路联系人" not in body

    # Report: the figures equal SQL over the published plan.
    figures = collect(engine, GX, dt.date(2024, 2, 20))
    province = figures.rail.iloc[0].to_dict()
    by_status = dict(query(db_url, f"SELECT status, COUNT(*) FROM charter_assignment WHERE plan_id = {plan_id} "
                                   "GROUP BY status"))
    assert province == {
        "area": GX.province,
        "trains": query(db_url, "SELECT COUNT(DISTINCT train_id) FROM charter_car WHERE mode = '专列'")[0][0],
        "reserved_carriages": query(db_url, "SELECT COUNT(*) FROM charter_car WHERE mode = '车厢'")[0][0],
        "coach": by_status["包车"], "rail": by_status["铁路"], "referred": by_status.get("集中购票", 0),
        "feeder": query(db_url, "SELECT COUNT(*) FROM charter_assignment WHERE status = '铁路' "
                                "AND trip_id IS NOT NULL")[0][0]}
    assert (province["trains"], province["reserved_carriages"]) == (1, 2)
    [city] = figures.rail.iloc[1:].to_dict("records")  # both counties are in 贵港市
    assert city["area"] == "贵港市" and {k: city[k] for k in rail_report.RIDER_FIGURES} == {
        k: province[k] for k in rail_report.RIDER_FIGURES}
    assert figures.province["referred"] == by_status.get("集中购票", 0)  # rail riders are not referred
    assert figures.totals["fed_riders"] == figures.totals["feeder_passengers"] > 0 and gate(figures) == []
    assert "专列 1 趟次" in rail_report.sentence(province) and rail_report.sentence(province) in render(figures, "weekly")
    snap = dashboard.snapshot(engine, GX, dt.date(2024, 2, 20))
    assert snap["rail"] == {"province": {k: province[k] for k in rail_report.FIGURES},
                            "cities": [{"area": "贵港市", **{k: city[k] for k in rail_report.FIGURES}}]}
    assert 'id="fig-trains">1<' in dashboard.render(snap)

    # A re-plan over the published rail plan runs and passes the plan gate (rail riders are planned again).
    again = settings.run_dir(GX.id, "charter", "run-2")
    assert extract(engine, GX, again)["published_plan"] == plan_id
    make_plan(GX, again, workers=1)
    assert charter_steps.gate(GX, again)[0] == []
