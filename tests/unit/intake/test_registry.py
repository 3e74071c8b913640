"""The registry is the one list of submission kinds: every place that lists kinds follows it, and every kind
has everything a clerk, a coordinator and the loader need."""

from __future__ import annotations

import pkgutil

import pytest
from openpyxl import Workbook

from chunnuan import cli
from chunnuan.config import campaign
from chunnuan.db.models import Base
from chunnuan.intake import kinds, landing, registry
from chunnuan.intake.batches import MODELS
from chunnuan.intake.rules import PROBLEM_LABELS

GX, SD = campaign.load("guangxi-2024"), campaign.load("shandong-2024")
KIND_NAMES = [k.name for k in registry.KINDS]


def test_every_kind_module_is_registered_and_every_registered_kind_has_a_module():
    modules = {m.name for m in pkgutil.iter_modules(kinds.__path__)}
    assert modules == set(registry.NAMES)


@pytest.mark.parametrize("name", KIND_NAMES)
def test_the_gate_kind_is_the_registered_one(name):
    kind = registry.gate_kind(name)
    assert kind.name == name
    assert kind.schema.title == registry.get(name).title


@pytest.mark.parametrize("name", KIND_NAMES)
@pytest.mark.parametrize("the_campaign", [GX, SD], ids=["guangxi", "shandong"])
def test_every_check_has_a_label_for_the_report(name, the_campaign):
    codes = {check.code for check in registry.gate_kind(name).checks(the_campaign)}
    assert codes, name
    assert codes <= set(PROBLEM_LABELS), sorted(codes - set(PROBLEM_LABELS))


@pytest.mark.parametrize("name", KIND_NAMES)
def test_every_kind_has_a_template_from_its_own_module(name):
    book = registry.module(name).build_template(GX)
    assert isinstance(book, Workbook)
    headers = {cell.value for cell in book.worksheets[0][1] if cell.value}
    required = {c.header for c in registry.gate_kind(name).schema.columns if c.required}
    assert required <= {str(h).lstrip("*") for h in headers} | headers


@pytest.mark.parametrize("name", KIND_NAMES)
def test_every_kind_loads_into_a_table_with_its_owner_column(name):
    spec = registry.get(name)
    assert spec.table in Base.metadata.tables
    model = MODELS[spec.table]
    if spec.owner is not None:
        assert spec.owner in model.__table__.columns
    assert {"campaign_id", "batch_id", "source_row"} <= set(model.__table__.columns.keys())


@pytest.mark.parametrize("name", KIND_NAMES)
def test_every_kinds_table_is_counted_by_the_conservation_sql(name):
    """The batch counters and the conservation check count loaded rows table by table."""
    from chunnuan.config.settings import REPO_ROOT

    for query in ("refresh_batch_counts.sql", "batch_conservation.sql"):
        assert f"FROM {registry.get(name).table} " in (REPO_ROOT / "include" / "sql" / query).read_text(), query


def test_the_cli_offers_exactly_the_registered_kinds():
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if a.dest == "command").choices
    for command, dest in (("template", "kind"), ("check", "kind")):
        action = next(a for a in sub[command]._actions if a.dest == dest)
        assert tuple(action.choices) == registry.NAMES


def test_every_kind_has_its_landing_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("CHUNNUAN_HOME", str(tmp_path))
    for name in registry.NAMES:
        folder = tmp_path / "landing" / GX.id / name
        folder.mkdir(parents=True)
        (folder / f"{name}.csv").write_text("x\n", encoding="utf-8")
        (folder / "readme.txt").write_text("not a submission", encoding="utf-8")
    found = landing.landed(GX.id)
    assert {k: [p.name for p in v] for k, v in found.items()} == {n: [f"{n}.csv"] for n in registry.NAMES}


def test_named_files_resolve_like_the_form_says(tmp_path, monkeypatch):
    monkeypatch.setenv("CHUNNUAN_HOME", str(tmp_path))
    root = tmp_path / "landing" / GX.id
    for name, file in (("survey", "平南县.xlsx"), ("training", "平南县.xlsx")):
        (root / name).mkdir(parents=True)
        (root / name / file).write_bytes(b"")
    elsewhere = tmp_path / "桂平市.csv"
    elsewhere.write_bytes(b"")
    found = landing.submissions(GX.id, ["平南县.xlsx", "training/平南县.xlsx", str(elsewhere)])
    assert found["survey"] == [root / "survey" / "平南县.xlsx", elsewhere]
    assert found["training"] == [root / "training" / "平南县.xlsx"]
    with pytest.raises(landing.MissingFile, match="找不到指定的文件：贵港市.xlsx.*本次运行未处理任何文件"):
        landing.submissions(GX.id, ["平南县.xlsx", "贵港市.xlsx"])


def test_an_unknown_kind_names_the_kinds_there_are():
    with pytest.raises(ValueError, match="没有报表种类「ferry」.*fleet（运力报表）"):
        registry.get("ferry")
