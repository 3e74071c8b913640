"""Numbers typed inside free text are masked wherever the gate shows the text; other numbers are left."""

from __future__ import annotations

import pytest

from chunnuan.common.masking import mask, mask_text, masked_in


@pytest.mark.parametrize(("text", "shown"), [
    ("电话13812345678联系", "电话138****5678联系"),
    ("身份证450821199001011234号", "身份证450821********1234号"),
    ("末位X：45082119900101123X", "末位X:450821********123X"),  # NFKC folds the full-width colon
    ("旧证450821900101123", "旧证450821*****1123"),
    ("１３８１２３４５６７８", "138****5678"),
    ("热线12333，走访12580人，信用代码91450821MA5K8Q2X1B", "热线12333,走访12580人,信用代码91450821MA5K8Q2X1B"),
    ("订单123456789012345678901", "订单123456789012345678901"),  # 21 digits: not an ID
])
def test_mask_text(text, shown):
    assert mask_text(text) == shown


def test_the_gate_masks_the_text_fields_and_a_reason_can_name_what_it_masked():
    shown = mask("content", "电话13812345678，身份证450821199001011234")
    assert masked_in(shown) == ["138****5678", "450821********1234"]
    assert mask("fair_name", "春风行动专场 2024") == "春风行动专场 2024"  # other fields are shown as typed…
    assert mask("fair_name", "13812345678") == "138****5678"  # …unless a person's number sits in them (a shifted column)
    assert mask("uscc", "91450800MA00001B89") == "91450800MA00001B89"  # longer codes are not phones or IDs
