"""Alembic environment: runs migrations on the engine handed over by `store.migrate`."""

from alembic import context
from sqlalchemy import text

from connector_assets.store.tables import metadata

MIGRATION_LOCK = 7_270_315  # any constant shared by every process migrating this database

engine = context.config.attributes["engine"]
# An explicit transaction (a writer: BEGIN IMMEDIATE on SQLite), so migrators starting together queue.
with engine.begin() as connection:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK})
        context.run_migrations()
