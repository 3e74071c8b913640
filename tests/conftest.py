"""Shared fixtures: a real PostgreSQL cluster on loopback, a database URL per backend, and an
Airflow metadata DB in a temporary AIRFLOW_HOME for DAG tests."""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path

import pytest

from tests.support.postgres import Cluster

REPO = Path(__file__).resolve().parents[1]

# Airflow reads its settings when first imported, so the temporary home is set before any test runs.
_AIRFLOW_HOME = tempfile.mkdtemp(prefix="chunnuan-airflow-")
os.environ.update(
    AIRFLOW_HOME=_AIRFLOW_HOME,
    AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=f"sqlite:///{_AIRFLOW_HOME}/airflow.db",
    AIRFLOW__CORE__DAGS_FOLDER=str(REPO / "dags"),
    AIRFLOW__CORE__PLUGINS_FOLDER=str(REPO / "plugins"),
    AIRFLOW__CORE__LOAD_EXAMPLES="False",
    AIRFLOW__CORE__DEFAULT_TIMEZONE="Asia/Shanghai",
    AIRFLOW__CORE__UNIT_TEST_MODE="False",
    GX_ANALYTICS_ENABLED="False",
    AIRFLOW__API_AUTH__JWT_SECRET=secrets.token_urlsafe(64),  # Airflow's generated default is short for HS512
)
os.environ.pop("AIRFLOW_CONN_CAMPAIGN_DB", None)


@pytest.fixture(scope="session")
def airflow_db():
    """The Airflow metadata DB (SQLite in the temporary home), created once per test session."""
    from airflow.utils.db import initdb

    initdb()
    return os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]


@pytest.fixture(scope="session")
def postgres_cluster():
    cluster = Cluster().start()
    yield cluster
    cluster.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """A fresh, migrated campaign database on each backend."""
    from chunnuan import db

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'campaign.db'}"
    else:
        url = request.getfixturevalue("postgres_cluster").create_database()
    db.upgrade(url)
    return url


@pytest.fixture
def chunnuan_home(tmp_path, monkeypatch):
    """Landing, staging and output folders in a temporary place."""
    home = tmp_path / "home"
    monkeypatch.setenv("CHUNNUAN_HOME", str(home))
    return home
