"""What a claims return (补助申领核验表, intake kind `subsidy_claims`) is checked against, as files kept in the
system (the gate has no database): every surveyed worker's eligibility and amount, written with the county
rosters (subsidy.steps.publish_rosters), and the claims already paid, rewritten after each claims load."""

from __future__ import annotations

import pandas as pd

from chunnuan.config import settings

ROSTER_COLUMNS = ["id_number", "home_county_code", "eligible", "reason", "band", "amount"]
PAID_COLUMNS = ["id_number", "claim_year", "county_code", "paid_on"]


def _folder(campaign_id: str):
    return settings.outputs_dir(campaign_id, "subsidy") / "register"


def write_roster(campaign_id: str, workers: pd.DataFrame) -> None:
    """workers: ROSTER_COLUMNS, one row per surveyed worker (reason: why not eligible, '' when eligible)."""
    folder = _folder(campaign_id)
    folder.mkdir(parents=True, exist_ok=True)
    workers[ROSTER_COLUMNS].to_parquet(folder / "roster.parquet", index=False)


def write_paid(campaign_id: str, paid: pd.DataFrame) -> None:
    folder = _folder(campaign_id)
    folder.mkdir(parents=True, exist_ok=True)
    paid[PAID_COLUMNS].astype({"claim_year": "int64"}).to_parquet(folder / "paid.parquet", index=False)


def roster(campaign_id: str) -> pd.DataFrame | None:
    """Every surveyed worker's eligibility (None when no roster was published)."""
    path = _folder(campaign_id) / "roster.parquet"
    return pd.read_parquet(path) if path.exists() else None


def paid(campaign_id: str) -> pd.DataFrame:
    path = _folder(campaign_id) / "paid.parquet"
    return pd.read_parquet(path) if path.exists() else pd.DataFrame(columns=PAID_COLUMNS)
