"""The SQL files under include/sql/, portable between SQLite and PostgreSQL."""

from __future__ import annotations

from functools import cache

from chunnuan.config.settings import REPO_ROOT

SQL_DIR = REPO_ROOT / "include" / "sql"


@cache
def load(name: str) -> str:
    return (SQL_DIR / name).read_text(encoding="utf-8")
