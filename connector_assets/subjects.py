"""What a postings-ledger subject is and how an operator acts on it: a payroll (its Gusto uuid) or a day's
contractor payments (`contractor-payments:YYYY-MM-DD`) share the posting machinery but not their words.

Plain strings only: the `connector` command reads these at start-up, before any heavy library loads.
"""

from __future__ import annotations

import datetime as dt

PAYROLL_ENTITY = "payroll"
CONTRACTOR_ENTITY = "contractor_payments"  # the audit log's entity type of a day's contractor payments
_CONTRACTOR_PREFIX = "contractor-payments:"


def is_contractor_subject(subject: str) -> bool:
    """Whether a postings-ledger id names a day's contractor payments rather than a payroll."""
    return subject.startswith(_CONTRACTOR_PREFIX)


def contractor_subject(day: dt.date | str) -> str:
    """The id a day's contractor payments carry in the postings ledger and audit log (in place of a payroll uuid)."""
    return f"{_CONTRACTOR_PREFIX}{day if isinstance(day, str) else day.isoformat()}"


def contractor_day(subject: str) -> str:
    """The payment date (YYYY-MM-DD) a contractor subject names."""
    return subject.removeprefix(_CONTRACTOR_PREFIX)


def audit_entity(subject: str) -> str:
    """The audit log's entity type of the subject's entries."""
    return CONTRACTOR_ENTITY if is_contractor_subject(subject) else PAYROLL_ENTITY


def subject_label(subject: str) -> str:
    """`payroll <uuid>` or `contractor payments 2026-11-30`, as a person reads it."""
    if is_contractor_subject(subject):
        return f"contractor payments {contractor_day(subject)}"
    return f"payroll {subject}"


def entity_label(entity_type: str, entity_id: str) -> str:
    """An audited record as a person reads it (`employee <uuid>`, `contractor payments 2026-11-30`)."""
    if entity_type == CONTRACTOR_ENTITY:
        return subject_label(entity_id)
    return f"{entity_type} {entity_id}"


def command_target(subject: str) -> str:
    """The command's noun and argument for the subject: `payroll <uuid>` or `contractor-payments 2026-11-30`."""
    if is_contractor_subject(subject):
        return f"contractor-payments {contractor_day(subject)}"
    return f"payroll {subject}"


def approve_command(subject: str, connection_id: str | None = None) -> str:
    """The command that approves the subject's journal as it stands. A payment date may be shared by several
    connections, so a contractor day's command names its connection."""
    command = f"connector approve {command_target(subject)} --by NAME"
    if connection_id and is_contractor_subject(subject):
        command += f" --connection {connection_id}"
    return command


def replay_command(subject: str, connection_id: str) -> str:
    """The command that rebuilds and re-runs the subject once the cause of a hold is fixed."""
    return f"connector replay {command_target(subject)} --connection {connection_id}"


def journal_asset(subject: str) -> str:
    """The journal asset whose partition the UI materializes to release the subject."""
    return "ledger/contractor_journal" if is_contractor_subject(subject) else "ledger/journal_lines"
