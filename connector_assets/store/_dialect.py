"""Dialect-aware INSERT ... ON CONFLICT DO NOTHING (same behaviour on SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite


def insert_ignoring_duplicates(conn: Connection, table: Table, values: dict[str, Any]) -> Any | None:
    """Insert a row unless a unique key already holds it; returns the new primary key or None."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    pk = next(iter(table.primary_key.columns))
    stmt = dialect.insert(table).values(**values).on_conflict_do_nothing().returning(pk)
    return conn.execute(stmt).scalar_one_or_none()


def upsert(conn: Connection, table: Table, values: dict[str, Any], update_columns: tuple[str, ...]) -> None:
    """Insert a row, or update `update_columns` of the row with the same primary key."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(table).values(**values)
    keys = [c.name for c in table.primary_key.columns]
    conn.execute(
        stmt.on_conflict_do_update(index_elements=keys, set_={c: stmt.excluded[c] for c in update_columns})
    )


def upsert_many(
    conn: Connection, table: Table, rows: Sequence[dict[str, Any]], update_columns: tuple[str, ...]
) -> None:
    """`upsert` of many rows (the same keys in each) as one statement executed for all: compiled once."""
    if not rows:
        return
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(table)
    keys = [c.name for c in table.primary_key.columns]
    conn.execute(
        stmt.on_conflict_do_update(index_elements=keys, set_={c: stmt.excluded[c] for c in update_columns}),
        list(rows),
    )
