"""Contractors of the generated firm and their payments, shaped as Gusto's `Contractor` and `Contractor-Payment`.

Drawn from a random stream of their own, so adding contractors leaves every employee and payroll of a seed
exactly as it was. Amounts are integer cents; hours are kept in thousandths (Gusto's `hours` string).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from connector_assets.sandbox.generator_ids import new_uuid

if TYPE_CHECKING:
    from connector_assets.sandbox.generator_models import World

PAYMENT_DAY = 20  # the firm pays its contractors once a month, on the 20th (or the Friday before)
PAYMENT_METHODS = ("Direct Deposit", "Check", "Historical Payment", "Correction Payment")


@dataclass
class Contractor:
    uuid: str
    type: str  # Individual | Business
    wage_type: str  # Hourly | Fixed
    first_name: str | None
    last_name: str | None
    business_name: str | None
    email: str
    department_uuid: str | None
    hourly_rate_cents: int
    payment_method: str
    start_date: date
    is_active: bool = True

    @property
    def display_name(self) -> str:
        return self.business_name or f"{self.first_name} {self.last_name}"


@dataclass
class ContractorPayment:
    uuid: str
    contractor_uuid: str
    date: date
    wage_type: str
    payment_method: str
    status: str = "Funded"  # Funded | Unfunded
    hours_milli: int = 0
    hourly_rate_cents: int = 0
    wage_cents: int = 0
    bonus_cents: int = 0
    reimbursement_cents: int = 0

    @property
    def wage_total_cents(self) -> int:
        """`(hours * hourly_rate) + wage + bonus`, rounded half up to the cent as Gusto shows it."""
        hourly = (self.hours_milli * self.hourly_rate_cents * 2 + 1000) // 2000
        return hourly + self.wage_cents + self.bonus_cents


def payment_dates(start: date, today: date) -> list[date]:
    """The 20th of each month from `start` to `today` (a weekend date moves to the Friday before)."""
    out, year, month = [], start.year, start.month
    while (year, month) <= (today.year, today.month):
        day = date(year, month, PAYMENT_DAY)
        day -= timedelta(days=max(0, day.weekday() - 4))
        if start <= day <= today:
            out.append(day)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def build_contractors(world: World, count: int, history_months: int) -> None:
    """Add `count` contractors (alternately an hourly individual and a fixed-fee business) and their past
    payments, one payment each per payment date over `history_months`."""
    rng = random.Random(f"contractors:{world.seed}")
    engineering = next((d.uuid for d in world.departments if d.title == "Engineering"), None)
    for i in range(count):
        individual = i % 2 == 0
        world.contractors.append(
            Contractor(
                uuid=new_uuid(rng),
                type="Individual" if individual else "Business",
                wage_type="Hourly" if individual else "Fixed",
                first_name="Robin" if individual else None,
                last_name=f"Okafor{'' if i < 2 else f' {i}'}" if individual else None,
                business_name=None if individual else f"Northwind Design{'' if i < 2 else f' {i}'} LLC",
                email=f"contractor{i + 1}@example.com",
                department_uuid=engineering if individual else None,
                hourly_rate_cents=rng.randrange(120, 240) * 50 if individual else 0,
                payment_method="Direct Deposit" if individual else "Check",
                start_date=world.today - timedelta(days=400),
            )
        )
    start = world.today - timedelta(days=31 * history_months)
    for day in payment_dates(start, world.today) if history_months > 0 else []:
        for contractor in world.contractors:
            world.contractor_payments.append(draw_payment(rng, contractor, day))


def draw_payment(rng: random.Random, contractor: Contractor, day: date) -> ContractorPayment:
    """One payment: hours at the contractor's rate or a fixed fee, sometimes a bonus or a reimbursement."""
    payment = ContractorPayment(
        uuid=new_uuid(rng),
        contractor_uuid=contractor.uuid,
        date=day,
        wage_type=contractor.wage_type,
        payment_method=contractor.payment_method,
        bonus_cents=rng.choice((0, 0, 25_000)),
        reimbursement_cents=rng.choice((0, 4_250, 11_980)),
    )
    if contractor.wage_type == "Hourly":
        # Quarter hours at the contractor's rate, so fractions of a cent arise and are rounded as Gusto does.
        payment.hours_milli, payment.hourly_rate_cents = rng.randrange(40, 160) * 250, contractor.hourly_rate_cents
    else:
        payment.wage_cents = rng.randrange(2_500, 6_000, 250) * 100
    return payment
