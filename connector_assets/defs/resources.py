"""Dagster resources wrapping the store, the connections file and the two vendors' clients."""

from __future__ import annotations

from functools import cached_property

import dagster as dg
from sqlalchemy import Engine

from connector_assets.settings import Connection, ConnectionsFile, load_connections
from connector_assets.store import create_store_engine, upgrade
from connector_assets.store.audit import AuditLog
from connector_assets.store.crypto import SecretCipher
from connector_assets.store.inbox import Inbox
from connector_assets.store.postings import Postings
from connector_assets.store.state import SyncState
from connector_assets.store.vault import TokenVault


class StoreResource(dg.ConfigurableResource):
    """The connector's store: tokens (encrypted), webhook inbox, audit log, postings ledger."""

    database_url: str | None = None
    encryption_key: str

    @cached_property
    def engine(self) -> Engine:
        return upgrade(create_store_engine(self.database_url))

    @cached_property
    def cipher(self) -> SecretCipher:
        return SecretCipher([k for k in self.encryption_key.split(",") if k.strip()])

    @property
    def vault(self) -> TokenVault:
        return TokenVault(self.engine, self.cipher)

    @property
    def inbox(self) -> Inbox:
        return Inbox(self.engine)

    @property
    def audit(self) -> AuditLog:
        return AuditLog(self.engine)

    @property
    def postings(self) -> Postings:
        return Postings(self.engine)

    @property
    def state(self) -> SyncState:
        return SyncState(self.engine)


class ConnectionsResource(dg.ConfigurableResource):
    """The connections file (`connections.yaml`): which Gusto company posts to which CloudSuite tenant."""

    path: str

    @cached_property
    def file(self) -> ConnectionsFile:
        return load_connections(self.path)

    def get(self, connection_id: str) -> Connection:
        return self.file.get(connection_id)
