"""Employee attributes the mapping rules match on, from raw Gusto employee JSON.

One row per (employee, job): the department and work location are the
employee's, title and rate are the job's, so an earning line resolves by the
job it carries. ``primary_job`` marks the row used for lines without a job.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from connector_assets.ledger.money import to_cents

ATTRIBUTE_SCHEMA: dict[str, pl.DataType] = {
    "employee_uuid": pl.String(),
    "department_uuid": pl.String(),
    "department": pl.String(),
    "location_uuid": pl.String(),
    "job_uuid": pl.String(),
    "job_title": pl.String(),
    "rate_cents": pl.Int64(),
    "payment_unit": pl.String(),
    "custom_cost_center": pl.String(),
    "primary_job": pl.Boolean(),
}


def _work_location(employee: Mapping[str, Any], job: Mapping[str, Any] | None) -> str | None:
    """The active work address's location, else the job's location."""
    for address in employee.get("work_addresses") or []:
        if address.get("active"):
            return address.get("location_uuid")
    return (job or {}).get("location_uuid")


def _custom_value(employee: Mapping[str, Any], field: str | None) -> str | None:
    if not field:
        return None
    for custom in employee.get("custom_fields") or []:
        if custom.get("name") == field and str(custom.get("value") or "").strip():
            return str(custom["value"]).strip()
    return None


def employee_attributes(
    employees: Sequence[Mapping[str, Any]], cost_center_field: str | None = "cost_center"
) -> pl.DataFrame:
    """Attributes frame (``ATTRIBUTE_SCHEMA``) from Gusto employees fetched with ``include=custom_fields``."""
    rows: list[tuple[object, ...]] = []
    for emp in employees:
        uuid = emp.get("uuid")
        custom = _custom_value(emp, cost_center_field)
        jobs = list(emp.get("jobs") or []) or [None]
        has_primary = any(j and j.get("primary") for j in jobs)
        for i, job in enumerate(jobs):
            rate = to_cents(job.get("rate"), f"employee {uuid} job {job.get('uuid')} rate") if job else None
            primary = bool(job.get("primary")) if job and has_primary else i == 0
            rows.append(
                (
                    uuid,
                    emp.get("department_uuid"),
                    emp.get("department"),
                    _work_location(emp, job),
                    job.get("uuid") if job else None,
                    (job.get("title") or None) if job else None,
                    rate,
                    job.get("payment_unit") if job else None,
                    custom,
                    primary,
                )
            )
    return pl.DataFrame(rows, schema=ATTRIBUTE_SCHEMA, orient="row")
