"""One poster per payroll: a lock held across "look the reference up in CloudSuite" and "post".

PostgreSQL: a session-level advisory lock on a dedicated autocommit connection, so no transaction stays open
across the ERP call and a killed process releases it with its connection. SQLite: a lease row claimed in one
short transaction and deleted on release; a lease left by a killed process expires after `lease_s`.
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import Engine, delete, insert, text
from sqlalchemy.exc import IntegrityError

from connector_assets.store.engine import is_postgres
from connector_assets.store.tables import posting_locks
from connector_assets.store.vault import utcnow

DEFAULT_WAIT_S = 600.0
DEFAULT_LEASE_S = 900.0
POLL_S = 0.2


class PostingLocked(RuntimeError):
    """Another process kept the payroll's posting lock longer than this one may wait."""


def advisory_key(name: str) -> int:
    """A stable signed 64-bit key for `pg_advisory_lock` from a lock name."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


class PostingLocks:
    """Named exclusive locks over the store's database."""

    def __init__(
        self, engine: Engine, *, wait_s: float = DEFAULT_WAIT_S, lease_s: float = DEFAULT_LEASE_S
    ) -> None:
        self.engine = engine
        self.wait_s = wait_s
        self.lease_s = lease_s

    @contextmanager
    def hold(self, name: str) -> Iterator[None]:
        """Hold the lock `name` for the block; waits up to `wait_s`, then raises `PostingLocked`."""
        if is_postgres(self.engine):
            with self._advisory(name):
                yield
        else:
            with self._lease(name):
                yield

    @contextmanager
    def _advisory(self, name: str) -> Iterator[None]:
        key = advisory_key(name)
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("SET lock_timeout = :ms"), {"ms": f"{int(self.wait_s * 1000)}ms"})
            try:
                conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": key})
            except Exception as exc:  # lock_timeout raises LockNotAvailable through SQLAlchemy
                raise PostingLocked(self._busy(name)) from exc
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})

    @contextmanager
    def _lease(self, name: str) -> Iterator[None]:
        holder = uuid.uuid4().hex
        deadline = utcnow() + timedelta(seconds=self.wait_s)
        waiter = threading.Event()  # never set: its timed wait is the pause between attempts
        while not self._claim(name, holder):
            if utcnow() >= deadline:
                raise PostingLocked(self._busy(name))
            waiter.wait(POLL_S)
        try:
            yield
        finally:
            with self.engine.begin() as conn:
                conn.execute(delete(posting_locks).where(posting_locks.c.lock_key == name,
                                                         posting_locks.c.holder == holder))  # fmt: skip

    def _claim(self, name: str, holder: str) -> bool:
        now = utcnow()
        try:
            with self.engine.begin() as conn:
                conn.execute(delete(posting_locks).where(posting_locks.c.lock_key == name,
                                                         posting_locks.c.expires_at < now))  # fmt: skip
                conn.execute(insert(posting_locks).values(
                    lock_key=name, holder=holder, expires_at=now + timedelta(seconds=self.lease_s)))  # fmt: skip
        except IntegrityError:
            return False
        return True

    def _busy(self, name: str) -> str:
        return (
            f"posting lock {name!r} is held by another run for more than {self.wait_s:.0f} s; wait for that run "
            "to finish (or fail) and replay this payroll"
        )
