"""A store resource over a migrated store and an ephemeral Dagster instance, for sensor tests."""

from __future__ import annotations

import dagster as dg
import pytest
from sqlalchemy import Engine

from connector_assets.defs.resources import StoreResource
from connector_assets_tests.defs.inbox_events import store_for


@pytest.fixture
def store(sqlite_store: Engine) -> StoreResource:
    """The store on SQLite (sensor behaviour does not depend on the backend, except where a test says so)."""
    return store_for(sqlite_store)


@pytest.fixture
def instance() -> dg.DagsterInstance:
    """An in-memory Dagster instance."""
    return dg.DagsterInstance.ephemeral()
