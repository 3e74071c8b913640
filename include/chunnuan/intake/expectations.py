"""Running row-level checks (`rules.Check`, declared by each kind) with Great Expectations 1.x.

`failing_rows_gx` turns the checks into an expectation suite on an ephemeral context and
reads the failing row positions from the COMPLETE result; `failing_rows_pandas` evaluates the same
checks as plain vectorised masks (the benchmark's baseline and the tests' cross-check).
Great Expectations is imported inside the functions: it takes seconds to import.
"""

from __future__ import annotations

import os
from functools import cache

import numpy as np
import pandas as pd

from chunnuan.intake.rules import Check


def _violations(frame: pd.DataFrame, check: Check) -> pd.Series:
    """Plain-pandas meaning of each kind; like Great Expectations, missing values pass except not_null."""
    s = frame[check.column]
    if check.kind == "not_null":
        return s.isna()
    present = s.notna()
    if check.kind == "in_set":
        bad = ~s.isin(check.params["value_set"])
    elif check.kind == "regex":
        bad = ~s.str.fullmatch(check.params["regex"]).fillna(False).astype(bool)
    elif check.kind == "between":
        bad = (s < check.params["min_value"]) | (s > check.params["max_value"])
    elif check.kind == "true":
        bad = s != True  # noqa: E712 - nullable boolean column
    else:
        raise ValueError(f"unknown check kind {check.kind}")
    return (present & bad).fillna(False).astype(bool)


def failing_rows_pandas(frame: pd.DataFrame, checks: list[Check]) -> dict[str, np.ndarray]:
    return {c.key: np.flatnonzero(_violations(frame, c).to_numpy()) for c in checks}


def _expectation(check: Check):
    import great_expectations.expectations as gxe

    meta = {"key": check.key}
    if check.kind == "not_null":
        return gxe.ExpectColumnValuesToNotBeNull(column=check.column, meta=meta)
    if check.kind == "in_set":
        return gxe.ExpectColumnValuesToBeInSet(
            column=check.column, value_set=list(check.params["value_set"]), meta=meta
        )
    if check.kind == "regex":
        return gxe.ExpectColumnValuesToMatchRegex(
            column=check.column, regex="^(?:" + check.params["regex"] + ")$", meta=meta
        )
    if check.kind == "between":
        return gxe.ExpectColumnValuesToBeBetween(
            column=check.column, min_value=check.params["min_value"], max_value=check.params["max_value"], meta=meta
        )
    if check.kind == "true":
        return gxe.ExpectColumnValuesToBeInSet(column=check.column, value_set=[True], meta=meta)
    raise ValueError(f"unknown check kind {check.kind}")


@cache
def _gx_batch_definition():
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")  # never phone home from a clerk's machine
    import great_expectations as gx

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = {"globally": False}
    source = context.data_sources.add_pandas("chunnuan")
    return context, source.add_dataframe_asset("submission").add_batch_definition_whole_dataframe("whole")


def _exception_message(info: dict | None) -> str | None:
    """GX reports a failed metric either flat or keyed by metric id; a check that did not run must not pass."""
    if not info:
        return None
    entries = [info] if "raised_exception" in info else [v for v in info.values() if isinstance(v, dict)]
    raised = [e.get("exception_message") or "unknown error" for e in entries if e.get("raised_exception")]
    return "；".join(raised) or None


def _gx_view(frame: pd.DataFrame) -> pd.DataFrame:
    """The same values in the dtypes GX handles fastest. GX filters the whole frame for every metric:
    copying Arrow string columns each time cost 2.5x the whole suite, categoricals copy only codes;
    nullable Int64 is tested element by element, float64 with NaN vectorised."""
    view = frame.reset_index(drop=True)
    for column in view.columns:
        if view[column].dtype == "string":
            view[column] = view[column].astype("category")
        elif view[column].dtype == "Int64":
            view[column] = view[column].astype("float64")
    return view


def failing_rows_gx(frame: pd.DataFrame, checks: list[Check], suite_name: str) -> dict[str, np.ndarray]:
    """Run the checks as a Great Expectations suite; positions of failing rows per check key."""
    import great_expectations as gx

    _, batch_definition = _gx_batch_definition()
    suite = gx.ExpectationSuite(name=suite_name, expectations=[_expectation(c) for c in checks])
    frame = _gx_view(frame)
    batch = batch_definition.get_batch(batch_parameters={"dataframe": frame})
    result = batch.validate(suite, result_format={"result_format": "COMPLETE", "include_unexpected_rows": False})
    out: dict[str, np.ndarray] = {}
    for r in result.results:
        key = r.expectation_config.meta["key"]
        if problem := _exception_message(r.exception_info):
            raise RuntimeError(f"质量检查 {key} 无法执行：{problem}")
        index = r.result.get("unexpected_index_list") or []
        out[key] = np.asarray(sorted(index), dtype=np.int64)
    return out
