"""Shared pieces of the posting-service tests: a service over a real store and a real ION sandbox adapter, a bonus
journal whose account can change, and the "ERP accepted, connector never heard" crash replayed in-process."""

from __future__ import annotations

import hashlib
from datetime import date

from sqlalchemy import Engine

from connector_assets.cloudsuite.erp import Erp
from connector_assets.cloudsuite.posting import journal_to_json
from connector_assets.cloudsuite.posting_service import PostingRequest, PostingService
from connector_assets.cloudsuite.types import Journal
from connector_assets.ledger.reference import external_reference
from connector_assets.store.audit import AuditLog
from connector_assets.store.locks import PostingLocks
from connector_assets.store.postings import Postings
from connector_assets.store.state import SyncState
from connector_assets_tests.cloudsuite.journals import line
from connector_assets_tests.fixtures.ion_sandbox import IonSandbox

CONNECTION = "acme-m3"
PAYROLL = "0b9f7c1e-2d4e-4a6b-9c1d-0123456789ab"
DAY = date(2026, 3, 13)


def bonus_journal(account: str = "6020", *, day: date = DAY, cents: int = 250_000) -> Journal:
    """A bonus payroll: the bonus account (the mapping's choice) against net pay and withholding."""
    lines = (
        line(account, debit=cents, cost_center="CC100", text="Bonus"),
        line("2110", credit=50_000, text="FIT withheld"),
        line("2100", credit=cents - 50_000, text="Net pay"),
    )
    return Journal(external_reference(CONNECTION, PAYROLL, 1), day, "Bonus 2026-03-13", lines, "USD")


def request_for(journal: Journal, *, approval: bool = False) -> PostingRequest:
    """The request the asset would build; the content hash stands for the ledger's (account and date)."""
    content = f"{journal.posting_date}:" + ",".join(f"{ln.account}{ln.signed_cents}" for ln in journal.lines)
    digest = hashlib.sha256(content.encode()).hexdigest()[:16]
    return PostingRequest(CONNECTION, PAYROLL, "v1", journal, digest, require_approval=approval)


def service(engine: Engine, erp: Erp, **options: object) -> PostingService:
    """The service over `engine` as the asset opens it."""
    return PostingService(erp, Postings(engine), AuditLog(engine), PostingLocks(engine), SyncState(engine),
                          connection_id=CONNECTION, run_id="run-test", **options)  # type: ignore[arg-type]  # fmt: skip


def crash_after_erp_accepted(engine: Engine, erp: Erp, journal: Journal) -> None:
    """What a run killed after CloudSuite posted (before the document id was stored) leaves behind."""
    request = request_for(journal)
    Postings(engine).begin(
        connection_id=CONNECTION, payroll_uuid=PAYROLL, payroll_version="v1",
        external_reference=journal.external_reference, content_hash=request.content_hash,
        journal=journal_to_json(journal), posting_date=journal.posting_date, debits_cents=journal.debit_cents,
        credits_cents=journal.credit_cents, line_count=len(journal.lines), run_id="killed-run",
    )  # fmt: skip
    erp.post_journal(journal)


def let_m3_create_vouchers(sandbox: IonSandbox) -> None:
    """Move the simulated tenant past its background voucher creation (`voucher_delay_s`), without sleeping."""
    sandbox.sim.clock.advance(sandbox.sim.config.voucher_delay_s + 1)
