"""The rail parts of a charter plan (专列（车厢）, issue 18) as the charter DAG stages and stores them.

    offers   -> the campaign's current rail_offer rows, the planner's `rail` input (staged as rail.parquet)
    store    -> a plan's carriages (planner Plan.cars) into charter_car; the riders' train, carriage and
                stations go with the assignments (charter.steps._store)
    cars     -> a published plan's carriages back from charter_car (planner CAR_COLUMNS)

Plans made before rail, or with no rail offer, have no carriages: every reader then sees an empty frame.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection, Engine, select

from chunnuan.config.campaign import Campaign
from chunnuan.db import bulk
from chunnuan.db.models import CharterCar, RailOffer

# rail_offer's columns the planner reads (the contract's input frame)
OFFER_COLUMNS = ["bureau", "train_no", "travel_date", "carriage_type", "from_station", "to_station", "stops",
                 "seats_per_carriage", "whole_train", "carriages", "seats", "fare", "contact_name", "contact_phone"]
# what a rail rider carries in the assignments and in charter_assignment
RIDER_COLUMNS = ["train_id", "carriage_no", "board_station", "arrive_station"]
CAR_STORED = ["train_id", "carriage_no", "train_no", "travel_date", "mode", "carriage_type", "capacity", "riders",
              "from_station", "to_station", "fare", "cost", "bureau", "contact_name", "contact_phone"]


def offers(engine: Engine, campaign: Campaign) -> pd.DataFrame:
    """The campaign's current rail offers (OFFER_COLUMNS; no rows when the railway sent none)."""
    with engine.connect() as conn:
        return pd.read_sql(select(*(getattr(RailOffer, c) for c in OFFER_COLUMNS))
                           .where(RailOffer.campaign_id == campaign.id), conn)


def plan_cars(result) -> pd.DataFrame:
    """A planner result's carriages (CAR_COLUMNS), an empty frame when it has none."""
    from chunnuan.planner.model import CAR_COLUMNS

    return pd.DataFrame(columns=CAR_COLUMNS) if result.cars is None else result.cars


def rider_columns(assignments: pd.DataFrame) -> pd.DataFrame:
    """The assignments' rail columns as stored: None for riders not on a train."""
    on_train = assignments["train_id"].fillna("").astype(str) != ""
    out = assignments[RIDER_COLUMNS].copy()
    out["carriage_no"] = out["carriage_no"].where(on_train).astype("Int64")
    for column in ("train_id", "board_station", "arrive_station"):
        out[column] = out[column].where(on_train, None)
    return out


def store(conn: Connection, plan_id: int, result) -> int:
    """The plan's carriages into charter_car; returns how many."""
    cars = plan_cars(result)
    if cars.empty:
        return 0
    rows = cars.rename(columns={"date": "travel_date"}).assign(plan_id=plan_id)
    rows["travel_date"] = pd.to_datetime(rows["travel_date"])
    bulk.insert(conn, "charter_car", rows[["plan_id", *CAR_STORED]])
    return len(rows)


def cars(conn: Connection, plan_id: int) -> pd.DataFrame:
    """A stored plan's carriages in the planner's columns (date as YYYY-MM-DD text)."""
    from chunnuan.planner.model import CAR_COLUMNS

    out = pd.read_sql(select(*(getattr(CharterCar, c) for c in CAR_STORED)).where(CharterCar.plan_id == plan_id),
                      conn).rename(columns={"travel_date": "date"})
    out["date"] = pd.to_datetime(out["date"]).dt.strftime("%Y-%m-%d")
    return out[CAR_COLUMNS]
