"""Dagster's PostgreSQL storage keeping one open connection per storage in each process.

dagster-postgres connects anew for every statement outside the webserver (no pool), and a payroll run
stores some fifty events (each a connect, then its statements): the connects were a third of a run's time.
Here the run, event-log and schedule storages each keep one connection, as the webserver's do. A connection
idle for a while is checked before use, so one the server dropped (a restart) is replaced rather than failing
a run; the events of a run follow each other closely and skip the check (a check per use cost as much as the
connects saved). Named in `dagster.yaml` (`storage: custom:`): the daemon, webserver and run workers use it.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from dagster._serdes import ConfigurableClassData
from dagster_postgres import DagsterPostgresStorage
from dagster_postgres.utils import create_pg_engine, get_token_provider_from_config, pg_url_from_config
from sqlalchemy import Engine, event, exc

POOL_RECYCLE_S = 3600
# Threads beyond the one kept connection (sensor and schedule workers) get short-lived extra connections.
MAX_OVERFLOW = 8
# Shorter than a server restart: a connection kept across one is always checked before it is used again.
IDLE_CHECK_S = 0.5


def _check_when_idle(engine: Engine) -> None:
    """Ping a pooled connection on checkout only when it sat idle; a dead one is replaced by the pool."""

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi: Any, record: Any) -> None:
        record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _taken(dbapi: Any, record: Any, _proxy: Any) -> None:
        if time.monotonic() - record.info.get("returned_at", time.monotonic()) < IDLE_CHECK_S:
            return
        try:
            with dbapi.cursor() as cursor:
                cursor.execute("SELECT 1")
        except Exception as error:  # the pool retries the checkout with a new connection
            raise exc.DisconnectionError() from error


class PooledPostgresStorage(DagsterPostgresStorage):
    """`DagsterPostgresStorage` (same configuration) whose storages reuse one connection each."""

    def __init__(
        self,
        postgres_url: str,
        should_autocreate_tables: bool = True,
        inst_data: ConfigurableClassData | None = None,
        token_provider: Any = None,
    ) -> None:
        super().__init__(postgres_url, should_autocreate_tables, inst_data, token_provider)
        for storage in (self._run_storage, self._event_log_storage, self._schedule_storage):
            old = storage._engine
            options = old.url.query.get("options")
            storage._engine = create_pg_engine(
                postgres_url, token_provider, isolation_level="AUTOCOMMIT", pool_size=1, max_overflow=MAX_OVERFLOW,
                pool_recycle=POOL_RECYCLE_S, **({"connect_args": {"options": options}} if options else {}),
            )  # fmt: skip
            _check_when_idle(storage._engine)
            old.dispose()

    @classmethod
    def from_config_value(  # type: ignore[override]
        cls, inst_data: ConfigurableClassData | None, config_value: Mapping[str, Any]
    ) -> PooledPostgresStorage:
        return cls(
            inst_data=inst_data,
            postgres_url=pg_url_from_config(config_value),
            should_autocreate_tables=config_value.get("should_autocreate_tables", True),
            token_provider=get_token_provider_from_config(config_value),
        )
