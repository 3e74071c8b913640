"""Reading what a test run left behind: rows of the campaign database, messages the SMTP sink stored."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

from sqlalchemy import text

from chunnuan import db


def query(url: str, sql: str, **params) -> list:
    with db.engine(url).connect() as conn:
        return conn.execute(text(sql), params).all()


def messages(outbox: Path) -> list:
    """Every .eml the loopback SMTP server stored, oldest first, parsed."""
    return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in sorted(outbox.iterdir())]
