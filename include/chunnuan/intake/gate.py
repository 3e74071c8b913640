"""Check submissions (demand survey, carrier fleet …): read, normalise, gate. No database, no Airflow.

`check_submission(s)` is what both the `chunnuan check` command and the `survey_intake` DAG run, so
a clerk who checks a file before sending it sees exactly what the gate will say. A `Kind` bundles
what differs between submission kinds: columns, normalisation, checks, and the key of a duplicate;
each kind module (`chunnuan.intake.kinds.<kind>.KIND`) builds its own, and the caller says which.

Conservation inside one file: rows == valid + quarantined + duplicates, where duplicates are
earlier rows of the same key (a worker's ID number, a carrier's coach offer) that a later row of
the same file replaces.

Every file ends in a result, whatever its bytes: a file that makes the program itself fail gets an
`internal` error naming it (and the files checked with it still get theirs), never an exception.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from chunnuan.common.masking import mask
from chunnuan.config.campaign import Campaign
from chunnuan.intake import expectations as quality
from chunnuan.intake.normalise import shown_value
from chunnuan.intake.readers import (
    FILE_NO,
    ROW_NO,
    RawSubmission,
    SubmissionError,
    read_submission,
    row_label,
)
from chunnuan.intake.rules import Check
from chunnuan.intake.schema import Prepared, Schema

log = logging.getLogger(__name__)
WRONG_PROVINCE_SHARE = 0.5
INTERNAL_ERROR = ("检查这个文件时程序出错，文件未做任何处理（其他文件不受影响）。请把这个文件发给系统管理员；"
                  "也可以先用 Excel 打开、另存为 .xlsx 后重新提交。")


@dataclass(frozen=True)
class Kind:
    """What the gate needs to know about one kind of submission."""

    schema: Schema
    prepare: Callable[[pd.DataFrame, Campaign], Prepared]
    checks: Callable[[Campaign], list[Check]]
    key: tuple[str, ...]  # clean columns naming one entity: a later row with the same key replaces an earlier one
    order: tuple[str, ...] = ()  # clean columns deciding which report is later, before row order
    foreign: Callable[[Prepared, Campaign], pd.Series] | None = None  # rows belonging to another province

    @property
    def name(self) -> str:
        return self.schema.kind


@dataclass
class GateResult:
    path: Path
    sha256: str
    rows: int = 0
    valid: pd.DataFrame | None = None  # clean rows to load, one per worker
    problems: pd.DataFrame | None = None  # row, field, column, value (masked), code, reason
    quarantined: pd.DataFrame | None = None  # source_row, codes, reasons (one line per row)
    duplicates: pd.DataFrame | None = None  # source_row, kept_row (the row that replaces it)
    error: str | None = None  # batch-level problem: nothing of this file may be loaded
    internal: bool = False  # the error is the program's, not the file's
    notes: list[str] = field(default_factory=list)  # what the reader left out and why (footers, hidden sheets)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def counts(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "valid": 0 if self.valid is None else len(self.valid),
            "quarantined": 0 if self.quarantined is None else len(self.quarantined),
            "duplicates": 0 if self.duplicates is None else len(self.duplicates),
        }

    def conserved(self) -> bool:
        c = self.counts
        return self.error is not None or c["rows"] == c["valid"] + c["quarantined"] + c["duplicates"]

    def summary(self) -> dict:
        """What a clerk or a log may see: counts, masked problems, the batch error."""
        problems = [] if self.problems is None else self.problems[["row", "column", "value", "reason"]]
        return {
            **self.counts,
            "error": self.error,
            "notes": self.notes,
            "problems": [] if len(problems) == 0 else problems.to_dict(orient="records"),
        }


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class _RowView:
    """The clean values of one row, read only when a reason needs them (most reasons do not)."""

    def __init__(self, clean: pd.DataFrame, position: int):
        self._clean, self._position = clean, position

    def get(self, column: str, default=None):
        value = self._clean[column].iat[self._position]
        return default if pd.isna(value) else value

    __getitem__ = get


def _problems(prepared: Prepared, checks: list[Check], failing: dict[str, np.ndarray],
              schema: Schema, reader: pd.DataFrame | None = None) -> pd.DataFrame:
    """One line per failing (row, check): the spreadsheet row, column, masked value and Chinese reason; plus
    the cells the reader could not take (`reader`, with positions)."""
    parts = []
    raw, clean = prepared.raw, prepared.clean
    for check in checks:
        positions = failing.get(check.key, ())
        if len(positions) == 0:
            continue
        shown = [mask(check.field, shown_value(v)) for v in raw[check.field].take(positions)]
        parts.append(pd.DataFrame({
            "position": positions,
            "row": raw[ROW_NO].to_numpy()[positions],
            "field": check.field,
            "column": schema.by_field[check.field].header,
            "value": shown,
            "code": check.code,
            "reason": [check.reason(v, _RowView(clean, p)) for v, p in zip(shown, positions, strict=True)],
        }))
    columns = ["position", "row", "field", "column", "value", "code", "reason"]
    if reader is not None and len(reader):
        parts.append(reader.assign(field=None)[columns])
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    frame = pd.concat(parts, ignore_index=True)
    if reader is not None and len(reader):  # an empty formula cell is not also "未填写"
        cell = frame["position"].astype(str) + "|" + frame["column"]
        formulas = reader[reader["code"] == "formula_no_value"]
        frame = frame[~((frame["code"] == "missing") & cell.isin(formulas["position"].astype(str) + "|" + formulas["column"]))]
    order = frame["field"].map({f: i for i, f in enumerate(schema.by_field)})
    return frame.assign(_order=order).sort_values(["position", "_order"], kind="stable").drop(columns="_order")


def _failing_rows(checked: pd.DataFrame, checks: list[Check], suite_name: str,
                  engine: str) -> dict[str, np.ndarray]:
    if engine == "gx":
        return quality.failing_rows_gx(checked, checks, suite_name=suite_name)
    return quality.failing_rows_pandas(checked, checks)


def _quarantined_rows(problems: pd.DataFrame) -> pd.DataFrame:
    """One line per bad row with all its codes and reasons. Most bad rows have one problem, so only
    rows with several go through a (Python-level) group-by."""
    several = problems["position"].duplicated(keep=False).to_numpy()
    single = problems[~several]
    joined = (
        problems[several].astype({"code": object, "reason": object})
        .groupby("position", sort=False)
        .agg(_file=("_file", "first"), row=("row", "first"),
             code=("code", lambda s: ",".join(dict.fromkeys(s))), reason=("reason", "；".join))
        .reset_index()
    )
    rows = pd.concat([single[joined.columns], joined], ignore_index=True).sort_values("position")
    return rows.rename(columns={"row": "source_row", "code": "codes", "reason": "reasons"}).drop(
        columns="position").reset_index(drop=True)[["_file", "source_row", "codes", "reasons"]]


def _batch_errors(file_of: np.ndarray, sizes: np.ndarray, bad_positions: np.ndarray, foreign: pd.Series | None,
                  campaign: Campaign) -> dict[int, str]:
    """Files to send back whole: mostly another province's counties, or too many bad rows."""
    errors = {}
    if foreign is None:
        foreign = pd.Series(pd.NA, index=range(len(file_of)), dtype="string")
    foreign_per_file = np.bincount(file_of[foreign.notna().to_numpy()], minlength=len(sizes))
    bad_per_file = np.bincount(file_of[bad_positions], minlength=len(sizes))
    for i, size in enumerate(sizes):
        if foreign_per_file[i] / size > WRONG_PROVINCE_SHARE:
            other = foreign[file_of == i].dropna().mode().iloc[0]
            errors[i] = (f"本文件 {foreign_per_file[i] / size:.0%} 的行属于{other}（不在{campaign.province}的服务范围），"
                         f"不是{campaign.province}的报表。"
                         f"请确认文件提交到了正确的行动（{campaign.name}）。")
        elif bad_per_file[i] / size > campaign.intake.max_bad_row_share:
            errors[i] = (f"有问题的行占 {bad_per_file[i] / size:.0%}（{bad_per_file[i]}/{size} 行），"
                         f"超过上限 {campaign.intake.max_bad_row_share:.0%}，整批退回。请按问题清单修改后重新提交。")
    return errors


def _split_duplicates(good: pd.DataFrame, kind: Kind) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The same key twice in one file: the later report (kind.order, e.g. 填报日期, then row order)
    replaces the earlier."""
    key = ["_file", *kind.key]
    repeated = good[kind.key[0]].duplicated(keep=False)  # cheap first cut on one column
    repeated[repeated] = good[repeated].duplicated(key, keep=False)
    if not repeated.any():
        return good, good.iloc[:0].assign(kept_row=pd.Series(dtype="int64"))[["_file", "source_row", "kept_row"]]
    ordered = good[repeated].sort_values(["_file", *kind.order, "source_row"], kind="stable")
    later = ordered.duplicated(key, keep="last")
    kept = ordered.drop_duplicates(key, keep="last").set_index(key)["source_row"]
    dropped = ordered[later]
    keys = pd.MultiIndex.from_frame(dropped[key])
    duplicates = dropped[["_file", "source_row"]].assign(kept_row=kept.reindex(keys).to_numpy())
    return good.drop(index=dropped.index), duplicates


def check_submissions(paths: list[Path], campaign: Campaign, engine: str = "gx", *,
                      kind: Kind) -> list[GateResult]:
    """What the gate decides about each file. Never raises: see each result's `.error` (and `.internal`).

    The files are normalised and validated together, vectorised (Great Expectations has a fixed cost of
    about half a second per suite run, pandas a few milliseconds per column operation); every rule is
    row by row and every decision is made per file. Should that fail, each file is decided alone, so one
    file the program cannot handle costs the others nothing.
    """
    results, raws = [], []
    started = time.perf_counter()
    for path in map(Path, paths):
        result = GateResult(path=path, sha256="")
        results.append(result)
        try:
            result.sha256 = file_sha256(path)
            raw = read_submission(path, kind.schema)
        except SubmissionError as exc:
            result.error = str(exc)
            continue
        except Exception:
            _internal(result)
            continue
        result.rows, result.notes = len(raw.frame), raw.notes
        raws.append((result, raw))
    if raws:
        try:
            _decide(raws, campaign, engine, kind, started)
        except Exception:
            for one in (raws if len(raws) > 1 else ()):
                try:
                    _decide([one], campaign, engine, kind, time.perf_counter())
                except Exception:
                    _internal(one[0])
            if len(raws) == 1:
                _internal(raws[0][0])
    return results


def _internal(result: GateResult) -> None:
    log.exception("checking %s failed", result.path.name)
    result.error, result.internal = INTERNAL_ERROR, True
    result.valid = result.duplicates = None
    result.problems = result.quarantined = None


def _reader_problems(raws: list[tuple[GateResult, RawSubmission]], sizes: np.ndarray) -> pd.DataFrame | None:
    """The reader's row problems with their positions in the files' concatenated frame."""
    parts = []
    for offset, (_, raw) in zip(np.concatenate([[0], np.cumsum(sizes)[:-1]]), raws, strict=True):
        if raw.problems is not None and len(raw.problems):
            at = pd.Index(raw.frame[ROW_NO]).get_indexer(raw.problems[ROW_NO])
            parts.append(raw.problems.assign(position=at + offset, row=raw.problems[ROW_NO]))
    return pd.concat(parts, ignore_index=True) if parts else None


def _decide(raws: list[tuple[GateResult, RawSubmission]], campaign: Campaign, engine: str, kind: Kind,
            started: float) -> None:
    read_at = time.perf_counter()
    sizes = np.array([len(raw.frame) for _, raw in raws])
    file_of = np.repeat(np.arange(len(raws)), sizes)
    frames = [raw.frame.assign(**{FILE_NO: i}) for i, (_, raw) in enumerate(raws)]
    prepared = kind.prepare(pd.concat(frames, ignore_index=True), campaign)
    prepared_at = time.perf_counter()
    checks = kind.checks(campaign)
    failing = _failing_rows(prepared.checked, checks, f"{kind.name}_{campaign.id}", engine)
    checked_at = time.perf_counter()

    problems = _problems(prepared, checks, failing, kind.schema, _reader_problems(raws, sizes))
    bad_positions = np.unique(problems["position"].to_numpy().astype(np.int64))
    foreign = kind.foreign(prepared, campaign) if kind.foreign else None
    errors = _batch_errors(file_of, sizes, bad_positions, foreign, campaign)
    problems["_file"] = file_of[problems["position"].to_numpy().astype(np.int64)]
    quarantined = _quarantined_rows(problems)
    keep = np.ones(len(file_of), dtype=bool)
    keep[bad_positions] = False
    keep &= ~np.isin(file_of, list(errors))
    good = prepared.clean[keep].assign(_file=file_of[keep])
    valid, duplicates = _split_duplicates(good, kind)

    by_file = {name: dict(tuple(frame.groupby("_file", sort=False))) for name, frame in
               (("problems", problems), ("quarantined", quarantined), ("valid", valid), ("duplicates", duplicates))}
    empty = {name: frame.iloc[:0] for name, frame in
             (("problems", problems), ("quarantined", quarantined), ("valid", valid), ("duplicates", duplicates))}

    def part(name: str, i: int) -> pd.DataFrame:
        return by_file[name].get(i, empty[name]).drop(columns="_file").reset_index(drop=True)

    for i, (result, raw) in enumerate(raws):
        result.problems = part("problems", i).drop(columns="position")
        if len(raw.sheets) > 1:  # rows as the clerk finds them: 返岗!12
            result.problems["row"] = [row_label(r, raw.sheets) for r in result.problems["row"]]
        result.quarantined = part("quarantined", i)
        if i in errors:
            result.error = errors[i]
            continue
        result.valid = part("valid", i)
        result.duplicates = part("duplicates", i)
        if not result.conserved():
            raise AssertionError(f"conservation broken for {result.path}: {result.counts}")
    stages = {"read": read_at - started, "normalise": prepared_at - read_at, "checks": checked_at - prepared_at,
              "decide": time.perf_counter() - checked_at}
    for (result, _), size in zip(raws, sizes, strict=True):  # shared stages, shown per file by its rows
        result.timings = {k: v * size / sizes.sum() for k, v in stages.items()}


def check_submission(path: Path, campaign: Campaign, engine: str = "gx", *, kind: Kind) -> GateResult:
    """Everything the gate decides about one file. Never raises for bad content: see `.error`."""
    return check_submissions([path], campaign, engine, kind=kind)[0]
