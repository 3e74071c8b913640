"""The charter plan in force as files kept in the system: its trips and who rides each, written when a plan is
published. The returned-manifest gate (intake.kinds.trip_returns) reads them, so that `chunnuan check` and the
intake DAG check a carrier's return against the same plan without a database (the gate has none)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from chunnuan.config import settings

TRIP_COLUMNS = ["trip_id", "date", "seats", "carrier_uscc"]
RIDER_COLUMNS = ["trip_id", "id_number"]


def folder(campaign_id: str) -> Path:
    return settings.outputs_dir(campaign_id, "charter") / "in-force"


@dataclass(frozen=True)
class InForce:
    plan_id: int
    trips: pd.DataFrame  # TRIP_COLUMNS, date as datetime64
    riders: pd.DataFrame  # RIDER_COLUMNS


def write(campaign_id: str, plan_id: int, trips: pd.DataFrame, assignments: pd.DataFrame) -> Path:
    """The published plan's trips (planner result: `date`) and its riders on a trip (assignments). A re-run
    publish of an older plan leaves a newer plan in force."""
    target = folder(campaign_id)
    current = read(campaign_id)
    if current is not None and current.plan_id > plan_id:
        return target
    target.mkdir(parents=True, exist_ok=True)
    t = trips[TRIP_COLUMNS].assign(date=pd.to_datetime(trips["date"]).astype("datetime64[s]"))
    on_trip = assignments[assignments["trip_id"].fillna("") != ""]
    t.to_parquet(target / "trips.parquet", index=False)
    on_trip[RIDER_COLUMNS].astype(str).to_parquet(target / "riders.parquet", index=False)
    (target / "plan.json").write_text(json.dumps({"plan_id": int(plan_id)}), encoding="utf-8")
    return target


def read(campaign_id: str) -> InForce | None:
    """The plan in force, or None when no plan was published yet."""
    target = folder(campaign_id)
    if not (target / "plan.json").exists():
        return None
    meta = json.loads((target / "plan.json").read_text(encoding="utf-8"))
    return InForce(meta["plan_id"], pd.read_parquet(target / "trips.parquet"), pd.read_parquet(target / "riders.parquet"))
