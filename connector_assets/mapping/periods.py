"""Employee attributes as they were in a pay period, from the assignment history (not today's snapshot).

With one assignment for the period the employee's department, location, primary job and cost-center
field are replaced by it. With several (a transfer inside the period, prorated by calendar days) each
assignment becomes a part of the employee, keyed ``<employee>#<effective_from>``, and every item of the
employee is split over the parts by days with largest remainder, so each part resolves by its own rules
and the cents still add up.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import polars as pl

from connector_assets.ledger.allocation import allocate_frame
from connector_assets.mapping.attributes import ATTRIBUTE_SCHEMA
from connector_assets.workforce.assignments import Assignment, PeriodShare

PART_SEPARATOR = "#"


def _as_assigned(rows: pl.DataFrame, a: Assignment, key: str) -> pl.DataFrame:
    has_job = a.job_uuid is not None and a.job_uuid in rows["job_uuid"].to_list()
    return rows.with_columns(
        employee_uuid=pl.lit(key),
        department_uuid=pl.lit(a.department_uuid, pl.String),
        department=pl.lit(a.department, pl.String),
        location_uuid=pl.lit(a.location_uuid, pl.String),
        custom_cost_center=pl.lit(a.custom_cost_center, pl.String),
        primary_job=(pl.col("job_uuid") == a.job_uuid).fill_null(False) if has_job else pl.col("primary_job"),
    )


# Where an employee's rows go in the result: its position in `shares`, then its part, then its original row.
_ORDER = ["_position", "_part", "_row"]
_ASSIGNED_SCHEMA = {"employee_uuid": pl.String, "_position": pl.Int64, "_department_uuid": pl.String,
                    "_department": pl.String, "_location_uuid": pl.String, "_custom_cost_center": pl.String,
                    "_job_uuid": pl.String}  # fmt: skip


def attributes_for_period(
    attributes: pl.DataFrame, shares: Mapping[str, Sequence[PeriodShare]]
) -> tuple[pl.DataFrame, dict[str, list[tuple[str, int]]]]:
    """Attributes as assigned in the period, and employee → [(part key, days)] for employees split by days.

    Employees not in `shares` come first, as they are; then each employee of `shares` in its order. Employees
    with one assignment for the period (nearly all) are assigned in one join; the few split by days one by one."""
    rows = attributes.with_columns(pl.col("employee_uuid", "job_uuid").cast(pl.String)).with_row_index("_row")
    unshared = rows.filter(~pl.col("employee_uuid").is_in(list(shares)))
    blocks: list[pl.DataFrame] = []
    single: list[tuple[str, int, Assignment]] = []
    parts: dict[str, list[tuple[str, int]]] = {}
    for position, (employee, mine) in enumerate(shares.items()):
        if len(mine) == 1:
            single.append((employee, position, mine[0].assignment))
            continue
        own = rows.filter(pl.col("employee_uuid") == employee).with_columns(_position=pl.lit(position, pl.Int64))
        if own.is_empty() or not mine:
            blocks.append(own.with_columns(_part=pl.lit(0, pl.Int64)))
            continue
        keys = [f"{employee}{PART_SEPARATOR}{s.assignment.effective_from.isoformat()}" for s in mine]
        blocks += [
            _as_assigned(own, s.assignment, k).with_columns(_part=pl.lit(n, pl.Int64))
            for n, (s, k) in enumerate(zip(mine, keys, strict=True))
        ]
        parts[employee] = [(k, s.days) for s, k in zip(mine, keys, strict=True)]
    if single:
        blocks.append(_each_as_assigned(rows, single))
    columns = attributes.columns
    placed = [pl.concat(blocks).sort(_ORDER).select(columns)] if blocks else []
    frame = pl.concat([unshared.select(columns), *placed])
    return frame.select([pl.col(n).cast(t) for n, t in ATTRIBUTE_SCHEMA.items()]), parts


def _each_as_assigned(rows: pl.DataFrame, single: Sequence[tuple[str, int, Assignment]]) -> pl.DataFrame:
    """`_as_assigned` for many employees of one assignment each, as one join: (employee, position, assignment)."""
    values = [(e, p, a.department_uuid, a.department, a.location_uuid, a.custom_cost_center, a.job_uuid)
              for e, p, a in single]  # fmt: skip
    assigned = pl.DataFrame(values, schema=_ASSIGNED_SCHEMA, orient="row")
    on_job = pl.col("job_uuid") == pl.col("_job_uuid")
    has_job = on_job.fill_null(False).any().over("employee_uuid")
    return (
        rows.join(assigned, on="employee_uuid", how="inner")
        .with_columns(
            department_uuid=pl.col("_department_uuid"),
            department=pl.col("_department"),
            location_uuid=pl.col("_location_uuid"),
            custom_cost_center=pl.col("_custom_cost_center"),
            primary_job=pl.when(has_job).then(on_job.fill_null(False)).otherwise(pl.col("primary_job")),
            _part=pl.lit(0, pl.Int64),
        )
        .drop([c for c in _ASSIGNED_SCHEMA if c not in ("employee_uuid", "_position")])
    )


def split_items_by_days(items: pl.DataFrame, parts: Mapping[str, Sequence[tuple[str, int]]]) -> pl.DataFrame:
    """Each item of a split employee becomes one item per part, in proportion to its days (exact cents)."""
    if not parts:
        return items
    weights = pl.DataFrame(
        [(e, k, d, i) for e, ps in parts.items() for i, (k, d) in enumerate(ps)],
        schema={"employee_uuid": pl.String, "part": pl.String, "days": pl.Int64, "pos": pl.Int64},
        orient="row",
    )
    split = items.join(weights, on="employee_uuid")
    shared = allocate_frame(split, by=["item_no"], amount="amount_cents", weight="days", tie=["pos"])
    parted = shared.filter(pl.col("share_cents") != 0).with_columns(
        employee_uuid=pl.col("part"), amount_cents=pl.col("share_cents")
    )
    # Payroll-level items (company taxes) have no employee: they stay as they are.
    rest = items.filter(~pl.col("employee_uuid").is_in(list(parts)).fill_null(False))
    columns = [c for c in items.columns if c != "item_no"]
    merged = pl.concat([rest.select(columns), parted.sort("item_no", "pos").select(columns)])
    return merged.with_row_index("item_no").with_columns(pl.col("item_no").cast(pl.Int64)).select(items.columns)
