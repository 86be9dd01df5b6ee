"""Gather both sides of a month's cross-check: what CloudSuite holds under the connector's references (read
back through the adapter), and what Gusto's processed payrolls say (each journal rebuilt from the raw payroll
as `ledger/journal_lines` builds it). The comparison itself is `ledger.crosscheck`.

Accrual entries are estimates, not Gusto's payroll data: they are left out of both sides and listed apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from connector_assets.cloudsuite.erp import Erp
from connector_assets.cloudsuite.posting import journal_from_json
from connector_assets.gusto.client import GustoClient
from connector_assets.ledger.accrual import Period, is_accrual_entity
from connector_assets.ledger.contractors import is_contractor_subject
from connector_assets.ledger.crosscheck import Line
from connector_assets.ledger.gl_report import RoleLine
from connector_assets.services.prepare import prepare_journal
from connector_assets.settings import Connection
from connector_assets.store.assignments import Assignments
from connector_assets.store.postings import PENDING, POSTED, REVERSED, SUBMITTED, Postings
from connector_assets.store.snapshots import Snapshots
from connector_assets.store.state import SyncState

# Check dates around the month whose journals may post inside it (period-end and debit-date bases).
AROUND = timedelta(days=45)
MAY_BE_IN_ERP = (POSTED, REVERSED, SUBMITTED, PENDING)
MASTER_DATA_AGE_S = 3600


@dataclass
class Side:
    """One side's lines and where they came from."""

    lines: list[Line] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    by_payroll: dict[str, list[Line]] = field(default_factory=dict)  # posted: lines per payroll
    journals: dict[str, list[RoleLine]] = field(default_factory=dict)  # expected: lines with roles per payroll


def posted_side(period: Period, connection_id: str, postings: Postings, erp: Erp) -> tuple[Side, list[str]]:
    """What CloudSuite holds for the month under the connector's references; also the accrual references."""
    side, accruals = Side(), []
    for row in postings.dated_between(connection_id, period.first_day, period.last_day):
        if row.state not in MAY_BE_IN_ERP or row.journal is None:
            continue
        if is_accrual_entity(row.payroll_uuid):
            accruals.append(row.external_reference)
            continue
        if is_contractor_subject(row.payroll_uuid):
            continue  # contractor payments are not payroll: their own journal ties out to Gusto's daily totals
        found = erp.find_journal(row.external_reference, posting_date=row.posting_date)
        if found is None:
            if row.state in (POSTED, REVERSED):
                side.notes.append(f"{row.external_reference}: recorded posted, but CloudSuite shows no document")
            continue
        side.sources.append(f"{row.external_reference} ({found.document_id})")
        lines = found.lines
        if lines is None:  # an adapter that cannot read lines back: the written-ahead lines, said so
            lines = journal_from_json(row.journal).lines
            side.notes.append(
                f"{row.external_reference}: lines not readable from CloudSuite; written-ahead lines used"
            )
        held = [(ln.account, ln.cost_center or "", ln.signed_cents) for ln in lines]
        side.lines += held
        side.by_payroll.setdefault(row.payroll_uuid, []).extend(held)
    return side, accruals


def expected_side(
    period: Period,
    connection: Connection,
    gusto: GustoClient,
    erp: Erp,
    snapshots: Snapshots,
    postings: Postings,
    assignments: Assignments | None,
    state: SyncState,
) -> Side:
    """The month's journals rebuilt from Gusto's processed payrolls (those whose posting date is in the month)."""
    side = Side()
    # Only the lines matter here, not their validation: master data is read once, not once per payroll.
    posting = connection.posting.model_copy(update={"master_data_max_age_s": MASTER_DATA_AGE_S})
    connection = connection.model_copy(update={"posting": posting})
    start = period.first_day - AROUND
    if connection.gusto.start_date and connection.gusto.start_date > start:
        start = connection.gusto.start_date
    for listed in gusto.list_payrolls(start, period.last_day + AROUND):
        payroll = gusto.get_payroll(listed.uuid).raw
        reversal_of = state.get(connection.id, f"reversal_of:{listed.uuid}")
        prepared, _ = prepare_journal(
            payroll, connection, gusto, erp, snapshots, postings, reversal_of, assignments
        )
        journal = prepared.journal
        if journal is None or not period.first_day <= journal.header.posting_date <= period.last_day:
            continue
        side.sources.append(f"payroll {listed.uuid} ({journal.header.posting_date})")
        if prepared.held:
            side.notes.append(
                f"payroll {listed.uuid}: its journal is held (`connector held`), so it is not posted"
            )
        roles = side.journals.setdefault(listed.uuid, [])
        for row in journal.lines.iter_rows(named=True):
            cents = int(row["debit_cents"]) - int(row["credit_cents"])
            side.lines.append((row["account"] or "(unmapped)", row["cost_center"] or "", cents))
            roles.append((row["account"] or "(unmapped)", row["cost_center"] or "", cents, row["category"] or ""))
    return side
