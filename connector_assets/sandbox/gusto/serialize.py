"""World objects → Gusto JSON for company, locations, departments, people, jobs and pay schedules (§5)."""

from __future__ import annotations

import hashlib
import uuid
from datetime import date, datetime
from typing import Any

from connector_assets.sandbox.generator_models import (
    Compensation,
    Department,
    Employee,
    Job,
    Location,
    PaySchedule,
    Termination,
    World,
)

_CUSTOM_FIELD_NS = uuid.UUID("2f1b6a52-8f0c-4a7e-9d53-6c1c7f1f0a11")


def version_of(*parts: object) -> str:
    """Gusto-style opaque version: 32 hex chars that change whenever an updatable attribute changes."""
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


def money(cents: int) -> str:
    """Integer cents → Gusto's decimal string ("2791.25", "-0.92")."""
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    return f"{sign}{whole}.{frac:02d}"


def hours(milli: int) -> str:
    sign = "-" if milli < 0 else ""
    whole, frac = divmod(abs(milli), 1000)
    return f"{sign}{whole}.{frac:03d}"


def iso(ts: datetime) -> str:
    return ts.strftime("%Y-%m-%dT%H:%M:%SZ")


def company_json(world: World) -> dict[str, Any]:
    c = world.company
    admin = {"first_name": "Avery", "last_name": "Admin", "phone": "4155550100", "email": "payroll@example.com"}
    hq = world.locations[0]
    return {
        "uuid": c.uuid,
        "name": c.name,
        "slug": c.slug,
        "trade_name": None,
        "ein": c.ein,
        "entity_type": c.entity_type,
        "contractor_only": False,
        "tier": "complete",
        "is_suspended": False,
        "company_status": "Approved",
        "is_partner_managed": False,
        "pay_schedule_type": "hourly_salaried",
        "join_date": c.join_date.isoformat(),
        "funding_type": "ach",
        "locations": [
            {
                "street_1": loc.street_1,
                "street_2": None,
                "city": loc.city,
                "state": loc.state,
                "zip": loc.zip,
                "country": "USA",
                "active": True,
                "inactive": False,
            }
            for loc in world.locations
        ],
        "compensations": {
            "hourly": [
                {"name": "Regular", "multiple": 1},
                {"name": "Overtime", "multiple": 1.5},
                {"name": "Double overtime", "multiple": 2},
            ],
            "fixed": [
                {"name": n}
                for n in ("Bonus", "Commission", "Paycheck Tips", "Cash Tips", "Correction Payment", "Severance")
            ],
            "paid_time_off": [{"name": n} for n in ("Vacation Hours", "Sick Hours", "Holiday Hours")],
        },
        "primary_signatory": {
            "uuid": c.admin_uuid,
            "first_name": admin["first_name"],
            "middle_initial": None,
            "last_name": admin["last_name"],
            "phone": admin["phone"],
            "email": admin["email"],
            "home_address": {
                "street_1": hq.street_1,
                "street_2": None,
                "city": hq.city,
                "state": hq.state,
                "zip": hq.zip,
                "country": "USA",
            },
        },
        "primary_payroll_admin": admin,
    }


def location_json(world: World, loc: Location) -> dict[str, Any]:
    first = loc is world.locations[0]
    return {
        "uuid": loc.uuid,
        "version": version_of(loc.street_1, loc.city, loc.state, loc.zip, loc.phone_number),
        "company_uuid": world.company.uuid,
        "phone_number": loc.phone_number,
        "street_1": loc.street_1,
        "street_2": None,
        "city": loc.city,
        "state": loc.state,
        "zip": loc.zip,
        "country": "USA",
        "mailing_address": first,
        "filing_address": first,
        "created_at": iso(loc.created_at),
        "updated_at": iso(loc.created_at),
        "active": True,
        "inactive": False,
    }


def department_json(world: World, dept: Department) -> dict[str, Any]:
    members = [
        {"uuid": e.uuid}
        for e in world.employees
        if e.department_uuid == dept.uuid and not e.is_terminated(world.today)
    ]
    return {
        "uuid": dept.uuid,
        "company_uuid": world.company.uuid,
        "title": dept.title,
        "version": version_of(dept.title),
        "employees": members,
        "contractors": [],
    }


def compensation_json(comp: Compensation) -> dict[str, Any]:
    return {
        "uuid": comp.uuid,
        "version": compensation_version(comp),
        "job_uuid": comp.job_uuid,
        "employee_uuid": comp.employee_uuid,
        "rate": money(comp.rate_cents),
        "payment_unit": comp.payment_unit,
        "flsa_status": comp.flsa_status,
        "effective_date": comp.effective_date.isoformat(),
        "adjust_for_minimum_wage": False,
        "minimum_wages": [],
    }


def compensation_version(comp: Compensation) -> str:
    return version_of(comp.rate_cents, comp.payment_unit, comp.flsa_status, comp.effective_date)


def job_json(job: Job, today: date, all_compensations: bool) -> dict[str, Any]:
    current = job.current_compensation(today)
    comps = job.compensations if all_compensations else [current]
    return {
        "uuid": job.uuid,
        "version": version_of(
            job.title, job.hire_date, job.location_uuid, *map(compensation_version, job.compensations)
        ),
        "employee_uuid": job.employee_uuid,
        "hire_date": job.hire_date.isoformat(),
        "title": job.title,
        "primary": job.primary,
        "rate": money(current.rate_cents),
        "payment_unit": current.payment_unit,
        "current_compensation_uuid": current.uuid,
        "two_percent_shareholder": False,
        "state_wc_covered": None,
        "state_wc_class_code": None,
        "location_uuid": job.location_uuid,
        "compensations": [compensation_json(c) for c in comps],
    }


def termination_json(term: Termination, today: date) -> dict[str, Any]:
    return {
        "uuid": term.uuid,
        "version": version_of(term.effective_date, term.run_termination_payroll),
        "employee_uuid": term.employee_uuid,
        "active": term.effective_date <= today,
        "cancelable": not term.run_termination_payroll and term.effective_date > today,
        "effective_date": term.effective_date.isoformat(),
        "run_termination_payroll": term.run_termination_payroll,
    }


def employee_version(emp: Employee) -> str:
    return version_of(
        emp.first_name, emp.last_name, emp.email, emp.date_of_birth, emp.payment_method, emp.department_uuid
    )


def employee_json(world: World, emp: Employee, include: set[str]) -> dict[str, Any]:
    dept = world.department(emp.department_uuid)
    primary = emp.primary_job
    body: dict[str, Any] = {
        "uuid": emp.uuid,
        "first_name": emp.first_name,
        "middle_initial": None,
        "last_name": emp.last_name,
        "email": emp.email,
        "company_uuid": world.company.uuid,
        "manager_uuid": None,
        "version": employee_version(emp),
        "department": dept.title if dept else None,
        "department_uuid": emp.department_uuid,
        "terminated": emp.is_terminated(world.today),
        "two_percent_shareholder": False,
        "work_email": f"{emp.first_name.lower()}.{emp.last_name.lower()}{emp.seq}@northwind.example",
        "onboarded": True,
        "onboarding_status": "onboarding_completed",
        "jobs": [job_json(j, world.today, "all_compensations" in include) for j in emp.jobs],
        "eligible_paid_time_off": [],
        "terminations": [termination_json(t, world.today) for t in emp.terminations],
        "garnishments": [],
        "date_of_birth": emp.date_of_birth.isoformat(),
        "has_ssn": True,
        "ssn": "",
        "phone": None,
        "preferred_first_name": None,
        "payment_method": emp.payment_method,
        "current_employment_status": emp.employment_status,
        "historical": False,
        "employee_code": emp.employee_code,
        "title": primary.title,
        "hired_at": emp.hired_at.isoformat(),
        "flsa_status": primary.current_compensation(world.today).flsa_status,
    }
    if "custom_fields" in include:
        body["custom_fields"] = [
            {
                "id": str(uuid.uuid5(_CUSTOM_FIELD_NS, f"{emp.uuid}:{name}")),
                "company_custom_field_id": str(uuid.uuid5(_CUSTOM_FIELD_NS, f"{world.company.uuid}:{name}")),
                "name": name,
                "type": "text",
                "value": value,
                "selection_options": None,
            }
            for name, value in sorted(emp.custom_fields.items())
        ]
    if "company_name" in include:
        body["company_name"] = world.company.name
    return body


def pay_schedule_json(schedule: PaySchedule) -> dict[str, Any]:
    return {
        "uuid": schedule.uuid,
        "version": version_of(schedule.frequency, schedule.anchor_pay_date, schedule.day_1, schedule.day_2),
        "frequency": schedule.frequency,
        "anchor_pay_date": schedule.anchor_pay_date.isoformat(),
        "anchor_end_of_pay_period": schedule.anchor_end_of_pay_period.isoformat(),
        "day_1": schedule.day_1,
        "day_2": schedule.day_2,
        "name": None,
        "custom_name": schedule.custom_name,
        "auto_pilot": False,
        "auto_payroll": False,
        "active": True,
    }
