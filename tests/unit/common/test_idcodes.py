"""Check characters of ID numbers, organisation codes and USCCs (chunnuan.common.idcodes)."""

from __future__ import annotations

import numpy as np
import pytest
from stdnum.cn import ric, uscc

from chunnuan.common import idcodes

# Real-format numbers checked by hand. GB 11643's own example 11010519491231002X: the weighted sum of
# 1 1 0 1 0 5 1 9 4 9 1 2 3 1 0 0 2 is 167, 167 mod 11 = 2 -> "X"; 440524188001010014: 195 mod 11 = 8 -> "4".
HAND_CHECKED_IDS = ("11010519491231002X", "440524188001010014")
# Published codes of well-known enterprises (腾讯计算机系统, 华为技术, 阿里巴巴（中国）, 小米科技) and
# python-stdnum's example.
KNOWN_USCC = ("9144030071526726XG", "914403001922038216", "91330100799655058B", "91110108551385082Q",
              "91110000600037341L")


def digits(ids) -> np.ndarray:
    return idcodes.ascii_grid(list(ids))[:, :17] - ord("0")


def test_id_check_chars_of_hand_checked_numbers():
    assert bytes(idcodes.id_check_chars(digits(HAND_CHECKED_IDS))) == b"X4"
    assert idcodes.id_checks_hold(idcodes.ascii_grid(list(HAND_CHECKED_IDS))).all()


def test_id_checks_fail_for_every_other_check_char():
    wrong = [i[:17] + c for i in HAND_CHECKED_IDS for c in "0123456789X" if c != i[17]]
    assert not idcodes.id_checks_hold(idcodes.ascii_grid(wrong)).any()


def test_id_check_chars_agree_with_stdnum():
    rng = np.random.default_rng(3)
    first17 = rng.integers(0, 10, (5000, 17))
    chars = idcodes.id_check_chars(first17)
    ids = ["".join(map(str, row)) + chr(c) for row, c in zip(first17, chars, strict=True)]
    assert [i[17] for i in ids] == [ric.calc_check_digit(i) for i in ids]
    assert {chr(c) for c in chars} == set("0123456789X")


@pytest.mark.parametrize("code", KNOWN_USCC)
def test_known_uscc_are_valid_and_rebuilt(code):
    assert idcodes.uscc_valid(code)
    assert idcodes.uscc_with_check(code[:17]) == code
    # Codes given to enterprises that had an organisation code carry it, check character included.
    assert idcodes.organisation_code(code[8:16]) == code[8:17]


def test_uscc_with_a_wrong_check_char_is_invalid():
    for code in KNOWN_USCC:
        other = next(c for c in "0123456789ABCDEFGHJKLMNPQRTUWXY" if c != code[17])
        assert not idcodes.uscc_valid(code[:17] + other)
    assert not idcodes.uscc_valid("91110000600037341")  # too short


def test_uscc_with_check_refuses_a_malformed_body():
    with pytest.raises(ValueError):
        idcodes.uscc_with_check("91ABCDEF600037341")  # the region code must be digits
    assert uscc.is_valid(idcodes.uscc_with_check("91450800MA00001B8"))  # letters are allowed after it


def test_organisation_code_check_char_ten_and_eleven():
    # 11 - sum mod 11: 10 is written X, 11 is written 0.
    bodies = [f"{i:08d}" for i in range(0, 4000, 7)]
    checks = {idcodes.organisation_code(b)[8] for b in bodies}
    assert {"X", "0"} <= checks and all(len(idcodes.organisation_code(b)) == 9 for b in bodies)
