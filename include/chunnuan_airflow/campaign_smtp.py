"""Outgoing mail as the Airflow connection `campaign_smtp` describes it (host, port, login, password;
extra: {"starttls": bool, "ssl": bool, "from": "sender address"})."""

from __future__ import annotations

CONN_ID = "campaign_smtp"
DEFAULT_SENDER = "chunnuan@localhost"


def settings():
    """mail.SmtpSettings for `campaign_smtp`; raises AirflowNotFoundException when it is not configured."""
    from airflow.sdk import Connection

    from chunnuan.mail import SmtpSettings

    conn = Connection.get(CONN_ID)
    extra = conn.extra_dejson
    return SmtpSettings(
        host=conn.host or "127.0.0.1", port=int(conn.port or 25), user=conn.login or None,
        password=conn.password or None, starttls=bool(extra.get("starttls", False)),
        ssl=bool(extra.get("ssl", False)), sender=extra.get("from") or conn.login or DEFAULT_SENDER,
    )


def settings_or_none():
    """`settings()`, or None when `campaign_smtp` is not configured (the caller says what it skips)."""
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        return settings()
    except AirflowNotFoundException:
        return None
