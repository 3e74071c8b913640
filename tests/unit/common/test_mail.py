"""The PII guard on outgoing mail: personal numbers refused, figures and trip IDs let through."""

from __future__ import annotations

import pytest

from chunnuan.common import mail


@pytest.mark.parametrize("text", ["身份证 450821199001011234", "电话13812345678", "45082119900101123x",
                                  "老身份证 450821900101123", "电话１３８１２３４５６７８"])  # 15-digit ID; full-width
def test_messages_with_personal_numbers_are_refused(text):
    with pytest.raises(mail.PiiInMessage):
        mail.assert_no_pii("正文", text)


def test_figures_and_trip_ids_are_not_mistaken_for_personal_numbers():
    mail.assert_no_pii("车次 20240218-450821-440300-001，费用 1,370,137 元，共 12345678901234567 条")
