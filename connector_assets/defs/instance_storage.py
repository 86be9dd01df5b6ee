"""Dagster's PostgreSQL storage keeping one open connection per storage in each process.

dagster-postgres connects anew for every statement outside the webserver (no pool), and a payroll run
stores some fifty events (each a connect, then its statements): the connects were a third of a run's time.
Here the run, event-log and schedule storages each keep one connection, as the webserver's do, and check it
before use so a connection the server dropped (a restart) is replaced rather than failing a run. Named in
`dagster.yaml` (`storage: custom:`), so the daemon, the webserver and every run worker use it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dagster._serdes import ConfigurableClassData
from dagster_postgres import DagsterPostgresStorage
from dagster_postgres.utils import create_pg_engine, get_token_provider_from_config, pg_url_from_config

POOL_RECYCLE_S = 3600
# Threads beyond the one kept connection (sensor and schedule workers) get short-lived extra connections.
MAX_OVERFLOW = 8


class PooledPostgresStorage(DagsterPostgresStorage):
    """`DagsterPostgresStorage` (same configuration) whose storages reuse one pre-pinged connection each."""

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
                pool_recycle=POOL_RECYCLE_S, pool_pre_ping=True,
                **({"connect_args": {"options": options}} if options else {}),
            )  # fmt: skip
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
