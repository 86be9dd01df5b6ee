"""Proofs computed with every journal: balanced, tied out to Gusto's totals, nothing dropped.

A failed proof holds the posting; there is never a plug or rounding line.
Totals whose meaning is UNVERIFIED in the reference (``check_amount``,
``other_deductions``, ``child_support_debit``, ``company_debit``,
``reimbursement_debit``) and the earning sub-totals are compared for
information only (non-blocking).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl

from connector_assets.ledger import categories as c
from connector_assets.ledger.money import format_cents, to_cents

CREDIT_ROLES = frozenset(v for v in c.CREDIT_ROLE.values() if v) | {
    f"net_pay_{m}" for m in (*c.NET_PAY_METHODS.values(), "unknown")
}


@dataclass(frozen=True)
class Balance:
    """Sum of debits and credits of a journal, in cents."""

    debit_cents: int
    credit_cents: int

    @property
    def balanced(self) -> bool:
        """True when debits equal credits to the cent."""
        return self.debit_cents == self.credit_cents


@dataclass(frozen=True)
class Difference:
    """One figure that does not agree: Gusto's (or the items') figure against the journal's."""

    proof: str
    name: str
    expected_cents: int
    actual_cents: int
    blocking: bool

    def describe(self) -> str:
        """One line for the hold list."""
        return (
            f"{self.proof} {self.name}: expected {format_cents(self.expected_cents)}, journal carries "
            f"{format_cents(self.actual_cents)} (difference {format_cents(self.actual_cents - self.expected_cents)})"
        )

    def negated(self) -> Difference:
        """The same difference seen from a reversing entry."""
        return Difference(self.proof, self.name, -self.expected_cents, -self.actual_cents, self.blocking)


@dataclass(frozen=True)
class JournalProofs:
    """Everything that must hold before a journal is posted."""

    balance: Balance
    differences: tuple[Difference, ...]
    held_lines: int
    totals_present: bool
    notes: tuple[str, ...] = ()

    @property
    def balanced(self) -> bool:
        """Debits equal credits to the cent."""
        return self.balance.balanced

    @property
    def tied_out(self) -> bool:
        """Gusto's totals were present and every blocking total agrees."""
        return self.totals_present and not any(d.blocking for d in self.differences if d.proof == "tie_out")

    @property
    def nothing_dropped(self) -> bool:
        """Every item's money reached a journal line."""
        return not any(d.proof == "nothing_dropped" for d in self.differences)

    @property
    def ok(self) -> bool:
        """All proofs hold and no line is held for a mapping reason."""
        return self.balanced and self.tied_out and self.nothing_dropped and self.held_lines == 0

    def problems(self) -> list[str]:
        """Blocking reasons, one sentence each (empty when ``ok``)."""
        out = []
        if not self.balanced:
            out.append(
                f"unbalanced: debits {format_cents(self.balance.debit_cents)} != credits "
                f"{format_cents(self.balance.credit_cents)}"
            )
        if not self.totals_present:
            out.append("payroll has no totals; only processed payrolls can be posted")
        out += [d.describe() for d in self.differences if d.blocking]
        if self.held_lines:
            out.append(f"{self.held_lines} line(s) held for mapping reasons; see unmapped_reason")
        return out


def prove_balanced(lines: pl.DataFrame) -> Balance:
    """Sum the debit and credit columns of journal lines."""
    return Balance(int(lines["debit_cents"].sum() or 0), int(lines["credit_cents"].sum() or 0))


def role_amounts(lines: pl.DataFrame) -> dict[str, int]:
    """Net amount per line category, positive on the role's natural side."""
    signed = pl.col("debit_cents") - pl.col("credit_cents")
    natural = pl.when(pl.col("category").is_in(list(CREDIT_ROLES))).then(-signed).otherwise(signed)
    frame = lines.group_by("category").agg(natural.sum().alias("a"))
    return {str(r): int(a) for r, a in frame.iter_rows()}


def expected_roles(items: pl.DataFrame) -> dict[str, int]:
    """What each line category must carry, straight from the payroll items."""
    debit = items.filter(pl.col("category").is_in([k for k, v in c.DEBIT_ROLE.items() if v])).with_columns(
        role=pl.col("category").replace_strict(c.DEBIT_ROLE, return_dtype=pl.String)
    )
    credit = items.filter(pl.col("category").is_in([k for k, v in c.CREDIT_ROLE.items() if v])).with_columns(
        role=pl.when(pl.col("category") == c.NET_PAY)
        .then(pl.concat_str(pl.lit("net_pay_"), pl.col("subtype")))
        .otherwise(pl.col("category").replace_strict(c.CREDIT_ROLE, default=None, return_dtype=pl.String))
    )
    both = pl.concat([debit, credit]).group_by("role").agg(pl.col("amount_cents").sum())
    return {str(r): int(a) for r, a in both.iter_rows()}


def prove_nothing_dropped(items: pl.DataFrame, lines: pl.DataFrame) -> list[Difference]:
    """Per line category, the items' sum against what the lines carry."""
    want, have = expected_roles(items), role_amounts(lines)
    unknown = items.filter(~pl.col("category").is_in(list(c.CATEGORIES)))
    out = [
        Difference("nothing_dropped", role, want.get(role, 0), have.get(role, 0), True)
        for role in sorted(set(want) | set(have))
        if want.get(role, 0) != have.get(role, 0)
    ]
    for cat, amount in unknown.group_by("category").agg(pl.col("amount_cents").sum()).iter_rows():
        out.append(Difference("nothing_dropped", f"category {cat}", int(amount), 0, True))
    return out


def _subtype_sum(items: pl.DataFrame, category: str, subtype: str | None = None) -> int:
    cond = pl.col("category") == category
    if subtype is not None:
        cond &= pl.col("subtype") == subtype
    return int(items.filter(cond)["amount_cents"].sum() or 0)


def prove_tie_out(payroll: Mapping[str, Any], items: pl.DataFrame, lines: pl.DataFrame) -> list[Difference]:
    """Gusto's ``totals`` against the journal's figures; empty list when all agree."""
    totals = payroll.get("totals") or {}
    r = role_amounts(lines)
    net = sum(v for k, v in r.items() if k.startswith("net_pay_"))
    ours: dict[str, tuple[int, bool]] = {
        "gross_pay": (r.get("wages", 0) + r.get("cash_tips", 0), True),
        "employer_taxes": (r.get("employer_taxes", 0), True),
        "employee_taxes": (r.get("taxes", 0) - r.get("employer_taxes", 0), True),
        "tax_debit": (r.get("taxes", 0), True),
        "net_pay": (net, True),
        "net_pay_debit": (r.get("net_pay_direct_deposit", 0), True),
        "benefits": (r.get("employer_benefits", 0), True),
        "employee_benefits_deductions": (r.get("benefits", 0) - r.get("employer_benefits", 0), True),
        "reimbursements": (r.get("reimbursements", 0), True),
        "employee_cash_tips": (r.get("cash_tips", 0), True),
        "check_amount": (r.get("net_pay_check", 0), False),
        "reimbursement_debit": (r.get("reimbursement_clearing", 0), False),
        "employee_bonuses": (_subtype_sum(items, c.EARNING, "bonus"), False),
        "employee_commissions": (_subtype_sum(items, c.EARNING, "commission"), False),
        "employee_paycheck_tips": (_subtype_sum(items, c.EARNING, "paycheck_tips"), False),
        "imputed_pay": (_subtype_sum(items, c.IMPUTED_PAY), False),
        "other_deductions": (r.get("deductions", 0), False),
    }
    pid = payroll.get("payroll_uuid") or payroll.get("uuid")
    out = []
    for name, (actual, blocking) in ours.items():
        if name not in totals:
            continue
        expected = to_cents(totals[name], f"payroll {pid} totals.{name}")
        if expected != actual:
            out.append(Difference("tie_out", name, expected, actual, blocking))
    return out


def prove_journal(payroll: Mapping[str, Any], items: pl.DataFrame, lines: pl.DataFrame) -> JournalProofs:
    """All proofs of one journal built from ``items``."""
    memo = _subtype_sum(items, c.IMPUTED_PAY)
    notes = (f"imputed pay {format_cents(memo)} kept out of the journal (non-cash memo)",) if memo else ()
    return JournalProofs(
        balance=prove_balanced(lines),
        differences=tuple(prove_nothing_dropped(items, lines) + prove_tie_out(payroll, items, lines)),
        held_lines=int(lines["unmapped_reason"].is_not_null().sum()),
        totals_present=bool(payroll.get("totals")),
        notes=notes,
    )
