"""What every operator command opens: the store, the connections file and (when needed) vendor clients."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from connector_assets.operations.errors import AmbiguousConnection, UnknownRecord
from connector_assets.settings import Connection, ConnectionsFile, load_connections
from connector_assets.store import create_store_engine, upgrade
from connector_assets.store.crypto import SecretCipher
from connector_assets.store.engine import default_database_url
from connector_assets.store.ratelimit import RollingWindowLimiter
from connector_assets.store.repositories import Repositories
from connector_assets.store.vault import TokenVault
from connector_assets.subjects import entity_label

if TYPE_CHECKING:  # the vendor clients load only for the commands that call a vendor
    from connector_assets.cloudsuite.erp import Erp
    from connector_assets.gusto.client import GustoClient


@dataclass
class OperatorContext(Repositories):
    """The store and connections one command works with; vendor clients are opened only on demand."""

    database_url: str
    connections_path: Path | None = None

    @classmethod
    def from_env(cls, connections_path: Path | None = None) -> OperatorContext:
        """`CONNECTOR_DATABASE_URL` (or the default store) and `CONNECTOR_CONNECTIONS` (or the path given)."""
        return cls(default_database_url(), connections_path)

    @cached_property
    def engine(self) -> Engine:
        return upgrade(create_store_engine(self.database_url))

    @cached_property
    def connections(self) -> ConnectionsFile:
        return load_connections(self.connections_path)

    def connection(self, connection_id: str) -> Connection:
        return self.connections.get(connection_id)

    def vault(self) -> TokenVault:
        """The token vault (needs `CONNECTOR_ENCRYPTION_KEY`)."""
        return TokenVault(self.engine, SecretCipher.from_env())

    def gusto(self, connection: Connection) -> GustoClient:
        from connector_assets.gusto.client import GustoClient

        return GustoClient(connection.gusto, connection.id, self.vault(), RollingWindowLimiter(self.engine))

    def erp(self, connection: Connection) -> Erp:
        from connector_assets.cloudsuite.erp import erp_for

        return erp_for(connection, self.vault())

    def connection_of(self, entity_type: str, entity_id: str, explicit: str | None = None) -> str:
        """The connection a payroll or employee belongs to, from its audit trail (or `explicit`)."""
        if explicit:
            self.connection(explicit)  # an unknown id fails here with the known ones listed
            return explicit
        found = sorted({e.connection_id for e in self.audit.history(entity_type, entity_id)})
        if len(found) == 1:
            return found[0]
        if found:
            raise AmbiguousConnection(
                f"{entity_label(entity_type, entity_id)} appears under connections {', '.join(found)}; pass --connection ID"
            )
        known = list(self.connections.by_id)
        if len(known) == 1:
            return known[0]
        raise UnknownRecord(
            f"no audit entry mentions {entity_label(entity_type, entity_id)}; check the uuid or date, or pass "
            "--connection ID"
        )
