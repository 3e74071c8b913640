"""Check one demand-survey submission: read, normalise, gate. No database, no Airflow.

`check_submission` is what both the `chunnuan check` command and the `survey_intake` DAG run, so a
clerk who checks a file before sending it sees exactly what the gate will say.

Conservation inside one file: rows == valid + quarantined + duplicates, where duplicates are
earlier rows of a worker (same ID number) that a later row of the same file replaces.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from chunnuan import quality
from chunnuan.campaign import Campaign
from chunnuan.masking import mask
from chunnuan.normalise import cell_text
from chunnuan.readers import ROW_NO, SubmissionError, read_submission
from chunnuan.survey_checks import other_province_share, prepare, survey_checks
from chunnuan.survey_schema import BY_FIELD

WRONG_PROVINCE_SHARE = 0.5


@dataclass
class GateResult:
    path: Path
    sha256: str
    rows: int = 0
    valid: pd.DataFrame | None = None  # clean rows to load, one per worker
    problems: pd.DataFrame | None = None  # row, field, column, value (masked), code, reason
    quarantined: pd.DataFrame | None = None  # source_row, codes, reasons (one line per row)
    duplicates: pd.DataFrame | None = None  # source_row, id_number, kept_row
    error: str | None = None  # batch-level problem: nothing of this file may be loaded
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
            "problems": [] if len(problems) == 0 else problems.to_dict(orient="records"),
        }


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _problems(prepared, checks: list[quality.Check], failing: dict[str, np.ndarray]) -> pd.DataFrame:
    records = []
    raw, clean = prepared.raw, prepared.clean
    for check in checks:
        positions = failing.get(check.key, ())
        if len(positions) == 0:
            continue
        header = BY_FIELD[check.field].header
        raw_values = raw[check.field].to_numpy()[positions]
        rows = raw[ROW_NO].to_numpy()[positions]
        clean_rows = clean.iloc[positions].to_dict(orient="records")
        for pos, row_no, value, clean_row in zip(positions, rows, raw_values, clean_rows, strict=True):
            shown = cell_text(value)
            records.append(
                {
                    "position": int(pos),
                    "row": int(row_no),
                    "field": check.field,
                    "column": header,
                    "value": mask(check.field, shown),
                    "code": check.code,
                    "reason": check.reason(mask(check.field, shown), clean_row),
                }
            )
    columns = ["position", "row", "field", "column", "value", "code", "reason"]
    frame = pd.DataFrame.from_records(records, columns=columns)
    order = frame["field"].map({f: i for i, f in enumerate(BY_FIELD)})
    return frame.assign(_order=order).sort_values(["row", "_order"], kind="stable").drop(columns="_order")


def _failing_rows(checked: pd.DataFrame, campaign: Campaign, engine: str) -> dict[str, np.ndarray]:
    checks = survey_checks(campaign)
    if engine == "gx":
        return quality.failing_rows_gx(checked, checks, suite_name=f"survey_{campaign.id}")
    return quality.failing_rows_pandas(checked, checks)


def _decide(result: GateResult, prepared, problems: pd.DataFrame, campaign: Campaign) -> GateResult:
    """Batch-level rules first (wrong province, too many bad rows), then quarantine and in-file duplicates."""
    share, other = other_province_share(prepared, campaign)
    if share > WRONG_PROVINCE_SHARE:
        result.error = (
            f"本文件 {share:.0%} 的户籍县属于{other}，不是{campaign.province}的报表。"
            f"请确认文件提交到了正确的行动（{campaign.name}）。"
        )
        return result

    bad_positions = np.unique(problems["position"].to_numpy()) if len(problems) else np.array([], dtype=np.int64)
    result.problems = problems.drop(columns=["position"])
    result.quarantined = (
        problems.groupby("position", sort=True)
        .agg(source_row=("row", "first"), codes=("code", lambda s: ",".join(dict.fromkeys(s))),
             reasons=("reason", "；".join))
        .reset_index(drop=True)
    )
    share_bad = len(bad_positions) / max(result.rows, 1)
    if share_bad > campaign.intake.max_bad_row_share:
        result.error = (
            f"有问题的行占 {share_bad:.0%}（{len(bad_positions)}/{result.rows} 行），"
            f"超过上限 {campaign.intake.max_bad_row_share:.0%}，整批退回。请按问题清单修改后重新提交。"
        )
        return result

    good = prepared.clean.drop(index=bad_positions)
    # The same worker twice in one file: the later report (填报日期, then row order) replaces the earlier.
    ordered = good.sort_values(["reported_on", "source_row"], kind="stable")
    later_dupe = ordered.duplicated("id_number", keep="last")
    kept_row = ordered.drop_duplicates("id_number", keep="last").set_index("id_number")["source_row"]
    dropped = ordered[later_dupe]
    result.duplicates = pd.DataFrame(
        {"source_row": dropped["source_row"].to_numpy(), "id_number": dropped["id_number"].to_numpy(),
         "kept_row": dropped["id_number"].map(kept_row).to_numpy()}
    )
    result.valid = ordered[~later_dupe].sort_values("source_row").reset_index(drop=True)
    if not result.conserved():
        raise AssertionError(f"conservation broken for {result.path}: {result.counts}")
    return result


def check_submissions(paths: list[Path], campaign: Campaign, engine: str = "gx") -> list[GateResult]:
    """What the gate decides about each file. Never raises for bad content: see each result's `.error`.

    The files are validated together in one suite run (Great Expectations has a fixed cost of about
    half a second per run); every decision is still made per file.
    """
    results, prepared_files = [], []
    for path in map(Path, paths):
        result = GateResult(path=path, sha256=file_sha256(path) if path.is_file() else "")
        results.append(result)
        t0 = time.perf_counter()
        try:
            raw = read_submission(path)
        except SubmissionError as exc:
            result.error = str(exc)
            continue
        t1 = time.perf_counter()
        result.rows = len(raw.frame)
        prepared_files.append((result, prepare(raw.frame, campaign)))
        result.timings = {"read": t1 - t0, "normalise": time.perf_counter() - t1}
    if not prepared_files:
        return results

    t0 = time.perf_counter()
    checked = pd.concat([p.checked for _, p in prepared_files], ignore_index=True)
    failing = _failing_rows(checked, campaign, engine)
    t1 = time.perf_counter()
    checks = survey_checks(campaign)
    offsets = np.cumsum([0] + [len(p.checked) for _, p in prepared_files])
    for (result, prepared), start, end in zip(prepared_files, offsets[:-1], offsets[1:], strict=True):
        mine = {k: v[(v >= start) & (v < end)] - start for k, v in failing.items()}
        _decide(result, prepared, _problems(prepared, checks, mine), campaign)
        result.timings["checks"] = (t1 - t0) * (end - start) / max(offsets[-1], 1)  # shared run, by rows
    reasons = time.perf_counter() - t1
    for result, prepared in prepared_files:
        result.timings["reasons"] = reasons * len(prepared.checked) / max(offsets[-1], 1)
    return results


def check_submission(path: Path, campaign: Campaign, engine: str = "gx") -> GateResult:
    """Everything the gate decides about one file. Never raises for bad content: see `.error`."""
    return check_submissions([path], campaign, engine)[0]
