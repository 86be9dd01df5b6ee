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


def attributes_for_period(
    attributes: pl.DataFrame, shares: Mapping[str, Sequence[PeriodShare]]
) -> tuple[pl.DataFrame, dict[str, list[tuple[str, int]]]]:
    """Attributes as assigned in the period, and employee → [(part key, days)] for employees split by days."""
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
