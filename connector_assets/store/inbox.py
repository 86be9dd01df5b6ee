"""The webhook inbox: every Gusto event (pushed or polled) lands here once, then the sensor turns it into runs."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from connector_assets.store.tables import webhook_inbox
from connector_assets.store.vault import utcnow

PENDING, DISPATCHED, IGNORED = "pending", "dispatched", "ignored"


@dataclass(frozen=True)
class InboxEvent:
    """One stored event."""

    id: int
    event_uuid: str
    connection_id: str
    event_type: str
    entity_type: str | None
    entity_uuid: str | None
    source: str
    body: str
    received_at: datetime
    state: str
    run_id: str | None
    processed_at: datetime | None = None


@dataclass(frozen=True)
class NewEvent:
    """An event about to be stored."""

    connection_id: str
    event_uuid: str
    event_type: str
    body: str
    entity_type: str | None = None
    entity_uuid: str | None = None
    source: str = "webhook"


def insert_events(conn: Connection, events: list[NewEvent]) -> list[int | None]:
    """Insert events in one statement inside the caller's transaction, dropping event uuids already stored.

    Returns, per event, its new inbox id or None for a duplicate (of a stored event or of an earlier one in
    the same batch). With RETURNING, SQLAlchemy sends multi-row INSERTs: few round trips under load.
    """
    received_at = utcnow()
    rows = [{**asdict(e), "received_at": received_at, "state": PENDING} for e in events]
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = (
        dialect.insert(webhook_inbox)
        .on_conflict_do_nothing()
        .returning(webhook_inbox.c.id, webhook_inbox.c.event_uuid)
    )
    inserted = {uuid: int(inbox_id) for inbox_id, uuid in conn.execute(stmt, rows).all()}
    return [inserted.pop(e.event_uuid, None) for e in events]


class Inbox:
    """Repository for `webhook_inbox`."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(
        self,
        *,
        connection_id: str,
        event_uuid: str,
        event_type: str,
        body: str,
        entity_type: str | None = None,
        entity_uuid: str | None = None,
        source: str = "webhook",
    ) -> int | None:
        """Store an event durably; returns its inbox id, or None when the event uuid was already there."""
        event = NewEvent(connection_id, event_uuid, event_type, body, entity_type, entity_uuid, source)
        with self.engine.begin() as conn:
            return insert_events(conn, [event])[0]

    def after(self, last_id: int, limit: int) -> list[InboxEvent]:
        """Events with an id above `last_id`, oldest first (the sensor's cursor walk)."""
        query = select(webhook_inbox).where(webhook_inbox.c.id > last_id).order_by(webhook_inbox.c.id).limit(limit)
        with self.engine.connect() as conn:
            return [InboxEvent(**row) for row in conn.execute(query).mappings()]

    def mark(self, ids: list[int], state: str, run_id: str | None = None) -> None:
        """Record what became of events (dispatched with the run they started, or ignored)."""
        if not ids:
            return
        with self.engine.begin() as conn:
            conn.execute(
                update(webhook_inbox)
                .where(webhook_inbox.c.id.in_(ids))
                .values(state=state, run_id=run_id, processed_at=utcnow())
            )

    def dispatched_under(self, connection_id: str, run_key: str) -> list[InboxEvent]:
        """The connection's events the sensor dispatched under one run key (what started that run)."""
        query = (
            select(webhook_inbox)
            .where(webhook_inbox.c.run_id == run_key, webhook_inbox.c.connection_id == connection_id)
            .order_by(webhook_inbox.c.id)
        )
        with self.engine.connect() as conn:
            return [InboxEvent(**row) for row in conn.execute(query).mappings()]

    def has(self, event_uuid: str) -> bool:
        with self.engine.connect() as conn:
            found = conn.execute(select(webhook_inbox.c.id).where(webhook_inbox.c.event_uuid == event_uuid))
            return found.first() is not None

    def backlog(self, connection_id: str | None = None) -> int:
        """Events not yet turned into runs."""
        query = select(func.count()).select_from(webhook_inbox).where(webhook_inbox.c.state == PENDING)
        if connection_id:
            query = query.where(webhook_inbox.c.connection_id == connection_id)
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar_one())

    def count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(webhook_inbox)).scalar_one())
