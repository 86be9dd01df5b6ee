"""Admin payroll actions: process the next regular payroll, run an off-cycle bonus, reverse a payroll."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from connector_assets.sandbox.generator import pay_periods
from connector_assets.sandbox.generator_models import Employee, Payroll, World
from connector_assets.sandbox.generator_payroll import payroll_pay
from connector_assets.sandbox.gusto.admin import AdminError, to_cents

if TYPE_CHECKING:
    from connector_assets.sandbox.gusto.events import Event
    from connector_assets.sandbox.gusto.options import SimClock


class PayrollActions:
    """Mixed into GustoSimulator next to AdminActions; every method takes the simulator lock."""

    world: World
    lock: threading.RLock
    clock: SimClock

    def emit(
        self,
        event_type: str,
        entity_type: str,
        entity_uuid: str,
        references: dict[str, str] | None = None,
        timestamp: int | None = None,
    ) -> Event:
        raise NotImplementedError

    def _employee(self, employee_uuid: str) -> Employee:
        raise NotImplementedError

    def run_payroll(
        self,
        *,
        pay_schedule: str | None = None,
        off_cycle: bool = False,
        reason: str = "Bonus",
        check_date: date | None = None,
        bonuses: dict[str, Any] | None = None,
        employee_uuids: list[str] | None = None,
    ) -> Payroll:
        """Process the schedule's next regular payroll, or an off-cycle (bonus) run; emits payroll.processed."""
        with self.lock:
            payroll = (
                self._off_cycle(reason, check_date, bonuses, employee_uuids)
                if off_cycle
                else self._next_regular(pay_schedule)
            )
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
            last = max(
                (p.check_date for p in self.world.payrolls if p.pay_schedule_uuid == schedule.uuid),
                default=self.world.today,
            )
            start, end, check = pay_periods(schedule, last + timedelta(days=1), last + timedelta(days=45))[0]
            payroll = self._new_payroll(schedule.uuid, start, end, check, [])
        payroll.employee_uuids = [
            e.uuid
            for e in self.world.employees
            if e.pay_schedule_uuid == schedule.uuid and e.employed_during(payroll.start_date, payroll.end_date)
        ]
        return payroll

    def _off_cycle(
        self,
        reason: str,
        check_date: date | None,
        bonuses: dict[str, Any] | None,
        employee_uuids: list[str] | None,
    ) -> Payroll:
        day = check_date or self.world.today
        members = (
            employee_uuids
            or list(bonuses or {})
            or [e.uuid for e in self.world.employees if e.employed_during(day, day)]
        )
        for member in members:
            self._employee(member)
        payroll = self._new_payroll(None, day, day, day, members)
        payroll.off_cycle, payroll.off_cycle_reason, payroll.withholding_pay_period = (
            True,
            reason,
            "Twice per month",
        )
        payroll.bonus_cents = {u: to_cents(v, f"bonus for {u}") for u, v in (bonuses or {}).items()}
        return payroll

    def _new_payroll(
        self, schedule_uuid: str | None, start: date, end: date, check: date, members: list[str]
    ) -> Payroll:
        deadline = datetime.combine(check - timedelta(days=2), time(23), UTC)
        seq = max((p.seq for p in self.world.payrolls), default=0) + 1
        payroll = Payroll(
            str(uuid.uuid4()),
            seq,
            self.world.company.uuid,
            schedule_uuid,
            start,
            end,
            check,
            deadline,
            self.clock.now(),
            members,
            processed=False,
        )
        self.world.payrolls.append(payroll)
        return payroll

    def reverse_payroll(self, payroll_uuid: str) -> Payroll:
        """Reverse a processed payroll: a negated off-cycle 'Reversal' run and a payroll.reversed event."""
        with self.lock:
            original = self.world.payroll(payroll_uuid)
            if original is None or not original.processed:
                raise AdminError(
                    f"payroll {payroll_uuid} does not exist or is not processed; only processed "
                    "payrolls can be reversed"
                )
            if original.reversal_payroll_uuids:
                raise AdminError(
                    f"payroll {payroll_uuid} is already reversed by {original.reversal_payroll_uuids}"
                )
            today = self.world.today
            reversal = self._new_payroll(None, today, today, today, list(original.employee_uuids))
            reversal.off_cycle, reversal.off_cycle_reason, reversal.reversal_of = True, "Reversal", original.uuid
            now = self.clock.now()
            reversal.processed, reversal.processed_date, reversal.calculated_at = True, now.date(), now
            payroll_pay(self.world, reversal)
            original.reversal_payroll_uuids.append(reversal.uuid)
            self.emit("payroll.reversed", "Payroll", original.uuid, {"reversal_payroll_uuid": reversal.uuid})
            return reversal
