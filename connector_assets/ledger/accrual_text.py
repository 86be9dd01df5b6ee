"""The accrual's computation in words and tables, for Dagster metadata and `connector preview accrual`."""

from __future__ import annotations

from connector_assets.ledger.accrual import CALENDAR, Accrual, DayBasis, EntryLine, ScheduleAccrual
from connector_assets.ledger.money import format_cents

BASIS_TEXT = {
    "calendar": "days counted as calendar days (posting.accrual_days: calendar)",
    "working": "days counted as working days, Monday to Friday, no holiday calendar (posting.accrual_days: working)",
}


def _unit(day_basis: DayBasis) -> str:
    return "day(s)" if day_basis == CALENDAR else "working day(s)"


def schedule_text(s: ScheduleAccrual) -> list[str]:
    """How one pay schedule's accrual was worked out, line by line."""
    b = s.basis
    out = [
        f"pay schedule {b.pay_schedule}: last payroll posted {b.last_payroll} paid through {b.paid_through}; "
        f"earned and unpaid {s.unpaid_from}..{s.unpaid_to} = {s.days} {_unit(s.day_basis)}",
        f"  amounts from the {b.source} {b.source_payroll}, pay period {b.source_start}..{b.source_end} "
        f"({s.period_days} {_unit(s.day_basis)}): each line x {s.days}/{s.period_days}, rounded half up to the cent",
    ]
    for ln in s.lines:
        out.append(
            f"  {ln.role:<17} {ln.account} / {ln.cost_center or '-'}: {format_cents(ln.source_cents)} x "
            f"{s.days}/{s.period_days} = {format_cents(ln.cents)}"
        )
    return out


def accrual_text(accrual: Accrual) -> list[str]:
    """The whole computation: per schedule, then the entry's totals and dates."""
    if not accrual.schedules:
        return [
            f"period {accrual.period}: nothing to accrue (no pay schedule has a payroll posted by "
            f"{accrual.period.last_day} with earned, unpaid days after it)"
        ]
    out = [
        f"period {accrual.period}: accrual dated {accrual.posting_date}, reversed on {accrual.reversal_date}",
        BASIS_TEXT[accrual.day_basis],
    ]
    for schedule in accrual.schedules:
        out += schedule_text(schedule)
    out.append(
        f"accrued wages {format_cents(accrual.wages_cents)}, accrued employer cost {format_cents(accrual.employer_cents)}; "
        f"debits {format_cents(accrual.debit_cents)} / credits {format_cents(accrual.credit_cents)}: "
        + ("balanced" if accrual.debit_cents == accrual.credit_cents else "NOT BALANCED")
    )
    return out


def lines_table(lines: tuple[EntryLine, ...]) -> str:
    """The entry's lines as a Markdown table (amounts as exact decimals)."""
    rows = ["| account | cost center | debit | credit | text |", "|---|---|---|---|---|"]
    rows += [
        f"| {ln.account} | {ln.cost_center or ''} | {format_cents(ln.debit_cents) if ln.debit_cents else ''} | "
        f"{format_cents(ln.credit_cents) if ln.credit_cents else ''} | {ln.text} |"
        for ln in lines
    ]
    return "\n".join(rows)
