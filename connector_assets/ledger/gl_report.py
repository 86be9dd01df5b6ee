"""Gusto's general-ledger report against the connector's journal of the same payroll, per family (pure).

A family is one figure both sides can name: wages, employer taxes, company benefit contributions, the benefit
liability, and the bank-cleared figures (net pay debit, tax debit, ...). Gusto's side sums the report's
company-level rows (block 0) by account type code; the connector's side sums its journal lines by role
(`ledger.categories`), each on its natural side (expenses as debits, clearing and liabilities as credits).

What CloudSuite holds may differ from the journal the connector built (someone edited a line): the difference
on an account is put on that account's family when the journal uses the account for one family only; otherwise
it is shown as "unattributed", never guessed.

Only the documented codes (gusto-api.md §6.4) are always compared. A few codes seen only in re-creations
(`Reimbursement`, `DebitReimbursement`, `EmployeePaymentCheck`) are compared only when the report carries them.
Any other code is listed apart as not compared: the full code list is UNVERIFIED, and a code we do not know is
never a failure.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from connector_assets.ledger.crosscheck import Line, net
from connector_assets.ledger.money import format_cents

# (account, cost center or "", signed cents: debit positive, journal role)
RoleLine = tuple[str, str, int, str]
UNATTRIBUTED = "unattributed"


@dataclass(frozen=True)
class Family:
    name: str
    roles: frozenset[str]
    codes: frozenset[str]
    credit: bool  # natural side: a credit family counts credits positive
    verified: bool = True  # its codes are documented; else compared only when the report carries one


def _family(name: str, roles: str, codes: str, side: str, verified: bool = True) -> Family:
    return Family(name, frozenset(roles.split()), frozenset(codes.split()), side == "credit", verified)


FAMILIES: tuple[Family, ...] = (
    # Every *Wages code (RegularWages, HolidayWages, ...) is wages: gross pay, cash tips included.
    _family("wages", "wages cash_tips", "RegularWages HolidayWages", "debit"),
    _family("employer_taxes", "employer_taxes", "EmployerTax", "debit"),
    _family("company_benefits", "employer_benefits", "BenefitCompanyContribution", "debit"),
    _family("benefit_liability", "benefits", "BenefitLiability", "credit"),
    _family("net_pay_debit", "net_pay_direct_deposit", "DebitNetPay", "credit"),
    _family("tax_debit", "taxes", "DebitTax", "credit"),
    _family("reimbursements", "reimbursements", "Reimbursement", "debit", verified=False),
    _family("reimbursement_debit", "reimbursement_clearing", "DebitReimbursement", "credit", verified=False),
    _family("net_pay_check", "net_pay_check", "EmployeePaymentCheck", "credit", verified=False),
)
BY_NAME = {f.name: f for f in FAMILIES}


def family_of_code(code: str) -> Family | None:
    """The family an account type code belongs to, or None when the code is not one we know."""
    for family in FAMILIES:
        if code in family.codes:
            return family
    return BY_NAME["wages"] if code.endswith("Wages") else None


def family_of_role(role: str) -> Family | None:
    return next((f for f in FAMILIES if role in f.roles), None)


@dataclass(frozen=True)
class FamilyFigure:
    """One payroll's family: Gusto's report figure and the connector's, in cents on the family's side."""

    payroll_uuid: str
    family: str
    gusto_cents: int
    connector_cents: int

    @property
    def difference_cents(self) -> int:
        return self.connector_cents - self.gusto_cents

    def describe(self) -> str:
        return (
            f"payroll {self.payroll_uuid} {self.family}: Gusto's report {format_cents(self.gusto_cents)}, "
            f"connector {format_cents(self.connector_cents)}, difference {format_cents(self.difference_cents)}"
        )


@dataclass(frozen=True)
class NotCompared:
    """A report row whose code we do not know, or a family the report does not name: shown, never a failure."""

    payroll_uuid: str
    code: str
    signed_cents: int  # debit positive
    reason: str

    def describe(self) -> str:
        return f"payroll {self.payroll_uuid} {self.code} ({format_cents(self.signed_cents)}): {self.reason}"


@dataclass
class ReportComparison:
    figures: list[FamilyFigure]
    not_compared: list[NotCompared]

    @property
    def differences(self) -> list[FamilyFigure]:
        return [f for f in self.figures if f.difference_cents]


def connector_families(journal: Sequence[RoleLine], held: Iterable[Line] | None = None) -> dict[str, int]:
    """The journal's amount per family; with `held` (what CloudSuite holds), each account's difference from the
    journal is added to that account's one family, or to "unattributed" (debit positive)."""
    out: dict[str, int] = {}
    for _account, _cc, cents, role in journal:
        family = family_of_role(role)
        if family is not None:
            out[family.name] = out.get(family.name, 0) + (-cents if family.credit else cents)
    if held is None:
        return out
    built = net((a, cc, c) for a, cc, c, _ in journal)
    have = net(held)
    roles: dict[str, set[str]] = {}
    for account, _cc, _cents, role in journal:
        found = family_of_role(role)
        roles.setdefault(account, set()).add(found.name if found else f"role {role}")
    for key in sorted(set(built) | set(have)):
        delta = have.get(key, 0) - built.get(key, 0)
        if not delta:
            continue
        names = roles.get(key[0], set())
        family = BY_NAME.get(next(iter(names))) if len(names) == 1 else None
        if family is None:
            out[UNATTRIBUTED] = out.get(UNATTRIBUTED, 0) + delta
        else:
            out[family.name] = out.get(family.name, 0) + (-delta if family.credit else delta)
    return out


def compare_report(
    payroll_uuid: str, report_rows: Iterable[tuple[str, int]], connector: dict[str, int]
) -> ReportComparison:
    """Gusto's company-level rows `(code, signed cents)` against the connector's family amounts."""
    gusto: dict[str, int] = {}
    seen: set[str] = set()
    unknown: list[NotCompared] = []
    for code, cents in report_rows:
        family = family_of_code(code)
        if family is None:
            unknown.append(NotCompared(payroll_uuid, code, cents, "account type not known: not compared"))
            continue
        seen.add(family.name)
        gusto[family.name] = gusto.get(family.name, 0) + (-cents if family.credit else cents)
    figures, skipped = [], []
    for family in FAMILIES:
        ours = connector.get(family.name, 0)
        if not family.verified and family.name not in seen:
            if ours:
                reason = f"the report names no {'/'.join(sorted(family.codes))}: not compared"
                skipped.append(NotCompared(payroll_uuid, family.name, ours, reason))
            continue
        figures.append(FamilyFigure(payroll_uuid, family.name, gusto.get(family.name, 0), ours))
    if connector.get(UNATTRIBUTED):
        figures.append(FamilyFigure(payroll_uuid, UNATTRIBUTED, 0, connector[UNATTRIBUTED]))
    return ReportComparison(figures, unknown + skipped)


def report_table(figures: Iterable[FamilyFigure]) -> str:
    """The figures as a Markdown table (exact decimals)."""
    rows = ["| payroll | family | Gusto report | connector | difference |", "|---|---|---|---|---|"]
    rows += [
        f"| {f.payroll_uuid} | {f.family} | {format_cents(f.gusto_cents)} | {format_cents(f.connector_cents)} | "
        f"{format_cents(f.difference_cents)} |"
        for f in figures
    ]
    return "\n".join(rows)
