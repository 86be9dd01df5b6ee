"""Typed payroll records: totals and per-employee compensations (earnings, benefits, deductions, taxes).

Money is Decimal, parsed from Gusto's strings or numbers exactly. `Payroll.raw` is the payroll JSON as
Gusto sent it (all `employee_compensations` pages merged): the journal engine reads that dict.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from connector_assets.gusto.parsing import day, dicts, flag, items, money, record, text, timestamp

Raw = dict[str, Any]

TOTALS_FIELDS = (
    "company_debit", "net_pay_debit", "tax_debit", "reimbursement_debit", "child_support_debit", "reimbursements",
    "net_pay", "gross_pay", "employee_bonuses", "employee_commissions", "employee_cash_tips",
    "employee_paycheck_tips", "additional_earnings", "owners_draw", "check_amount", "employer_taxes",
    "employee_taxes", "benefits", "employee_benefits_deductions", "imputed_pay", "deferred_payroll_taxes",
    "other_deductions",
)  # fmt: skip


@dataclass(frozen=True)
class PayrollTotals:
    """`totals`: every documented amount by name (absent ones are missing from `amounts`)."""

    amounts: dict[str, Decimal]
    raw: Raw = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_api(cls, d: Raw, where: str) -> PayrollTotals:
        amounts = {k: a for k, v in d.items() if (a := money(v, f"{where} totals.{k}")) is not None}
        return cls(amounts, d)

    def __getattr__(self, name: str) -> Decimal | None:
        if name in TOTALS_FIELDS:
            return self.amounts.get(name)
        raise AttributeError(name)


@dataclass(frozen=True)
class Earning:
    """A fixed or hourly earning line; `job_uuid` lets wages be split by job and hence cost centre."""

    kind: str  # "fixed" | "hourly"
    name: str
    amount: Decimal | None
    job_uuid: str | None
    hours: Decimal | None = None
    compensation_multiplier: Decimal | None = None
    flsa_status: str | None = None


@dataclass(frozen=True)
class BenefitLine:
    name: str
    employee_deduction: Decimal | None
    company_contribution: Decimal | None
    imputed: bool | None


@dataclass(frozen=True)
class DeductionLine:
    name: str
    amount: Decimal | None
    amount_type: str | None = None


@dataclass(frozen=True)
class TaxLine:
    name: str
    employer: bool
    amount: Decimal | None


@dataclass(frozen=True)
class Reimbursement:
    description: str | None
    amount: Decimal | None


@dataclass(frozen=True)
class EmployeeCompensation:
    employee_uuid: str
    excluded: bool
    first_name: str | None
    last_name: str | None
    gross_pay: Decimal | None
    net_pay: Decimal | None
    check_amount: Decimal | None
    payment_method: str | None
    earnings: tuple[Earning, ...] = ()
    benefits: tuple[BenefitLine, ...] = ()
    deductions: tuple[DeductionLine, ...] = ()
    taxes: tuple[TaxLine, ...] = ()
    reimbursements: tuple[Reimbursement, ...] = ()
    raw: Raw = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_api(cls, d: Raw, payroll_uuid: str) -> EmployeeCompensation:
        g = record(d, f"payroll {payroll_uuid} employee compensation").get
        who = f"payroll {payroll_uuid} employee {g('employee_uuid')}"
        earnings = tuple(
            Earning("fixed", str(x.get("name")), money(x.get("amount"), f"{who} {x.get('name')}"),
                    text(x.get("job_uuid")))
            for x in dicts(g("fixed_compensations"))
        ) + tuple(
            Earning("hourly", str(x.get("name")), money(x.get("amount"), f"{who} {x.get('name')}"),
                    text(x.get("job_uuid")), money(x.get("hours"), f"{who} hours"),
                    money(x.get("compensation_multiplier"), f"{who} multiplier"), text(x.get("flsa_status")))
            for x in dicts(g("hourly_compensations"))
        )  # fmt: skip
        benefits = tuple(
            BenefitLine(str(x.get("name")), money(x.get("employee_deduction"), f"{who} benefit"),
                        money(x.get("company_contribution"), f"{who} benefit"), flag(x.get("imputed")))
            for x in dicts(g("benefits"))
        )  # fmt: skip
        deductions = tuple(
            DeductionLine(
                str(x.get("name")), money(x.get("amount"), f"{who} deduction"), text(x.get("amount_type"))
            )
            for x in dicts(g("deductions"))
        )
        taxes = tuple(
            TaxLine(str(x.get("name")), bool(x.get("employer")), money(x.get("amount"), f"{who} tax"))
            for x in dicts(g("taxes"))
        )
        reimbursements = tuple(
            Reimbursement(text(x.get("description")), money(x.get("amount"), f"{who} reimbursement"))
            for x in dicts(g("reimbursements"))
        )
        return cls(
            str(g("employee_uuid")), bool(g("excluded")), text(g("first_name")), text(g("last_name")),
            money(g("gross_pay"), f"{who} gross_pay"), money(g("net_pay"), f"{who} net_pay"),
            money(g("check_amount"), f"{who} check_amount"), text(g("payment_method")),
            earnings, benefits, deductions, taxes, reimbursements, d,
        )  # fmt: skip


@dataclass(frozen=True)
class PayPeriod:
    start_date: date | None
    end_date: date | None
    pay_schedule_uuid: str | None


@dataclass(frozen=True)
class Payroll:
    """A payroll as listed or fetched; list items carry no `employee_compensations`."""

    uuid: str
    company_uuid: str | None
    check_date: date | None
    processed: bool
    processed_date: date | None
    calculated_at: datetime | None
    off_cycle: bool
    off_cycle_reason: str | None
    external: bool
    final_termination_payroll: bool | None
    pay_period: PayPeriod | None
    totals: PayrollTotals | None
    employee_compensations: tuple[EmployeeCompensation, ...] = ()
    reversal_payroll_uuids: tuple[str, ...] = ()
    raw: Raw = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_api(cls, d: Raw) -> Payroll:
        g = record(d, "payroll").get
        uuid = str(g("payroll_uuid") or g("uuid"))
        period = g("pay_period")
        pay_period = (
            PayPeriod(
                day(period.get("start_date")), day(period.get("end_date")), text(period.get("pay_schedule_uuid"))
            )
            if isinstance(period, dict)
            else None
        )
        totals = g("totals")
        return cls(
            uuid, text(g("company_uuid")), day(g("check_date")), bool(g("processed")), day(g("processed_date")),
            timestamp(g("calculated_at")), bool(g("off_cycle")), text(g("off_cycle_reason")), bool(g("external")),
            flag(g("final_termination_payroll")), pay_period,
            PayrollTotals.from_api(totals, f"payroll {uuid}") if isinstance(totals, dict) else None,
            tuple(EmployeeCompensation.from_api(e, uuid) for e in dicts(g("employee_compensations"))),
            tuple(str(u) for u in items(g("reversal_payroll_uuids"))), d,
        )  # fmt: skip

    @property
    def payroll_type(self) -> str:
        return "external" if self.external else "off_cycle" if self.off_cycle else "regular"
