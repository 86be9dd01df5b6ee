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
      "Any dental plan": {type: 2, expense: "6205", liability: "2305"}   # by Gusto benefit type id
                                     # (GET /v1/benefits lists them); a name rule wins over a type rule
"""

from __future__ import annotations

from connector_assets.mapping.model import NamedAccounts, TaxAccounts
from connector_assets.mapping.parser import SectionParser

NAMED_KEYS = ("expense", "liability")
BENEFIT_KEYS = ("type", *NAMED_KEYS)
TAX_KEYS = ("by_name", "default", "receivable", "deferred")


def _named(p: SectionParser, node: object, path: str, keys: tuple[str, ...] = NAMED_KEYS) -> NamedAccounts:
    body = p.table(node, path, "expense and liability accounts")
    p.known(body, path, keys)
    sides = {k: v for k, v in body.items() if k in NAMED_KEYS}
    if not sides:
        raise p.fail(path, "empty", "give an expense and/or a liability account such as {liability: '2120'}")
    return NamedAccounts(
        **{
            k: p.code(v, f"{path}.{k}", "6100" if k == "expense" else "2120", "an account code")
            for k, v in sides.items()
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


def _benefit_type(p: SectionParser, node: object, path: str) -> int:
    if isinstance(node, bool) or not isinstance(node, int) or node < 1:
        raise p.fail(path, f"{node!r} is not a Gusto benefit type id",
                     "give the id as a number, e.g. type: 1 for Medical Insurance (GET /v1/benefits lists them)")  # fmt: skip
    return node


BenefitRules = tuple[dict[str, str], dict[str, str], dict[int, tuple[str, NamedAccounts]]]


def parse_benefits(p: SectionParser, node: object, liabilities: dict[str, str]) -> BenefitRules:
    """Expense accounts per benefit name, ``liabilities`` (credits.benefits_by_name) with the section's added,
    and the rules by Gusto benefit type id (a rule with ``type:``; its key is then only its label)."""
    expenses: dict[str, str] = {}
    merged = dict(liabilities)
    by_type: dict[int, tuple[str, NamedAccounts]] = {}
    for name, value in p.table(node, "benefits", "Gusto benefit name: accounts").items():
        path = f"benefits.{name}"
        accounts = _named(p, value, path, BENEFIT_KEYS)
        body = p.table(value, path, "expense and liability accounts")
        if "type" in body:
            kind = _benefit_type(p, body["type"], f"{path}.type")
            if kind in by_type:
                raise p.fail(f"{path}.type", f"benefits.{by_type[kind][0]} has type {kind} too",
                             "keep one rule per Gusto benefit type")  # fmt: skip
            by_type[kind] = (name.strip(), accounts)
            continue
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
    return expenses, merged, by_type
