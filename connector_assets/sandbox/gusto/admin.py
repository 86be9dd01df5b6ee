"""Admin actions that change the simulated company; each records the events Gusto would emit (§10.6)."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from connector_assets.sandbox.generator import pay_periods
from connector_assets.sandbox.generator_models import (
    Compensation,
    Department,
    Employee,
    Job,
    Payroll,
    Rehire,
    Termination,
    World,
)
from connector_assets.sandbox.generator_payroll import payroll_pay

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

    def emit(self, event_type: str, entity_type: str, entity_uuid: str,
             references: dict[str, str] | None = None, timestamp: int | None = None) -> Event:  # fmt: skip
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
            raise AdminError(f"unknown location {ref!r}; use a uuid or one of {[x.code for x in self.world.locations]}")
        return loc.uuid

    def _compensation_event(self, event_type: str, comp: Compensation) -> None:
        self.emit(event_type, "EmployeeJobCompensation", comp.uuid,
                  {"employee_uuid": comp.employee_uuid, "job_uuid": comp.job_uuid})  # fmt: skip

    # people ------------------------------------------------------------------------------------------
    def hire(self, *, first_name: str = "Casey", last_name: str = "Newhire", department: str = "Engineering",
             location: str | None = None, hourly: bool = False, rate: str | Decimal | None = None,
             title: str | None = None, hire_date: date | None = None, payment_method: str = "Direct Deposit",
             custom_fields: dict[str, str] | None = None) -> Employee:  # fmt: skip
        """Hire someone: employee.created plus employee_job_compensation.created."""
        with self.lock:
            dept = self._department(department)
            loc = self._location_uuid(location)
            day = hire_date or self.world.today
            schedule = self.world.pay_schedules[1 if hourly else 0]
            seq = max((e.seq for e in self.world.employees), default=0) + 1
            emp = Employee(_uuid(), seq, first_name, last_name, f"{first_name.lower()}.{last_name.lower()}{seq}@example.com",
                           f"{seq:06x}", date(1990, 1, 1), dept.uuid, loc, schedule.uuid, payment_method, day,
                           self.clock.now(), custom_fields=dict(custom_fields or {}))  # fmt: skip
            cents = to_cents(rate if rate is not None else ("30.00" if hourly else "90000.00"), "rate")
            unit, flsa = ("Hour", "Nonexempt") if hourly else ("Year", "Exempt")
            job = Job(_uuid(), emp.uuid, title or ("Associate" if hourly else "Consultant"), day, True, loc)
            job.compensations.append(Compensation(_uuid(), job.uuid, emp.uuid, cents, unit, flsa, day))
            emp.jobs.append(job)
            self.world.add_employee(emp)
            self.emit("employee.created", "Employee", emp.uuid)
            self._compensation_event("employee_job_compensation.created", job.compensations[0])
            return emp

    def terminate(self, employee_uuid: str, *, effective_date: date | None = None,
                  run_termination_payroll: bool = False) -> Termination:  # fmt: skip
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

    def rehire(self, employee_uuid: str, *, effective_date: date | None = None,
               location: str | None = None) -> Rehire:  # fmt: skip
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

    def transfer(self, employee_uuid: str, *, department: str | None = None, job_title: str | None = None,
                 location: str | None = None) -> Employee:  # fmt: skip
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
                self._compensation_event("employee_job_compensation.updated", job.current_compensation(self.world.today))
            return emp

    def change_compensation(self, employee_uuid: str, *, rate: str | Decimal, effective_date: date | None = None,
                            job_uuid: str | None = None, payment_unit: str | None = None,
                            flsa_status: str | None = None) -> Compensation:  # fmt: skip
        """Add an effective-dated compensation to a job (employee_job_compensation.created)."""
        with self.lock:
            emp = self._employee(employee_uuid)
            job = next((j for j in emp.jobs if j.uuid == job_uuid), None) if job_uuid else emp.primary_job
            if job is None:
                raise AdminError(f"employee {employee_uuid} has no job {job_uuid}")
            current = job.current_compensation(self.world.today)
            comp = Compensation(_uuid(), job.uuid, emp.uuid, to_cents(rate, "rate"), payment_unit or current.payment_unit,
                                flsa_status or current.flsa_status, effective_date or self.world.today)  # fmt: skip
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

    # payrolls ----------------------------------------------------------------------------------------
    def run_payroll(self, *, pay_schedule: str | None = None, off_cycle: bool = False, reason: str = "Bonus",
                    check_date: date | None = None, bonuses: dict[str, Any] | None = None,
                    employee_uuids: list[str] | None = None) -> Payroll:  # fmt: skip
        """Process the schedule's next regular payroll, or an off-cycle (bonus) run; emits payroll.processed."""
        with self.lock:
            payroll = self._off_cycle(reason, check_date, bonuses, employee_uuids) if off_cycle \
                else self._next_regular(pay_schedule)  # fmt: skip
            now = self.clock.now()
            payroll.processed, payroll.processed_date, payroll.calculated_at = True, now.date(), now
            if employee_uuids is not None and not off_cycle:
                payroll.employee_uuids = list(employee_uuids)
            payroll.pay = None
            payroll_pay(self.world, payroll)
            self.emit("payroll.processed", "Payroll", payroll.uuid)
            return payroll

    def _next_regular(self, pay_schedule: str | None) -> Payroll:
        ref = pay_schedule or "salaried"
        alias = {"salaried": 0, "hourly": 1}
        schedule = self.world.pay_schedules[alias[ref]] if ref in alias else self.world.pay_schedule(ref)
        if schedule is None:
            raise AdminError(f"unknown pay schedule {ref!r}; use 'salaried', 'hourly' or a schedule uuid")
        pending = [p for p in self.world.payrolls if p.pay_schedule_uuid == schedule.uuid and not p.processed]
        if pending:
            payroll = min(pending, key=lambda p: p.check_date)
        else:
            last = max((p.check_date for p in self.world.payrolls if p.pay_schedule_uuid == schedule.uuid),
                       default=self.world.today)  # fmt: skip
            start, end, check = pay_periods(schedule, last + timedelta(days=1), last + timedelta(days=45))[0]
            payroll = self._new_payroll(schedule.uuid, start, end, check, [])
        payroll.employee_uuids = [
            e.uuid for e in self.world.employees
            if e.pay_schedule_uuid == schedule.uuid and e.employed_during(payroll.start_date, payroll.end_date)
        ]  # fmt: skip
        return payroll

    def _off_cycle(self, reason: str, check_date: date | None, bonuses: dict[str, Any] | None,
                   employee_uuids: list[str] | None) -> Payroll:  # fmt: skip
        day = check_date or self.world.today
        members = employee_uuids or list(bonuses or {}) or [
            e.uuid for e in self.world.employees if e.employed_during(day, day)
        ]
        for member in members:
            self._employee(member)
        payroll = self._new_payroll(None, day, day, day, members)
        payroll.off_cycle, payroll.off_cycle_reason, payroll.withholding_pay_period = True, reason, "Twice per month"
        payroll.bonus_cents = {u: to_cents(v, f"bonus for {u}") for u, v in (bonuses or {}).items()}
        return payroll

    def _new_payroll(self, schedule_uuid: str | None, start: date, end: date, check: date,
                     members: list[str]) -> Payroll:  # fmt: skip
        deadline = datetime.combine(check - timedelta(days=2), time(23), UTC)
        seq = max((p.seq for p in self.world.payrolls), default=0) + 1
        payroll = Payroll(_uuid(), seq, self.world.company.uuid, schedule_uuid, start, end, check, deadline,
                          self.clock.now(), members, processed=False)  # fmt: skip
        self.world.payrolls.append(payroll)
        return payroll

    def reverse_payroll(self, payroll_uuid: str) -> Payroll:
        """Reverse a processed payroll: a negated off-cycle 'Reversal' run and a payroll.reversed event."""
        with self.lock:
            original = self.world.payroll(payroll_uuid)
            if original is None or not original.processed:
                raise AdminError(f"payroll {payroll_uuid} does not exist or is not processed; only processed "
                                 "payrolls can be reversed")  # fmt: skip
            if original.reversal_payroll_uuids:
                raise AdminError(f"payroll {payroll_uuid} is already reversed by {original.reversal_payroll_uuids}")
            today = self.world.today
            reversal = self._new_payroll(None, today, today, today, list(original.employee_uuids))
            reversal.off_cycle, reversal.off_cycle_reason, reversal.reversal_of = True, "Reversal", original.uuid
            now = self.clock.now()
            reversal.processed, reversal.processed_date, reversal.calculated_at = True, now.date(), now
            payroll_pay(self.world, reversal)
            original.reversal_payroll_uuids.append(reversal.uuid)
            self.emit("payroll.reversed", "Payroll", original.uuid, {"reversal_payroll_uuid": reversal.uuid})
            return reversal

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
