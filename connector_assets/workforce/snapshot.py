"""The workforce snapshot (``SNAPSHOT_COLUMNS``) from Gusto employees as the API returns them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import polars as pl

from connector_assets.workforce.diff import SNAPSHOT_COLUMNS


def _date(value: object) -> dt.date | None:
    return dt.date.fromisoformat(str(value)[:10]) if value else None


def _primary_job(employee: Mapping[str, Any]) -> Mapping[str, Any]:
    jobs = list(employee.get("jobs") or [])
    return next((j for j in jobs if j.get("primary")), jobs[0] if jobs else {})


def _custom(employee: Mapping[str, Any], name: str | None) -> str | None:
    for custom in employee.get("custom_fields") or []:
        if name and custom.get("name") == name and str(custom.get("value") or "").strip():
            return str(custom["value"]).strip()
    return None


def employee_snapshot(
    employees: Sequence[Mapping[str, Any]],
    department_cost_centers: Mapping[str, str],
    cost_center_field: str | None = None,
) -> pl.DataFrame:
    """One row per employee: names, department and its cost center, primary job, dates, current rate.

    The cost center is the employee's custom field when set, else the department's rule; the latest
    termination counts only while the employee is terminated (a rehire clears it).
    """
    rows = []
    for emp in employees:
        job = _primary_job(emp)
        terminated = bool(emp.get("terminated"))
        ends = [d for t in emp.get("terminations") or [] if (d := _date(t.get("effective_date")))]
        department = emp.get("department")
        rate = job.get("rate")
        rows.append(
            (
                emp["uuid"],
                emp.get("first_name"),
                emp.get("last_name"),
                department,
                _custom(emp, cost_center_field) or department_cost_centers.get(str(department or "")),
                job.get("title"),
                _date(job.get("hire_date")) or _date(emp.get("hired_at")),
                max(ends) if terminated and ends else None,
                terminated,
                int(Decimal(str(rate)) * 100) if rate not in (None, "") else None,
            )
        )
    return pl.DataFrame(rows, schema=SNAPSHOT_COLUMNS, orient="row")
