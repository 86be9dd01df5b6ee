"""Assignment history: observed changes, the assignment in force for a pay period, proration by days."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from connector_assets.ledger import build_journal, payroll_items
from connector_assets.mapping import employee_attributes, parse_mapping, resolve
from connector_assets.mapping.periods import attributes_for_period, split_items_by_days
from connector_assets.workforce.assignments import Assignment, changes, observe, period_shares
from connector_assets_tests.ledger import accounting_examples as x

D = dt.date


def _employee(dept: str, job: str = x.JB, comp_date: str = "2025-01-06") -> dict[str, Any]:
    return {"uuid": x.B, "department": dept, "department_uuid": None,
            "jobs": [{"uuid": job, "title": "Staff", "primary": True, "rate": "25.00", "payment_unit": "Hour",
                      "hire_date": "2025-01-06", "compensations": [{"effective_date": comp_date}]}]}  # fmt: skip


def _history(*steps: tuple[str, dict[str, Any]]) -> list[Assignment]:
    history: list[Assignment] = []
    for day, emp in steps:
        seen = observe([emp], D.fromisoformat(day), "cost_center", "workforce")
        history += changes(history, seen, {emp["uuid"]: emp})
    return history


def test_first_sight_reaches_back_to_the_hire_date_and_a_transfer_starts_when_seen() -> None:
    """Backfilled payrolls find the first assignment; a department change starts on the day it was observed."""
    history = _history(("2026-03-01", _employee("Operations")), ("2026-03-02", _employee("Operations")),
                       ("2026-03-05", _employee("Engineering")))  # fmt: skip
    assert [(a.effective_from, a.department) for a in history] == [
        (D(2025, 1, 6), "Operations"),
        (D(2026, 3, 5), "Engineering"),
    ]


def test_a_new_primary_job_starts_on_its_compensation_effective_date() -> None:
    """Gusto's effective_date of the new job's compensation dates the change, not the day it was seen."""
    later = _employee("Operations", job="new-job", comp_date="2026-03-03")
    history = _history(("2026-03-01", _employee("Operations")), ("2026-03-06", later))
    assert history[-1].effective_from == D(2026, 3, 3)
    assert "compensation effective_date" in history[-1].source


def test_period_end_and_prorated_shares() -> None:
    """At period end the new department takes all; prorated, 4 of 7 days stay with the old one."""
    history = _history(("2026-03-01", _employee("Operations")), ("2026-03-05", _employee("Engineering")))
    (end,) = period_shares(history, x.B, D(2026, 3, 1), D(2026, 3, 7))
    assert end.assignment.department == "Engineering" and end.days == 7
    shares = period_shares(history, x.B, D(2026, 3, 1), D(2026, 3, 7), "prorate")
    assert [(s.assignment.department, s.days) for s in shares] == [("Operations", 4), ("Engineering", 3)]


def _journal_lines(shares_basis: str, history: list[Assignment]) -> list[tuple[Any, ...]]:
    payroll = x.pto_payroll()
    items = payroll_items(payroll)
    shares = {x.B: period_shares(history, x.B, D(2026, 3, 1), D(2026, 3, 7), shares_basis)}  # type: ignore[arg-type]
    attributes, parts = attributes_for_period(employee_attributes(x.employees()), shares)
    items = split_items_by_days(items, parts)
    journal = build_journal(payroll, items, resolve(items, attributes, parse_mapping(x.MAPPING_YAML)))
    assert journal.postable, journal.proofs.problems()
    return list(journal.lines.select("account", "cost_center", "debit_cents", "credit_cents").iter_rows())


def test_transfer_inside_the_period_posts_by_the_historical_assignment() -> None:
    """Worked example 4: B moves from Operations (300) to Engineering (200) on day 5 of a 7-day period."""
    history = _history(("2026-03-01", _employee("Operations")), ("2026-03-05", _employee("Engineering")))
    assert _journal_lines("period_end", history) == [
        ("6010", "200", 150_000, 0), ("6017", "200", 50_000, 0), ("6100", "200", 12_400, 0),
        ("1090", None, 0, 180_000), ("1091", None, 0, 32_400),
    ]  # fmt: skip
    assert _journal_lines("prorate", history) == [
        ("6010", "200", 64_286, 0), ("6010", "300", 85_714, 0), ("6017", "200", 21_429, 0),
        ("6017", "300", 28_571, 0), ("6100", "200", 5_314, 0), ("6100", "300", 7_086, 0),
        ("1090", None, 0, 180_000), ("1091", None, 0, 32_400),
    ]  # fmt: skip
    # A later transfer does not change the journal of a period already past (a replay posts the same).
    later = history + _history(("2026-03-01", _employee("Operations")), ("2026-06-01", _employee("Support")))[1:]
    assert _journal_lines("prorate", later) == _journal_lines("prorate", history)


@settings(max_examples=40, deadline=None)
@given(day=st.integers(0, 13), basis=st.sampled_from(["period_end", "prorate"]))
def test_any_transfer_day_keeps_the_journal_balanced_and_every_cent(day: int, basis: str) -> None:
    """Wherever the transfer falls in a 14-day period, the journal is postable and wages sum to gross."""
    move = (D(2026, 3, 1) + dt.timedelta(days=day)).isoformat()
    history = _history(("2026-02-20", _employee("Operations")), (move, _employee("Engineering")))
    payroll = x.pto_payroll()
    shares = {x.B: period_shares(history, x.B, D(2026, 3, 1), D(2026, 3, 14), basis)}  # type: ignore[arg-type]
    attributes, parts = attributes_for_period(employee_attributes(x.employees()), shares)
    items = split_items_by_days(payroll_items(payroll), parts)
    journal = build_journal(payroll, items, resolve(items, attributes, parse_mapping(x.MAPPING_YAML)))
    assert journal.postable, journal.proofs.problems()
    wages = journal.lines.filter(pl.col("account").is_in(["6010", "6017"]))["debit_cents"].sum()
    assert wages == 200_000
