"""Held postings: what is waiting, why, and the command or UI step that releases it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from connector_assets.operations.history import reason_text
from connector_assets.operations.money import money
from connector_assets.store.postings import HELD, Postings
from connector_assets.subjects import (
    approve_command,
    contractor_day,
    is_contractor_subject,
    journal_asset,
    replay_command,
    subject_label,
)

APPROVAL_CHECK = "approval"


@dataclass(frozen=True)
class HeldPosting:
    """One held journal with its reasons and how to release it."""

    connection_id: str
    payroll_uuid: str
    reference: str
    held_since: datetime
    debits_cents: int | None
    reasons: list[str]
    release: str

    def as_json(self) -> dict[str, Any]:
        return {**self.__dict__, "held_since": self.held_since.isoformat()}


def release_step(connection_id: str, payroll_uuid: str, reasons: list[Any]) -> str:
    """Approval holds are released by approving; every other hold by fixing the cause and replaying.
    `payroll_uuid` is the postings-ledger subject: a payroll's uuid or a day's contractor payments."""
    if any(isinstance(r, dict) and r.get("check") == APPROVAL_CHECK for r in reasons):
        return approve_command(payroll_uuid, connection_id)
    if is_contractor_subject(payroll_uuid):
        partition = f"partition {connection_id}:{contractor_day(payroll_uuid)}"
    else:
        partition = f"{connection_id} partition ending in {payroll_uuid}"
    return (
        f"fix the cause, then `{replay_command(payroll_uuid, connection_id)}` "
        f"(or in the UI: Assets → {journal_asset(payroll_uuid)} → the {partition} → Materialize; "
        "the posting follows once the checks pass)"
    )


def held_postings(postings: Postings, connection_id: str | None = None) -> list[HeldPosting]:
    """Every posting in the held state, oldest first."""
    return [
        HeldPosting(
            p.connection_id,
            p.payroll_uuid,
            p.external_reference,
            p.updated_at,
            p.debits_cents,
            [reason_text(r) for r in p.reasons or []],
            release_step(p.connection_id, p.payroll_uuid, p.reasons or []),
        )
        for p in postings.in_state(HELD, connection_id)
    ]


def format_held(rows: list[HeldPosting]) -> str:
    """The held list for a person."""
    if not rows:
        return "nothing is held"
    lines: list[str] = [f"{len(rows)} held posting(s)"]
    for h in rows:
        amount = f", debits {money(h.debits_cents)}" if h.debits_cents is not None else ""
        lines += ["", f"{h.connection_id}  {subject_label(h.payroll_uuid)}  reference {h.reference}{amount}"]
        lines.append(f"  held since {h.held_since:%Y-%m-%d %H:%M:%S} UTC")
        lines += [f"  - {r}" for r in h.reasons]
        lines.append(f"  release: {h.release}")
    return "\n".join(lines)
