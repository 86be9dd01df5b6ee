"""Database engines for the store: SQLite by default, PostgreSQL (psycopg2) in production."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url


class StoreUnavailable(RuntimeError):
    """The store's database cannot be reached; callers retry later (the receiver answers 503)."""


def default_database_url() -> str:
    """`CONNECTOR_DATABASE_URL`, else a SQLite file beside Dagster's own storage in `DAGSTER_HOME`."""
    url = os.environ.get("CONNECTOR_DATABASE_URL")
    if url:
        return url
    home = Path(os.environ.get("DAGSTER_HOME") or Path.cwd() / ".dagster_home")
    home.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{home / 'connector.db'}"


def _normalize(url: str) -> str:
    # SQLAlchemy 2.1 maps plain postgresql:// to psycopg 3, which is not installed; psycopg2 is.
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg2://" + url.split("://", 1)[1]
    return url


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # IMMEDIATE takes the write lock up front: SQLite's stand-in for SELECT ... FOR UPDATE,
        # so two refreshers of one rotating token are serialized rather than deadlocked.
        conn.exec_driver_sql("BEGIN IMMEDIATE")


@lru_cache(maxsize=16)
def create_store_engine(url: str | None = None) -> Engine:
    """One pooled engine per URL for the life of the process."""
    url = _normalize(url or default_database_url())
    if make_url(url).get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


def is_postgres(engine: Engine) -> bool:
    """True when the store lives in PostgreSQL (row locks are real there)."""
    return engine.dialect.name == "postgresql"
