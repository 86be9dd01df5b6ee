"""The connector's own store: token vault, webhook inbox, audit log, postings ledger (SQLite or PostgreSQL)."""

from connector_assets.store.engine import StoreUnavailable, create_store_engine, default_database_url
from connector_assets.store.migrate import upgrade

__all__ = ["StoreUnavailable", "create_store_engine", "default_database_url", "upgrade"]
