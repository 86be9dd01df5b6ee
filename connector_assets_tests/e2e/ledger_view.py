"""What the simulated CloudSuite holds, read straight from the ION simulator (not through the connector).

A line is `(account, cost_center, signed_cents)`: debits positive, credits negative, as M3 vouchers and
SyteLine journal rows carry them. Documents are keyed by the connector's external reference.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

import dagster as dg
import polars as pl

from connector_assets.cloudsuite.fsm_gl import run_group
from connector_assets.cloudsuite.m3_gl import batch_key
from connector_assets.cloudsuite.syteline import journal_reference
from connector_assets.demo.environment import Tenant

Line = tuple[str, str, int]
COST_CENTER_DIMENSION = 2  # the connections' default: M3 AIT2, SyteLine unit code 2


def _cents(amount: Decimal) -> int:
    cents = amount * 100
    assert cents == cents.to_integral_value(), f"amount {amount} is not whole cents"
    return int(cents)


def documents(tenant: Tenant) -> dict[str, list[Line]]:
    """Every posted document, keyed by its ERP key (M3 KEY1, SyteLine Reference, FSM run group)."""
    held: dict[str, list[Line]] = {}
    index = COST_CENTER_DIMENSION - 1
    if tenant.erp == "fsm":
        for posted in tenant.ion.fsm.posted():
            unit = posted.dimensions.get("AccountingUnit", "")
            held.setdefault(posted.run_group, []).append((posted.account, unit, _cents(posted.amount)))
    elif tenant.erp == "m3":
        for voucher in tenant.ion.vouchers():
            lines = [(ln.dims[0], ln.dims[index], _cents(ln.amount)) for ln in voucher.lines]
            held.setdefault(voucher.key1, []).extend(lines)
    else:
        for row in tenant.ion.journals():
            held.setdefault(row.reference, []).append((row.account, row.units[index], _cents(row.amount)))
    return held


def erp_key(tenant: Tenant, external_reference: str) -> str:
    """The key under which the ERP files a journal with this external reference."""
    if tenant.erp == "fsm":
        return run_group(external_reference)
    return batch_key(external_reference) if tenant.erp == "m3" else journal_reference(external_reference)


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
