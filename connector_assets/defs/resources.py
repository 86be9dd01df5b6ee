"""Dagster resources wrapping the store, the connections file and the two vendors' clients."""

from __future__ import annotations

import os
import threading
from functools import cached_property

import dagster as dg
from sqlalchemy import Engine

from connector_assets.cloudsuite.erp import Erp, erp_for
from connector_assets.gusto.client import GustoClient
from connector_assets.settings import Connection, ConnectionsFile, load_connections
from connector_assets.store import create_store_engine, upgrade
from connector_assets.store.crypto import SecretCipher
from connector_assets.store.ratelimit import RollingWindowLimiter
from connector_assets.store.repositories import Repositories
from connector_assets.store.vault import TokenVault

_ENGINES: dict[str, Engine] = {}
_ENGINES_LOCK = threading.Lock()


def shared_engine(database_url: str | None) -> Engine:
    """One migrated, pooled engine per store URL and process: a run no longer opens (and migrates) its own.

    A URL left to the environment (``None``) is not shared, and a forked child starts with no engines
    (pooled connections must not cross a fork).
    """
    if database_url is None:
        return upgrade(create_store_engine(database_url))
    with _ENGINES_LOCK:
        engine = _ENGINES.get(database_url)
        if engine is None:
            engine = _ENGINES[database_url] = upgrade(create_store_engine(database_url))
        return engine


os.register_at_fork(after_in_child=_ENGINES.clear)


class StoreResource(dg.ConfigurableResource, Repositories):
    """The connector's store: tokens (encrypted), webhook inbox, audit log, postings ledger."""

    database_url: str | None = None
    encryption_key: str

    @cached_property
    def engine(self) -> Engine:
        return shared_engine(self.database_url)

    @cached_property
    def cipher(self) -> SecretCipher:
        return SecretCipher([k for k in self.encryption_key.split(",") if k.strip()])

    @property
    def vault(self) -> TokenVault:
        return TokenVault(self.engine, self.cipher)


class ConnectionsResource(dg.ConfigurableResource):
    """The connections file (`connections.yaml`): which Gusto company posts to which CloudSuite tenant."""

    path: str

    @cached_property
    def file(self) -> ConnectionsFile:
        return load_connections(self.path)

    def get(self, connection_id: str) -> Connection:
        return self.file.get(connection_id)


class GustoResource(dg.ConfigurableResource):
    """Gusto API clients per connection, sharing the vault and the cross-process rate limiter."""

    store: StoreResource
    connections: ConnectionsResource
    rate_limit_per_minute: int = 200

    def client(self, connection_id: str) -> GustoClient:
        connection = self.connections.get(connection_id)
        limiter = RollingWindowLimiter(self.store.engine, limit=self.rate_limit_per_minute, window_s=60)
        return GustoClient(connection.gusto, connection.id, self.store.vault, limiter)


class CloudSuiteResource(dg.ConfigurableResource):
    """ERP adapters (M3 or SyteLine through the ION API Gateway) per connection."""

    store: StoreResource
    connections: ConnectionsResource

    def erp(self, connection_id: str) -> Erp:
        return erp_for(self.connections.get(connection_id), self.store.vault)
