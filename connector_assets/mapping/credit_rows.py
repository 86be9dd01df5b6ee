"""Entity-level legs of a small item frame, row by row, as ``credits.credit_legs`` gives them: clearing
and liability credits by role, by-name, receivable, deferred and garnishment accounts, the owner's draw."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from connector_assets.ledger import categories as c
from connector_assets.ledger.roles import CREDIT_CATEGORIES, credit_role_of
from connector_assets.mapping.credits import named_liability_rows
from connector_assets.mapping.model import MappingRules
from connector_assets.mapping.named import TAX_CATEGORIES, TaxDetail

if TYPE_CHECKING:
    from connector_assets.mapping.resolve_rows import ItemRow

ENTITY = frozenset([*CREDIT_CATEGORIES, *c.ENTITY_DEBITS])
Leg = tuple[Any, ...]


def _role(row: ItemRow) -> str | None:
    """The leg's role: the owner's draw, else the item's credit role."""
    return "owners_draw" if row.category == c.OWNERS_DRAW else credit_role_of(row.category, row.subtype)


def direction(ctx: list[ItemRow]) -> int:
    """-1 when the payroll runs negative (a reversal), else 1, as ``named.payroll_direction``."""
    for kinds in ({c.EARNING, c.CASH_TIPS}, set(TAX_CATEGORIES), {c.NET_PAY}):
        total = sum(r.amount for r in ctx if r.category in kinds)
        if total:
            return -1 if total < 0 else 1
    first = min(ctx, key=lambda r: r.item_no, default=None)
    return -1 if first is not None and first.amount < 0 else 1


def _named_liabilities(rules: MappingRules) -> dict[tuple[str, str], tuple[str, str]] | None:
    """(role, trimmed lower-cased name) → (account, rule label); None when two rules share a name."""
    rows = named_liability_rows(rules)
    table = {(role, name): (acc, label) for role, name, acc, label in rows}
    return table if len(table) == len(rows) else None


class _Special:
    """By-name, receivable, deferred and garnishment accounts, most specific first (``named_credit_account``)."""

    def __init__(self, rules: MappingRules, taxes: TaxDetail, sign: int) -> None:
        t = rules.taxes
        self.receivable, self.deferred, self.sign = t.receivable, t.deferred, sign
        itemized = taxes == "itemized"
        named = {n: v.liability for n, v in t.by_name.items() if v.liability} if itemized else {}
        self.by_name = {n.strip().lower(): v for n, v in named.items()}
        self.labels = {n.strip().lower(): f"taxes.by_name.{n}.liability" for n in named}
        self.default = t.default.liability if itemized else None
        self.garnishments = rules.credits.get("garnishments") if "garnishments" in rules.credits else None
        self.has_garnishments = "garnishments" in rules.credits

    def pick(self, row: ItemRow, role: str | None, amount: int, name: str | None, named: bool) -> tuple[Any, Any]:
        is_tax = row.category in TAX_CATEGORIES
        if self.receivable and is_tax and amount * self.sign < 0:
            return self.receivable, "taxes.receivable"
        if role == "deferred_payroll_taxes":
            return self.deferred, "taxes.deferred"
        if self.by_name and is_tax and name is not None and self.by_name.get(name) is not None:
            return self.by_name[name], self.labels[name]
        if self.default and (is_tax or (row.category == c.DEFERRED_TAX and role == "taxes")):
            return self.default, "taxes.default.liability"
        if self.has_garnishments and row.subtype == c.GARNISHMENT and not named:
            return self.garnishments, "credits.garnishments"
        return None, None


def _reason(row: ItemRow, role: str | None, account: str | None, source: str) -> str | None:
    if role == "net_pay_unknown":
        if row.name is None:
            return None
        return f"net pay with unknown payment method '{row.name}'; check the employee's payment_method in Gusto"
    if account is None and role == "deferred_payroll_taxes":
        return (
            "Gusto deferred payroll taxes and the mapping has no account for them; add taxes.deferred to " + source
        )
    if account is None and role == "owners_draw":
        return "owner's draw needs an equity account; add credits.owners_draw to " + source
    if account is None and role is not None:
        return f"no credit account for '{role}'; add credits.{role} to {source}"
    return None


def _place(
    row: ItemRow,
    role: str | None,
    amount: int,
    by_name: dict[tuple[str, str], tuple[str, str]],
    special: _Special,
    rules: MappingRules,
) -> tuple[Any, Any, Any]:
    """(account, rule label, held reason) of one entity-level leg."""
    name = None if row.name is None else row.name.strip().lower()
    by = "deductions" if role == "child_support" else role
    named_account, named_rule = (
        by_name.get((by, name), (None, None)) if by is not None and name is not None else (None, None)
    )
    account, rule = special.pick(row, role, amount, name, named_account is not None)
    if account is None:
        rule = None
        if named_account is not None:
            account, rule = named_account, named_rule
        elif role is not None and role != "deferred_payroll_taxes":
            account = rules.credits.get(role)
        if account is None and role == "child_support":
            account = rules.credits.get("deductions")
    if rule is None:
        rule = None if role is None else f"credits.{role}"
    return account, rule, _reason(row, role, account, rules.source)


def credit_rows(ctx: list[ItemRow], rules: MappingRules, taxes: TaxDetail) -> list[Leg] | None:
    """The entity-level legs (``RESOLVED_SCHEMA`` order); None for inputs left to the frames."""
    by_name = _named_liabilities(rules)
    if by_name is None:
        return None
    rows = [r for r in ctx if r.category in ENTITY]
    # A deferred-tax item is two legs: +amount deferred liability, -amount off the tax debit (after all others).
    legs = [(r, _role(r), r.amount) for r in rows]
    legs += [(r, "taxes", -r.amount) for r in rows if r.category == c.DEFERRED_TAX]
    special = _Special(rules, taxes, direction(ctx))
    # Legs alike in what places them (category, subtype, name, role, sign) share account, rule and reason.
    placed: dict[tuple[Any, ...], tuple[Any, Any, Any]] = {}
    out = []
    for row, role, amount in legs:
        key = (row.category, row.subtype, row.name, role, amount < 0)
        hit = placed.get(key)
        if hit is None:
            hit = placed[key] = _place(row, role, amount, by_name, special, rules)
        account, rule, reason = hit
        side = "debit" if row.category in c.ENTITY_DEBITS else "credit"
        out.append(
            (
                row.item_no,
                row.rule_employee,  # the employee, not the part
                row.job_uuid,
                row.category,
                row.subtype,
                row.name,
                side,
                role,
                amount,
                account,
                None,
                "",
                rule,
                rules.version,
                reason,
            )
        )
    return out
