"""The period-end accrual: the worked example of docs/accounting.md §10 line for line, and properties over
generated payroll amounts (the accrual balances, and with its reversal nets to zero in every account)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from connector_assets.ledger.accrual import (
    EMPLOYER_BENEFITS,
    EMPLOYER_TAXES,
    LAST_PAYROLL,
    NEXT_PAYROLL,
    WAGES,
    Accounts,
    EntryLine,
    ExpenseLine,
    Period,
    ScheduleBasis,
    accrual_entity,
    basis_from,
    choose_bases,
    compute_accrual,
    count_days,
    is_accrual_entity,
    period_of_entity,
    prorate,
    reversal_entity,
)
from connector_assets.ledger.accrual_text import accrual_text

ACCOUNTS = Accounts(accrued_wages="2500", accrued_employer_cost="2510")
BIWEEKLY, SEMIMONTHLY = "ps-biweekly", "ps-semimonthly"


def _payroll(uuid: str, schedule: str, start: str, end: str, check: str, *, processed: bool = True,
             calculated: bool = False, off_cycle: bool = False) -> dict[str, Any]:  # fmt: skip
    body: dict[str, Any] = {
        "payroll_uuid": uuid, "processed": processed, "off_cycle": off_cycle, "check_date": check,
        "pay_period": {"start_date": start, "end_date": end, "pay_schedule_uuid": schedule},
    }  # fmt: skip
    if processed or calculated:
        body.update(calculated_at="2026-04-01T10:00:00Z", totals={"gross_pay": "1.00"})
    return body


# Gusto's payrolls around March 2026, as `GET /v1/companies/{uuid}/payrolls` lists them.
PAYROLLS = [
    _payroll("bw-0308", BIWEEKLY, "2026-03-08", "2026-03-21", "2026-03-27"),
    _payroll("bw-0322", BIWEEKLY, "2026-03-22", "2026-04-04", "2026-04-10", processed=False),  # not calculated
    _payroll("sm-0301", SEMIMONTHLY, "2026-03-01", "2026-03-15", "2026-03-20"),
    _payroll("sm-0316", SEMIMONTHLY, "2026-03-16", "2026-03-31", "2026-04-05", processed=False, calculated=True),
    _payroll("bonus-0325", BIWEEKLY, "2026-03-25", "2026-03-25", "2026-03-25", off_cycle=True),
]
# The expense lines of the source payrolls' journals (account, cost center, role, cents).
EXPENSES = {
    "bw-0308": [
        ExpenseLine("6010", "CC200", WAGES, 420000),
        ExpenseLine("6010", "CC300", WAGES, 150000),
        ExpenseLine("6100", "CC200", EMPLOYER_TAXES, 32130),
        ExpenseLine("6100", "CC300", EMPLOYER_TAXES, 11475),
        ExpenseLine("6200", "CC200", EMPLOYER_BENEFITS, 25000),
    ],
    "sm-0316": [
        ExpenseLine("6010", "CC300", WAGES, 200000),
        ExpenseLine("6100", "CC300", EMPLOYER_TAXES, 15300),
    ],
}


def test_the_worked_example_of_the_accounting_page() -> None:
    period = Period.parse("2026-03")
    choices = choose_bases(PAYROLLS, period, "check_date")
    assert [(c.pay_schedule, c.last.get("payroll_uuid"), c.source.get("payroll_uuid"), c.source_kind)
            for c in choices] == [
        (BIWEEKLY, "bw-0308", "bw-0308", LAST_PAYROLL),
        (SEMIMONTHLY, "sm-0301", "sm-0316", NEXT_PAYROLL),
    ]  # fmt: skip
    bases = [basis_from(c, EXPENSES[str(c.source["payroll_uuid"])]) for c in choices]
    accrual = compute_accrual(period, bases, ACCOUNTS)

    biweekly, semimonthly = accrual.schedules
    assert (biweekly.unpaid_from, biweekly.unpaid_to, biweekly.days, biweekly.period_days) == (
        dt.date(2026, 3, 22), dt.date(2026, 3, 31), 10, 14)  # fmt: skip
    assert [ln.cents for ln in biweekly.lines] == [300000, 107143, 22950, 8196, 17857]
    assert (semimonthly.days, semimonthly.period_days) == (16, 16)
    assert accrual.lines == (
        EntryLine("6010", "CC200", 300000, 0, "Accrued wages"),
        EntryLine("6010", "CC300", 307143, 0, "Accrued wages"),
        EntryLine("6100", "CC200", 22950, 0, "Accrued employer taxes"),
        EntryLine("6100", "CC300", 23496, 0, "Accrued employer taxes"),
        EntryLine("6200", "CC200", 17857, 0, "Accrued employer benefits"),
        EntryLine("2500", None, 0, 607143, "Accrued wages payable"),
        EntryLine("2510", None, 0, 64303, "Accrued employer cost payable"),
    )
    assert accrual.debit_cents == accrual.credit_cents == 671446
    assert (accrual.posting_date, accrual.reversal_date) == (dt.date(2026, 3, 31), dt.date(2026, 4, 1))
    assert accrual.reversal_lines()[0] == EntryLine("6010", "CC200", 0, 300000, "Reversal: Accrued wages")
    text = "\n".join(accrual_text(accrual))
    assert "earned and unpaid 2026-03-22..2026-03-31 = 10 day(s)" in text
    assert "6010 / CC300: 1500.00 x 10/14 = 1071.43" in text
    assert "next payroll (calculated) sm-0316" in text


def test_the_worked_example_on_working_days() -> None:
    """§10's second table: the same payrolls with `posting.accrual_days: working` (Monday to Friday)."""
    period = Period.parse("2026-03")
    bases = [basis_from(c, EXPENSES[str(c.source["payroll_uuid"])]) for c in choose_bases(PAYROLLS, period,
                                                                                            "check_date")]  # fmt: skip
    accrual = compute_accrual(period, bases, ACCOUNTS, "working")

    biweekly, semimonthly = accrual.schedules
    # 03-22 is a Sunday: 03-23..03-27 and 03-30..03-31 are worked, of 03-09..03-13 and 03-16..03-20.
    assert (biweekly.unpaid_from, biweekly.unpaid_to, biweekly.days, biweekly.period_days) == (
        dt.date(2026, 3, 22), dt.date(2026, 3, 31), 7, 10)  # fmt: skip
    assert [ln.cents for ln in biweekly.lines] == [294000, 105000, 22491, 8033, 17500]
    assert (semimonthly.days, semimonthly.period_days) == (12, 12)
    assert [ln.cents for ln in semimonthly.lines] == [200000, 15300]
    assert accrual.lines == (
        EntryLine("6010", "CC200", 294000, 0, "Accrued wages"),
        EntryLine("6010", "CC300", 305000, 0, "Accrued wages"),
        EntryLine("6100", "CC200", 22491, 0, "Accrued employer taxes"),
        EntryLine("6100", "CC300", 23333, 0, "Accrued employer taxes"),
        EntryLine("6200", "CC200", 17500, 0, "Accrued employer benefits"),
        EntryLine("2500", None, 0, 599000, "Accrued wages payable"),
        EntryLine("2510", None, 0, 63324, "Accrued employer cost payable"),
    )
    assert accrual.debit_cents == accrual.credit_cents == 662324
    text = "\n".join(accrual_text(accrual))
    assert "working days, Monday to Friday, no holiday calendar (posting.accrual_days: working)" in text
    assert "earned and unpaid 2026-03-22..2026-03-31 = 7 working day(s)" in text
    assert "6100 / CC300: 114.75 x 7/10 = 80.33" in text
    calendar_text = "\n".join(accrual_text(compute_accrual(period, bases, ACCOUNTS)))
    assert "(posting.accrual_days: calendar)" in calendar_text


@given(first=st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31)), span=st.integers(min_value=-3, max_value=60))
def test_working_days_are_the_weekdays_of_the_span(first: dt.date, span: int) -> None:
    last = first + dt.timedelta(days=span - 1)
    every = [first + dt.timedelta(days=i) for i in range(max(span, 0))]
    assert count_days(first, last, "calendar") == len(every)
    assert count_days(first, last, "working") == sum(1 for d in every if d.weekday() < 5)


def test_a_schedule_paid_through_the_period_end_accrues_nothing() -> None:
    """With `period_end` dates the semimonthly run of 03-16..03-31 posts in March: nothing is unpaid."""
    payrolls = [{**p, "processed": True} for p in PAYROLLS if p["payroll_uuid"] == "sm-0316"]
    assert choose_bases(payrolls, Period.parse("2026-03"), "period_end") == []


def test_prorating_rounds_half_up_away_from_zero() -> None:
    assert prorate(15, 1, 2) == 8 and prorate(-15, 1, 2) == -8 and prorate(14, 1, 2) == 7


lines = st.lists(
    st.builds(
        ExpenseLine,
        account=st.sampled_from(["6010", "6015", "6100", "6200"]),
        cost_center=st.sampled_from([None, "CC100", "CC200"]),
        role=st.sampled_from([WAGES, EMPLOYER_TAXES, EMPLOYER_BENEFITS, "reimbursements"]),
        cents=st.integers(min_value=-500_000, max_value=5_000_000),
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=300, deadline=None)
@given(
    expense=lines,
    month=st.integers(min_value=1, max_value=12),
    paid_through_day=st.integers(min_value=1, max_value=27),
    period_days=st.integers(min_value=7, max_value=31),
)
def test_an_accrual_balances_and_its_reversal_nets_every_account_to_zero(
    expense: list[ExpenseLine], month: int, paid_through_day: int, period_days: int
) -> None:
    period = Period(2026, month)
    paid_through = dt.date(2026, month, paid_through_day)
    basis = ScheduleBasis("ps", "last", paid_through, LAST_PAYROLL, "last",
                          paid_through - dt.timedelta(days=period_days - 1), paid_through, tuple(expense))  # fmt: skip
    accrual = compute_accrual(period, [basis], ACCOUNTS)
    assert accrual.debit_cents == accrual.credit_cents
    assert all(bool(ln.debit_cents) != bool(ln.credit_cents) for ln in accrual.lines)
    net: dict[tuple[str, str | None], int] = {}
    for ln in accrual.lines + accrual.reversal_lines():
        net[(ln.account, ln.cost_center)] = (
            net.get((ln.account, ln.cost_center), 0) + ln.debit_cents - ln.credit_cents
        )
    assert set(net.values()) <= {0}
    (schedule,) = accrual.schedules
    assert schedule.days == (period.last_day - paid_through).days
    assert accrual.wages_cents == sum(
        prorate(e.cents, schedule.days, period_days) for e in expense if e.role == WAGES
    )


def test_ledger_names_of_the_entries_carry_their_month() -> None:
    period = Period.parse("2026-02")
    assert (accrual_entity(period), reversal_entity(period)) == ("accrual-2026-02", "accrual-2026-02-reversal")
    assert {period_of_entity(accrual_entity(period)), period_of_entity(reversal_entity(period))} == {"2026-02"}
    assert is_accrual_entity("accrual-2026-02") and not is_accrual_entity("0b8c0e4e-payroll")
