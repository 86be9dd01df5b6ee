"""Small per-connection sync state (cursors, last snapshots, last refresh times) as JSON values."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select

from connector_assets.store._dialect import upsert
from connector_assets.store.tables import sync_state
from connector_assets.store.vault import utcnow


class SyncState:
    """Repository for `sync_state`: `get`/`put` a JSON value per (connection, key)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def get(self, connection_id: str, key: str, default: Any = None) -> Any:
        with self.engine.connect() as conn:
            value = conn.execute(
                select(sync_state.c.value).where(
                    sync_state.c.connection_id == connection_id, sync_state.c.key == key
                )
            ).scalar_one_or_none()
            return default if value is None else value

    def by_connection(self, key: str) -> dict[str, Any]:
        """Connection id → value of `key`, for every connection that has one (one query, whatever their number)."""
        query = select(sync_state.c.connection_id, sync_state.c.value).where(sync_state.c.key == key)
        with self.engine.connect() as conn:
            return {row.connection_id: row.value for row in conn.execute(query)}

    def put(self, connection_id: str, key: str, value: Any) -> None:
        with self.engine.begin() as conn:
            upsert(
                conn,
                sync_state,
                {"connection_id": connection_id, "key": key, "value": value, "updated_at": utcnow()},
                update_columns=("value", "updated_at"),
            )

    def starting_with(self, connection_id: str, prefix: str) -> dict[str, Any]:
        """Every value of the connection whose key starts with `prefix`, by key."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(sync_state.c.key, sync_state.c.value).where(
                    sync_state.c.connection_id == connection_id,
                    sync_state.c.key.startswith(prefix, autoescape=True),
                )
            ).all()
        return {str(key): value for key, value in rows}
