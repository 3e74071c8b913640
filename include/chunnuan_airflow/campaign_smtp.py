"""Outgoing mail as the Airflow connection `campaign_smtp` describes it (host, port, login, password;
extra: {"starttls": bool, "ssl": bool, "from": "sender address"}). Alerts to the coordinators may take
another route, `campaign_alert_smtp` (same fields), so that they still arrive when the server that
sends the reports is down."""

from __future__ import annotations

CONN_ID = "campaign_smtp"
ALERT_CONN_ID = "campaign_alert_smtp"
DEFAULT_SENDER = "chunnuan@localhost"


def _from_connection(conn_id: str):
    from airflow.sdk import Connection

    from chunnuan.common.mail import SmtpSettings

    conn = Connection.get(conn_id)
    extra = conn.extra_dejson
    return SmtpSettings(
        host=conn.host or "127.0.0.1", port=int(conn.port or 25), user=conn.login or None,
        password=conn.password or None, starttls=bool(extra.get("starttls", False)),
        ssl=bool(extra.get("ssl", False)), sender=extra.get("from") or conn.login or DEFAULT_SENDER,
    )


def settings():
    """mail.SmtpSettings for `campaign_smtp`; raises AirflowNotFoundException when it is not configured."""
    return _from_connection(CONN_ID)


def settings_or_none():
    """`settings()`, or None when `campaign_smtp` is not configured (the caller says what it skips)."""
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        return settings()
    except AirflowNotFoundException:
        return None


def alert_settings_or_none():
    """Where alerts to the coordinators go: `campaign_alert_smtp` when configured, else `campaign_smtp`."""
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        return _from_connection(ALERT_CONN_ID)
    except AirflowNotFoundException:
        return settings_or_none()
