"""Admin contractor actions: pay the contractors on a date, cancel a payment; each emits its webhook event.

Gusto names the ContractorPayment events only as created / cancelled; the simulator sends them as
`contractor_payment.created` and `contractor_payment.cancelled` (entity type `ContractorPayment`).
"""

from __future__ import annotations

import random
import threading
from datetime import date
from typing import TYPE_CHECKING, Any

from connector_assets.sandbox.generator_contractors import ContractorPayment, draw_payment
from connector_assets.sandbox.generator_models import World
from connector_assets.sandbox.gusto.admin import AdminError, to_cents

if TYPE_CHECKING:
    from connector_assets.sandbox.gusto.events import Event
    from connector_assets.sandbox.gusto.options import SimClock

CREATED, CANCELLED = "contractor_payment.created", "contractor_payment.cancelled"


class ContractorActions:
    """Mixed into GustoSimulator; every method takes the simulator lock."""

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

    def pay_contractors(
        self,
        *,
        check_date: date | str | None = None,
        amounts: dict[str, dict[str, Any]] | None = None,
        contractor_uuids: list[str] | None = None,
    ) -> list[ContractorPayment]:
        """Pay the active contractors (or those named) on `check_date` (default today), funded at once.

        `amounts` optionally fixes a contractor's payment: `{uuid: {"hours": "10.5", "wage": "0", "bonus": "50",
        "reimbursement": "12.34"}}`; otherwise amounts are drawn as in the generated history."""
        with self.lock:
            day = date.fromisoformat(str(check_date)) if check_date else self.clock.today()
            chosen = [c for c in self.world.contractors if c.is_active]
            if contractor_uuids is not None:
                chosen = [c for c in self.world.contractors if c.uuid in set(contractor_uuids)]
                if len(chosen) != len(set(contractor_uuids)):
                    raise AdminError(f"unknown contractor among {contractor_uuids}")
            rng = random.Random(f"pay:{self.world.seed}:{day}:{len(self.world.contractor_payments)}")
            made = []
            for contractor in chosen:
                payment = draw_payment(rng, contractor, day)
                fixed = (amounts or {}).get(contractor.uuid)
                if fixed:
                    payment.hours_milli = to_cents(fixed.get("hours", "0"), "hours") * 10
                    payment.wage_cents = to_cents(fixed.get("wage", "0"), "wage")
                    payment.bonus_cents = to_cents(fixed.get("bonus", "0"), "bonus")
                    payment.reimbursement_cents = to_cents(fixed.get("reimbursement", "0"), "reimbursement")
                self.world.contractor_payments.append(payment)
                made.append(payment)
            for payment in made:
                self.emit(CREATED, "ContractorPayment", payment.uuid, {"contractor_uuid": payment.contractor_uuid})
            return made

    def cancel_contractor_payment(self, payment_uuid: str) -> ContractorPayment:
        """Cancel a payment: Gusto no longer lists it; emits contractor_payment.cancelled."""
        with self.lock:
            payment = next((p for p in self.world.contractor_payments if p.uuid == payment_uuid), None)
            if payment is None:
                raise AdminError(f"no contractor payment {payment_uuid}")
            self.world.contractor_payments.remove(payment)
            self.emit(CANCELLED, "ContractorPayment", payment.uuid, {"contractor_uuid": payment.contractor_uuid})
            return payment
