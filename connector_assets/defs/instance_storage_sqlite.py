"""Dagster's SQLite storage (the dev and demo instance) keeping its connections open in each process.

Dagster's SQLite storages build a new engine and connection for every statement group, and a payroll run
writes some fifty events, each to its run's file and most also to the index file: about 300 connects per run,
a third of its Dagster overhead. Here each database file keeps one engine with pooled connections: the
runs, schedules and index files, and the few most recently used per-run event files. The files, their tables
and their layout under `base_dir` are Dagster's own (`storage: sqlite:`), so a home made with either class
opens with the other.

The per-run files are in WAL mode (Dagster sets it when it creates them); these connections also commit with
`synchronous=NORMAL`, which in WAL mode keeps the files consistent after a crash and may lose only the last
events before a power loss. That is the trade the dev instance takes; production uses PostgreSQL
(`dagster.yaml`).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from dagster import __version__ as dagster_version
from dagster._core.storage.base_storage import DagsterStorage
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from dagster._core.storage.runs.sqlite.sqlite_run_storage import SqliteRunStorage
from dagster._core.storage.schedules.sqlite.sqlite_schedule_storage import SqliteScheduleStorage
from dagster._core.storage.sqlite_storage import DagsterSqliteStorage
from dagster._serdes import ConfigurableClassData
from sqlalchemy import Connection, Engine, create_engine, event

# Dagster's own busy timeout for its SQLite files (seconds): a writer waits this long for another process's lock.
BUSY_TIMEOUT_S = 30
# Per-run event files kept open: a run writes to its own and the index; the webserver reads a few at a time.
OPEN_RUN_FILES = 8


def _engine(conn_string: str) -> Engine:
    """A pooled engine on one SQLite file (SQLAlchemy pools file databases with connections shareable by threads)."""
    engine = create_engine(conn_string, connect_args={"timeout": BUSY_TIMEOUT_S}, pool_size=2, max_overflow=8)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi: Any, _record: Any) -> None:
        cursor = dbapi.cursor()
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return engine


@contextmanager
def _transaction(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn, conn.begin():
        yield conn


class _PooledEventLogStorage(SqliteEventLogStorage):
    """Run-sharded event log storage with one engine per open file (the index and recent run files)."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None) -> None:
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._engines_lock = threading.Lock()
        super().__init__(base_dir, inst_data)  # may already write the index file

    def _shard_engine(self, shard: str) -> Engine:
        with self._engines_lock:
            engine = self._engines.get(shard)
            if engine is not None:
                self._engines.move_to_end(shard)
                return engine
        # A file is opened outside the lock: opening logs (SQLAlchemy, alembic), and a thread that holds a lock
        # another thread's log handler waits for must not wait for logging's own lock.
        path = self.path_for_shard(shard)
        if shard != "index" and not os.path.exists(path) and self._copy_template(path):
            self._initialized_dbs.add(shard)
        engine = _engine(self.conn_string_for_shard(shard))
        if shard not in self._initialized_dbs:
            self._initdb(engine)
            self._initialized_dbs.add(shard)
        with self._engines_lock:
            kept = self._engines.setdefault(shard, engine)
            self._engines.move_to_end(shard)
            closing = [self._engines.pop(s) for s in self._least_recent(len(self._engines) - OPEN_RUN_FILES - 1)]
        for stale in ([engine] if kept is not engine else []) + closing:
            stale.dispose()  # a connection still in use is closed when it is returned
        return kept

    def _least_recent(self, count: int) -> list[str]:
        """The ``count`` run files used longest ago (the index stays open)."""
        return [s for s in self._engines if s != "index"][: max(count, 0)]

    def _copy_template(self, path: str) -> bool:
        """Create a new run's file as a copy of an empty one Dagster initialized (its tables and revision):
        creating the tables and stamping the revision takes ~90 ms per run, a copy ~1 ms. The template is
        made once per Dagster version. False when another process created the file meanwhile (it is left
        as it is, and checked as Dagster checks any file it did not create)."""
        template = os.path.join(self._base_dir, f".run-template-{dagster_version}.sqlite")
        if not os.path.exists(template):
            with tempfile.NamedTemporaryFile(dir=self._base_dir, suffix=".tmp", delete=False) as made:
                pass
            engine = _engine(f"sqlite:///{made.name}")
            self._initdb(engine)
            engine.dispose()  # the last connection to close folds the WAL into the file
            os.replace(made.name, template)
        with tempfile.NamedTemporaryFile(dir=self._base_dir, suffix=".tmp", delete=False) as copy:
            shutil.copyfile(template, copy.name)
        try:
            os.link(copy.name, path)  # fails if the run's file exists by now
            return True
        except FileExistsError:
            return False
        finally:
            os.unlink(copy.name)

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:  # type: ignore[override]
        # No lock across the transaction (Dagster's class holds one): each thread has a connection of its
        # own, and SQLite's file locks (with the busy timeout) order the writers of all processes.
        with _transaction(self._shard_engine(shard)) as conn:
            yield conn

    def _close_files(self) -> None:
        with self._engines_lock:
            for engine in self._engines.values():
                engine.dispose()
            self._engines.clear()

    def wipe(self) -> None:
        self._close_files()  # before Dagster unlinks the run files
        super().wipe()

    def dispose(self) -> None:
        self._close_files()
        super().dispose()


class _OneFile:
    """A storage of one SQLite file (Dagster's runs or schedules storage) connecting through one pooled engine."""

    _conn_string: str

    def __init__(self, conn_string: str, inst_data: ConfigurableClassData | None = None) -> None:
        super().__init__(conn_string, inst_data)  # type: ignore[call-arg]
        self._pooled = _engine(conn_string)

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        with _transaction(self._pooled) as conn:
            yield conn

    def dispose(self) -> None:
        self._pooled.dispose()
        super().dispose()  # type: ignore[misc]


class _PooledRunStorage(_OneFile, SqliteRunStorage):
    """The runs file."""


class _PooledScheduleStorage(_OneFile, SqliteScheduleStorage):
    """The schedules file."""


class PooledSqliteStorage(DagsterSqliteStorage):
    """`DagsterSqliteStorage` (same `base_dir` and files) whose storages keep their connections open."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None) -> None:
        # Dagster's layout under base_dir, as DagsterSqliteStorage lays it out.
        self.base_dir = base_dir
        self._run_storage = _PooledRunStorage.from_local(os.path.join(base_dir, "history", ""))
        self._event_log_storage = _PooledEventLogStorage(os.path.join(base_dir, "history", "runs", ""))
        self._schedule_storage = _PooledScheduleStorage.from_local(os.path.join(base_dir, "schedules"))
        self._inst_data = inst_data
        DagsterStorage.__init__(self)  # type: ignore[arg-type]

    @classmethod
    def from_config_value(  # type: ignore[override]
        cls, inst_data: ConfigurableClassData | None, config_value: Mapping[str, Any]
    ) -> PooledSqliteStorage:
        return cls.from_local(inst_data=inst_data, base_dir=config_value["base_dir"])
