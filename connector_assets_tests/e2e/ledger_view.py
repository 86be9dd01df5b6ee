"""What the simulated CloudSuite holds, read straight from the ION simulator (not through the connector).

A line is `(account, cost_center, signed_cents)`: debits positive, credits negative, as M3 vouchers and
SyteLine journal rows carry them. Documents are keyed by the connector's external reference.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import dagster as dg
import polars as pl

from connector_assets.demo.environment import Tenant
from connector_assets.demo.tie_out import Line, documents, erp_key

__all__ = ["Line", "documents", "erp_key"]


def document(tenant: Tenant, external_reference: str) -> list[Line] | None:
    """The lines posted under one external reference, or None when CloudSuite has no such document."""
    return documents(tenant).get(erp_key(tenant, external_reference))


def journal_rows(lines: pl.DataFrame) -> list[Line]:
    """The ledger's journal lines in the same shape as the ERP's."""
    return [
        (r["account"], r["cost_center"] or "", int(r["debit_cents"]) - int(r["credit_cents"]))
        for r in lines.iter_rows(named=True)
    ]


def net(lines: list[Line]) -> Counter[tuple[str, str]]:
    """Net amount per (account, cost center), zeros dropped."""
    totals: Counter[tuple[str, str]] = Counter()
    for account, cost_center, cents in lines:
        totals[(account, cost_center)] += cents
    return Counter({k: v for k, v in totals.items() if v})


def asset_value(key: list[str], partition_key: str, instance: dg.DagsterInstance) -> Any:
    """The stored value of an asset partition (what the ledger built in its last run)."""
    from connector_assets.definitions import defs

    return defs.load_asset_value(dg.AssetKey(key), partition_key=partition_key, instance=instance)
