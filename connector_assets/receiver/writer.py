"""Group commit into the inbox: events waiting at the same moment share one transaction (one fsync).

A commit costs a disk flush (about 3 ms for SQLite here), so one transaction per event caps a single
writer near 300 events/s. One writer thread takes every event queued so far, inserts them in one
transaction and only then resolves each caller's future: an acknowledgement still means "durably in
the inbox". If a batch fails, its events are retried one by one so a bad event fails alone; if the store
itself is locked or down, the whole batch fails at once (each retry would wait as long again).
"""

from __future__ import annotations

import queue
import threading
from concurrent.futures import Future
from dataclasses import dataclass

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from connector_assets.receiver.payload import Event
from connector_assets.store.inbox import NewEvent, insert_events

MAX_BATCH = 256
# An idle writer thread ends; the next event starts a new one (apps built in tests leave no threads behind).
IDLE_EXIT_S = 2.0


@dataclass(frozen=True)
class _Pending:
    connection_id: str
    event: Event
    future: Future[int | None]


class InboxWriter:
    """Stores events in `webhook_inbox` with group commit; `submit` returns the inbox id (None: duplicate)."""

    def __init__(self, engine: Engine, *, max_batch: int = MAX_BATCH, idle_exit_s: float = IDLE_EXIT_S) -> None:
        self.engine = engine
        self._max_batch, self._idle_exit_s = max_batch, idle_exit_s
        self._queue: queue.SimpleQueue[_Pending] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def submit(self, connection_id: str, event: Event) -> Future[int | None]:
        """Queue one event; the future resolves after its transaction committed (or fails with the store error)."""
        future: Future[int | None] = Future()
        self._queue.put(_Pending(connection_id, event, future))
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="inbox-writer", daemon=True)
                self._thread.start()
        return future

    def _run(self) -> None:
        while True:
            try:
                first = self._queue.get(timeout=self._idle_exit_s)
            except queue.Empty:
                with self._lock:
                    # An event queued after the timeout but before this check still needs a writer.
                    if self._queue.empty():
                        self._thread = None
                        return
                continue
            taken = [first]
            while len(taken) < self._max_batch:
                try:
                    taken.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            # A running future can no longer be cancelled, so resolving it below cannot fail.
            batch = [p for p in taken if p.future.set_running_or_notify_cancel()]
            if batch:
                self._write(batch)

    def _write(self, batch: list[_Pending]) -> None:
        try:
            with self.engine.begin() as conn:
                ids = self._insert(conn, batch)
        except (OperationalError, PoolTimeout) as exc:
            # The store is locked or down: every event would wait as long again, so all fail now (503).
            for pending in batch:
                pending.future.set_exception(exc)
            return
        except Exception as exc:
            if len(batch) == 1:
                batch[0].future.set_exception(exc)
                return
            for pending in batch:
                self._write([pending])
            return
        for pending, inbox_id in zip(batch, ids, strict=True):
            pending.future.set_result(inbox_id)

    @staticmethod
    def _insert(conn: Connection, batch: list[_Pending]) -> list[int | None]:
        """One multi-row INSERT ... ON CONFLICT DO NOTHING; the first delivery of a new uuid gets its id."""
        events = [
            NewEvent(p.connection_id, p.event.uuid, p.event.event_type, p.event.body,
                     p.event.entity_type, p.event.entity_uuid)
            for p in batch
        ]  # fmt: skip
        return insert_events(conn, events)
