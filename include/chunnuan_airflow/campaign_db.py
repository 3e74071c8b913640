"""The campaign database as the Airflow connection `campaign_db` describes it."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)
CONN_ID = "campaign_db"


def url() -> str:
    """SQLAlchemy URL of `campaign_db`.

    Preferred form: conn_type generic with extra {"sqlalchemy_url": "..."}; sqlite and postgres
    connections are converted field by field (Connection.get_uri() is not a SQLAlchemy URL). Without
    the connection, the default SQLite file under CHUNNUAN_HOME is used, and the log says so.
    """
    from airflow.sdk import Connection
    from airflow.sdk.exceptions import AirflowNotFoundException
    from sqlalchemy.engine import URL

    from chunnuan.config.settings import default_db_url

    try:
        conn = Connection.get(CONN_ID)
    except AirflowNotFoundException:
        fallback = default_db_url()
        log.warning("未配置连接 %s，使用默认 SQLite 数据库 %s", CONN_ID, fallback)
        return fallback
    if explicit := conn.extra_dejson.get("sqlalchemy_url"):
        return explicit
    if conn.conn_type == "sqlite":
        return URL.create("sqlite", database=conn.host or conn.schema).render_as_string(hide_password=False)
    if conn.conn_type in ("postgres", "postgresql"):
        return URL.create("postgresql+psycopg", username=conn.login, password=conn.password, host=conn.host,
                          port=conn.port, database=conn.schema).render_as_string(hide_password=False)
    raise ValueError(f"连接 {CONN_ID} 的类型 {conn.conn_type!r} 不受支持：请用 generic + extra.sqlalchemy_url")


def engine(migrate: bool = False):
    """Engine for the campaign DB. The first task of a DAG migrates it to the newest schema."""
    from chunnuan import db

    target = url()
    if migrate:
        db.upgrade(target)
    return db.engine(target)
