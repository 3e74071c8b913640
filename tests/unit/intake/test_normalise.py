"""Normalisation of what counties actually type, without Airflow or a database."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from stdnum.cn import ric

from chunnuan.config import divisions
from chunnuan.intake import normalise


@pytest.mark.parametrize(
    "cell, expected",
    [
        ("2024-02-18", "2024-02-18"),
        ("2024/2/8", "2024-02-08"),
        ("2024.2.8", "2024-02-08"),
        ("2024年2月18日", "2024-02-18"),
        ("２０２４年２月１８日", "2024-02-18"),  # full-width digits
        ("20240218", "2024-02-18"),
        ("45340", "2024-02-18"),  # Excel serial number typed or exported as text
        (45340.0, "2024-02-18"),  # Excel serial number cell
        (dt.datetime(2024, 2, 18), "2024-02-18"),  # Excel date cell
        ("2024-02-18 00:00:00", "2024-02-18"),
        ("2024-02-30", None),
        ("2月18日", None),
        ("下周", None),
        ("", None),
        (None, None),
    ],
)
def test_dates(cell, expected):
    got = normalise.dates(pd.Series([cell], dtype=object)).iloc[0]
    assert (None if pd.isna(got) else got.strftime("%Y-%m-%d")) == expected


@pytest.mark.parametrize(
    "cell, expected",
    [
        ("11010519491231002x", "11010519491231002X"),
        (" 110105 19491231002X ", "11010519491231002X"),
        ("１１０１０５１９４９１２３１００２Ｘ", "11010519491231002X"),
    ],
)
def test_id_numbers(cell, expected):
    assert normalise.id_number(pd.Series([cell], dtype=object)).iloc[0] == expected


@pytest.mark.parametrize(
    "cell, expected",
    [
        ("+86 138-1234-5678", "13812345678"),
        ("8613812345678", "13812345678"),
        ("0086 13812345678", "13812345678"),
        ("１３８ １２３４ ５６７８", "13812345678"),
        (13812345678.0, "13812345678"),  # a number cell
        ("0771-5873235", "07715873235"),  # a landline stays a landline (and fails the mobile check)
    ],
)
def test_phones(cell, expected):
    assert normalise.phone(pd.Series([cell], dtype=object)).iloc[0] == expected


def test_checksum_agrees_with_stdnum_on_random_ids():
    counties = sorted(divisions.province("广西").counties)
    rng = np.random.default_rng(7)
    ids = [
        f"{counties[rng.integers(len(counties))]}19{rng.integers(50, 99)}0{rng.integers(1, 10)}1{rng.integers(0, 10)}"
        f"{rng.integers(0, 999):03d}{'0123456789X'[rng.integers(0, 11)]}"
        for _ in range(3000)
    ]
    ours = normalise.id_checksum_ok(pd.Series(ids)).tolist()
    # stdnum's calc_check_digit takes the whole number and ignores its last character
    assert ours == [ric.calc_check_digit(i) == i[-1] for i in ids]
    assert 0 < sum(ours) < len(ours)


def test_checksum_is_missing_for_malformed_ids():
    got = normalise.id_checksum_ok(pd.Series(["123", None, "11010519491231002X"], dtype="string"))
    assert got.isna().tolist() == [True, True, False]


def test_numbers_stored_as_numbers_are_flagged():
    cells = pd.Series([4.50102199001011e17, "450102199001011234", None, True], dtype=object)
    assert normalise.numeric_cells(cells).tolist() == [True, False, False, False]


@pytest.mark.parametrize("cell, expected", [("3", 3), ("3天", 3), ("３", 3), ("", 0), (None, 0), ("x", -1), ("2.5", -1)])
def test_small_int(cell, expected):
    assert normalise.small_int(pd.Series([cell], dtype=object), default=0).iloc[0] == expected
