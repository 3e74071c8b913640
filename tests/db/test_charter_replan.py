"""Re-planning a published "点对点" plan through the database (SQLite and PostgreSQL): the kept trips of
the newest published plan come back from charter_trip / charter_assignment unchanged, only new,
changed and withdrawn requests are planned around them; "全部重新规划" plans from scratch."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import text

from chunnuan import db
from chunnuan.charter.steps import extract, gate, make_plan, publish, stage_published
from chunnuan.common.steps import NothingToDo
from chunnuan.config import campaign
from chunnuan.planner import Carrier, Fleet, plan
from chunnuan.synth.charter import uscc_for

GX = campaign.load("guangxi-2024")
PEAK = dt.date(2024, 2, 18)
PLACES = (("450821", "广东省", "深圳市"), ("450881", "广东省", "广州市"), ("450821", "广西壮族自治区", "南宁市"))
CARRIERS = (Carrier(uscc_for("450800", 1), "贵港市安达汽车运输有限公司", "AAA", None, "李调度", "0775-4200001", True),
            Carrier(uscc_for("450800", 2), "贵港市顺通客运有限公司", "AA", None, "王调度", "0775-4200002", True))


def demand(n: int, seed: int, prefix: str) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    place = rng.integers(0, len(PLACES), n)
    return pd.DataFrame({
        "id_number": [f"{prefix}{i:04d}" for i in range(n)],
        "name": [f"工人{prefix[-2:]}{i}" for i in range(n)],
        "phone": [f"139{seed:02d}{i:06d}" for i in range(n)],
        "home_county_code": [PLACES[p][0] for p in place],
        "served_by_code": [PLACES[p][0] for p in place],
        "work_province": [PLACES[p][1] for p in place],
        "work_city": [PLACES[p][2] for p in place],
        "trip_type": "返岗",
        "travel_date": [PEAK + dt.timedelta(days=int(d)) for d in rng.integers(0, 6, n)],
        "flex_days": rng.integers(0, 3, n),
        "needs_charter": True,
    })


def fleet_rows() -> pd.DataFrame:
    w = GX.travel_window
    return pd.DataFrame([{
        "uscc": c.uscc, "name": c.name, "credit_grade": c.credit_grade, "last_serious_incident": None,
        "contact_name": c.contact_name, "contact_phone": c.contact_phone, "interprovincial": c.interprovincial,
        "seats": seats, "date_from": w.start, "date_to": w.end, "per_day": per_day,
    } for c in CARRIERS for seats, per_day in ((35, 1), (53, 2))])


def stage(url, folder, requests: pd.DataFrame, replan_all: bool = False):
    folder.mkdir(parents=True, exist_ok=True)
    requests.to_parquet(folder / "demand.parquet", index=False)
    fleet_rows().to_parquet(folder / "fleet.parquet", index=False)
    return stage_published(db.engine(url), GX, folder, replan_all)


def rows(url, sql, **params) -> list[tuple]:
    with db.engine(url).connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql), params)]


def trips_of(url, plan_id) -> dict[str, tuple]:
    return {r[0]: tuple(str(x) for x in r[1:]) for r in rows(
        url, "SELECT trip_id, route_id, travel_date, seats, vehicle_class, carrier_uscc FROM charter_trip "
             "WHERE plan_id = :p", p=plan_id)}


def riders_of(url, plan_id) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for trip_id, id_number in rows(url, "SELECT trip_id, id_number FROM charter_assignment "
                                        "WHERE plan_id = :p AND trip_id IS NOT NULL", p=plan_id):
        out.setdefault(trip_id, set()).add(id_number)
    return out


def run(url, folder, run_id: str) -> dict:
    summary = make_plan(GX, folder, workers=1)
    problems, markdown = gate(GX, folder)
    assert problems == [], problems
    outcome = publish(db.engine(url), GX, folder, run_id, "测试", None)
    return {"summary": summary, "markdown": markdown, **outcome}


def test_replan_keeps_published_trips_through_the_database(db_url, chunnuan_home, tmp_path):
    first = demand(400, 1, "45082119900101")
    assert stage(db_url, tmp_path / "r1", first) is None
    one = run(db_url, tmp_path / "r1", "run-1")
    assert "replan" not in one["summary"]
    trips1, riders1 = trips_of(db_url, one["plan_id"]), riders_of(db_url, one["plan_id"])

    # New survey data: 40 new requests, one published rider no longer needs a charter.
    withdrawn = sorted(riders1[sorted(riders1)[0]])[0]
    new = demand(40, 2, "45088119900202")
    second = pd.concat([first[first["id_number"] != withdrawn], new], ignore_index=True)
    published = stage(db_url, tmp_path / "r2", second)
    assert published.plan_id == one["plan_id"] and set(published.trips["trip_id"]) == set(trips1)
    two = run(db_url, tmp_path / "r2", "run-2")

    trips2, riders2 = trips_of(db_url, two["plan_id"]), riders_of(db_url, two["plan_id"])
    for trip_id, riders in riders1.items():
        if riders - {withdrawn}:
            assert trips2[trip_id] == trips1[trip_id]  # same route, date, seats, class, carrier
            stay = riders - {withdrawn}
            assert stay <= riders2[trip_id] and riders2[trip_id] - stay <= set(new["id_number"])
    assert withdrawn not in {i for r in riders2.values() for i in r}
    statuses = dict(rows(db_url, "SELECT id_number, status FROM charter_assignment WHERE plan_id = :p",
                         p=two["plan_id"]))
    assert set(statuses) == set(second["id_number"])
    assert any(statuses[i] == "包车" for i in new["id_number"])
    # Carriers' daily limits hold for kept and new trips together.
    per_day = {(r["uscc"], r["seats"]): r["per_day"] for r in fleet_rows().to_dict("records")}
    for uscc, day, seats, n in rows(db_url, "SELECT carrier_uscc, travel_date, seats, COUNT(*) FROM charter_trip "
                                            "WHERE plan_id = :p GROUP BY carrier_uscc, travel_date, seats",
                                    p=two["plan_id"]):
        assert n <= per_day[(uscc, seats)], (uscc, day, seats, n)
    stored = json.loads(rows(db_url, "SELECT summary FROM charter_plan WHERE id = :p", p=two["plan_id"])[0][0])
    r = stored["replan"]
    assert r["base_plan"] == one["plan_id"] and r["withdrawn"] == 1 and r["new_requests"] == 40
    assert r["kept_trips"] == sum(1 for t in riders1 if riders1[t] - {withdrawn}) > 0
    assert r["kept_trips"] + r["added_trips"] == len(trips2) and two["kept_trips"] == r["kept_trips"]
    assert "与已发布方案（第" in two["markdown"] and f"| 保留车次 | {r['kept_trips']} |" in two["markdown"]
    assert not (set(trips2) - set(trips1)) & set(trips1)

    # 全部重新规划: from scratch (the planner on all requests), numbers after every published trip.
    published = stage(db_url, tmp_path / "r3", second, replan_all=True)
    assert published.plan_id == two["plan_id"]
    three = run(db_url, tmp_path / "r3", "run-3")
    assert three["summary"]["replan"]["mode"] == "all" and three["summary"]["replan"]["kept_trips"] == 0
    trips3 = trips_of(db_url, three["plan_id"])
    assert not set(trips3) & (set(trips1) | set(trips2))
    fresh = plan(second, Fleet.from_rows(fleet_rows()), GX, workers=1).trips
    assert sorted(trips3.values()) == sorted(
        tuple(str(x) for x in t) for t in fresh[["route_id", "date", "seats", "vehicle_class", "carrier_uscc"]]
        .itertuples(index=False))
    assert three["trips"] == len(trips3) and three["cancelled_trips"] == len(trips2)


def test_nothing_to_plan_without_requests_or_fleet(db_url, chunnuan_home, tmp_path):
    engine = db.engine(db_url)
    with pytest.raises(NothingToDo, match="^数据库中还没有需要“点对点”包车的务工人员（需求摸排未入库或均不需要包车）$"):
        extract(engine, GX, tmp_path / "run-0")
    assert not (tmp_path / "run-0").exists()
