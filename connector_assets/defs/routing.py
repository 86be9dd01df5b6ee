"""Which run an inbox event asks for: a payroll partition, a day of contractor payments, a connection's
workforce sync, or nothing.

Events only say *that* something changed; the run re-reads Gusto for *what* changed, so duplicates,
late and out-of-order events all lead to the same result.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from connector_assets.store.inbox import InboxEvent

PAYROLL_EVENTS = {
    "payroll.processed",
    "payroll.paid",
    "payroll.reversed",
    "payroll.partially_reversed",
    "payroll.cancelled",
}
# Gusto names ContractorPayment events created / cancelled; either re-reads that payment date's payments.
# The fallback poll's own event (never sent by Gusto): a day whose listed payments differ from the last read.
CONTRACTOR_DAY_CHANGED = "contractor_payments.day_changed"
CONTRACTOR_PAYMENT_EVENTS = {"contractor_payment.created", "contractor_payment.cancelled", CONTRACTOR_DAY_CHANGED}
# Gusto sends no department events: department moves arrive as employee or job-compensation events.
WORKFORCE_PREFIXES = ("employee.", "employee_job_compensation.", "location.")
IRRELEVANT_PREFIXES = ("employee.bank_account.",)


@dataclass
class Routing:
    """The runs one batch of inbox events asks for, coalesced per target."""

    payrolls: dict[tuple[str, str], list[InboxEvent]] = field(default_factory=dict)  # (connection, uuid)
    workforce: dict[str, list[InboxEvent]] = field(default_factory=dict)
    contractor_payments: dict[tuple[str, str], list[InboxEvent]] = field(
        default_factory=dict
    )  # (connection, uuid)
    ignored: list[InboxEvent] = field(default_factory=list)


def route(events: list[InboxEvent]) -> Routing:
    """Group events by the run they ask for; unknown events (and contractor events other than a payment's
    creation or cancellation) are ignored (and marked so)."""
    routing = Routing()
    for event in events:
        if event.event_type in PAYROLL_EVENTS and event.entity_uuid:
            routing.payrolls.setdefault((event.connection_id, event.entity_uuid), []).append(event)
        elif event.event_type in CONTRACTOR_PAYMENT_EVENTS and event.entity_uuid:
            routing.contractor_payments.setdefault((event.connection_id, event.entity_uuid), []).append(event)
        elif event.event_type.startswith(WORKFORCE_PREFIXES) and not event.event_type.startswith(
            IRRELEVANT_PREFIXES
        ):
            routing.workforce.setdefault(event.connection_id, []).append(event)
        else:
            routing.ignored.append(event)
    return routing
