"""The ``taxes:`` and ``benefits:`` sections of the mapping file: accounts by Gusto tax and benefit name.

::

    taxes:
      by_name:                       # used when the connection's posting.taxes is itemized
        "Social Security": {expense: "6100", liability: "2120"}
        "Federal Income Tax": {liability: "2100"}      # employee withholding: liability only
      default: {expense: "6140", liability: "2130"}    # itemized: a tax no rule names
      receivable: "1200"             # negative taxes (refunds, credits), in every mode
      deferred: "2150"               # totals.deferred_payroll_taxes, in every mode
    benefits:                        # per Gusto benefit name, in every mode
      "Medical Insurance": {expense: "6200", liability: "2300"}
"""

from __future__ import annotations

from connector_assets.mapping.model import NamedAccounts, TaxAccounts
from connector_assets.mapping.parser import SectionParser

NAMED_KEYS = ("expense", "liability")
TAX_KEYS = ("by_name", "default", "receivable", "deferred")


def _named(p: SectionParser, node: object, path: str) -> NamedAccounts:
    body = p.table(node, path, "expense and liability accounts")
    p.known(body, path, NAMED_KEYS)
    if not body:
        raise p.fail(path, "empty", "give an expense and/or a liability account such as {liability: '2120'}")
    return NamedAccounts(
        **{
            k: p.code(v, f"{path}.{k}", "6100" if k == "expense" else "2120", "an account code")
            for k, v in body.items()
        }
    )


def parse_taxes(p: SectionParser, node: object) -> TaxAccounts:
    """The ``taxes:`` section (absent: no itemized accounts, no receivable, no deferred account)."""
    body = p.table(node, "taxes", "tax settings")
    p.known(body, "taxes", TAX_KEYS)
    by_name = {
        str(name).strip(): _named(p, value, f"taxes.by_name.{name}")
        for name, value in p.table(body.get("by_name"), "taxes.by_name", "Gusto tax name: accounts").items()
    }
    lowered = [n.lower() for n in by_name]
    if len(set(lowered)) != len(lowered):
        raise p.fail("taxes.by_name", "a tax is named twice (case ignored)", "keep one rule per Gusto tax name")
    default = _named(p, body["default"], "taxes.default") if "default" in body else NamedAccounts()
    single = {
        k: p.code(body[k], f"taxes.{k}", "1200", "an account code")
        for k in ("receivable", "deferred")
        if k in body
    }
    return TaxAccounts(by_name=by_name, default=default, **single)


def parse_benefits(
    p: SectionParser, node: object, liabilities: dict[str, str]
) -> tuple[dict[str, str], dict[str, str]]:
    """Expense accounts per benefit name, and ``liabilities`` (credits.benefits_by_name) with the section's added."""
    expenses: dict[str, str] = {}
    merged = dict(liabilities)
    for name, value in p.table(node, "benefits", "Gusto benefit name: accounts").items():
        path = f"benefits.{name}"
        accounts = _named(p, value, path)
        if accounts.expense:
            expenses[name.strip()] = accounts.expense
        if accounts.liability:
            clash = next((k for k in merged if k.strip().lower() == name.strip().lower()), None)
            if clash is not None and merged[clash] != accounts.liability:
                raise p.fail(
                    f"{path}.liability",
                    f"credits.benefits_by_name.{clash} names {merged[clash]}",
                    "keep one liability account per benefit",
                )
            merged[name.strip()] = accounts.liability
    return expenses, merged
