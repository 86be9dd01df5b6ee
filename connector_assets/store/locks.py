"""One poster per payroll: a lock held across "look the reference up in CloudSuite" and "post".

PostgreSQL: a session-level advisory lock on a dedicated autocommit connection, so no transaction stays open
across the ERP call. SQLite: an exclusive `flock` on a file beside the database (SQLite is single-host, so every
poster sees the same file). Both are released by the server or the kernel when the holder dies, so a run
killed mid-posting never blocks the replay that settles it.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from connector_assets.store.engine import is_postgres

DEFAULT_WAIT_S = 600.0
POLL_S = 0.1
_MEMORY_LOCKS: dict[str, threading.Lock] = {}  # an in-memory SQLite store lives in one process


class PostingLocked(RuntimeError):
    """Another process kept the payroll's posting lock longer than this one may wait."""


def advisory_key(name: str) -> int:
    """A stable signed 64-bit key for `pg_advisory_lock` from a lock name."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


class PostingLocks:
    """Named exclusive locks over the store's database."""

    def __init__(self, engine: Engine, *, wait_s: float = DEFAULT_WAIT_S) -> None:
        self.engine = engine
        self.wait_s = wait_s

    @contextmanager
    def hold(self, name: str) -> Iterator[None]:
        """Hold the lock `name` for the block; waits up to `wait_s`, then raises `PostingLocked`."""
        if is_postgres(self.engine):
            with self._advisory(name):
                yield
            return
        database = self.engine.url.database
        if not database or database == ":memory:":
            lock = _MEMORY_LOCKS.setdefault(name, threading.Lock())
            if not lock.acquire(timeout=self.wait_s):
                raise PostingLocked(self._busy(name))
            try:
                yield
            finally:
                lock.release()
            return
        with self._file_lock(Path(database), name):
            yield

    @contextmanager
    def _advisory(self, name: str) -> Iterator[None]:
        key = advisory_key(name)
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f"SET lock_timeout = {int(self.wait_s * 1000)}"))
            try:
                conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": key})
            except OperationalError as exc:  # lock_timeout expired
                raise PostingLocked(self._busy(name)) from exc
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})

    @contextmanager
    def _file_lock(self, database: Path, name: str) -> Iterator[None]:
        folder = database.parent / f"{database.name}.locks"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{hashlib.sha256(name.encode()).hexdigest()[:32]}.lock"
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            waiter, waited = threading.Event(), 0.0  # the event is never set: its timed wait paces the retries
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if waited >= self.wait_s:
                        raise PostingLocked(self._busy(name)) from None
                    waiter.wait(POLL_S)
                    waited += POLL_S
            yield
        finally:
            os.close(fd)  # closing the descriptor releases the lock

    def _busy(self, name: str) -> str:
        return (
            f"posting lock {name!r} is held by another run for more than {self.wait_s:.0f} s; wait for that run "
            "to finish (or fail) and replay this payroll"
        )
