"""The generated calendar: pay periods of each schedule and the payroll history of a world."""

from __future__ import annotations

import calendar
import random
from datetime import UTC, date, datetime, time, timedelta

from connector_assets.sandbox.generator_ids import money_between, new_uuid
from connector_assets.sandbox.generator_models import Payroll, PaySchedule, World

SEMIMONTHLY, BIWEEKLY = "Twice per month", "Every other week"


def pay_periods(schedule: PaySchedule, first: date, last: date) -> list[tuple[date, date, date]]:
    """(start, end, check_date) of the schedule's periods whose check date lies in [first, last]."""
    out: list[tuple[date, date, date]] = []
    if schedule.frequency == SEMIMONTHLY:
        year, month = first.year, first.month - 1
        while True:
            if month == 0:
                year, month = year - 1, 12
            last_day = calendar.monthrange(year, month)[1]
            nxt = date(year + month // 12, month % 12 + 1, 5)
            for start, end, check in (
                (date(year, month, 1), date(year, month, 15), date(year, month, 20)),
                (date(year, month, 16), date(year, month, last_day), nxt),
            ):
                if first <= check <= last:
                    out.append((start, end, check))
            if date(year, month, 1) > last:
                return out
            year, month = (year, month + 1) if month < 12 else (year + 1, 1)
    step = timedelta(days=14)
    end = schedule.anchor_end_of_pay_period
    while end + timedelta(days=6) > first:
        end -= step
    while end + timedelta(days=6) <= last:
        if end + timedelta(days=6) >= first:
            out.append((end - timedelta(days=13), end, end + timedelta(days=6)))
        end += step
    return out


def build_history(rng: random.Random, world: World, history_months: int) -> None:
    """Processed regular payrolls for `history_months`, one upcoming draft per schedule, one bonus run.

    Whatever the day, the history holds at least the latest processed payroll of each schedule that has
    staff (even with `history_months=0`) and a processed bonus run, and no payroll without employees:
    fixtures can count on a regular and an off-cycle payroll on every day of the calendar."""
    today = world.today
    first = today - timedelta(days=int(history_months * 30.5))
    seq = 0
    for schedule in world.pay_schedules:
        staff = [e for e in world.employees if e.pay_schedule_uuid == schedule.uuid]
        periods = pay_periods(schedule, min(first, today - timedelta(days=45)), today + timedelta(days=40))
        past = [p for p in periods if p[2] <= today]
        processed = [p for p in past if p[2] >= first] or past[-1:]
        upcoming = [p for p in periods if p[2] > today][:1]
        for start, end, check in processed + upcoming:
            members = [e.uuid for e in staff if e.employed_during(start, end)]
            if not members:  # a schedule nobody is on runs no payroll
                continue
            seq += 1
            world.payrolls.append(
                _payroll(rng, world, seq, schedule.uuid, start, end, check, members, check <= today)
            )
    world.payrolls.append(_bonus(rng, world, seq + 1))
    if history_months >= 1:
        _reverse_oldest(rng, world, seq + 2)
    world.payrolls.sort(key=lambda p: (p.check_date, p.seq))


def _bonus(rng: random.Random, world: World, seq: int) -> Payroll:
    """An off-cycle bonus run about 75 days back for the salaried staff (everyone employed, if none are)."""
    members: list[str] = []
    for days_back in (75, 45, 15, 0):  # later, if nobody was employed yet
        check = world.today - timedelta(days=days_back)
        employed = [e for e in world.employees if e.employed_during(check, check)]
        members = [e.uuid for e in employed if not e.is_hourly] or [e.uuid for e in employed]
        if members:
            break
    bonus = _payroll(rng, world, seq, None, check, check, check, members, True)
    bonus.off_cycle, bonus.off_cycle_reason, bonus.withholding_pay_period = True, "Bonus", SEMIMONTHLY
    bonus.bonus_cents = {u: money_between(rng, 500, 5000, 50) for u in members}
    return bonus


def _reverse_oldest(rng: random.Random, world: World, seq: int) -> None:
    """A reversal pair both processed before any sync: the oldest regular payroll, reversed three days on."""
    regular = sorted((p for p in world.payrolls if p.processed and not p.off_cycle), key=lambda p: p.check_date)
    if len(regular) < 2:
        return
    original = regular[0]
    day = min(original.check_date + timedelta(days=3), world.today)
    reversal = _payroll(rng, world, seq, None, day, day, day, list(original.employee_uuids), True)
    reversal.off_cycle, reversal.off_cycle_reason, reversal.reversal_of = True, "Reversal", original.uuid
    reversal.withholding_pay_period = SEMIMONTHLY
    original.reversal_payroll_uuids.append(reversal.uuid)
    world.payrolls.append(reversal)


def _payroll(rng, world, seq, schedule_uuid, start, end, check, members, processed) -> Payroll:
    deadline = datetime.combine(check - timedelta(days=2), time(23), UTC)
    return Payroll(
        uuid=new_uuid(rng),
        seq=seq,
        company_uuid=world.company.uuid,
        pay_schedule_uuid=schedule_uuid,
        start_date=start,
        end_date=end,
        check_date=check,
        payroll_deadline=deadline,
        created_at=deadline - timedelta(days=3),
        employee_uuids=members,
        processed=processed,
        processed_date=deadline.date() if processed else None,
        calculated_at=deadline - timedelta(hours=2) if processed else None,
    )
