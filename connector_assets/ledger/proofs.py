"""Proofs computed with every journal: balanced, tied out to Gusto's totals, cash tied out, nothing dropped.

A failed proof holds the posting; there is never a plug or rounding line. The bank figures
(``company_debit`` and its parts, ``check_amount``) are a blocking proof of their own: clearing
credits that differ from them can never be reconciled with the bank (payroll-accounting §12.4).
``other_deductions`` (unexplained in Gusto's own sample) and the earning sub-totals are compared for
information only (non-blocking).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl

from connector_assets.ledger import categories as c
from connector_assets.ledger.items import payroll_unitemized
from connector_assets.ledger.money import format_cents, to_cents
from connector_assets.ledger.roles import CREDIT_CATEGORIES, credit_role_of
from connector_assets.ledger.unitemized import DEFAULT_TOLERANCE_CENTS, Unitemized

CREDIT_ROLES = (
    frozenset(v for v in c.CREDIT_ROLE.values() if v)
    | {f"net_pay_{m}" for m in (*c.NET_PAY_METHODS.values(), "unknown")}
    | {"child_support"}
)
TIE_OUT, CASH_TIE_OUT, NOTHING_DROPPED, UNITEMIZED = "tie_out", "cash_tie_out", "nothing_dropped", "unitemized_pay"


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
    reason: str | None = None

    def describe(self) -> str:
        """One line for the hold list."""
        if self.reason:
            return f"{self.proof}: {self.reason}"
        return (
            f"{self.proof} {self.name}: expected {format_cents(self.expected_cents)}, journal carries "
            f"{format_cents(self.actual_cents)} (difference {format_cents(self.actual_cents - self.expected_cents)})"
        )

    def negated(self) -> Difference:
        """The same difference seen from a reversing entry."""
        return Difference(
            self.proof, self.name, -self.expected_cents, -self.actual_cents, self.blocking, self.reason
        )


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
        return self.totals_present and not any(
            d.blocking for d in self.differences if d.proof in (TIE_OUT, UNITEMIZED)
        )

    @property
    def cash_tied_out(self) -> bool:
        """Every bank figure of Gusto's totals equals the journal's clearing credits."""
        return not any(d.blocking for d in self.differences if d.proof == CASH_TIE_OUT)

    @property
    def nothing_dropped(self) -> bool:
        """Every item's money reached a journal line."""
        return not any(d.proof == NOTHING_DROPPED for d in self.differences)

    @property
    def ok(self) -> bool:
        """All proofs hold and no line is held for a mapping reason."""
        return (
            self.balanced
            and self.tied_out
            and self.cash_tied_out
            and self.nothing_dropped
            and self.held_lines == 0
        )

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


# (category, subtype) -> summed amount: every item figure a proof reads is one of these sums.
KindSums = dict[tuple[str | None, str | None], int]


def kind_sums(items: pl.DataFrame) -> KindSums:
    """The items' amounts summed by category and subtype (a few rows, read in plain Python from here on)."""
    kinds = items.group_by("category", "subtype").agg(pl.col("amount_cents").sum())
    return {(cat, sub): int(a or 0) for cat, sub, a in kinds.select("category", "subtype", "amount_cents").rows()}


def role_amounts(lines: pl.DataFrame) -> dict[str, int]:
    """Net amount per line category, positive on the role's natural side."""
    out: dict[str, int] = {}
    # The journal's lines are few: a loop over them beats a group-by per proof.
    for cat, debit, credit in lines.select("category", "debit_cents", "credit_cents").rows():
        signed = 0 if debit is None or credit is None else debit - credit
        key = str(cat)
        out[key] = out.get(key, 0) + (-signed if cat in CREDIT_ROLES else signed)
    return out


def _expected_roles(sums: KindSums) -> dict[str, int]:
    want: dict[str, int] = {}
    for (cat, sub), amount in sums.items():
        debit = c.DEBIT_ROLE.get(cat) if cat is not None else None
        roles: list[str | None] = [debit] if debit else []
        if cat in CREDIT_CATEGORIES:
            roles.append(credit_role_of(cat, sub))
        for role in roles:
            want[str(role)] = want.get(str(role), 0) + amount
    # A deferral moves its amount from the tax debit to the deferred-tax liability.
    if deferred := _subtype_sum(sums, c.DEFERRED_TAX):
        want["taxes"] = want.get("taxes", 0) - deferred
    return want


def expected_roles(items: pl.DataFrame) -> dict[str, int]:
    """What each line category must carry, straight from the payroll items."""
    return _expected_roles(kind_sums(items))


def _nothing_dropped(sums: KindSums, have: dict[str, int]) -> list[Difference]:
    want = _expected_roles(sums)
    out = [
        Difference("nothing_dropped", role, want.get(role, 0), have.get(role, 0), True)
        for role in sorted(set(want) | set(have))
        if want.get(role, 0) != have.get(role, 0)
    ]
    unknown: dict[str | None, int] = {}
    for (cat, _), amount in sums.items():
        if cat not in c.CATEGORIES:
            unknown[cat] = unknown.get(cat, 0) + amount
    out += [Difference("nothing_dropped", f"category {cat}", amount, 0, True) for cat, amount in unknown.items()]
    return out


def prove_nothing_dropped(items: pl.DataFrame, lines: pl.DataFrame) -> list[Difference]:
    """Per line category, the items' sum against what the lines carry."""
    return _nothing_dropped(kind_sums(items), role_amounts(lines))


def _subtype_sum(sums: KindSums, category: str, subtype: str | None = None) -> int:
    return sum(a for (cat, sub), a in sums.items() if cat == category and (subtype is None or sub == subtype))


def _figures(
    totals: Mapping[str, Any], pid: object, ours: dict[str, tuple[int, bool]], proof: str
) -> list[Difference]:
    out = []
    for name, (actual, blocking) in ours.items():
        if name not in totals:
            continue
        expected = to_cents(totals[name], f"payroll {pid} totals.{name}")
        if expected != actual:
            out.append(Difference(proof, name, expected, actual, blocking))
    return out


def prove_tie_out(payroll: Mapping[str, Any], items: pl.DataFrame, lines: pl.DataFrame) -> list[Difference]:
    """Gusto's expense and withholding ``totals`` against the journal's figures; empty list when all agree."""
    return _tie_out(payroll, kind_sums(items), role_amounts(lines))


def _tie_out(payroll: Mapping[str, Any], items: KindSums, r: dict[str, int]) -> list[Difference]:
    on_checks = _subtype_sum(items, c.REIMBURSEMENT, c.CHECK_REIMBURSEMENT)
    net = sum(v for k, v in r.items() if k.startswith("net_pay_")) - on_checks
    deferred = r.get("deferred_payroll_taxes", 0)
    ours: dict[str, tuple[int, bool]] = {
        "gross_pay": (r.get("wages", 0) + r.get("cash_tips", 0), True),
        "employer_taxes": (r.get("employer_taxes", 0), True),
        "employee_taxes": (r.get("taxes", 0) + deferred - r.get("employer_taxes", 0), True),
        "deferred_payroll_taxes": (deferred, True),
        "owners_draw": (r.get("owners_draw", 0), True),
        "net_pay": (net, True),
        "benefits": (r.get("employer_benefits", 0), True),
        "employee_benefits_deductions": (r.get("benefits", 0) - r.get("employer_benefits", 0), True),
        "reimbursements": (r.get("reimbursements", 0), True),
        "employee_cash_tips": (r.get("cash_tips", 0), True),
        "employee_bonuses": (_subtype_sum(items, c.EARNING, "bonus"), False),
        "employee_commissions": (_subtype_sum(items, c.EARNING, "commission"), False),
        "employee_paycheck_tips": (_subtype_sum(items, c.EARNING, "paycheck_tips"), False),
        "imputed_pay": (_subtype_sum(items, c.IMPUTED_PAY), False),
        "other_deductions": (r.get("deductions", 0) + r.get("child_support", 0), False),
    }
    return _figures(payroll.get("totals") or {}, payroll.get("payroll_uuid") or payroll.get("uuid"), ours, TIE_OUT)


def cash_figures(lines: pl.DataFrame) -> dict[str, int]:
    """What the journal credits to each bank-cleared figure of Gusto's totals (payroll-accounting §12.3-4).

    ``company_debit`` is what Gusto pulls from the bank: net pay, taxes, reimbursements and child support
    by direct debit; ``check_amount`` is paid on paper checks (net pay plus the reimbursements on them).
    """
    return _cash_figures(role_amounts(lines))


def _cash_figures(r: dict[str, int]) -> dict[str, int]:
    figures = {
        "net_pay_debit": r.get("net_pay_direct_deposit", 0),
        "tax_debit": r.get("taxes", 0),
        "reimbursement_debit": r.get("reimbursement_clearing", 0),
        "child_support_debit": r.get("child_support", 0),
    }
    return {**figures, "company_debit": sum(figures.values()), "check_amount": r.get("net_pay_check", 0)}


def prove_cash(payroll: Mapping[str, Any], lines: pl.DataFrame) -> list[Difference]:
    """Gusto's bank figures against the journal's clearing credits, each figure on its own (blocking)."""
    return _cash(payroll, role_amounts(lines))


def _cash(payroll: Mapping[str, Any], r: dict[str, int]) -> list[Difference]:
    ours = {name: (cents, True) for name, cents in _cash_figures(r).items()}
    pid = payroll.get("payroll_uuid") or payroll.get("uuid")
    return _figures(payroll.get("totals") or {}, pid, ours, CASH_TIE_OUT)


def prove_unitemized(
    payroll: Mapping[str, Any], tolerance_cents: int = DEFAULT_TOLERANCE_CENTS
) -> list[Difference]:
    """Per employee, pay inside gross_pay that cannot be PTO: negative, or over the tolerance without PTO hours."""
    return _unitemized_differences(payroll_unitemized(payroll), tolerance_cents)


def _unitemized_differences(unitemized: list[Unitemized], tolerance_cents: int) -> list[Difference]:
    return [
        Difference(UNITEMIZED, f"employee {u.employee_uuid}", 0, u.cents, True, u.problem(tolerance_cents))
        for u in unitemized
        if u.problem(tolerance_cents)
    ]


def prove_journal(
    payroll: Mapping[str, Any],
    items: pl.DataFrame,
    lines: pl.DataFrame,
    tolerance_cents: int = DEFAULT_TOLERANCE_CENTS,
) -> JournalProofs:
    """All proofs of one journal built from ``items``."""
    # Every item figure a proof reads is a sum by category and subtype: sum the items once.
    sums, roles = kind_sums(items), role_amounts(lines)
    memo = _subtype_sum(sums, c.IMPUTED_PAY)
    unitemized = payroll_unitemized(payroll)
    notes = [f"imputed pay {format_cents(memo)} kept out of the journal (non-cash memo)"] if memo else []
    notes += [
        f"employee {u.employee_uuid}: {format_cents(u.cents)} of gross_pay booked as PTO ({u.name()})"
        for u in unitemized
        if u.cents > 0
    ]
    return JournalProofs(
        balance=prove_balanced(lines),
        differences=tuple(
            _nothing_dropped(sums, roles)
            + _tie_out(payroll, sums, roles)
            + _cash(payroll, roles)
            + _unitemized_differences(unitemized, tolerance_cents)
        ),
        held_lines=int(lines["unmapped_reason"].is_not_null().sum()),
        totals_present=bool(payroll.get("totals")),
        notes=tuple(notes),
    )
