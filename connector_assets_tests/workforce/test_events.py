"""Employee webhooks as assignment observations: whom an event names and on which day."""

from __future__ import annotations

import datetime as dt
import json

from connector_assets.workforce.assignments import Assignment
from connector_assets.workforce.events import employee_events, observed_through_events

A, B = "aaaaaaaa-0000-4000-8000-000000000001", "bbbbbbbb-0000-4000-8000-000000000002"
MARCH_3 = 1772539200  # 2026-03-03 12:00 UTC


def _body(timestamp: int, **extra: object) -> str:
    return json.dumps({"uuid": "e", "timestamp": timestamp, **extra})


def test_employee_and_compensation_events_name_the_employee_and_the_newest_day() -> None:
    """employee.* names the entity; a compensation event names references.employee_uuid; bank events do not count."""
    found = employee_events([
        ("employee.updated", A, _body(MARCH_3)),
        ("employee_job_compensation.updated", "comp-1", _body(MARCH_3 + 86_400, references={"employee_uuid": B})),
        ("employee.bank_account.created", B, _body(MARCH_3 + 5 * 86_400)),
        ("employee.updated", A, _body(MARCH_3 - 86_400)),  # out of order: the newest day wins
        ("payroll.processed", "p-1", _body(MARCH_3)),
    ])  # fmt: skip
    assert {k: (v.event_type, v.day) for k, v in found.items()} == {
        A: ("employee.updated", dt.date(2026, 3, 3)),
        B: ("employee_job_compensation.updated", dt.date(2026, 3, 4)),
    }


def test_observations_start_on_the_event_day_never_after_today() -> None:
    """A webhook processed late dates the change to the event; a clock ahead of ours is capped at today."""
    today = dt.date(2026, 3, 5)
    seen = [Assignment(A, today, department="Sales"), Assignment(B, today, department="Support"),
            Assignment("c", today, department="Ops")]  # fmt: skip
    events = employee_events([
        ("employee.updated", A, _body(MARCH_3)),
        ("employee_job_compensation.created", "x", _body(MARCH_3 + 9 * 86_400, references={"employee_uuid": B})),
    ])  # fmt: skip
    out = observed_through_events(seen, events, today)
    assert [(a.employee_uuid, a.effective_from, a.source) for a in out] == [
        (A, dt.date(2026, 3, 3), "webhook employee.updated"),
        (B, today, "webhook job_compensation.created"),
        ("c", today, "workforce"),
    ]


def test_malformed_bodies_fall_back_to_the_run_day() -> None:
    """No JSON, no timestamp: the employee is still named; the observation keeps today."""
    found = employee_events(
        [("employee.updated", A, "not json"), ("employee_job_compensation.updated", "x", "{}")]
    )
    assert list(found) == [A] and found[A].day is None
    (out,) = observed_through_events([Assignment(A, dt.date(2026, 3, 5))], found, dt.date(2026, 3, 5))
    assert out.effective_from == dt.date(2026, 3, 5)
