"""The gate's two evaluations of the same checks agree: Great Expectations (used) and plain pandas (baseline)."""

from __future__ import annotations

import pandas as pd
import pytest

from chunnuan.config import campaign
from chunnuan.intake import expectations as quality
from chunnuan.intake.kinds.survey import SURVEY, prepare, survey_checks
from chunnuan.intake.readers import read_submission
from chunnuan.intake.rules import Check
from chunnuan.synth.survey import generate


@pytest.fixture(scope="module")
def checked_frame(tmp_path_factory):
    gx = campaign.load("guangxi-2024")
    out = tmp_path_factory.mktemp("province")
    generate(gx, workers=3000, seed=5, out=out)
    files = sorted(p for p in out.iterdir() if p.is_file())[:25]
    return gx, pd.concat([prepare(read_submission(f, SURVEY).frame, gx).checked for f in files], ignore_index=True)


def test_great_expectations_and_pandas_find_the_same_rows(checked_frame):
    gx, checked = checked_frame
    checks = survey_checks(gx)
    by_gx = quality.failing_rows_gx(checked, checks, "agreement")
    by_pandas = quality.failing_rows_pandas(checked, checks)
    assert by_gx.keys() == by_pandas.keys()
    for key in by_pandas:
        assert by_gx[key].tolist() == by_pandas[key].tolist(), key
    assert sum(len(v) for v in by_pandas.values()) > 0  # the sample does contain mistakes


def test_a_check_that_cannot_run_is_an_error_not_a_pass(checked_frame):
    gx, checked = checked_frame
    broken = [Check("x", "name", "no_such_column", "not_null", lambda v, r: "")]
    with pytest.raises(RuntimeError, match="无法执行"):
        quality.failing_rows_gx(checked, broken, "broken")
