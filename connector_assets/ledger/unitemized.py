"""Pay inside an employee's ``gross_pay`` that no earning line itemizes: paid time off and the like.

In a processed payroll Gusto itemizes hourly and fixed compensations with an ``amount``, but
``paid_time_off[]`` carries ``name`` and ``hours`` only (spec ``Payroll-Employee-Compensations-Base-Type``),
while its pay is inside ``gross_pay`` ("regular wages + cash tips + payroll tips + any other additional
earnings"). Per employee, ``gross_pay`` minus the itemized earnings is therefore earnings too: it is booked
as PTO wages. A negative remainder, or one above the tolerance for an employee who took no PTO hours, is
not explained by anything Gusto sent and holds the payroll.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from connector_assets.ledger import categories as c
from connector_assets.ledger.money import format_cents, to_cents

# Earning lines that count towards gross_pay (reimbursements and imputed pay do not).
GROSS_CATEGORIES = frozenset({c.EARNING, c.CASH_TIPS})
DEFAULT_TOLERANCE_CENTS = 100


@dataclass(frozen=True)
class Unitemized:
    """One employee's pay that ``gross_pay`` holds beyond the itemized earning lines."""

    employee_uuid: str
    cents: int
    pto_hours: tuple[tuple[str, Decimal], ...]
    # -1 on a reversal (PTO hours, else gross_pay, negative): the remainder then runs negative too.
    direction: int = 1

    @property
    def hours(self) -> Decimal:
        """PTO hours taken in the period, all kinds together."""
        return sum((h for _, h in self.pto_hours), Decimal(0))

    def name(self, rate_cents: int | None = None) -> str:
        """What the item is called: the PTO kinds and hours (times the rate where known), or plain unitemized pay."""
        if not self.pto_hours:
            return "Unitemized pay"
        text = ", ".join(f"{n} {h:.3f} h" for n, h in self.pto_hours)
        if rate_cents:
            text += f" at {format_cents(rate_cents)}/h = {format_cents(int(self.hours * rate_cents))}"
        return text

    def problem(self, tolerance_cents: int) -> str | None:
        """Why this remainder cannot be booked as PTO, or None when it can."""
        if self.cents * self.direction < 0:
            return (
                f"employee {self.employee_uuid}: itemized earnings exceed gross_pay by "
                f"{format_cents(abs(self.cents))}; check the payroll's compensations in Gusto"
            )
        if not self.pto_hours and abs(self.cents) > tolerance_cents:
            return (
                f"employee {self.employee_uuid}: gross_pay holds {format_cents(self.cents)} that no earning line "
                f"and no PTO hours explain (tolerance {format_cents(tolerance_cents)}); check the payroll in Gusto "
                "or raise posting.unitemized_tolerance_cents"
            )
        return None


def _hours(value: object) -> Decimal:
    try:
        return Decimal(str(value)) if value not in (None, "") else Decimal(0)
    except InvalidOperation:
        return Decimal(0)


def unitemized_pay(comp: Mapping[str, Any], itemized_cents: int, where: str) -> Unitemized | None:
    """The remainder of one employee compensation, or None when ``gross_pay`` is absent or fully itemized."""
    if comp.get("gross_pay") in (None, ""):
        return None
    gross = to_cents(comp["gross_pay"], f"{where}: gross_pay")
    remainder = gross - itemized_cents
    if remainder == 0:
        return None
    hours = tuple(
        (str(p.get("name") or "Paid time off"), h)
        for p in comp.get("paid_time_off") or []
        if isinstance(p, Mapping) and p.get("amount") in (None, "") and (h := _hours(p.get("hours"))) != 0
    )
    # A reversal negates hours and pay alike; with no PTO hours the sign of gross_pay tells.
    total = sum((h for _, h in hours), Decimal(0))
    direction = (-1 if total < 0 else 1) if total else (-1 if gross < 0 else 1)
    return Unitemized(str(comp.get("employee_uuid")), remainder, hours, direction)
