"""Builders shared by the ledger tests: payroll → journal in one call."""

from __future__ import annotations

from typing import Any

import polars as pl

from connector_assets.ledger import Journal, JournalOptions, build_journal, payroll_items
from connector_assets.mapping import employee_attributes, parse_mapping, resolve
from connector_assets_tests.ledger import worked_example as w


def journal_for(
    payroll: dict[str, Any],
    employees: list[dict[str, Any]] | None = None,
    mapping_yaml: str = w.MAPPING_YAML,
    options: JournalOptions | None = None,
) -> Journal:
    """Items → resolve → journal, the way the pipeline runs it."""
    items = payroll_items(payroll)
    attributes = employee_attributes(employees if employees is not None else w.employees())
    resolved = resolve(items, attributes, parse_mapping(mapping_yaml))
    return build_journal(payroll, items, resolved, options or JournalOptions(connection_id="acme"))


def line_tuples(lines: pl.DataFrame) -> list[tuple[str | None, str | None, int, int]]:
    """(account, cost center, debit, credit) per line, in line order."""
    return list(lines.select("account", "cost_center", "debit_cents", "credit_cents").iter_rows())


def compensation(uuid: str, net: str, method: str = "Direct Deposit", **lists: Any) -> dict[str, Any]:
    """One employee compensation with the given lists (fixed_compensations, taxes, ...)."""
    return {"employee_uuid": uuid, "excluded": False, "net_pay": net, "payment_method": method, **lists}
