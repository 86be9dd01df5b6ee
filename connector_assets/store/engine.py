"""Database engines for the store: SQLite by default, PostgreSQL (psycopg2) in production."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

# SQLite's busy timeout unless a caller caps waits shorter.
SQLITE_DEFAULT_WAIT_S = 30.0


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


class _SQLiteConnection(Connection):
    """Marks transactions SQLAlchemy begins on its own (`engine.connect()` then a read) as read-only."""

    deferred_begin = False

    def _autobegin(self) -> None:
        self.deferred_begin = True
        try:
            super()._autobegin()
        finally:
            self.deferred_begin = False


def _configure_sqlite(engine: Engine, wait_s: float) -> None:
    engine._connection_cls = _SQLiteConnection

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={int(wait_s * 1000)}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # `engine.begin()` (a writer) takes the write lock up front: SQLite's stand-in for SELECT ... FOR
        # UPDATE, so read-then-write transactions are serialized rather than failing on a stale snapshot.
        # Reads (`engine.connect()`) begin deferred and never wait for a writer under WAL.
        conn.exec_driver_sql("BEGIN" if getattr(conn, "deferred_begin", False) else "BEGIN IMMEDIATE")


@lru_cache(maxsize=16)
def create_store_engine(url: str | None = None, *, wait_s: float | None = None) -> Engine:
    """One pooled engine per URL (and wait cap) for the life of the process.

    `wait_s` caps every wait on the store: SQLite's busy timeout; on PostgreSQL the lock and statement
    timeouts and the pool's checkout timeout. The receiver uses a short one so it can answer 503 in time;
    None keeps the defaults (30 s busy timeout on SQLite, no lock timeout on PostgreSQL)."""
    url = _normalize(url or default_database_url())
    if make_url(url).get_backend_name() == "sqlite":
        busy_s = wait_s if wait_s is not None else SQLITE_DEFAULT_WAIT_S
        engine = create_engine(url, connect_args={"timeout": busy_s, "check_same_thread": False})
        _configure_sqlite(engine, busy_s)
        return engine
    if wait_s is None:
        return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)
    wait_ms = int(wait_s * 1000)
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=5,
        max_overflow=10,
        pool_timeout=wait_s,
        connect_args={
            "connect_timeout": max(int(wait_s), 1),
            "options": f"-c lock_timeout={wait_ms} -c statement_timeout={wait_ms * 2}",
        },
    )


def is_postgres(engine: Engine) -> bool:
    """True when the store lives in PostgreSQL (row locks are real there)."""
    return engine.dialect.name == "postgresql"
