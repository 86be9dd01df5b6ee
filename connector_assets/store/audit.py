"""The audit log: append only; what was read, mapped, held, posted, replayed, reversed, synced — and by which run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, insert, select

from connector_assets.store.tables import audit_log
from connector_assets.store.vault import utcnow


@dataclass(frozen=True)
class AuditEntry:
    """One line of a record's history."""

    id: int
    at: datetime
    connection_id: str
    entity_type: str
    entity_id: str
    action: str
    detail: dict[str, Any]
    run_id: str | None
    asset_key: str | None


class AuditLog:
    """Repository for `audit_log`; there is deliberately no update or delete."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def append(
        self,
        *,
        connection_id: str,
        entity_type: str,
        entity_id: str,
        action: str,
        detail: dict[str, Any] | None = None,
        run_id: str | None = None,
        asset_key: str | None = None,
    ) -> int:
        with self.engine.begin() as conn:
            result = conn.execute(
                insert(audit_log)
                .values(
                    at=utcnow(),
                    connection_id=connection_id,
                    entity_type=entity_type,
                    entity_id=entity_id,
                    action=action,
                    detail=detail or {},
                    run_id=run_id,
                    asset_key=asset_key,
                )
                .returning(audit_log.c.id)
            )
            return int(result.scalar_one())

    def append_many(self, entries: list[dict[str, Any]]) -> int:
        """Append several entries (keyword sets of `append`) in one transaction; how many were written."""
        if not entries:
            return 0
        at = utcnow()
        rows = [
            {"at": at, "run_id": None, "asset_key": None, **e, "detail": e.get("detail") or {}} for e in entries
        ]
        with self.engine.begin() as conn:
            conn.execute(insert(audit_log), rows)
        return len(rows)

    def history(self, entity_type: str, entity_id: str) -> list[AuditEntry]:
        """Every entry for one record, in the order it happened."""
        query = (
            select(audit_log)
            .where(audit_log.c.entity_type == entity_type, audit_log.c.entity_id == entity_id)
            .order_by(audit_log.c.id)
        )
        return self._fetch(query)

    def between(self, connection_id: str, start: datetime, end: datetime) -> list[AuditEntry]:
        """A connection's entries in [start, end), for exports to auditors."""
        query = (
            select(audit_log)
            .where(audit_log.c.connection_id == connection_id, audit_log.c.at >= start, audit_log.c.at < end)
            .order_by(audit_log.c.id)
        )
        return self._fetch(query)

    def _fetch(self, query: Any) -> list[AuditEntry]:
        with self.engine.connect() as conn:
            return [AuditEntry(**row) for row in conn.execute(query).mappings()]
