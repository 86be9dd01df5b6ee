"""Effective-dated assignment history: which department, location, job and cost-center field an employee had
on each day, as the connector observed it (payroll-accounting §6, §9, §12.5).

Gusto shows only the current assignment, so the history is built from observations: each workforce run,
employee webhook or compensation change records what it saw, and a change starts on the observation day,
or on the new primary job's compensation ``effective_date`` when Gusto gives one. The first observation of
an employee reaches back to the hire date, so a backfill of old payrolls finds an assignment. A payroll is
posted with the assignment in force for its pay period: at the period's end, or prorated by calendar days
across a transfer. A replay reads the same history, so it posts the same journal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from typing import Any, Literal

AssignmentBasis = Literal["period_end", "prorate"]
BASES = ("period_end", "prorate")


@dataclass(frozen=True)
class Assignment:
    """An employee's assignment from ``effective_from`` until the next one."""

    employee_uuid: str
    effective_from: dt.date
    department_uuid: str | None = None
    department: str | None = None
    location_uuid: str | None = None
    job_uuid: str | None = None
    job_title: str | None = None
    custom_cost_center: str | None = None
    source: str = "workforce"

    def same_place(self, other: Assignment) -> bool:
        """True when both name the same department, location, job and cost-center field."""
        skip = {"effective_from", "source"}
        return all(getattr(self, f.name) == getattr(other, f.name) for f in fields(self) if f.name not in skip)

    def describe(self) -> str:
        """One line for the preview: where the employee was and since when."""
        where = ", ".join(
            f"{k} {v}"
            for k, v in (
                ("department", self.department),
                ("location", self.location_uuid),
                ("job", self.job_title or self.job_uuid),
                ("cost center field", self.custom_cost_center),
            )
            if v
        )
        return f"{where or 'no department or job'} since {self.effective_from.isoformat()} ({self.source})"


@dataclass(frozen=True)
class PeriodShare:
    """The part of a pay period an assignment covers: ``days`` of ``period_days`` (all of it at period end)."""

    assignment: Assignment
    days: int
    period_days: int
    reason: str


def _date(value: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _primary_job(employee: Mapping[str, Any]) -> Mapping[str, Any]:
    jobs = [j for j in employee.get("jobs") or [] if isinstance(j, Mapping)]
    return next((j for j in jobs if j.get("primary")), jobs[0] if jobs else {})


def _custom(employee: Mapping[str, Any], field: str | None) -> str | None:
    for custom in employee.get("custom_fields") or []:
        if field and custom.get("name") == field and str(custom.get("value") or "").strip():
            return str(custom["value"]).strip()
    return None


def _location(employee: Mapping[str, Any], job: Mapping[str, Any]) -> str | None:
    for address in employee.get("work_addresses") or []:
        if address.get("active"):
            return address.get("location_uuid")
    return job.get("location_uuid")


def _latest_compensation(job: Mapping[str, Any], on: dt.date) -> dt.date | None:
    dates = [d for c in job.get("compensations") or [] if (d := _date(c.get("effective_date"))) and d <= on]
    return max(dates, default=None)


def observe(
    employees: Iterable[Mapping[str, Any]], observed_on: dt.date, cost_center_field: str | None, source: str
) -> list[Assignment]:
    """What Gusto's employee JSON shows today, one assignment per employee, effective ``observed_on``."""
    out = []
    for emp in employees:
        job = _primary_job(emp)
        out.append(
            Assignment(
                employee_uuid=str(emp.get("uuid")),
                effective_from=observed_on,
                department_uuid=emp.get("department_uuid"),
                department=emp.get("department"),
                location_uuid=_location(emp, job),
                job_uuid=job.get("uuid"),
                job_title=job.get("title") or None,
                custom_cost_center=_custom(emp, cost_center_field),
                source=source,
            )
        )
    return out


def _start(employee: Mapping[str, Any]) -> dt.date | None:
    """When the employee's first assignment began: the earliest job hire date or compensation date."""
    dates = [d for j in employee.get("jobs") or [] if (d := _date(j.get("hire_date")))]
    dates += [
        d
        for j in employee.get("jobs") or []
        for c in j.get("compensations") or []
        if (d := _date(c.get("effective_date")))
    ]
    return min(dates, default=None)


def changes(
    history: Sequence[Assignment], observed: Sequence[Assignment], employees: Mapping[str, Mapping[str, Any]]
) -> list[Assignment]:
    """The observations that start a new assignment, with the day each starts.

    An employee seen for the first time is assigned from the hire date. A change starts on the observation
    day, unless the primary job changed and its newest compensation's ``effective_date`` (after the current
    assignment began) says when.
    """
    latest: dict[str, Assignment] = {}
    for a in sorted(history, key=lambda a: a.effective_from):
        latest[a.employee_uuid] = a
    out = []
    for seen in observed:
        current = latest.get(seen.employee_uuid)
        employee = employees.get(seen.employee_uuid, {})
        if current is None:
            out.append(
                replace(seen, effective_from=min(_start(employee) or seen.effective_from, seen.effective_from))
            )
            continue
        if current.same_place(seen) or seen.effective_from < current.effective_from:
            continue
        start = seen.effective_from
        if seen.job_uuid != current.job_uuid:
            jobs: list[Mapping[str, Any]] = list(employee.get("jobs") or [])
            job = next((j for j in jobs if j.get("uuid") == seen.job_uuid), {})
            began = _latest_compensation(job, seen.effective_from)
            if began is not None and began > current.effective_from:
                start, seen = began, replace(seen, source=f"{seen.source}, compensation effective_date")
        out.append(replace(seen, effective_from=start))
    return out


def in_force(history: Sequence[Assignment], employee_uuid: str, on: dt.date) -> Assignment | None:
    """The employee's assignment on ``on`` (the latest that started on or before it)."""
    started = [a for a in history if a.employee_uuid == employee_uuid and a.effective_from <= on]
    return max(started, key=lambda a: a.effective_from, default=None)


def period_shares(
    history: Sequence[Assignment],
    employee_uuid: str,
    start: dt.date,
    end: dt.date,
    basis: AssignmentBasis = "period_end",
) -> list[PeriodShare]:
    """The assignment(s) a payroll for ``start..end`` uses: the one in force at ``end``, or (``prorate``)
    each one in force during the period with its calendar days. Empty when nothing was observed yet."""
    if basis not in BASES:
        raise ValueError(f"assignment basis {basis!r} is unknown; use period_end or prorate")
    days = (end - start).days + 1
    at_end = in_force(history, employee_uuid, end)
    if at_end is None:
        return []
    if basis == "period_end":
        return [PeriodShare(at_end, days, days, f"in force at period end {end.isoformat()}")]
    mine = sorted((a for a in history if a.employee_uuid == employee_uuid), key=lambda a: a.effective_from)
    out = []
    for i, a in enumerate(mine):
        until = mine[i + 1].effective_from - dt.timedelta(days=1) if i + 1 < len(mine) else end
        first, last = max(a.effective_from, start), min(until, end)
        if first <= last:
            covered = (last - first).days + 1
            out.append(PeriodShare(a, covered, days, f"{covered} of {days} days {first}..{last}"))
    # Days before the first observation belong to the first assignment seen.
    missing = days - sum(s.days for s in out)
    if out and missing:
        out[0] = replace(out[0], days=out[0].days + missing)
    return out
