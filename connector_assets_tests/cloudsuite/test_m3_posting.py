"""M3 journal posting through GLS840MI: exactly one voucher per reference, even across crashes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date

import pytest

from connector_assets.cloudsuite.erp import Erp
from connector_assets.cloudsuite.errors import IonRequestError, M3ApiError, PostingConflict
from connector_assets.cloudsuite.m3 import M3Erp, M3Options
from connector_assets.cloudsuite.m3_gl import M3PostingOptions, batch_key
from connector_assets.sandbox.faults import FaultRule
from connector_assets_tests.cloudsuite.journals import line, payroll_journal
from connector_assets_tests.fixtures.ion_sandbox import IonSandbox

MakeErp = Callable[..., Erp]


@pytest.fixture
def ion_sandbox(make_ion_sandbox: Callable[..., IonSandbox]) -> IonSandbox:
    """A strict tenant whose background job creates vouchers at once (the delay is covered in test_m3_async)."""
    return make_ion_sandbox(voucher_delay_s=0)


def m3(make_erp: MakeErp, sandbox: IonSandbox, **options: object) -> M3Erp:
    erp = make_erp(sandbox, "m3", **options)
    assert isinstance(erp, M3Erp)
    return erp


def test_batch_key_is_deterministic_and_fits_key1() -> None:
    """KEY1 is at most 15 characters, stable per reference, different across references."""
    key = batch_key("gusto:acme:0b9f7c1e-2d4e-4a6b-9c1d-0123456789ab:v3")
    assert len(key) == 15 and key.isalnum()
    assert key == batch_key("gusto:acme:0b9f7c1e-2d4e-4a6b-9c1d-0123456789ab:v3")
    assert key != batch_key("gusto:acme:0b9f7c1e-2d4e-4a6b-9c1d-0123456789ab:v4")


def test_post_and_find_journal(ion_sandbox: IonSandbox, make_erp: MakeErp) -> None:
    """A posted journal becomes one voucher; find_journal reads it back by reference."""
    erp = m3(make_erp, ion_sandbox)
    journal = payroll_journal()
    posted = erp.post_journal(journal)
    assert (posted.line_count, posted.debit_cents, posted.credit_cents) == (4, 1_234_567, 1_234_567)
    [voucher] = ion_sandbox.sim.vouchers()
    assert posted.document_id == f"{voucher.year}/{voucher.series}/{voucher.number}"
    assert str(voucher.lines[0].amount) == "12000.00" and str(voucher.lines[2].amount) == "-2000.01"
    assert voucher.lines[0].dims[:2] == ("6000", "CC100")
    assert erp.find_journal(journal.external_reference, posting_date=journal.posting_date) == posted
    assert erp.find_journal(journal.external_reference) == posted
    assert erp.find_journal("gusto:acme:never-posted:v1", posting_date=journal.posting_date) is None


def test_posting_again_returns_the_same_voucher(ion_sandbox: IonSandbox, make_erp: MakeErp) -> None:
    """A second post_journal of the same reference posts nothing new."""
    erp = m3(make_erp, ion_sandbox)
    first = erp.post_journal(payroll_journal())
    second = erp.post_journal(payroll_journal())
    assert first == second
    assert len(ion_sandbox.sim.vouchers()) == 1


def test_unknown_account_error_reaches_the_caller_intact(ion_sandbox: IonSandbox, make_erp: MakeErp) -> None:
    """The sandbox's rejection of an unknown account arrives as M3ApiError naming AIT1 and the account."""
    erp = m3(make_erp, ion_sandbox)
    with pytest.raises(M3ApiError) as err:
        erp.post_journal(payroll_journal(account="6999"))
    exc = err.value
    assert (exc.program, exc.transaction, exc.field) == ("GLS840MI", "AddBatchLineFld", "AIT1")
    assert "6999" in exc.message and "does not exist" in exc.message
    assert "line 1" in str(exc)
    assert ion_sandbox.sim.vouchers() == []


def test_blocked_account_is_rejected(ion_sandbox: IonSandbox, make_erp: MakeErp) -> None:
    """A blocked account (6900 in the demo chart) is refused by M3 and nothing is posted."""
    with pytest.raises(M3ApiError, match="blocked"):
        m3(make_erp, ion_sandbox).post_journal(payroll_journal(account="6900"))
    assert ion_sandbox.sim.vouchers() == []


def test_dropped_connection_then_retry_completes_the_same_batch(
    ion_sandbox: IonSandbox, make_erp: MakeErp
) -> None:
    """A connection dropped on AddBatchLineFld fails the call; the retry resumes the batch, one voucher."""
    erp = m3(make_erp, ion_sandbox)
    ion_sandbox.sim.faults.add(FaultRule(path="AddBatchLineFld", drop=True, count=1))
    journal = payroll_journal()
    with pytest.raises(IonRequestError, match="may or may not have been applied"):
        erp.post_journal(journal)
    [batch] = ion_sandbox.sim.batches()
    assert batch.key1 == batch_key(journal.external_reference) and batch.status == "open"
    posted = erp.post_journal(journal)
    [voucher] = ion_sandbox.sim.vouchers()
    assert voucher.key1 == batch.key1 and len(voucher.lines) == 4
    assert posted.line_count == 4
    assert len(ion_sandbox.sim.batches()) == 1


def test_crash_midway_through_the_lines_resumes_the_same_batch(ion_sandbox: IonSandbox, make_erp: MakeErp) -> None:
    """Head and two of four lines added, then a crash: post_journal adds the rest and posts one voucher."""
    erp = m3(make_erp, ion_sandbox)
    journal = payroll_journal()
    assert erp.gl.add_batch_head(journal) is True
    for number, ln in enumerate(journal.lines[:2], start=1):
        erp.gl.add_batch_line(journal, number, ln, resumed=False)
    posted = erp.post_journal(journal)
    [voucher] = ion_sandbox.sim.vouchers()
    assert [ln.line for ln in voucher.lines] == [1, 2, 3, 4]
    assert (posted.debit_cents, posted.credit_cents) == (journal.debit_cents, journal.credit_cents)


def test_crash_after_update_finds_the_voucher(ion_sandbox: IonSandbox, make_erp: MakeErp) -> None:
    """Batch updated but the answer lost: the retry finds the voucher instead of posting again."""
    erp = m3(make_erp, ion_sandbox)
    journal = payroll_journal()
    erp.gl.add_batch_head(journal)
    for number, ln in enumerate(journal.lines, start=1):
        erp.gl.add_batch_line(journal, number, ln, resumed=False)
    erp.gl.ctrl_batch(journal)
    erp.gl.upd_batch(journal)
    posted = erp.post_journal(journal)
    assert len(ion_sandbox.sim.vouchers()) == 1
    assert posted.line_count == 4


def test_reference_reused_for_other_content_is_a_conflict(ion_sandbox: IonSandbox, make_erp: MakeErp) -> None:
    """Posting different content under a posted reference raises PostingConflict and posts nothing."""
    erp = m3(make_erp, ion_sandbox)
    erp.post_journal(payroll_journal(wages=1_000_000))
    with pytest.raises(PostingConflict, match="reverse the voucher"):
        erp.post_journal(payroll_journal(wages=2_000_000))
    assert len(ion_sandbox.sim.vouchers()) == 1


@pytest.mark.parametrize("returns_voucher", [True, False])
def test_debit_credit_code_template(
    make_ion_sandbox: Callable[..., IonSandbox], make_erp: MakeErp, returns_voucher: bool
) -> None:
    """A DBCR template gets positive amounts with D/C; a silent UpdBatch is found through GLS200MI."""
    sandbox = make_ion_sandbox(amount_sign="dbcr", updbatch_returns_voucher=returns_voucher, voucher_delay_s=0)
    options = M3Options(posting=M3PostingOptions(amount_style="dbcr"))
    erp = m3(make_erp, sandbox, m3_options=options)
    posted = erp.post_journal(payroll_journal())
    [voucher] = sandbox.sim.vouchers()
    assert str(voucher.credit_sum) == "12345.67"
    assert posted.document_id.endswith(f"/{voucher.number}")


def test_extra_dimensions_and_posting_date(ion_sandbox: IonSandbox, make_erp: MakeErp) -> None:
    """Dimensions beyond the cost center go to AITn; ACDT is the journal's posting date."""
    ion_sandbox.sim.seed_dimension(3, [{"code": "P1", "name": "Product 1"}])
    day = date(2025, 1, 31)
    base = payroll_journal(day=day)
    lines = (
        replace(base.lines[0], dimensions={"AIT3": "P1"}),
        *base.lines[1:],
        line("6010", debit=1),
        line("2100", credit=1),
    )
    journal = replace(base, lines=lines)
    posted = m3(make_erp, ion_sandbox).post_journal(journal)
    [voucher] = ion_sandbox.sim.vouchers()
    assert voucher.lines[0].dims[2] == "P1"
    assert posted.posting_date == day and voucher.lines[0].acdt == day
