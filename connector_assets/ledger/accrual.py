"""Period-end accrual of wages and employer cost earned but not yet paid (pure: no client, store or Dagster).

Per pay schedule, the last regular payroll whose journal posts on or before the period's last day paid its
pay period; the days from the day after that period's end to the period's last day are earned and unpaid,
counted as calendar days or, with the working-day basis, Monday to Friday (no holiday calendar). Their cost comes from a payroll already calculated for the next pay period when there is one (its
amounts x its days inside the period / its period's days), else from the last payroll's amounts x unpaid
days / its period's days. Each expense line (account, cost center) is prorated on its own and rounded half
up to the cent; the credits are the sums of the rounded debits, so the entry balances by construction. The
entry is dated the period's last day and reversed, line for line, on the first day of the next period.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final, Literal

from connector_assets.ledger.journal import DateBasis, posting_date

WAGES, EMPLOYER_TAXES, EMPLOYER_BENEFITS = "wages", "employer_taxes", "employer_benefits"
ACCRUED_ROLES = (WAGES, EMPLOYER_TAXES, EMPLOYER_BENEFITS)
ENTITY_PREFIX = "accrual-"
LAST_PAYROLL, NEXT_PAYROLL = "last payroll", "next payroll (calculated)"
DayBasis = Literal["calendar", "working"]
CALENDAR: Final = "calendar"
WORKING: Final = "working"


class AccrualError(ValueError):
    """The accrual cannot be computed (a bad period, or a basis without amounts)."""


@dataclass(frozen=True)
class Period:
    """A calendar month, written ``YYYY-MM``."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Period:
        try:
            year, month = (int(p) for p in text.strip().split("-"))
            dt.date(year, month, 1)
        except ValueError:
            raise AccrualError(f"period {text!r} is not a month; write it YYYY-MM, e.g. 2026-02") from None
        return cls(year, month)

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def last_day(self) -> dt.date:
        return dt.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    @property
    def next_first_day(self) -> dt.date:
        return self.last_day + dt.timedelta(days=1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def accrual_entity(period: Period) -> str:
    """The postings ledger's name for the period's accrual entry (it stands where a payroll uuid would)."""
    return f"{ENTITY_PREFIX}{period}"


def reversal_entity(period: Period) -> str:
    """The postings ledger's name for the entry that reverses the period's accrual."""
    return f"{ENTITY_PREFIX}{period}-reversal"


def is_accrual_entity(name: str) -> bool:
    return name.startswith(ENTITY_PREFIX)


def period_of_entity(name: str) -> str:
    """`YYYY-MM` of an accrual entry's or its reversal's ledger name."""
    return name[len(ENTITY_PREFIX) : len(ENTITY_PREFIX) + 7]


@dataclass(frozen=True)
class ExpenseLine:
    """One expense line of the source payroll's journal; `cents` signed (debit positive)."""

    account: str
    cost_center: str | None
    role: str
    cents: int


@dataclass(frozen=True)
class ScheduleBasis:
    """What one pay schedule's accrual is computed from."""

    pay_schedule: str
    last_payroll: str  # uuid of the last regular payroll posted on or before the period's last day
    paid_through: dt.date  # that payroll's pay period end
    source: str  # LAST_PAYROLL or NEXT_PAYROLL
    source_payroll: str
    source_start: dt.date
    source_end: dt.date
    lines: tuple[ExpenseLine, ...]


@dataclass(frozen=True)
class AccruedLine:
    """One prorated expense line: `cents` = round_half_up(source_cents x days / period_days)."""

    account: str
    cost_center: str | None
    role: str
    source_cents: int
    cents: int


@dataclass(frozen=True)
class ScheduleAccrual:
    basis: ScheduleBasis
    unpaid_from: dt.date
    unpaid_through: dt.date  # the period's last day
    days: int  # earned, unpaid days inside the period (calendar or working, as `day_basis`)
    period_days: int  # days of the source payroll's pay period, counted the same way
    lines: tuple[AccruedLine, ...]
    day_basis: DayBasis = CALENDAR

    @property
    def unpaid_to(self) -> dt.date:
        return max(self.unpaid_through, self.unpaid_from)

    def total(self, roles: Iterable[str]) -> int:
        wanted = set(roles)
        return sum(line.cents for line in self.lines if line.role in wanted)


@dataclass(frozen=True)
class EntryLine:
    """A line of the accrual entry or of its reversal (one positive side)."""

    account: str
    cost_center: str | None
    debit_cents: int
    credit_cents: int
    text: str


@dataclass(frozen=True)
class Accounts:
    """The liability accounts the accrual credits."""

    accrued_wages: str
    accrued_employer_cost: str


@dataclass(frozen=True)
class Accrual:
    period: Period
    schedules: tuple[ScheduleAccrual, ...]
    lines: tuple[EntryLine, ...]
    day_basis: DayBasis = CALENDAR

    @property
    def posting_date(self) -> dt.date:
        return self.period.last_day

    @property
    def reversal_date(self) -> dt.date:
        return self.period.next_first_day

    @property
    def wages_cents(self) -> int:
        return sum(s.total([WAGES]) for s in self.schedules)

    @property
    def employer_cents(self) -> int:
        return sum(s.total([EMPLOYER_TAXES, EMPLOYER_BENEFITS]) for s in self.schedules)

    @property
    def debit_cents(self) -> int:
        return sum(line.debit_cents for line in self.lines)

    @property
    def credit_cents(self) -> int:
        return sum(line.credit_cents for line in self.lines)

    def reversal_lines(self) -> tuple[EntryLine, ...]:
        """The auto-reversing entry: every line with its sides swapped."""
        return tuple(
            EntryLine(ln.account, ln.cost_center, ln.credit_cents, ln.debit_cents, f"Reversal: {ln.text}"[:40])
            for ln in self.lines
        )


def prorate(cents: int, days: int, period_days: int) -> int:
    """`cents x days / period_days`, rounded half up (away from zero for negative amounts)."""
    if period_days <= 0:
        raise AccrualError(f"a pay period of {period_days} days cannot be prorated")
    value = Decimal(cents) * Decimal(days) / Decimal(period_days)
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def count_days(first: dt.date, last: dt.date, day_basis: DayBasis = CALENDAR) -> int:
    """Days from `first` to `last` inclusive (0 when `last` is before `first`); `working` counts Monday to
    Friday only. No holiday calendar: a public holiday on a weekday counts as a working day."""
    span = (last - first).days + 1
    if span <= 0:
        return 0
    if day_basis == CALENDAR:
        return span
    weeks, rest = divmod(span, 7)
    # Whole weeks hold five working days each; the remaining days are checked one by one.
    return weeks * 5 + sum(1 for i in range(rest) if (first + dt.timedelta(days=weeks * 7 + i)).weekday() < 5)


def accrue_schedule(basis: ScheduleBasis, period: Period, day_basis: DayBasis = CALENDAR) -> ScheduleAccrual:
    """One schedule's earned, unpaid cost inside the period, per expense line."""
    unpaid_from = basis.paid_through + dt.timedelta(days=1)
    if basis.source == NEXT_PAYROLL:
        # The next payroll's own period may start after the unpaid days began; count its days in the period.
        unpaid_from = max(unpaid_from, basis.source_start)
    days = count_days(unpaid_from, period.last_day, day_basis)
    period_days = count_days(basis.source_start, basis.source_end, day_basis)
    if period_days <= 0:
        raise AccrualError(
            f"pay schedule {basis.pay_schedule}: the pay period {basis.source_start}..{basis.source_end} of "
            f"payroll {basis.source_payroll} holds no {day_basis} day to prorate by"
        )
    lines = tuple(
        AccruedLine(ln.account, ln.cost_center, ln.role, ln.cents, prorate(ln.cents, days, period_days))
        for ln in basis.lines
        if ln.role in ACCRUED_ROLES
    )
    return ScheduleAccrual(basis, unpaid_from, period.last_day, days, period_days, lines, day_basis)


TEXTS = {
    WAGES: "Accrued wages",
    EMPLOYER_TAXES: "Accrued employer taxes",
    EMPLOYER_BENEFITS: "Accrued employer benefits",
}


def _entry_line(account: str, cost_center: str | None, signed: int, text: str) -> EntryLine:
    return EntryLine(account, cost_center, max(signed, 0), max(-signed, 0), text)


def compute_accrual(
    period: Period, bases: Sequence[ScheduleBasis], accounts: Accounts, day_basis: DayBasis = CALENDAR
) -> Accrual:
    """The accrual entry of the period: Dr each expense line prorated, Cr the two accrued liabilities."""
    schedules = tuple(accrue_schedule(b, period, day_basis) for b in bases)
    debits: dict[tuple[str, str, str], int] = {}
    for schedule in schedules:
        for ln in schedule.lines:
            key = (ln.role, ln.account, ln.cost_center or "")
            debits[key] = debits.get(key, 0) + ln.cents
    lines = [
        _entry_line(account, cc or None, cents, TEXTS[role])
        for (role, account, cc), cents in sorted(
            debits.items(), key=lambda kv: (ACCRUED_ROLES.index(kv[0][0]), kv[0])
        )
        if cents
    ]
    wages = sum(s.total([WAGES]) for s in schedules)
    employer = sum(s.total([EMPLOYER_TAXES, EMPLOYER_BENEFITS]) for s in schedules)
    if wages:
        lines.append(_entry_line(accounts.accrued_wages, None, -wages, "Accrued wages payable"))
    if employer:
        lines.append(_entry_line(accounts.accrued_employer_cost, None, -employer, "Accrued employer cost payable"))
    return Accrual(period, schedules, tuple(lines), day_basis)


# --- choosing the payrolls, from Gusto's payroll JSON ---
@dataclass(frozen=True)
class BasisChoice:
    """The payrolls one schedule's accrual reads: the last one posted, and the source of the amounts."""

    pay_schedule: str
    last: Mapping[str, Any]
    source: Mapping[str, Any]
    source_kind: str


def pay_period(payroll: Mapping[str, Any]) -> tuple[dt.date, dt.date] | None:
    period = payroll.get("pay_period") or {}
    start, end = (str(period.get(k) or "")[:10] for k in ("start_date", "end_date"))
    try:
        return (dt.date.fromisoformat(start), dt.date.fromisoformat(end)) if start and end else None
    except ValueError:
        return None


def schedule_of(payroll: Mapping[str, Any]) -> str:
    return str(
        (payroll.get("pay_period") or {}).get("pay_schedule_uuid") or payroll.get("pay_schedule_uuid") or ""
    )


def is_calculated(payroll: Mapping[str, Any]) -> bool:
    """Processed, or calculated with totals (Gusto shows amounts only once a payroll is calculated)."""
    totals = payroll.get("totals") or {}
    return bool(payroll.get("processed")) or (
        bool(payroll.get("calculated_at")) and totals.get("gross_pay") not in (None, "")
    )


def choose_bases(payrolls: Iterable[Mapping[str, Any]], period: Period, basis: DateBasis) -> list[BasisChoice]:
    """Per pay schedule: the last processed regular payroll whose journal posts on or before the period's last
    day, and the calculated regular payroll of the next pay period if Gusto already has one."""
    periods = {id(p): pay_period(p) for p in payrolls}
    regular = [p for p in payrolls if not p.get("off_cycle") and periods.get(id(p)) and schedule_of(p)]

    def start(p: Mapping[str, Any]) -> dt.date:
        return periods[id(p)][0]  # type: ignore[index]

    def end(p: Mapping[str, Any]) -> dt.date:
        return periods[id(p)][1]  # type: ignore[index]

    choices = []
    for schedule in sorted({schedule_of(p) for p in regular}):
        runs = [p for p in regular if schedule_of(p) == schedule]
        posted = [p for p in runs if p.get("processed") and posting_date(p, basis)[0] <= period.last_day]
        if not posted:
            continue
        last = max(posted, key=end)
        paid_through = end(last)
        if paid_through >= period.last_day:
            continue  # paid through the period's end: nothing earned is unpaid
        following = [p for p in runs if start(p) == paid_through + dt.timedelta(days=1) and is_calculated(p)]
        if following:
            choices.append(BasisChoice(schedule, last, following[0], NEXT_PAYROLL))
        else:
            choices.append(BasisChoice(schedule, last, last, LAST_PAYROLL))
    return choices


def basis_from(choice: BasisChoice, lines: Iterable[ExpenseLine]) -> ScheduleBasis:
    """The schedule's basis from its chosen payrolls and the source payroll's expense lines."""
    _, paid_through = pay_period(choice.last) or (None, None)
    start, end = pay_period(choice.source) or (None, None)
    assert paid_through is not None and start is not None and end is not None  # chosen with a pay period
    return ScheduleBasis(
        pay_schedule=choice.pay_schedule,
        last_payroll=str(choice.last.get("payroll_uuid") or choice.last.get("uuid")),
        paid_through=paid_through,
        source=choice.source_kind,
        source_payroll=str(choice.source.get("payroll_uuid") or choice.source.get("uuid")),
        source_start=start,
        source_end=end,
        lines=tuple(lines),
    )
