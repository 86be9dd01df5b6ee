"""Admin actions that change the simulated company; each records the events Gusto would emit (§10.6)."""

from __future__ import annotations

import threading
import uuid
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from connector_assets.sandbox.generator_models import (
    Benefit,
    CompanyBenefit,
    Compensation,
    Department,
    Employee,
    Job,
    Rehire,
    Termination,
    World,
)

if TYPE_CHECKING:
    from connector_assets.sandbox.gusto.events import Event
    from connector_assets.sandbox.gusto.oauth import OAuthState
    from connector_assets.sandbox.gusto.options import SimClock, SimulatorOptions


class AdminError(ValueError):
    """An admin action that cannot be applied; the message names the record and the fix."""


def to_cents(value: str | int | Decimal, what: str) -> int:
    """Dollars as a decimal string/Decimal (or integer dollars) → integer cents."""
    try:
        amount = Decimal(str(value))
    except InvalidOperation as exc:
        raise AdminError(f"{what} must be a decimal amount like '1250.00', got {value!r}") from exc
    return int((amount * 100).quantize(Decimal(1)))


def _uuid() -> str:
    return str(uuid.uuid4())


class AdminActions:
    """Mixed into GustoSimulator; every method takes the simulator lock."""

    world: World
    lock: threading.RLock
    clock: SimClock
    oauth: OAuthState
    options: SimulatorOptions

    def emit(
        self,
        event_type: str,
        entity_type: str,
        entity_uuid: str,
        references: dict[str, str] | None = None,
        timestamp: int | None = None,
    ) -> Event:
        raise NotImplementedError

    # lookups -----------------------------------------------------------------------------------------
    def _employee(self, employee_uuid: str) -> Employee:
        emp = self.world.employee(employee_uuid)
        if emp is None:
            raise AdminError(f"no employee {employee_uuid} in company {self.world.company.uuid}")
        return emp

    def _department(self, ref: str) -> Department:
        dept = next((d for d in self.world.departments if ref in (d.uuid, d.title, d.cost_center)), None)
        if dept is None:
            titles = [d.title for d in self.world.departments]
            raise AdminError(f"unknown department {ref!r}; use a uuid, cost center or one of {titles}")
        return dept

    def _location_uuid(self, ref: str | None) -> str:
        if ref is None:
            return self.world.locations[0].uuid
        loc = next((x for x in self.world.locations if ref in (x.uuid, x.code, x.city)), None)
        if loc is None:
            raise AdminError(
                f"unknown location {ref!r}; use a uuid or one of {[x.code for x in self.world.locations]}"
            )
        return loc.uuid

    def _compensation_event(self, event_type: str, comp: Compensation) -> None:
        self.emit(
            event_type,
            "EmployeeJobCompensation",
            comp.uuid,
            {"employee_uuid": comp.employee_uuid, "job_uuid": comp.job_uuid},
        )

    # people ------------------------------------------------------------------------------------------
    def hire(
        self,
        *,
        first_name: str = "Casey",
        last_name: str = "Newhire",
        department: str = "Engineering",
        location: str | None = None,
        hourly: bool = False,
        rate: str | Decimal | None = None,
        title: str | None = None,
        hire_date: date | None = None,
        payment_method: str = "Direct Deposit",
        custom_fields: dict[str, str] | None = None,
    ) -> Employee:
        """Hire someone: employee.created plus employee_job_compensation.created."""
        with self.lock:
            dept = self._department(department)
            loc = self._location_uuid(location)
            day = hire_date or self.world.today
            schedule = self.world.pay_schedules[1 if hourly else 0]
            seq = max((e.seq for e in self.world.employees), default=0) + 1
            emp = Employee(
                _uuid(),
                seq,
                first_name,
                last_name,
                f"{first_name.lower()}.{last_name.lower()}{seq}@example.com",
                f"{seq:06x}",
                date(1990, 1, 1),
                dept.uuid,
                loc,
                schedule.uuid,
                payment_method,
                day,
                self.clock.now(),
                custom_fields=dict(custom_fields or {}),
            )
            cents = to_cents(rate if rate is not None else ("30.00" if hourly else "90000.00"), "rate")
            unit, flsa = ("Hour", "Nonexempt") if hourly else ("Year", "Exempt")
            job = Job(_uuid(), emp.uuid, title or ("Associate" if hourly else "Consultant"), day, True, loc)
            job.compensations.append(Compensation(_uuid(), job.uuid, emp.uuid, cents, unit, flsa, day))
            emp.jobs.append(job)
            self.world.add_employee(emp)
            self.emit("employee.created", "Employee", emp.uuid)
            self._compensation_event("employee_job_compensation.created", job.compensations[0])
            return emp

    def terminate(
        self, employee_uuid: str, *, effective_date: date | None = None, run_termination_payroll: bool = False
    ) -> Termination:
        """employee.terminated, and the effective-termination event when the date is today or past."""
        with self.lock:
            emp = self._employee(employee_uuid)
            if emp.is_terminated(self.world.today):
                raise AdminError(f"employee {employee_uuid} is already terminated; rehire them first")
            day = effective_date or self.world.today
            term = Termination(_uuid(), emp.uuid, day, run_termination_payroll)
            emp.terminations.append(term)
            self.emit("employee.terminated", "Employee", emp.uuid)
            if day <= self.world.today:
                self.emit(self.options.termination_effective_event, "Employee", emp.uuid)
            return term

    def rehire(
        self, employee_uuid: str, *, effective_date: date | None = None, location: str | None = None
    ) -> Rehire:
        """employee.rehired, and employee.rehire_effective when the date is today or past."""
        with self.lock:
            emp = self._employee(employee_uuid)
            if not emp.terminations:
                raise AdminError(f"employee {employee_uuid} was never terminated; nothing to rehire")
            day = effective_date or self.world.today
            rehire = Rehire(emp.uuid, day, self._location_uuid(location) if location else emp.location_uuid)
            emp.rehires.append(rehire)
            self.emit("employee.rehired", "Employee", emp.uuid)
            if day <= self.world.today:
                self.emit("employee.rehire_effective", "Employee", emp.uuid)
            return rehire

    def transfer(
        self,
        employee_uuid: str,
        *,
        department: str | None = None,
        job_title: str | None = None,
        location: str | None = None,
    ) -> Employee:
        """Move to another department (employee.updated) and/or retitle or relocate the primary job."""
        with self.lock:
            emp = self._employee(employee_uuid)
            if department is not None:
                emp.department_uuid = self._department(department).uuid
                self.emit("employee.updated", "Employee", emp.uuid)
            if job_title is not None or location is not None:
                job = emp.primary_job
                job.title = job_title or job.title
                if location is not None:
                    job.location_uuid = emp.location_uuid = self._location_uuid(location)
                self._compensation_event(
                    "employee_job_compensation.updated", job.current_compensation(self.world.today)
                )
            return emp

    def change_compensation(
        self,
        employee_uuid: str,
        *,
        rate: str | Decimal,
        effective_date: date | None = None,
        job_uuid: str | None = None,
        payment_unit: str | None = None,
        flsa_status: str | None = None,
    ) -> Compensation:
        """Add an effective-dated compensation to a job (employee_job_compensation.created)."""
        with self.lock:
            emp = self._employee(employee_uuid)
            job = next((j for j in emp.jobs if j.uuid == job_uuid), None) if job_uuid else emp.primary_job
            if job is None:
                raise AdminError(f"employee {employee_uuid} has no job {job_uuid}")
            current = job.current_compensation(self.world.today)
            comp = Compensation(
                _uuid(),
                job.uuid,
                emp.uuid,
                to_cents(rate, "rate"),
                payment_unit or current.payment_unit,
                flsa_status or current.flsa_status,
                effective_date or self.world.today,
            )
            job.compensations.append(comp)
            job.compensations.sort(key=lambda c: c.effective_date)
            self._compensation_event("employee_job_compensation.created", comp)
            return comp

    def add_department(self, title: str, cost_center: str) -> Department:
        """Create a department (Gusto sends no department webhooks: only polling sees it)."""
        with self.lock:
            dept = Department(_uuid(), title, cost_center)
            self.world.departments.append(dept)
            return dept

    def offer_benefit(
        self, description: str, benefit_type: int, enroll: dict[str, tuple[str, str]] | None = None
    ) -> CompanyBenefit:
        """Offer a company benefit of a Gusto benefit type and enroll employees at fixed amounts per paycheck,
        `{employee_uuid: (employee deduction, company contribution)}`; their next payrolls carry it by name."""
        with self.lock:
            if any(b.description.lower() == description.lower() for b in self.world.company_benefits):
                raise AdminError(f"the company already offers a benefit described {description!r}")
            benefit = CompanyBenefit(_uuid(), benefit_type, description)
            self.world.company_benefits.append(benefit)
            for employee_uuid, (employee, company) in (enroll or {}).items():
                self._employee(employee_uuid).benefits.append(
                    Benefit(description, employee_cents=to_cents(employee, "employee deduction"),
                            employer_cents=to_cents(company, "company contribution"))
                )  # fmt: skip
            return benefit

    # tokens ------------------------------------------------------------------------------------------
    def expire_tokens(self, company_uuid: str | None = None) -> int:
        """Expire live access tokens now (refresh tokens stay usable)."""
        with self.lock:
            return self.oauth.expire_access_tokens(company_uuid)

    def revoke_tokens(self, company_uuid: str | None = None) -> int:
        """Revoke the company's grants (access and refresh tokens), as a disconnect does."""
        with self.lock:
            ended = self.oauth.revoke_company(company_uuid)
            if ended:
                self.emit("company.deprovisioned", "Company", company_uuid or self.world.company.uuid)
            return ended
