"""diff_employees: one test per change kind, plus no-change and a missing column."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from connector_assets.workforce import SNAPSHOT_COLUMNS, SnapshotError, diff_employees

HIRED = dt.date(2021, 3, 1)


def _snap(*rows: dict[str, object]) -> pl.DataFrame:
    base = {"employee_uuid": "e1", "first_name": "Ada", "last_name": "Lovelace", "department": "Engineering",
            "cost_center": "200", "job_title": "Engineer", "hire_date": HIRED, "termination_date": None,
            "terminated": False, "rate_cents": 10_000_000}  # fmt: skip
    return pl.DataFrame([base | r for r in rows], schema=SNAPSHOT_COLUMNS)


def test_identical_snapshots_produce_no_changes() -> None:
    """Nothing changed, nothing reported."""
    assert diff_employees(_snap({}), _snap({})) == []


def test_new_employee_is_a_hire_with_after_values() -> None:
    """An employee only in the current snapshot is hired on their hire date."""
    (change,) = diff_employees(_snap({}), _snap({}, {"employee_uuid": "e2", "hire_date": dt.date(2025, 1, 6)}))
    assert (change.employee_uuid, change.kind, change.before) == ("e2", "hire", {})
    assert change.after["department"] == "Engineering" and change.effective_date == dt.date(2025, 1, 6)


def test_termination_carries_its_effective_date() -> None:
    """terminated false → true is a termination."""
    after = _snap({"terminated": True, "termination_date": dt.date(2025, 5, 31)})
    (change,) = diff_employees(_snap({}), after)
    assert change.kind == "termination"
    assert change.before == {"terminated": False, "termination_date": None}
    assert change.effective_date == dt.date(2025, 5, 31)


def test_rehire_flips_terminated_back() -> None:
    """terminated true → false is a rehire, dated by the new hire date."""
    before = _snap({"terminated": True, "termination_date": dt.date(2024, 5, 31)})
    (change,) = diff_employees(before, _snap({"hire_date": dt.date(2025, 2, 1)}))
    assert change.kind == "rehire"
    assert change.after["hire_date"] == dt.date(2025, 2, 1)


def test_department_change_includes_cost_center() -> None:
    """Department and cost centre move together as one department change."""
    (change,) = diff_employees(_snap({}), _snap({"department": "Operations", "cost_center": "300"}))
    assert change.kind == "department_change"
    assert change.before == {"department": "Engineering", "cost_center": "200"}
    assert change.after == {"department": "Operations", "cost_center": "300"}


def test_job_and_compensation_changes_are_separate_kinds() -> None:
    """A promotion with a raise yields a job change and a compensation change."""
    changes = diff_employees(_snap({}), _snap({"job_title": "Staff Engineer", "rate_cents": 12_000_000}))
    assert [(c.kind, c.before, c.after) for c in changes] == [
        ("job_change", {"job_title": "Engineer"}, {"job_title": "Staff Engineer"}),
        ("compensation_change", {"rate_cents": 10_000_000}, {"rate_cents": 12_000_000}),
    ]


def test_null_to_value_counts_as_a_change() -> None:
    """A first department assignment is a change even though the old value was null."""
    (change,) = diff_employees(_snap({"department": None}), _snap({}))
    assert change.kind == "department_change" and change.before["department"] is None


def test_snapshot_without_required_column_is_rejected() -> None:
    """A frame missing a column names it."""
    with pytest.raises(SnapshotError, match="rate_cents"):
        diff_employees(_snap({}).drop("rate_cents"), _snap({}))
