"""The M3 client on a strict tenant: delayed vouchers, capped pages, 400 and top-level MI errors, resumable batches."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Engine

from connector_assets.cloudsuite.erp import Erp
from connector_assets.cloudsuite.errors import M3ApiError
from connector_assets.cloudsuite.m3 import M3Erp, M3Options
from connector_assets.cloudsuite.m3_gl import M3PostingOptions, batch_key
from connector_assets.cloudsuite.posting_outcomes import Posted, Submitted
from connector_assets.cloudsuite.types import PostedJournal, SubmittedJournal
from connector_assets_tests.cloudsuite.journals import payroll_journal
from connector_assets_tests.cloudsuite.posting_cases import bonus_journal, request_for, service
from connector_assets_tests.fixtures.ion_sandbox import IonSandbox

MakeErp = Callable[..., Erp]


@pytest.fixture
def ion_sandbox(make_ion_sandbox: Callable[..., IonSandbox]) -> IonSandbox:
    """The strict tenant with vouchers that appear only when a test moves the clock (a 1 s delay of real time
    can pass between two calls on a loaded host)."""
    return make_ion_sandbox(voucher_delay_s=600)


def m3(make_erp: MakeErp, sandbox: IonSandbox, **options: object) -> M3Erp:
    erp = make_erp(sandbox, "m3", **options)
    assert isinstance(erp, M3Erp)
    return erp


def test_updated_batch_is_submitted_until_the_voucher_exists(ion_sandbox: IonSandbox, make_erp: MakeErp) -> None:
    """UpdBatch answers CONO only and no voucher is listed yet: submitted (KEY1), then found with its lines."""
    erp, journal = m3(make_erp, ion_sandbox), payroll_journal()
    outcome = erp.post_journal(journal)
    key = batch_key(journal.external_reference)
    assert outcome == SubmittedJournal(journal.external_reference, erp_key=key, posting_date=journal.posting_date)
    assert erp.find_journal(journal.external_reference, posting_date=journal.posting_date) is None
    ion_sandbox.sim.advance_clock(ion_sandbox.sim.config.voucher_delay_s)
    found = erp.find_journal(journal.external_reference, posting_date=journal.posting_date)
    assert found is not None and found.erp_key == key and found.lines is not None
    assert [(ln.account, ln.debit_cents, ln.credit_cents) for ln in found.lines] == [
        (ln.account, ln.debit_cents, ln.credit_cents) for ln in journal.lines
    ]
    assert [ln.cost_center for ln in found.lines] == [ln.cost_center for ln in journal.lines]


def test_retry_of_a_submitted_journal_never_submits_again(ion_sandbox: IonSandbox, make_erp: MakeErp) -> None:
    """Posting again before the voucher exists resumes nothing and updates nothing: still one voucher."""
    erp, journal = m3(make_erp, ion_sandbox), payroll_journal()
    assert isinstance(erp.post_journal(journal), SubmittedJournal)
    assert isinstance(erp.post_journal(journal), SubmittedJournal)
    ion_sandbox.sim.advance_clock(ion_sandbox.sim.config.voucher_delay_s)
    assert isinstance(erp.post_journal(journal), PostedJournal)
    assert len(ion_sandbox.sim.vouchers()) == 1


def test_lost_updbatch_answer_is_submitted_not_a_conflict(ion_sandbox: IonSandbox, make_erp: MakeErp) -> None:
    """UpdBatch ran but its answer was lost: the retry sees the updated batch and reports it submitted."""
    erp, journal = m3(make_erp, ion_sandbox), payroll_journal()
    erp.gl.add_batch_head(journal)
    for number, line in enumerate(journal.lines, start=1):
        erp.gl.add_batch_line(journal, number, line, resumed=False)
    erp.gl.ctrl_batch(journal)
    erp.gl.upd_batch(journal)  # as if the answer never arrived
    assert isinstance(erp.post_journal(journal), SubmittedJournal)
    assert len(ion_sandbox.sim.vouchers()) == 1


def test_resumable_batch_detected_by_configured_code(ion_sandbox: IonSandbox, make_erp: MakeErp) -> None:
    """With no field named and no message rule, a configured error code still marks the batch as resumable."""
    posting = M3PostingOptions(duplicate_codes=("XRE0103",), duplicate_messages=())
    erp, journal = m3(make_erp, ion_sandbox, m3_options=M3Options(posting=posting)), payroll_journal()
    erp.gl.add_batch_head(journal)
    erp.gl.add_batch_line(journal, 1, journal.lines[0], resumed=False)
    assert isinstance(erp.post_journal(journal), SubmittedJournal)
    [batch] = ion_sandbox.sim.batches()
    assert batch.status == "posted" and len(batch.lines) == len(journal.lines)


def test_unrecognised_duplicate_is_not_swallowed(ion_sandbox: IonSandbox, make_erp: MakeErp) -> None:
    """Without a matching code or message, the duplicate batch key stays an error that names it."""
    posting = M3PostingOptions(duplicate_messages=("no such text",))
    erp, journal = m3(make_erp, ion_sandbox, m3_options=M3Options(posting=posting)), payroll_journal()
    erp.gl.add_batch_head(journal)
    with pytest.raises(M3ApiError, match="already exists"):
        erp.post_journal(journal)


def test_capped_pages_still_list_the_whole_chart(
    make_ion_sandbox: Callable[..., IonSandbox], make_erp: MakeErp
) -> None:
    """The server returns 300 per call although 1000 are asked for: the listing goes on until nothing is new."""
    sandbox = make_ion_sandbox(seed_default=False)
    sandbox.sim.seed_accounts({"code": f"{n:05d}"} for n in range(1_000))
    accounts = m3(make_erp, sandbox).list_gl_accounts()
    assert [a.account for a in accounts] == [f"{n:05d}" for n in range(1_000)]


@pytest.mark.parametrize("shape", ["results", "top_level"])
def test_http_400_errors_become_typed_mi_errors(
    make_ion_sandbox: Callable[..., IonSandbox], make_erp: MakeErp, shape: str
) -> None:
    """Both error shapes of an HTTP 400 become M3ApiError with the field (from the text when top level)."""
    sandbox = make_ion_sandbox(mi_error_shape=shape)
    erp = m3(make_erp, sandbox)
    with pytest.raises(M3ApiError) as err:
        erp.mi.execute("CRS630MI", "GetAccountID", {"AITP": "1", "AITM": "9999"}, record="account 9999")
    assert err.value.field == "AITM" and "9999" in err.value.message and err.value.code == "WAI0103"


def test_a_submitted_journal_is_confirmed_once_the_voucher_exists(
    make_ion_sandbox: Callable[..., IonSandbox], make_erp: MakeErp, sqlite_store: Engine
) -> None:
    """UpdBatch answers CONO only: the posting ends submitted; once M3 lists the voucher, confirmation records it."""
    sandbox = make_ion_sandbox(voucher_delay_s=30)
    svc, journal = service(sqlite_store, m3(make_erp, sandbox), confirm_wait_s=0), bonus_journal()
    first = svc.post(request_for(journal))
    assert isinstance(first, Submitted)
    ((_, waiting),) = svc.confirm_submitted()
    assert isinstance(waiting, Submitted) and waiting.overdue_reason is None
    sandbox.sim.clock.advance(31)
    ((_, confirmed),) = svc.confirm_submitted()
    assert isinstance(confirmed, Posted) and confirmed.confirmed and len(sandbox.sim.vouchers()) == 1
