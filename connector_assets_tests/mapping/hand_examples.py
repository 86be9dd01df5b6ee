"""The hand-computed payrolls of the ledger tests, each with its employees, mapping and tax detail."""

from __future__ import annotations

from typing import Any

from connector_assets_tests.ledger import accounting_examples as x
from connector_assets_tests.ledger import itemized_examples as y
from connector_assets_tests.ledger import worked_example as w

Example = tuple[dict[str, Any], list[dict[str, Any]], str, str]


def hand_examples() -> list[Example]:
    """(payroll, employees, mapping YAML, taxes) of the worked, accounting and itemized examples."""
    return [
        (w.payroll(), w.employees(), w.MAPPING_YAML, "consolidated"),
        (x.pto_payroll(), x.employees(), x.MAPPING_YAML, "consolidated"),
        (x.company_tax_payroll(), x.employees(), x.MAPPING_YAML, "consolidated"),
        (x.cash_payroll(), x.employees(), x.MAPPING_YAML, "consolidated"),
        (y.itemized_payroll(), x.employees(), y.ITEMIZED_YAML, "itemized"),
        (y.itemized_payroll(), x.employees(), x.MAPPING_YAML, "consolidated"),
        (y.deferred_payroll(), x.employees(), y.ITEMIZED_YAML, "itemized"),
        (y.benefits_payroll(), x.employees(), y.BENEFITS_YAML, "consolidated"),
    ]
