"""Employee snapshot diff: hires, terminations, rehires, department, job and compensation changes.

Snapshots are frames with ``SNAPSHOT_COLUMNS``. An employee missing from the
current snapshot is not a change: Gusto lists terminated employees too, so
absence means the snapshot was filtered, never that someone left.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import polars as pl

ChangeKind = Literal["hire", "termination", "rehire", "department_change", "job_change", "compensation_change"]
SNAPSHOT_COLUMNS: dict[str, pl.DataType] = {
    "employee_uuid": pl.String(),
    "first_name": pl.String(),
    "last_name": pl.String(),
    "department": pl.String(),
    "cost_center": pl.String(),
    "job_title": pl.String(),
    "hire_date": pl.Date(),
    "termination_date": pl.Date(),
    "terminated": pl.Boolean(),
    "rate_cents": pl.Int64(),
}
# Change kind → the snapshot fields whose before/after it carries.
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    "hire": ("first_name", "last_name", "department", "cost_center", "job_title", "hire_date", "rate_cents"),
    "termination": ("terminated", "termination_date"),
    "rehire": ("terminated", "hire_date", "termination_date"),
    "department_change": ("department", "cost_center"),
    "job_change": ("job_title",),
    "compensation_change": ("rate_cents",),
}
KIND_ORDER = tuple(KIND_FIELDS)


class SnapshotError(ValueError):
    """A snapshot frame lacks a column the diff needs."""


@dataclass(frozen=True)
class WorkforceChange:
    """One change of one employee, with the values before and after (``None`` before a hire)."""

    employee_uuid: str
    kind: ChangeKind
    before: Mapping[str, object] = field(default_factory=dict)
    after: Mapping[str, object] = field(default_factory=dict)
    effective_date: dt.date | None = None


def _normalise(frame: pl.DataFrame, name: str) -> pl.DataFrame:
    missing = [c for c in SNAPSHOT_COLUMNS if c not in frame.columns]
    if missing:
        raise SnapshotError(f"{name} snapshot lacks columns {missing}; build it with the SNAPSHOT_COLUMNS layout")
    return frame.select([pl.col(c).cast(t) for c, t in SNAPSHOT_COLUMNS.items()]).with_columns(
        pl.col("terminated").fill_null(False)
    )


def _changed(column: str) -> pl.Expr:
    return pl.col(column).ne_missing(pl.col(f"{column}_prev"))


def changes_frame(previous: pl.DataFrame, current: pl.DataFrame) -> pl.DataFrame:
    """One row per (employee, change kind) with boolean flags computed by expressions."""
    prev = _normalise(previous, "previous").rename(
        {c: f"{c}_prev" for c in SNAPSHOT_COLUMNS if c != "employee_uuid"}
    )
    cur = _normalise(current, "current")
    both = cur.join(prev.with_columns(_seen=pl.lit(True)), on="employee_uuid", how="left").with_columns(
        pl.col("_seen").fill_null(False)
    )
    seen, was_term, is_term = pl.col("_seen"), pl.col("terminated_prev"), pl.col("terminated")
    flags = both.with_columns(
        hire=~seen,
        termination=seen & ~was_term & is_term,
        rehire=seen & was_term & ~is_term,
        department_change=seen & (_changed("department") | _changed("cost_center")),
        job_change=seen & _changed("job_title"),
        compensation_change=seen & _changed("rate_cents"),
    )
    return (
        flags.unpivot(index="employee_uuid", on=list(KIND_ORDER), variable_name="kind", value_name="flag")
        .filter(pl.col("flag"))
        .join(flags, on="employee_uuid")
        .with_columns(
            _k=pl.col("kind").replace_strict({k: i for i, k in enumerate(KIND_ORDER)}, return_dtype=pl.Int64)
        )
        .sort("employee_uuid", "_k")
        .drop("flag", "_k", "_seen", *KIND_ORDER)
    )


def diff_employees(previous: pl.DataFrame, current: pl.DataFrame) -> list[WorkforceChange]:
    """Changes between two snapshots, sorted by employee and kind."""
    out = []
    for row in changes_frame(previous, current).iter_rows(named=True):
        kind = row["kind"]
        fields = KIND_FIELDS[kind]
        before = {} if kind == "hire" else {f: row[f"{f}_prev"] for f in fields}
        after = {f: row[f] for f in fields}
        effective = {"hire": row["hire_date"], "termination": row["termination_date"], "rehire": row["hire_date"]}
        out.append(WorkforceChange(row["employee_uuid"], kind, before, after, effective.get(kind)))
    return out
