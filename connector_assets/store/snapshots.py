"""Snapshots: the latest frame of a kind (gl_accounts, cost_centers, employees …) per connection.

Runs of different partitions share master data through here rather than through Dagster's IO manager,
so a payroll run reads the same chart of accounts that the master-data asset last fetched.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from datetime import datetime, timedelta

import polars as pl
from sqlalchemy import Engine, select

from connector_assets.store._dialect import upsert
from connector_assets.store.tables import snapshots
from connector_assets.store.vault import _aware, utcnow


@dataclass(frozen=True)
class Snapshot:
    """A stored frame with when it was fetched and a hash of its content."""

    frame: pl.DataFrame
    fetched_at: datetime
    content_hash: str

    def age(self, now: datetime | None = None) -> timedelta:
        return (now or utcnow()) - self.fetched_at


class Snapshots:
    """Repository for `snapshots`."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def put(self, connection_id: str, kind: str, frame: pl.DataFrame) -> Snapshot:
        buffer = io.BytesIO()
        frame.write_parquet(buffer)
        payload = buffer.getvalue()
        digest = hashlib.sha256(payload).hexdigest()[:16]
        now = utcnow()
        with self.engine.begin() as conn:
            upsert(
                conn,
                snapshots,
                {
                    "connection_id": connection_id,
                    "kind": kind,
                    "fetched_at": now,
                    "row_count": frame.height,
                    "content_hash": digest,
                    "payload": payload,
                },
                update_columns=("fetched_at", "row_count", "content_hash", "payload"),
            )
        return Snapshot(frame, now, digest)

    def get(self, connection_id: str, kind: str) -> Snapshot | None:
        query = select(snapshots).where(snapshots.c.connection_id == connection_id, snapshots.c.kind == kind)
        with self.engine.connect() as conn:
            row = conn.execute(query).mappings().first()
        if row is None:
            return None
        frame = pl.read_parquet(io.BytesIO(bytes(row["payload"])))
        return Snapshot(frame, _aware(row["fetched_at"]), row["content_hash"])

    def fetched_at(self, connection_id: str, kind: str) -> datetime | None:
        query = select(snapshots.c.fetched_at).where(
            snapshots.c.connection_id == connection_id, snapshots.c.kind == kind
        )
        with self.engine.connect() as conn:
            value = conn.execute(query).scalar_one_or_none()
        return _aware(value) if value else None
