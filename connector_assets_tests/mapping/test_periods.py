"""Attributes as assigned in a pay period: the one-join path gives exactly what assigning employee by employee gives."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import polars as pl
from polars.testing import assert_frame_equal

from connector_assets.mapping.attributes import ATTRIBUTE_SCHEMA
from connector_assets.mapping.periods import PART_SEPARATOR, _as_assigned, attributes_for_period
from connector_assets.workforce.assignments import Assignment, PeriodShare

DAY = dt.date(2026, 3, 1)


def one_by_one(
    attributes: pl.DataFrame, shares: Mapping[str, Sequence[PeriodShare]]
) -> tuple[pl.DataFrame, dict[str, list[tuple[str, int]]]]:
    """The definition: employees not in `shares` first, then each employee of `shares` assigned on its own."""
    frames = [attributes.filter(~pl.col("employee_uuid").is_in(list(shares)))]
    parts: dict[str, list[tuple[str, int]]] = {}
    for employee, mine in shares.items():
        rows = attributes.filter(pl.col("employee_uuid") == employee)
        if rows.is_empty() or not mine:
            frames.append(rows)
            continue
        if len(mine) == 1:
            frames.append(_as_assigned(rows, mine[0].assignment, employee))
            continue
        keys = [f"{employee}{PART_SEPARATOR}{s.assignment.effective_from.isoformat()}" for s in mine]
        frames += [_as_assigned(rows, s.assignment, k) for s, k in zip(mine, keys, strict=True)]
        parts[employee] = [(k, s.days) for s, k in zip(mine, keys, strict=True)]
    return pl.concat(frames).select([pl.col(n).cast(t) for n, t in ATTRIBUTE_SCHEMA.items()]), parts


def row(employee: str, job: str | None, primary: bool, department: str = "Sales") -> tuple[object, ...]:
    return (employee, f"d-{department}", department, "loc-1", job, "Clerk", 2_000, "Hour", None, primary)


def share(employee: str, days: int, *, job: str | None, department: str, start: dt.date = DAY) -> PeriodShare:
    assignment = Assignment(employee, start, f"d-{department}", department, "loc-2", job, "Clerk", "CC9")
    return PeriodShare(assignment, days, 31, "test")


def test_one_join_matches_assigning_each_employee() -> None:
    attributes = pl.DataFrame(
        [
            row("e1", "j1", True),
            row("e1", "j2", False),  # e1's assignment names j2: j2 becomes primary
            row("e2", "j3", True),  # e2's assignment names a job it does not hold: primary stays
            row("e3", None, False),  # e3 has no job; its assignment names none
            row("e4", "j5", True),  # e4 is not in the shares: unchanged, first
            row("e5", "j6", True),  # e5 is transferred inside the period: two parts
            row("e6", "j7", True),  # e6 has no share for the period: unchanged
        ],
        schema=ATTRIBUTE_SCHEMA,
        orient="row",
    )
    shares = {
        "e3": [share("e3", 31, job=None, department="Ops")],
        "e1": [share("e1", 31, job="j2", department="Ops")],
        "e6": [],
        "e5": [
            share("e5", 10, job="j6", department="Sales"),
            share("e5", 21, job="j6", department="Ops", start=DAY + dt.timedelta(days=10)),
        ],
        "e2": [share("e2", 31, job="j9", department="R&D")],
        "e9": [share("e9", 31, job="j1", department="Ops")],  # no attributes at all
    }
    frame, parts = attributes_for_period(attributes, shares)
    expected_frame, expected_parts = one_by_one(attributes, shares)
    assert_frame_equal(frame, expected_frame)
    assert parts == expected_parts
    assert frame.filter(pl.col("employee_uuid") == "e1")["primary_job"].to_list() == [False, True]
    assert frame["employee_uuid"].to_list()[0] == "e4"


def test_no_shares_leave_the_attributes_as_they_are() -> None:
    attributes = pl.DataFrame([row("e1", "j1", True)], schema=ATTRIBUTE_SCHEMA, orient="row")
    frame, parts = attributes_for_period(attributes, {})
    assert_frame_equal(frame, attributes)
    assert parts == {}
