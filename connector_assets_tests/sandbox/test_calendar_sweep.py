"""The generated history holds what every fixture relies on, whatever the calendar day.

The end-to-end fixtures generate their Gusto company on the suite's day and count on its history: a
regular and an off-cycle payroll, at least two postable payrolls per connection, a payroll of each staffed
schedule once a month of history is asked for, and an upcoming draft for `run_payroll()`. The sweep checks
those preconditions on every day of a leap year plus the edge days (month ends, DST changes in US zones, a
Friday bank holiday, the turn of a year); `make test` runs the edge days, `make chaos` the whole year.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from connector_assets.sandbox import clock as sandbox_clock
from connector_assets.sandbox.generator import generate_world
from connector_assets.sandbox.generator_models import World
from connector_assets.sandbox.generator_payroll import payroll_pay, payroll_totals

LEAP_YEAR = 2028
EDGE_DAYS = (
    date(2026, 11, 30),  # a month's last day, where the short history once held a bonus run only
    date(2028, 2, 29),
    date(2027, 2, 28),
    date(2026, 12, 31),
    date(2027, 1, 1),
    date(2028, 12, 31),
    date(2029, 1, 1),
    date(2026, 3, 8),  # US daylight saving time starts
    date(2026, 11, 1),  # ... and ends
    date(2028, 3, 12),
    date(2028, 11, 5),
    date(2026, 12, 25),  # Christmas on a Friday: a bank holiday on a biweekly check day
    date(2025, 7, 4),  # Independence Day on a Friday
    date(2026, 3, 15),  # the suite's pinned day
)

# (seed, employees, history_months) of the worlds the fixtures, the demo and `make dev` generate. The
# end-to-end deployment numbers its connections' seeds from 100 in the order the tests add them.
E2E_SEEDS = range(100, 108)
FIXTURE_WORLDS = (
    *((seed, 12, months) for seed in E2E_SEEDS for months in (0, 1)),  # e2e deployment connections
    (7, 3, 0),  # realtime tests, realtime tools (start_dev, start_sandbox)
    (7, 3, 1),  # operations scenario
    (7, 4, 0),  # mapping CLI
    (11, 4, 1),  # Celery executor
    (7, 40, 3),  # make demo
    (7, 40, 2),  # make dev
)


def leap_year_days() -> list[date]:
    first = date(LEAP_YEAR, 1, 1)
    return [first + timedelta(days=n) for n in range(366)]


def history_problems(world: World, history_months: int) -> list[str]:
    """Every precondition of the fixtures that `world` breaks (empty when it satisfies them all)."""
    today = world.today
    problems: list[str] = []
    processed = [p for p in world.payrolls if p.processed]
    kinds = {p.off_cycle for p in processed}
    if len(processed) < 2 or kinds != {True, False}:
        problems.append(f"needs a regular and an off-cycle processed payroll, has {len(processed)}: {kinds}")
    for payroll in world.payrolls:
        if not payroll.employee_uuids:
            problems.append(f"payroll {payroll.check_date} has no employees")
    for payroll in processed:
        if payroll.check_date > today:
            problems.append(f"processed payroll {payroll.check_date} lies after today")
        totals = payroll_totals(payroll_pay(world, payroll))
        sign = -1 if payroll.reversal_of else 1  # a reversal payroll pays its original's amounts negated
        if sign * totals["gross_pay"] <= 0 or sign * totals["net_pay"] < 0:
            problems.append(
                f"payroll {payroll.check_date} pays {totals['gross_pay']} gross, {totals['net_pay']} net"
            )
    for schedule in world.pay_schedules:
        if not any(e.pay_schedule_uuid == schedule.uuid for e in world.employees):
            continue
        mine = [p for p in world.payrolls if p.pay_schedule_uuid == schedule.uuid]
        if not any(p.processed for p in mine):
            problems.append(f"schedule {schedule.frequency!r} has no processed payroll")
        if not any(not p.processed and p.check_date > today for p in mine):
            problems.append(f"schedule {schedule.frequency!r} has no upcoming draft")
        if history_months >= 1 and not any(
            p.processed and p.check_date >= today - timedelta(days=31) for p in mine
        ):
            problems.append(f"a month of history holds no {schedule.frequency!r} payroll")
    return problems


def sweep(days: list[date]) -> dict[str, list[str]]:
    failures: dict[str, list[str]] = {}
    for day in days:
        for seed, employees, months in FIXTURE_WORLDS:
            world = generate_world(seed=seed, employees=employees, today=day, history_months=months)
            problems = history_problems(world, months)
            if problems:
                failures[f"{day} seed={seed} employees={employees} months={months}"] = problems
    return failures


def test_edge_days_hold_every_fixture_precondition() -> None:
    """Month ends, 02-29, the turn of the year, DST changes and Friday bank holidays break no fixture."""
    failures = sweep(sorted(set(EDGE_DAYS)))
    assert not failures, "\n".join(f"{k}: {v}" for k, v in list(failures.items())[:20])


@pytest.mark.chaos
def test_every_day_of_a_leap_year_holds_every_fixture_precondition() -> None:
    """All 366 days of 2028 plus the edge days: no day of the calendar leaves a fixture short of payrolls."""
    days = sorted(set(leap_year_days()) | set(EDGE_DAYS))
    assert len(days) == 366 + sum(d.year != LEAP_YEAR for d in set(EDGE_DAYS))
    failures = sweep(days)
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(
        f"{k}: {v}" for k, v in list(failures.items())[:20]
    )


@pytest.mark.parametrize("day", [date(2026, 11, 30), date(2028, 2, 29), date(2029, 1, 1)])
def test_the_history_depends_on_the_pinned_day_only(day: date, monkeypatch: pytest.MonkeyPatch) -> None:
    """`CONNECTOR_TODAY` sets the sandbox's day; the world is the one generated for that day explicitly."""
    monkeypatch.setenv(sandbox_clock.SETTING, day.isoformat())
    assert sandbox_clock.today() == day
    implicit, explicit = (
        generate_world(seed=101, employees=12, history_months=0),
        generate_world(seed=101, employees=12, today=day, history_months=0),
    )
    assert implicit.today == day
    assert [(p.uuid, p.check_date, p.employee_uuids) for p in implicit.payrolls] == [
        (p.uuid, p.check_date, p.employee_uuids) for p in explicit.payrolls
    ]
