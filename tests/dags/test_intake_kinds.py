"""The intake DAG and the Assets follow the registry of submission kinds: a kind added there gets its load
task, its Asset and its line in the DAG's documentation and form without another list to remember."""

from __future__ import annotations

from pathlib import Path

import pytest

from chunnuan.intake import registry

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def intake_dag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(REPO / "dags" / "survey_intake.py")).dags["survey_intake"]


@pytest.mark.parametrize("kind", registry.KINDS, ids=lambda k: k.name)
def test_each_kind_has_a_load_task_emitting_its_asset(intake_dag, kind):
    from chunnuan_airflow.assets import SUBMITTED

    task = intake_dag.get_task(kind.load_task_id)
    assert task.task_display_name == kind.load_task
    assert [a.name for a in task.outlets] == [kind.asset]
    assert SUBMITTED[kind.name].uri == f"chunnuan://campaign_db/{kind.table}"
    # What follows a load in the same run: the 超员 alert after returns, the subsidy rosters after the survey.
    follow_up = {"trip_returns": {"follow_up_returns"}, "survey": {"publish_subsidy_rosters"}}.get(kind.name, set())
    assert task.downstream_task_ids == {"summarise_run", *follow_up}
    assert "validate_files" in task.upstream_task_ids


def test_the_dag_documents_and_offers_every_kind(intake_dag):
    for kind in registry.KINDS:
        assert f"`var/landing/<行动>/{kind.name}/`" in intake_dag.doc_md
    form = intake_dag.params.get_param("files").description
    assert all(f"{k.name}（{k.title}）" in form for k in registry.REPLACING)


def test_load_tasks_are_exactly_the_registry():
    from chunnuan_airflow.assets import SUBMITTED

    assert list(SUBMITTED) == list(registry.NAMES)
    assert len({a.name for a in SUBMITTED.values()}) == len(registry.KINDS)
