"""What every end-to-end DAG test needs: the DAGs from dags/, the campaign DB as the Airflow connection
`campaign_db`, and a real SMTP server on loopback as `campaign_smtp`."""

from __future__ import annotations

import json

import pytest

from chunnuan.config import settings
from chunnuan.devtools import smtp_sink


@pytest.fixture
def dagbag(airflow_db):
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(settings.REPO_ROOT / "dags"))


@pytest.fixture
def campaign_conn(db_url, monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_CAMPAIGN_DB",
                       json.dumps({"conn_type": "generic", "extra": {"sqlalchemy_url": db_url}}))
    return db_url


@pytest.fixture
def outbox(tmp_path, monkeypatch):
    """The folder where the loopback SMTP server stores each message it receives as .eml."""
    folder = tmp_path / "outbox"
    sink = smtp_sink.start(folder)
    monkeypatch.setenv("AIRFLOW_CONN_CAMPAIGN_SMTP", json.dumps(
        {"conn_type": "generic", "host": "127.0.0.1", "port": sink.port,
         "extra": {"from": "office@chunnuan.example.gov.cn"}}))
    yield folder
    sink.stop()
