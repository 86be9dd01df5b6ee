"""One place that opens every repository over an engine (used by the Dagster resource and operator commands)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from sqlalchemy import Engine

from connector_assets.store.assignments import Assignments
from connector_assets.store.audit import AuditLog
from connector_assets.store.inbox import Inbox
from connector_assets.store.postings import Postings
from connector_assets.store.state import SyncState

if TYPE_CHECKING:
    from connector_assets.store.snapshots import Snapshots  # polars: loaded only by commands that use it


class _HasEngine(Protocol):
    @property
    def engine(self) -> Engine: ...


class Repositories:
    """Mixin: the store's repositories over `self.engine`."""

    @property
    def inbox(self: _HasEngine) -> Inbox:
        return Inbox(self.engine)

    @property
    def audit(self: _HasEngine) -> AuditLog:
        return AuditLog(self.engine)

    @property
    def postings(self: _HasEngine) -> Postings:
        return Postings(self.engine)

    @property
    def state(self: _HasEngine) -> SyncState:
        return SyncState(self.engine)

    @property
    def snapshots(self: _HasEngine) -> Snapshots:
        from connector_assets.store.snapshots import Snapshots

        return Snapshots(self.engine)

    @property
    def assignments(self: _HasEngine) -> Assignments:
        return Assignments(self.engine)
