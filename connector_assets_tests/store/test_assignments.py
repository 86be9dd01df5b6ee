"""The assignments table: history read back in order, per connection, same-day observations corrected."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine

from connector_assets.store.assignments import Assignments
from connector_assets.workforce.assignments import Assignment


def test_history_round_trips_in_date_order_per_connection(store_engine: Engine) -> None:
    """What is recorded comes back oldest first, only for its connection; the same day twice keeps the last."""
    repo = Assignments(store_engine)
    moved = Assignment("e1", dt.date(2026, 3, 5), department="Engineering", job_uuid="j1", source="workforce run")
    repo.record("acme", [moved, Assignment("e1", dt.date(2025, 1, 6), department="Operations")])
    repo.record("other", [Assignment("e1", dt.date(2024, 1, 1), department="Sales")])
    repo.record("acme", [Assignment("e1", dt.date(2026, 3, 5), department="Support", source="employee webhook")])
    history = repo.history("acme", ["e1"])
    assert [(a.effective_from, a.department, a.source) for a in history] == [
        (dt.date(2025, 1, 6), "Operations", "workforce"),
        (dt.date(2026, 3, 5), "Support", "employee webhook"),
    ]
    assert repo.history("acme", ["e2"]) == []


def test_many_at_once_and_the_same_day_twice_in_one_call(store_engine: Engine) -> None:
    """A first sync's hundreds of rows land in one call; the same employee and day twice keeps the later."""
    repo = Assignments(store_engine)
    day = dt.date(2026, 3, 5)
    rows = [Assignment(f"e{n:03d}", day, department="Engineering") for n in range(300)]
    assert repo.record("acme", [*rows, Assignment("e007", day, department="Support")]) == 301
    history = repo.history("acme")
    assert len(history) == 300
    assert next(a.department for a in history if a.employee_uuid == "e007") == "Support"
