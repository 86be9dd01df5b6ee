"""The posting service against a real store (SQLite and PostgreSQL) and the ION sandbox, without Dagster."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import replace

import pytest
from sqlalchemy import Engine

from connector_assets.cloudsuite.erp import Erp
from connector_assets.cloudsuite.m3_gl import batch_key
from connector_assets.cloudsuite.posting import approval_key
from connector_assets.cloudsuite.posting_outcomes import Held, Posted, PostingMismatch, Submitted, Unchanged
from connector_assets.cloudsuite.types import Journal
from connector_assets.store.audit import AuditLog
from connector_assets.store.postings import PENDING, POSTED, REVERSED, SUBMITTED, SUPERSEDED, Postings
from connector_assets.store.state import SyncState
from connector_assets_tests.cloudsuite.posting_cases import (
    CONNECTION,
    DAY,
    PAYROLL,
    bonus_journal,
    crash_after_erp_accepted,
    let_m3_create_vouchers,
    request_for,
    service,
)
from connector_assets_tests.fixtures.ion_sandbox import IonSandbox

MakeErp = Callable[..., Erp]
# Vouchers that appear only when a test moves the simulator's clock: on a loaded host a 1 s delay of real time
# can pass between two calls of a test, and a posting expected to still be submitted would be found.
SLOW_VOUCHERS_S = 600


@pytest.fixture
def slow_vouchers(make_ion_sandbox: Callable[..., IonSandbox]) -> IonSandbox:
    return make_ion_sandbox(voucher_delay_s=SLOW_VOUCHERS_S)


def m3_lines(sandbox: IonSandbox, reference: str) -> list[Counter[tuple[str, int]]]:
    """The account/amount lines of every M3 voucher filed under `reference` (one entry per voucher)."""
    key = batch_key(reference)
    return [
        Counter((ln.dims[0], int(ln.amount * 100)) for ln in v.lines)
        for v in sandbox.sim.vouchers()
        if v.key1 == key
    ]


def expected(journal: Journal, sign: int = 1) -> Counter[tuple[str, int]]:
    return Counter((ln.account, sign * ln.signed_cents) for ln in journal.lines)


def test_posts_once_and_a_replay_is_unchanged(
    store_engine: Engine, ion_sandbox: IonSandbox, make_erp: MakeErp
) -> None:
    """The first call posts one voucher with the ERP key beside our reference; a replay posts nothing."""
    svc = service(store_engine, make_erp(ion_sandbox, "m3"))
    journal = bonus_journal()
    first = svc.post(request_for(journal))
    assert isinstance(first, Posted) and first.erp_key == batch_key(first.reference)
    assert first.metadata()["debits"] == "2,500.00 USD"
    again = svc.post(request_for(journal))
    assert isinstance(again, Unchanged) and again.document_id == first.document_id
    assert m3_lines(ion_sandbox, first.reference) == [expected(journal)]


def test_changed_content_after_the_erp_accepted_settles_reverses_and_reposts(
    store_engine: Engine, ion_sandbox: IonSandbox, make_erp: MakeErp
) -> None:
    """Crash after M3 posted 6020, mapping changed to 6010, replay: 6020 is recorded, reversed, 6010 posted."""
    erp = make_erp(ion_sandbox, "m3")
    old, new = bonus_journal("6020"), bonus_journal("6010")
    crash_after_erp_accepted(store_engine, erp, old)
    let_m3_create_vouchers(ion_sandbox)
    outcome = service(store_engine, erp).post(request_for(new))

    assert isinstance(outcome, Posted) and outcome.reference.endswith("-2")
    rows = {p.external_reference: p for p in Postings(store_engine).for_payroll(CONNECTION, PAYROLL)}
    original, reversal = rows[old.external_reference], rows[old.external_reference.replace("GP-", "RV-")]
    assert (original.state, reversal.state, rows[outcome.reference].state) == (REVERSED, POSTED, POSTED)
    assert original.journal is not None and original.journal["lines"][0][0] == "6020", "content stays frozen"
    assert m3_lines(ion_sandbox, old.external_reference) == [expected(old)]
    assert m3_lines(ion_sandbox, reversal.external_reference) == [expected(old, -1)]
    assert m3_lines(ion_sandbox, outcome.reference) == [expected(new)]
    actions = [e.action for e in AuditLog(store_engine).history("payroll", PAYROLL)]
    assert actions == ["settled", "submitted", "confirmed", "reversed", "submitted", "confirmed"], actions


def test_changed_posting_date_is_looked_up_on_the_written_ahead_date(
    store_engine: Engine, ion_sandbox: IonSandbox, make_erp: MakeErp
) -> None:
    """A replay with a new posting date still finds the voucher dated as written ahead, and reverses it."""
    erp = make_erp(ion_sandbox, "m3")
    old = bonus_journal()
    crash_after_erp_accepted(store_engine, erp, old)
    let_m3_create_vouchers(ion_sandbox)
    outcome = service(store_engine, erp).post(request_for(bonus_journal(day=DAY.replace(day=16))))
    assert isinstance(outcome, Posted) and outcome.posting_date == DAY.replace(day=16)
    assert outcome.reversals and outcome.reversals[0].original_reference == old.external_reference
    assert Postings(store_engine).get(old.external_reference).state == REVERSED  # type: ignore[union-attr]


def test_changed_content_never_received_supersedes_the_attempt(
    store_engine: Engine, ion_sandbox: IonSandbox, make_erp: MakeErp
) -> None:
    """A crash before CloudSuite got anything: the old attempt is superseded, only the new content posts."""
    erp = make_erp(ion_sandbox, "syteline")
    old = bonus_journal("6020")
    request = request_for(old)
    svc = service(store_engine, erp)
    svc._write_ahead(request, old)  # the run dies before its first ERP call
    outcome = svc.post(request_for(bonus_journal("6010")))
    assert isinstance(outcome, Posted) and not outcome.reversals
    assert Postings(store_engine).get(old.external_reference).state == SUPERSEDED  # type: ignore[union-attr]
    assert erp.find_journal(old.external_reference) is None


def test_a_found_document_that_differs_fails_loudly_with_both_versions(
    store_engine: Engine, ion_sandbox: IonSandbox, make_erp: MakeErp
) -> None:
    """CloudSuite holds other lines under our reference: nothing is recorded, both versions are audited."""
    erp = make_erp(ion_sandbox, "syteline")
    written, foreign = bonus_journal("6020"), bonus_journal("6010")
    svc = service(store_engine, erp)
    svc._write_ahead(request_for(written), written)
    erp.post_journal(foreign)  # e.g. posted by hand under the same reference
    with pytest.raises(PostingMismatch, match="posting_mismatch"):
        svc.post(request_for(written))
    assert Postings(store_engine).get(written.external_reference).state == PENDING  # type: ignore[union-attr]
    (entry,) = [e for e in AuditLog(store_engine).history("payroll", PAYROLL) if e.action == "posting_mismatch"]
    assert {row[0] for row in entry.detail["written_ahead"]} >= {"6020"}
    assert {row[0] for row in entry.detail["in_cloudsuite"]} >= {"6010"}


def test_submitted_posting_is_confirmed_later_and_never_submitted_again(
    store_engine: Engine, slow_vouchers: IonSandbox, make_erp: MakeErp
) -> None:
    """ERP accepts now, document later: the run ends submitted, a retry only looks, the confirmation records it."""
    svc = service(store_engine, make_erp(slow_vouchers, "m3"), confirm_wait_s=0)
    journal = bonus_journal()
    first = svc.post(request_for(journal))
    assert isinstance(first, Submitted) and first.erp_key == batch_key(first.reference)
    assert Postings(store_engine).get(first.reference).state == SUBMITTED  # type: ignore[union-attr]
    retry = svc.post(request_for(journal))
    assert isinstance(retry, Submitted) and retry.overdue_reason is None and len(slow_vouchers.sim.batches()) == 1
    let_m3_create_vouchers(slow_vouchers)
    ((payroll, confirmed),) = svc.confirm_submitted()
    assert payroll == PAYROLL
    assert isinstance(confirmed, Posted) and confirmed.confirmed
    row = Postings(store_engine).get(first.reference)
    assert row is not None and (row.state, row.document_id, row.erp_key) == (POSTED, confirmed.document_id,
                                                                              first.erp_key)  # fmt: skip
    assert len(slow_vouchers.sim.batches()) == 1 and len(m3_lines(slow_vouchers, first.reference)) == 1


def test_unconfirmed_submission_is_reported_overdue_with_the_reason(
    store_engine: Engine, slow_vouchers: IonSandbox, make_erp: MakeErp
) -> None:
    """Past `confirm_within_s`, the confirmation step says what is missing and what to check."""
    erp = make_erp(slow_vouchers, "m3")
    svc = service(store_engine, erp, confirm_within_s=1, confirm_wait_s=0)
    submitted = svc.post(request_for(bonus_journal()))
    assert isinstance(submitted, Submitted)
    row = Postings(store_engine).get(submitted.reference)
    assert row is not None and row.submitted_at is not None
    late = service(store_engine, erp, confirm_within_s=1)
    late.confirm_within_s = -1  # any age is past a negative window: no waiting in the test
    ((_, overdue),) = late.confirm_submitted()
    assert isinstance(overdue, Submitted) and overdue.overdue_reason
    assert "no document" in overdue.overdue_reason and "overdue" in overdue.metadata()
    assert len(slow_vouchers.sim.batches()) == 1


def test_approval_gate_holds_then_posts_the_approved_content(
    store_engine: Engine, ion_sandbox: IonSandbox, make_erp: MakeErp
) -> None:
    """Unapproved content is held (nothing sent); approved, the same reference posts."""
    svc = service(store_engine, make_erp(ion_sandbox, "m3"))
    request = request_for(bonus_journal(), approval=True)
    held = svc.post(request)
    assert isinstance(held, Held) and "connector approve payroll" in held.release
    assert m3_lines(ion_sandbox, held.reference or "") == []
    SyncState(store_engine).put(CONNECTION, approval_key(PAYROLL, request.content_hash), {"by": "Dana"})
    posted = svc.post(replace(request))
    assert isinstance(posted, Posted) and posted.reference == held.reference
