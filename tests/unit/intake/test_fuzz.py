"""Property-based fuzzing of the readers and every kind's gate: whatever the cells or the bytes, a file ends
in a result (never an exception, never the program's own error), rows are conserved, and what a clerk
reads is short, Chinese and masked."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from chunnuan.config import campaign
from chunnuan.intake import registry
from chunnuan.intake.gate import check_submission
from tests.support.claims import publish_small_roster
from tests.support.kinds import ROWS, headers
from tests.support.returns import publish_small_plan

GX = campaign.load("guangxi-2024")
FUZZ = settings(max_examples=60, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
MAX_ERROR, MAX_REASON = 400, 300
CJK = re.compile(r"[\u4e00-\u9fff]")

cells = st.one_of(
    st.text(max_size=24),
    st.sampled_from(["", " ", "\u200b", "\ufeff", "合计", "填表人：张三", "=SUM(A1:A3)", "1e400", str(2**63),
                     str(-(2**63) - 1), "-1", "0", "4.50821E+17", "450821199001011000", "是", "否", "返岗", "2024-02-30",
                     "２０２４年２月１８日", "NaN", "None", "#N/A", "\n", "a,b", '"', "返" * 5000]),
    st.text(alphabet="0123456789Xx-/.年月日 ", max_size=20),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
)
numbers = st.one_of(st.integers(min_value=-(2**70), max_value=2**70), st.floats(allow_nan=True, allow_infinity=True))


def write(path: Path, kind: str, rows: list[dict[str, object]], fmt: str) -> Path:
    hs = headers(kind)
    if fmt == "xlsx":
        book = openpyxl.Workbook()
        book.active.append(hs)
        for row in rows:  # Excel cannot hold control characters: openpyxl refuses them, so do clerks' files
            book.active.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v
                                for v in (row.get(h) for h in hs)])
        book.save(path)
    else:
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(hs)
            writer.writerows([["" if row.get(h) is None else row.get(h) for h in hs] for row in rows])
    return path


def personal(kind: str, rows: list[dict[str, object]]) -> set[str]:
    """The workers' ID numbers and phones: no message may show them whole (a carrier's or a department's
    contact phone is an office number on purpose)."""
    fields = {c.header for c in registry.gate_kind(kind).schema.columns if c.pii}
    elsewhere = {v for r in rows for h, v in r.items() if h not in fields}  # typed into another column too
    return {v for r in rows for h, v in r.items()
            if h in fields and isinstance(v, str) and len(v.strip()) >= 11 and v not in elsewhere}


def assert_a_result(result, secrets: set[str] = frozenset()) -> None:
    assert not result.internal, result.error
    if result.error is not None:
        assert CJK.search(result.error) and len(result.error) <= MAX_ERROR, result.error
    else:
        assert result.conserved(), result.counts
    shown = [result.error or "", *result.notes]
    if result.problems is not None:
        for p in result.problems.to_dict("records"):
            assert CJK.search(p["reason"]) and len(p["reason"]) <= MAX_REASON, p["reason"]
            shown += [p["reason"], str(p["value"])]
    text = "\n".join(shown)
    assert not any(s in text for s in secrets)


@pytest.fixture(scope="module", autouse=True)
def plan_in_force(tmp_path_factory):
    """Returned manifests and subsidy claims are checked against a published plan and roster: one each, in a
    home of this module's own."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CHUNNUAN_HOME", str(tmp_path_factory.mktemp("home")))
        publish_small_plan(GX.id)
        publish_small_roster(GX.id)
        yield


def check(path: Path, kind: str):
    return check_submission(path, GX, "pandas", kind=registry.gate_kind(kind))


@FUZZ
@given(kind=st.sampled_from(registry.NAMES), fmt=st.sampled_from(["csv", "xlsx"]),
       edits=st.lists(st.tuples(st.integers(0, 5), st.integers(0, 40), cells), max_size=12))
def test_any_cells_end_in_a_result(tmp_path_factory, kind, fmt, edits):
    rows = [ROWS[kind](n) for n in range(1, 7)]
    hs = headers(kind)
    for r, c, value in edits:
        rows[r][hs[c % len(hs)]] = value
    result = check(write(tmp_path_factory.mktemp("f") / f"x.{fmt}", kind, rows, fmt), kind)
    assert_a_result(result, personal(kind, rows))
    if result.error is None and result.rows < len(rows):  # a row that is not read is named in a note
        assert any("不作为数据" in n for n in result.notes) or all(
            not str(v).strip() for r in rows for v in r.values())


@FUZZ
@given(kind=st.sampled_from(registry.NAMES),
       edits=st.lists(st.tuples(st.integers(0, 5), st.integers(0, 40), numbers), min_size=1, max_size=8))
@example(kind="survey", edits=[(0, 27, 1e248)])  # a 249-digit 重点群体类别 was quoted whole in its reason
def test_numbers_where_text_belongs_end_in_a_result(tmp_path_factory, kind, edits):
    rows: list[dict[str, object]] = [ROWS[kind](n) for n in range(1, 7)]
    hs = headers(kind)
    for r, c, value in edits:
        rows[r][hs[c % len(hs)]] = value
    assert_a_result(check(write(tmp_path_factory.mktemp("f") / "x.xlsx", kind, rows, "xlsx"), kind))


def _mutate(data: bytes, mutations) -> bytes:
    out = bytearray(data)
    for how, at, blob in mutations:
        at %= max(len(out), 1)
        if how == "flip":
            out[at:at + len(blob)] = bytes(b ^ x for b, x in zip(out[at:at + len(blob)], blob, strict=False))
        elif how == "insert":
            out[at:at] = blob
        elif how == "delete":
            del out[at:at + len(blob)]
        else:  # cut
            del out[at:]
    return bytes(out)


mutations = st.lists(st.tuples(st.sampled_from(["flip", "insert", "delete", "cut"]), st.integers(0, 1 << 20),
                               st.binary(min_size=1, max_size=6)), min_size=1, max_size=4)


@FUZZ
@given(kind=st.sampled_from(registry.NAMES), fmt=st.sampled_from(["csv", "xlsx"]),
       encoding=st.sampled_from(["utf-8", "gbk", "utf-16"]), changes=mutations)
# a lost BOM and byte shifted a phone into 填报日期, whose reason quoted it unmasked
@example(kind="survey", fmt="csv", encoding="utf-16",
         changes=[("delete", 0, b"\x00\x00"), ("delete", 32252, b"\x00"), ("insert", 65023, b"\x00")])
def test_damaged_bytes_end_in_a_result(tmp_path_factory, kind, fmt, encoding, changes):
    folder = tmp_path_factory.mktemp("b")
    rows = [ROWS[kind](n) for n in range(1, 7)]
    path = write(folder / f"x.{fmt}", kind, rows, fmt)
    if fmt == "csv":
        path.write_bytes(path.read_text(encoding="utf-8").encode(encoding))
    path.write_bytes(_mutate(path.read_bytes(), changes))
    assert_a_result(check(path, kind), personal(kind, rows))


@FUZZ
@given(kind=st.sampled_from(registry.NAMES), changes=mutations)
def test_damage_inside_an_intact_workbook_ends_in_a_result(tmp_path_factory, kind, changes):
    """The zip opens, a sheet's XML does not make sense: calamine's errors must not escape."""
    path = write(tmp_path_factory.mktemp("z") / "x.xlsx", kind, [ROWS[kind](n) for n in range(1, 7)], "xlsx")
    with zipfile.ZipFile(path) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    target = "xl/worksheets/sheet1.xml" if len(changes) % 2 else "xl/sharedStrings.xml"
    if target in parts:
        parts[target] = _mutate(parts[target], changes)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    path.write_bytes(buffer.getvalue())
    assert_a_result(check(path, kind))


@pytest.mark.parametrize("kind", registry.NAMES)
def test_each_kind_rows_start_valid(tmp_path, kind):
    """The fuzz starts from rows the gate takes: otherwise it would fuzz a rejected file."""
    result = check(write(tmp_path / "x.csv", kind, [ROWS[kind](n) for n in range(1, 7)], "csv"), kind)
    assert (result.error, result.counts["valid"]) == (None, 6), result.summary()
