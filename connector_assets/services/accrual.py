"""Gather what a period's accrual is computed from: Gusto's payrolls around the period and the source
payroll's journal (built exactly as `ledger/journal_lines` builds it). The arithmetic is `ledger.accrual`.

Called by the `cloudsuite/payroll_accrual` asset and by `connector preview accrual`; it reads, it never posts.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from connector_assets.cloudsuite.erp import Erp
from connector_assets.cloudsuite.types import Journal, JournalLine
from connector_assets.gusto.client import GustoClient
from connector_assets.ledger.accrual import (
    ACCRUED_ROLES,
    Accounts,
    Accrual,
    AccrualError,
    EntryLine,
    ExpenseLine,
    Period,
    basis_from,
    choose_bases,
    compute_accrual,
)
from connector_assets.services.prepare import prepare_journal
from connector_assets.settings import Connection
from connector_assets.store.assignments import Assignments
from connector_assets.store.postings import Postings
from connector_assets.store.snapshots import Snapshots

# Check dates far enough around the period to find the last payroll posted in it and the next one.
LOOK_BACK, LOOK_AHEAD = timedelta(days=62), timedelta(days=45)


def accrual_accounts(connection: Connection) -> Accounts:
    settings = connection.posting.accrual
    if not (settings.accrued_wages_account and settings.accrued_employer_cost_account):
        raise AccrualError(
            f"connection {connection.id}: posting.accrual names no accrued_wages_account and "
            "accrued_employer_cost_account; set them (and enabled: true) in the connections file"
        )
    return Accounts(settings.accrued_wages_account, settings.accrued_employer_cost_account)


def _payrolls_around(gusto: GustoClient, period: Period) -> list[dict[str, Any]]:
    start, end = period.first_day - LOOK_BACK, period.last_day + LOOK_AHEAD
    processed = gusto.list_payrolls(start, end, payroll_types=("regular",))
    drafts = gusto.list_payrolls(start, end, processing_statuses=("unprocessed",), payroll_types=("regular",))
    return [p.raw for p in processed + drafts]


def prepare_accrual(
    period: Period,
    connection: Connection,
    gusto: GustoClient,
    erp: Erp,
    snapshots: Snapshots,
    postings: Postings,
    assignments: Assignments | None,
) -> Accrual:
    """The period's accrual from what Gusto holds now (mapping and assignments as the payroll journals use)."""
    accounts = accrual_accounts(connection)
    bases = []
    for choice in choose_bases(_payrolls_around(gusto, period), period, connection.posting.date_basis):
        source_uuid = str(choice.source.get("payroll_uuid") or choice.source.get("uuid"))
        source = gusto.get_payroll(source_uuid).raw
        # A payroll calculated but not yet processed has its amounts: its journal is built the same way.
        prepared, _ = prepare_journal({**source, "processed": True}, connection, gusto, erp, snapshots, postings,
                                      None, assignments)  # fmt: skip
        if prepared.journal is None or prepared.held:
            reasons = "; ".join(str(r.get("reason")) for r in prepared.reasons()[:3]) or prepared.skip_reason
            raise AccrualError(
                f"period {period}: the journal of payroll {source_uuid}, the accrual's basis, cannot post "
                f"({reasons}); fix it (`connector preview payroll {source_uuid}`), then run the accrual again"
            )
        lines = [
            ExpenseLine(row["account"], row["cost_center"] or None, row["category"],
                        int(row["debit_cents"]) - int(row["credit_cents"]))
            for row in prepared.journal.lines.iter_rows(named=True)
            if row["category"] in ACCRUED_ROLES
        ]  # fmt: skip
        bases.append(basis_from(choice, lines))
    return compute_accrual(period, bases, accounts, connection.posting.accrual_days)


def entry_journal(lines: tuple[EntryLine, ...], *, posting_date: Any, description: str, currency: str) -> Journal:
    """The ERP journal of the accrual or of its reversal (the posting service gives it its reference)."""
    return Journal(
        external_reference="pending",
        posting_date=posting_date,
        description=description[:60],
        lines=tuple(
            JournalLine(ln.account, ln.cost_center, {}, ln.debit_cents, ln.credit_cents, currency, ln.text[:40])
            for ln in lines
        ),
        currency=currency,
    )


def entry_hash(journal: Journal) -> str:
    """What the entry carries (date, currency, lines), hashed: the posting service posts each content once."""
    lines = sorted(
        f"{ln.account}|{ln.cost_center or ''}|{ln.debit_cents}|{ln.credit_cents}" for ln in journal.lines
    )
    canonical = [journal.posting_date.isoformat(), journal.currency, *lines]
    return hashlib.sha256("\n".join(canonical).encode()).hexdigest()[:16]
