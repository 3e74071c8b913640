"""The development SMTP sink stores what it receives as .eml files."""

from __future__ import annotations

import email
import email.policy

from chunnuan.common import mail
from chunnuan.devtools import smtp_sink


def test_sink_stores_a_real_smtp_message_as_eml(tmp_path):
    sink = smtp_sink.start(tmp_path)
    try:
        mail._send(mail.SmtpSettings("127.0.0.1", sink.port, "office@example.org"), ["county@example.org"],
                   "通知：平南县", "<p>车次 3</p>")
    finally:
        sink.stop()
    [path] = tmp_path.glob("*.eml")
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert message["To"] == "county@example.org" and message["Subject"] == "通知：平南县"
    assert "车次 3" in message.get_body(("html",)).get_content()
