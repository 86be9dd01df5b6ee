"""The event log behind `GET /v1/events` and webhook fan-out (§6.3, §10.4, §10.6)."""

from __future__ import annotations

import fnmatch
import uuid
from dataclasses import dataclass, field
from typing import Any

# Which subscription type delivers which event prefix; `company.provisioned` goes to everyone (§10.5).
SUBSCRIPTION_FOR_PREFIX = {
    "employee_job_compensation.": "EmployeeJobCompensation",
    "employee.": "Employee",
    "payroll.": "Payroll",
    "company.": "Company",
    "location.": "Location",
    "pay_schedule.": "PaySchedule",
    "contractor_payment.": "ContractorPayment",
}
ALWAYS_DELIVERED = frozenset({"company.provisioned"})


def subscription_type(event_type: str) -> str | None:
    return next((sub for prefix, sub in SUBSCRIPTION_FOR_PREFIX.items() if event_type.startswith(prefix)), None)


@dataclass(frozen=True)
class Event:
    uuid: str
    event_type: str
    resource_uuid: str
    entity_type: str
    entity_uuid: str
    timestamp: int
    references: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "uuid": self.uuid,
            "event_type": self.event_type,
            "resource_type": "Company",
            "resource_uuid": self.resource_uuid,
            "entity_type": self.entity_type,
            "entity_uuid": self.entity_uuid,
            "timestamp": self.timestamp,
        }
        if self.references:
            body["references"] = dict(self.references)
        return body


class EventLog:
    """Append-only list of events in emission order; callers hold the simulator lock."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def record(
        self,
        event_type: str,
        company_uuid: str,
        entity_type: str,
        entity_uuid: str,
        timestamp: int,
        references: dict[str, str] | None = None,
    ) -> Event:
        event = Event(
            str(uuid.uuid4()), event_type, company_uuid, entity_type, entity_uuid, timestamp, references or {}
        )
        self.events.append(event)
        return event

    def page(
        self,
        *,
        now: int,
        retention_days: int,
        starting_after: str | None,
        limit: int,
        event_type: str | None,
        resource_uuid: str | None,
        descending: bool,
    ) -> tuple[list[Event], bool]:
        """One page after the `starting_after` cursor (exclusive) and whether more follow."""
        oldest = now - retention_days * 86400
        rows = [e for e in self.events if e.timestamp >= oldest]
        if event_type:
            rows = [e for e in rows if fnmatch.fnmatchcase(e.event_type, event_type)]
        if resource_uuid:
            rows = [e for e in rows if e.resource_uuid == resource_uuid]
        rows.sort(key=lambda e: e.timestamp, reverse=descending)  # stable: emission order breaks ties
        start = 0
        if starting_after:
            position = next((i for i, e in enumerate(rows) if e.uuid == starting_after), None)
            start = len(rows) if position is None else position + 1
        chunk = rows[start : start + limit]
        return chunk, start + limit < len(rows)
