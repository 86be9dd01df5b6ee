"""Employee webhooks as assignment observations: which employees an event batch names, and since when.

Gusto's events are thin (gusto-api §10.4): `employee.*` events name the employee as `entity_uuid`,
`employee_job_compensation.*` events name the compensation and carry the employee in
`references.employee_uuid`; `timestamp` is Unix seconds. The workforce run they start re-reads Gusto for
what changed; the event says whom it concerns and on which day Gusto changed the record, so a webhook
processed after midnight (or after a receiver outage) still dates the transfer to the day it happened.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from connector_assets.workforce.assignments import Assignment

ASSIGNMENT_EVENT_PREFIXES = ("employee.", "employee_job_compensation.")
IGNORED_PREFIXES = ("employee.bank_account.",)


@dataclass(frozen=True)
class EmployeeEvent:
    """The newest event of a batch about one employee."""

    employee_uuid: str
    event_type: str
    day: dt.date | None


def _day(timestamp: object) -> dt.date | None:
    if isinstance(timestamp, bool) or not isinstance(timestamp, int | float | str):
        return None
    try:
        return dt.datetime.fromtimestamp(float(timestamp), dt.UTC).date()
    except (ValueError, OverflowError, OSError):
        return None


def employee_events(events: Iterable[tuple[str, str | None, str]]) -> dict[str, EmployeeEvent]:
    """Employee → the newest assignment-relevant event, from ``(event_type, entity_uuid, body)`` rows."""
    newest: dict[str, EmployeeEvent] = {}
    for event_type, entity_uuid, body in events:
        if not event_type.startswith(ASSIGNMENT_EVENT_PREFIXES) or event_type.startswith(IGNORED_PREFIXES):
            continue
        try:
            doc = json.loads(body)
        except ValueError:
            doc = {}
        doc = doc if isinstance(doc, Mapping) else {}
        found = doc.get("references")
        references: Mapping[str, object] = found if isinstance(found, Mapping) else {}
        employee = references.get("employee_uuid") if event_type.startswith("employee_job") else entity_uuid
        if not employee:
            continue
        seen = EmployeeEvent(str(employee), event_type, _day(doc.get("timestamp")))
        before = newest.get(seen.employee_uuid)
        if before is None or (seen.day or dt.date.min) >= (before.day or dt.date.min):
            newest[seen.employee_uuid] = seen
    return newest


def observed_through_events(
    observed: Iterable[Assignment], events: Mapping[str, EmployeeEvent], today: dt.date
) -> list[Assignment]:
    """Observations of employees an event names start on the event's day (never after today) and say which
    webhook reported them; the others keep the run's day."""
    out = []
    for seen in observed:
        event = events.get(seen.employee_uuid)
        if event is None:
            out.append(seen)
            continue
        day = min(event.day or today, today)
        out.append(
            replace(seen, effective_from=day, source=f"webhook {event.event_type.removeprefix('employee_')}")
        )
    return out
