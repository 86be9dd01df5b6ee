"""Create or upgrade the store's schema with Alembic, programmatically (no alembic.ini needed)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, inspect
from sqlalchemy.exc import IntegrityError, OperationalError

from connector_assets.store.engine import create_store_engine

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(engine: Engine) -> Config:
    """An Alembic config bound to `engine` (used by `upgrade` and by migration tests)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine | None = None, revision: str = "head") -> Engine:
    """Bring the store's schema to `revision` (idempotent); returns the engine.

    Several run processes may start on a fresh store at once. PostgreSQL serializes them with an advisory
    lock (see `migrations/env.py`); on SQLite the loser of the race rolls back and finds the schema current.
    """
    engine = engine or create_store_engine()
    for attempt in range(3):
        try:
            command.upgrade(alembic_config(engine), revision)
            return engine
        except (IntegrityError, OperationalError):
            if attempt == 2:
                raise
    return engine


def current_tables(engine: Engine) -> set[str]:
    """Names of the tables that exist now (for health checks and tests)."""
    return set(inspect(engine).get_table_names())
