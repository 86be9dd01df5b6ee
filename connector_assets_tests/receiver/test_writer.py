"""Group commit: an event is acknowledged only after its transaction commits, and a bad event fails alone."""

from __future__ import annotations

from sqlalchemy import Engine, text

from connector_assets.receiver.payload import Event
from connector_assets.receiver.writer import InboxWriter
from connector_assets.store.inbox import Inbox


def event(uuid: str, body: str = "{}") -> Event:
    return Event(uuid=uuid, event_type="payroll.processed", entity_type="Payroll", entity_uuid="p-1", body=body)


def test_nothing_is_acknowledged_before_commit(sqlite_store: Engine) -> None:
    """While another writer holds the store, queued events stay unresolved; then each resolves once stored."""
    writer = InboxWriter(sqlite_store)
    with sqlite_store.begin() as blocker:
        blocker.execute(text("SELECT 1"))
        futures = [writer.submit("acme", event(f"held-{i}")) for i in range(5)]
        assert not any(f.done() for f in futures)
    ids = [f.result(timeout=30) for f in futures]
    assert all(isinstance(i, int) for i in ids)
    assert len(set(ids)) == 5
    assert Inbox(sqlite_store).count() == 5


def test_bad_event_fails_alone(sqlite_store: Engine) -> None:
    """An event the database cannot take fails its own future; the events batched with it are stored."""
    writer = InboxWriter(sqlite_store)
    with sqlite_store.begin() as blocker:
        blocker.execute(text("SELECT 1"))
        good_before = writer.submit("acme", event("good-1"))
        poisoned = writer.submit("acme", event("poisoned", body="\ud800"))
        good_after = writer.submit("acme", event("good-2"))
    assert good_before.result(timeout=30) is not None
    assert good_after.result(timeout=30) is not None
    assert isinstance(poisoned.exception(timeout=30), UnicodeEncodeError)
    inbox = Inbox(sqlite_store)
    assert (inbox.has("good-1"), inbox.has("good-2"), inbox.has("poisoned")) == (True, True, False)


def test_duplicates_in_one_batch_store_one_row(store_engine: Engine) -> None:
    """Two deliveries of one event in the same batch: the first gets the row, the second is a duplicate."""
    writer = InboxWriter(store_engine)
    first, second = writer.submit("acme", event("twice")), writer.submit("acme", event("twice"))
    assert first.result(timeout=30) is not None
    assert second.result(timeout=30) is None
    assert Inbox(store_engine).count() == 1
