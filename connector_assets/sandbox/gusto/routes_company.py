"""Company, locations, departments, employees, jobs, compensations and pay schedules (§4, §5, §8)."""

from __future__ import annotations

import uuid
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from starlette.routing import Route

from connector_assets.sandbox.generator_models import Compensation, Employee
from connector_assets.sandbox.gusto.http import ApiError, Ctx, Reply, endpoint, not_found, paginate
from connector_assets.sandbox.gusto.serialize import (
    company_json,
    compensation_json,
    compensation_version,
    department_json,
    employee_json,
    employee_version,
    location_json,
    pay_schedule_json,
    termination_json,
    version_of,
)

if TYPE_CHECKING:
    from connector_assets.sandbox.gusto.simulator import GustoSimulator

_STALE = "You are attempting to update a resource using an out-of-date version."


def check_version(given: object, current: str) -> None:
    """Optimistic concurrency (§8): a missing or stale `version` is a 409."""
    if given != current:
        raise ApiError(409, "invalid_resource_version", _STALE, "base")


def routes(sim: GustoSimulator) -> list[Route]:
    world = sim.world

    def company_of(ctx: Ctx) -> None:
        ctx.require_company(ctx.path["company_id"], world.company.uuid)

    def employee_of(ctx: Ctx) -> Employee:
        emp = world.employee(ctx.path["employee_id"])
        if emp is None:
            raise not_found(f"employee {ctx.path['employee_id']}")
        return emp

    def get_company(ctx: Ctx) -> Reply:
        company_of(ctx)
        with sim.lock:
            return Reply(company_json(world))

    def list_locations(ctx: Ctx) -> Reply:
        company_of(ctx)
        with sim.lock:
            rows, headers = paginate(
                [location_json(world, loc) for loc in world.locations], ctx.query, max_per=sim.options.max_per_page
            )
        return Reply(rows, headers=headers)

    def get_location(ctx: Ctx) -> Reply:
        loc = world.location(ctx.path["location_id"])
        if loc is None:
            raise not_found(f"location {ctx.path['location_id']}")
        return Reply(location_json(world, loc))

    def list_departments(ctx: Ctx) -> Reply:
        ctx.require_company(ctx.path["company_uuid"], world.company.uuid)
        with sim.lock:
            return Reply([department_json(world, d) for d in world.departments])

    def get_department(ctx: Ctx) -> Reply:
        with sim.lock:
            dept = world.department(ctx.path["department_uuid"])
            if dept is None:
                raise not_found(f"department {ctx.path['department_uuid']}")
            return Reply(department_json(world, dept))

    def list_employees(ctx: Ctx) -> Reply:
        company_of(ctx)
        q = ctx.query
        with sim.lock:
            people = list(world.employees)
            if "terminated" in q:
                want = q["terminated"].lower() == "true"
                people = [e for e in people if bool(e.terminations) == want]
            if "terminated_today" in q:
                want = q["terminated_today"].lower() == "true"
                people = [e for e in people if e.is_terminated(world.today) == want]
            if "location_uuid" in q:
                people = [e for e in people if e.location_uuid == q["location_uuid"]]
            if "uuids" in q:
                wanted = set(ctx.csv("uuids", ""))
                people = [e for e in people if e.uuid in wanted]
            if "search_term" in q:
                term = q["search_term"].lower()
                people = [e for e in people if term in f"{e.first_name} {e.last_name}".lower()]
            page, headers = paginate(people, q, max_per=sim.options.max_per_page)
            include = ctx.include()
            return Reply([employee_json(world, e, include) for e in page], headers=headers)

    def get_employee(ctx: Ctx) -> Reply:
        with sim.lock:
            return Reply(employee_json(world, employee_of(ctx), ctx.include()))

    def put_employee(ctx: Ctx) -> Reply:
        body = ctx.body if isinstance(ctx.body, dict) else {}
        with sim.lock:
            emp = employee_of(ctx)
            check_version(body.get("version"), employee_version(emp))
            for key in ("first_name", "last_name", "email"):
                if key in body:
                    if not isinstance(body[key], str) or not body[key]:
                        raise ApiError(422, "invalid_attribute_value", f"{key} must be a non-empty string.", key)
                    setattr(emp, key, body[key])
            if body.get("payment_method") in ("Direct Deposit", "Check"):
                emp.payment_method = body["payment_method"]
            sim.emit("employee.updated", "Employee", emp.uuid)
            return Reply(employee_json(world, emp, set()))

    def list_terminations(ctx: Ctx) -> Reply:
        with sim.lock:
            return Reply([termination_json(t, world.today) for t in employee_of(ctx).terminations])

    def get_rehire(ctx: Ctx) -> Reply:
        with sim.lock:
            emp = employee_of(ctx)
            rehire = emp.last_rehire()
            if rehire is None:
                raise not_found(f"rehire of employee {emp.uuid}")
            return Reply(
                {
                    "version": version_of(rehire.effective_date, rehire.work_location_uuid),
                    "employee_uuid": emp.uuid,
                    "effective_date": rehire.effective_date.isoformat(),
                    "file_new_hire_report": False,
                    "work_location_uuid": rehire.work_location_uuid,
                    "employment_status": rehire.employment_status,
                    "two_percent_shareholder": False,
                    "active": rehire.effective_date <= world.today,
                }
            )

    def employment_history(ctx: Ctx) -> Reply:
        with sim.lock:
            emp = employee_of(ctx)
            starts = [emp.hired_at, *sorted(r.effective_date for r in emp.rehires)]
            ends = sorted(t.effective_date for t in emp.terminations)
            rows = [
                {
                    "hire_date": s.isoformat(),
                    "termination_date": ends[i].isoformat() if i < len(ends) else None,
                    "file_new_hire_report": False,
                    "two_percent_shareholder": False,
                    "employment_status": "full_time",
                }
                for i, s in enumerate(starts)
            ]
            return Reply(rows)

    def work_addresses(ctx: Ctx) -> Reply:
        with sim.lock:
            emp = employee_of(ctx)
            loc = world.location(emp.location_uuid)
            assert loc is not None
            return Reply(
                [
                    {
                        "uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"work-address:{emp.uuid}:{loc.uuid}")),
                        "employee_uuid": emp.uuid,
                        "location_uuid": loc.uuid,
                        "effective_date": emp.hired_at.isoformat(),
                        "active": True,
                        "version": version_of(emp.uuid, loc.uuid),
                        "street_1": loc.street_1,
                        "street_2": None,
                        "city": loc.city,
                        "state": loc.state,
                        "zip": loc.zip,
                        "country": "USA",
                    }
                ]
            )

    def find_compensation(comp_id: str) -> Compensation:
        for emp in world.employees:
            for job in emp.jobs:
                for comp in job.compensations:
                    if comp.uuid == comp_id:
                        return comp
        raise not_found(f"compensation {comp_id}")

    def job_compensations(ctx: Ctx) -> Reply:
        with sim.lock:
            job = next((j for e in world.employees for j in e.jobs if j.uuid == ctx.path["job_id"]), None)
            if job is None:
                raise not_found(f"job {ctx.path['job_id']}")
            comps = (
                job.compensations
                if "all_compensations" in ctx.include()
                else [job.current_compensation(world.today)]
            )
            rows, headers = paginate([compensation_json(c) for c in comps], ctx.query)
            return Reply(rows, headers=headers)

    def get_compensation(ctx: Ctx) -> Reply:
        with sim.lock:
            return Reply(compensation_json(find_compensation(ctx.path["compensation_id"])))

    def put_compensation(ctx: Ctx) -> Reply:
        body = ctx.body if isinstance(ctx.body, dict) else {}
        with sim.lock:
            comp = find_compensation(ctx.path["compensation_id"])
            check_version(body.get("version"), compensation_version(comp))
            if "rate" in body:
                try:
                    rate = Decimal(str(body["rate"]))
                except InvalidOperation as exc:
                    raise ApiError(
                        422, "invalid_attribute_value", "rate must be a decimal string.", "rate"
                    ) from exc
                comp.rate_cents = int((rate * 100).to_integral_value())
            if body.get("payment_unit") in ("Hour", "Week", "Month", "Year", "Paycheck"):
                comp.payment_unit = body["payment_unit"]
            if isinstance(body.get("flsa_status"), str):
                comp.flsa_status = body["flsa_status"]
            sim.emit(
                "employee_job_compensation.updated",
                "EmployeeJobCompensation",
                comp.uuid,
                {"employee_uuid": comp.employee_uuid, "job_uuid": comp.job_uuid},
            )
            return Reply(compensation_json(comp))

    def list_pay_schedules(ctx: Ctx) -> Reply:
        company_of(ctx)
        rows, headers = paginate([pay_schedule_json(s) for s in world.pay_schedules], ctx.query)
        return Reply(rows, headers=headers)

    def get_pay_schedule(ctx: Ctx) -> Reply:
        company_of(ctx)
        schedule = world.pay_schedule(ctx.path["pay_schedule_id"])
        if schedule is None:
            raise not_found(f"pay schedule {ctx.path['pay_schedule_id']}")
        return Reply(pay_schedule_json(schedule))

    return [
        Route("/v1/companies/{company_id}", endpoint(sim, get_company, scope="companies:read")),
        Route("/v1/companies/{company_id}/locations", endpoint(sim, list_locations, scope="companies:read")),
        Route("/v1/locations/{location_id}", endpoint(sim, get_location, scope="companies:read")),
        Route(
            "/v1/companies/{company_uuid}/departments", endpoint(sim, list_departments, scope="departments:read")
        ),
        Route("/v1/departments/{department_uuid}", endpoint(sim, get_department, scope="departments:read")),
        Route("/v1/companies/{company_id}/employees", endpoint(sim, list_employees, scope="employees:read")),
        Route("/v1/employees/{employee_id}", endpoint(sim, get_employee, scope="employees:read")),
        Route(
            "/v1/employees/{employee_id}", endpoint(sim, put_employee, scope="employees:write"), methods=["PUT"]
        ),
        Route(
            "/v1/employees/{employee_id}/terminations", endpoint(sim, list_terminations, scope="employments:read")
        ),
        Route("/v1/employees/{employee_id}/rehire", endpoint(sim, get_rehire, scope="employments:read")),
        Route(
            "/v1/employees/{employee_id}/employment_history",
            endpoint(sim, employment_history, scope="employments:read"),
        ),
        Route("/v1/employees/{employee_id}/work_addresses", endpoint(sim, work_addresses, scope="employees:read")),
        Route("/v1/jobs/{job_id}/compensations", endpoint(sim, job_compensations, scope="compensations:read")),
        Route("/v1/compensations/{compensation_id}", endpoint(sim, get_compensation, scope="compensations:read")),
        Route(
            "/v1/compensations/{compensation_id}",
            endpoint(sim, put_compensation, scope="compensations:write"),
            methods=["PUT"],
        ),
        Route(
            "/v1/companies/{company_id}/pay_schedules",
            endpoint(sim, list_pay_schedules, scope="pay_schedules:read"),
        ),
        Route(
            "/v1/companies/{company_id}/pay_schedules/{pay_schedule_id}",
            endpoint(sim, get_pay_schedule, scope="pay_schedules:read"),
        ),
    ]
