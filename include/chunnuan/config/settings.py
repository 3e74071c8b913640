"""Where things live. One environment variable each, with defaults that work from a checkout."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]
TIMEZONE = "Asia/Shanghai"


def campaigns_dir() -> Path:
    return Path(os.environ.get("CHUNNUAN_CAMPAIGNS_DIR", REPO_ROOT / "include" / "campaigns"))


def data_home() -> Path:
    """Landing folders, staged batches and published outputs (var/ in a checkout)."""
    return Path(os.environ.get("CHUNNUAN_HOME", REPO_ROOT / "var"))


def landing_dir(campaign_id: str, kind: str) -> Path:
    return data_home() / "landing" / campaign_id / kind


def staging_dir(campaign_id: str) -> Path:
    return data_home() / "staging" / campaign_id


def run_dir(campaign_id: str, step: str, run_id: str) -> Path:
    """Files one DAG run stages for its next tasks (personal data stays out of XComs)."""
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in run_id)
    return staging_dir(campaign_id) / step / safe


def outputs_dir(campaign_id: str, step: str) -> Path:
    """What a step publishes for people: manifests, compliance tables, reports."""
    return data_home() / "outputs" / campaign_id / step


def default_db_url() -> str:
    """The campaign DB outside Airflow: CHUNNUAN_DB_URL, else a SQLite file under data_home()."""
    return os.environ.get("CHUNNUAN_DB_URL") or f"sqlite:///{data_home() / 'campaign.db'}"
