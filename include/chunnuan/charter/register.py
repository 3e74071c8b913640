"""The charter plan in force as files kept in the system: its trips and who rides each, written when a plan is
published. The returned-manifest gate (intake.kinds.trip_returns) reads them, so that `chunnuan check` and the
intake DAG check a carrier's return against the same plan without a database (the gate has none)."""

from __future__ import annotations

import json
import os
import uuid
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
    publish of an older plan leaves a newer plan in force.

    Atomic for readers: the data files get names of their own, then plan.json, which names them, is replaced
    in one step; a check running during a publish reads the old plan or the new one, never half of each. The
    files of the plan before stay (a reader may have just read the old plan.json); older ones are removed."""
    target = folder(campaign_id)
    current = read(campaign_id)
    if current is not None and current.plan_id > plan_id:
        return target
    target.mkdir(parents=True, exist_ok=True)
    t = trips[TRIP_COLUMNS].assign(date=pd.to_datetime(trips["date"]).astype("datetime64[s]"))
    on_trip = assignments[assignments["trip_id"].fillna("") != ""]
    stem = f"plan-{int(plan_id)}-{uuid.uuid4().hex[:8]}"
    files = {"trips": f"{stem}-trips.parquet", "riders": f"{stem}-riders.parquet"}
    t.to_parquet(target / files["trips"], index=False)
    on_trip[RIDER_COLUMNS].astype(str).to_parquet(target / files["riders"], index=False)
    before = _meta(target)
    pending = target / f"{stem}.json"
    pending.write_text(json.dumps({"plan_id": int(plan_id), **files}), encoding="utf-8")
    os.replace(pending, target / "plan.json")
    keep = set(files.values()) | {before.get("trips"), before.get("riders")}
    for old in target.glob("plan-*.parquet"):
        if old.name not in keep:
            old.unlink(missing_ok=True)
    return target


def _meta(target: Path) -> dict:
    path = target / "plan.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def read(campaign_id: str) -> InForce | None:
    """The plan in force, or None when no plan was published yet."""
    target = folder(campaign_id)
    meta = _meta(target)
    if not meta:
        return None
    # a register written before the files had names of their own holds trips.parquet and riders.parquet
    trips, riders = meta.get("trips", "trips.parquet"), meta.get("riders", "riders.parquet")
    return InForce(meta["plan_id"], pd.read_parquet(target / trips), pd.read_parquet(target / riders))
