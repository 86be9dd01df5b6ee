"""CloudSuite master data as frames, kept in the store so every run validates against the same snapshot."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import polars as pl

from connector_assets.cloudsuite.erp import Erp
from connector_assets.cloudsuite.types import CostCenter, GlAccount
from connector_assets.store.snapshots import Snapshot, Snapshots

ACCOUNTS, COST_CENTERS = "gl_accounts", "cost_centers"
_DATES = {"valid_from": pl.Date, "valid_to": pl.Date}
ACCOUNT_SCHEMA = {"account": pl.String, "name": pl.String, "blocked": pl.Boolean, **_DATES}
COST_CENTER_SCHEMA = {"cost_center": pl.String, "name": pl.String, "blocked": pl.Boolean, **_DATES}


def accounts_frame(accounts: list[GlAccount]) -> pl.DataFrame:
    rows = [(a.account, a.name, a.blocked, a.valid_from, a.valid_to) for a in accounts]
    return pl.DataFrame(rows, schema=ACCOUNT_SCHEMA, orient="row")


def cost_centers_frame(cost_centers: list[CostCenter]) -> pl.DataFrame:
    rows = [(c.code, c.name, c.blocked, c.valid_from, c.valid_to) for c in cost_centers]
    return pl.DataFrame(rows, schema=COST_CENTER_SCHEMA, orient="row")


@dataclass(frozen=True)
class MasterData:
    """The chart of accounts and cost centers a journal is validated against."""

    accounts: Snapshot
    cost_centers: Snapshot
    refreshed: bool

    @property
    def version(self) -> str:
        return f"{self.accounts.content_hash}/{self.cost_centers.content_hash}"


def refresh_accounts(erp: Erp, snapshots: Snapshots, connection_id: str) -> Snapshot:
    return snapshots.put(connection_id, ACCOUNTS, accounts_frame(erp.list_gl_accounts()))


def refresh_cost_centers(erp: Erp, snapshots: Snapshots, connection_id: str) -> Snapshot:
    return snapshots.put(connection_id, COST_CENTERS, cost_centers_frame(erp.list_cost_centers()))


def list_master_data(erp: Erp) -> tuple[list[GlAccount], list[CostCenter]]:
    """Accounts and cost centers, in one exchange where the adapter can read both together (M3's bulk MI)."""
    together = getattr(erp, "list_master_data", None)
    if together is not None:
        accounts, cost_centers = together()
        return accounts, cost_centers
    return erp.list_gl_accounts(), erp.list_cost_centers()


def refresh_master_data(erp: Erp, snapshots: Snapshots, connection_id: str) -> tuple[Snapshot, Snapshot]:
    """Re-read both from CloudSuite and store them: (accounts, cost centers)."""
    accounts, cost_centers = list_master_data(erp)
    return (
        snapshots.put(connection_id, ACCOUNTS, accounts_frame(accounts)),
        snapshots.put(connection_id, COST_CENTERS, cost_centers_frame(cost_centers)),
    )


def current_master_data(erp: Erp, snapshots: Snapshots, connection_id: str, max_age: timedelta) -> MasterData:
    """The stored snapshots, re-read from CloudSuite first when missing or older than `max_age`."""
    accounts = snapshots.get(connection_id, ACCOUNTS)
    cost_centers = snapshots.get(connection_id, COST_CENTERS)
    stale_accounts = accounts is None or accounts.age() > max_age
    stale_cost_centers = cost_centers is None or cost_centers.age() > max_age
    if stale_accounts and stale_cost_centers:
        accounts, cost_centers = refresh_master_data(erp, snapshots, connection_id)
    elif stale_accounts:
        accounts = refresh_accounts(erp, snapshots, connection_id)
    elif stale_cost_centers:
        cost_centers = refresh_cost_centers(erp, snapshots, connection_id)
    assert accounts is not None and cost_centers is not None  # read above when missing
    return MasterData(accounts, cost_centers, stale_accounts or stale_cost_centers)
