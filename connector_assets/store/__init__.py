"""The connector's own store: token vault, webhook inbox, audit log, postings ledger (SQLite or PostgreSQL).

The names below load on first use, so `connector_assets.store.crypto` (say) does not pull in SQLAlchemy
and Alembic: the CLI stays fast for commands that never open the store.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from connector_assets.store.engine import StoreUnavailable, create_store_engine, default_database_url
    from connector_assets.store.migrate import upgrade

__all__ = ["StoreUnavailable", "create_store_engine", "default_database_url", "upgrade"]
_HOMES = {
    "StoreUnavailable": "connector_assets.store.engine",
    "create_store_engine": "connector_assets.store.engine",
    "default_database_url": "connector_assets.store.engine",
    "upgrade": "connector_assets.store.migrate",
}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
