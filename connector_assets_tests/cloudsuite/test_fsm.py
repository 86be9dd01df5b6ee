"""The FSM adapter against the sandbox's Landmark REST face: master data, asynchronous interfacing, rejections."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date

import pytest

from connector_assets.cloudsuite.errors import (
    EmployeeSyncUnsupported,
    IonRequestError,
    JournalRejected,
    PostingConflict,
)
from connector_assets.cloudsuite.fsm_gl import FSM_REJECTED, run_group
from connector_assets.cloudsuite.types import ErpEmployee, PostedJournal, SubmittedJournal
from connector_assets.sandbox.faults import FaultRule
from connector_assets.sandbox.ion.fsm_model import FsmConfig
from connector_assets.store.vault import TokenVault
from connector_assets_tests.cloudsuite.fsm_support import MakeFsm, fsm_adapters
from connector_assets_tests.cloudsuite.journals import payroll_journal
from connector_assets_tests.fixtures.ion_sandbox import IonSandbox

DAY = date(2026, 3, 13)
REFERENCE = "GP-ABCDEFGHIJKLMNOPQR-1"


@pytest.fixture
def make_fsm(vault: TokenVault) -> Iterator[MakeFsm]:
    """FSM adapters on sandbox tenants, closed after the test."""
    yield from fsm_adapters(vault)


def _confirm(erp: object, reference: str, polls: int = 5) -> PostedJournal:
    """What the confirmation step does: look the journal up until FSM's run has released it."""
    for _ in range(polls):
        found = erp.find_journal(reference)  # type: ignore[attr-defined]
        if found is not None:
            return found  # type: ignore[no-any-return]
    raise AssertionError(f"{reference} was not released after {polls} look-ups")


def test_accounts_and_cost_centers_with_their_active_state(ion_sandbox: IonSandbox, make_fsm: MakeFsm) -> None:
    """The chart and the accounting units come back whole, inactive ones as blocked."""
    erp = make_fsm(ion_sandbox)
    accounts = {a.account: a for a in erp.list_gl_accounts()}
    assert len(accounts) == 41 and accounts["6900"].blocked and not accounts["6000"].blocked
    ion_sandbox.sim.block_cost_center("CC300")
    cost_centers = {c.code: c.blocked for c in erp.list_cost_centers()}
    assert cost_centers == {"CC100": False, "CC200": False, "CC300": True, "CC400": False, "CC500": False}


def test_paging_survives_a_server_cap_and_a_dropped_filter(
    make_ion_sandbox: Callable[..., IonSandbox], make_fsm: MakeFsm
) -> None:
    """Pages shorter than `_limit` and later pages that ignore `_lplFilter` still yield each account once."""
    sandbox = make_ion_sandbox(seed_default=False, fsm=FsmConfig(max_limit=7))
    sandbox.sim.fsm.seed_accounts([{"code": f"{5000 + i}", "name": f"Other {i}"} for i in range(30)], group="AAA")
    sandbox.sim.fsm.seed_accounts([{"code": f"{1000 + i}", "name": f"Ours {i}"} for i in range(50)])
    accounts = make_fsm(sandbox, page_size=10).list_gl_accounts()
    assert sorted(a.account for a in accounts) == [f"{1000 + i}" for i in range(50)]


def test_cost_centers_from_a_finance_dimension(
    make_ion_sandbox: Callable[..., IonSandbox], make_fsm: MakeFsm
) -> None:
    """A customer keeping departments in FinanceDimension3 gets its values as cost centers, and postings use it."""
    sandbox = make_ion_sandbox(fsm=FsmConfig(cost_center_dimension="FinanceDimension3"))
    erp = make_fsm(sandbox, cost_center_dimension="FinanceDimension3")
    assert {c.code for c in erp.list_cost_centers()} == {"CC100", "CC200", "CC300", "CC400", "CC500"}
    journal = payroll_journal(REFERENCE, day=DAY)
    assert isinstance(erp.post_journal(journal), SubmittedJournal)
    posted = _confirm(erp, REFERENCE)
    assert {ln.cost_center for ln in posted.lines or ()} == {"CC100", "CC200", None}
    assert {ln.dimensions.get("FinanceDimension3") for ln in sandbox.sim.fsm.posted()} == {"CC100", "CC200", None}


def test_posting_is_submitted_then_found_with_its_lines(ion_sandbox: IonSandbox, make_fsm: MakeFsm) -> None:
    """Interfacing answers SubmittedJournal; once the run finished, find_journal reads the lines back."""
    erp = make_fsm(ion_sandbox)
    journal = payroll_journal(REFERENCE, day=DAY)
    outcome = erp.post_journal(journal)
    assert outcome == SubmittedJournal(REFERENCE, REFERENCE, DAY)
    assert not ion_sandbox.sim.fsm.posted(), "the update run must still be queued"
    posted = _confirm(erp, REFERENCE)
    assert posted.erp_key == REFERENCE and posted.posting_date == DAY
    assert (posted.line_count, posted.debit_cents, posted.credit_cents) == (4, 1_234_567, 1_234_567)
    assert sorted((ln.account, ln.cost_center, ln.signed_cents) for ln in posted.lines or ()) == sorted(
        (ln.account, ln.cost_center, ln.signed_cents) for ln in journal.lines
    )
    assert not ion_sandbox.sim.fsm.staged(), "interfaced records leave GLTransactionInterface"
    again = erp.post_journal(journal)
    assert again == posted and len(ion_sandbox.sim.fsm.posted()) == 4, "a second post finds, never re-posts"


def test_long_references_get_a_deterministic_run_group(ion_sandbox: IonSandbox, make_fsm: MakeFsm) -> None:
    """A reference that does not fit a run group is hashed into one of 30 characters, the same every time."""
    reference = "gusto:acme:pr-0001:v1"
    group = run_group(reference)
    assert group == run_group(reference) and len(group) <= 30 and group != reference
    erp = make_fsm(ion_sandbox)
    outcome = erp.post_journal(payroll_journal(reference, day=DAY))
    assert isinstance(outcome, SubmittedJournal) and outcome.erp_key == group
    assert _confirm(erp, reference).erp_key == group


def test_inactive_accounting_unit_is_rejected_with_held_reasons_then_posts_after_the_fix(
    ion_sandbox: IonSandbox, make_fsm: MakeFsm
) -> None:
    """Edit-only finds the inactive unit: nothing posts, the run group is rolled back, the reason names CC200."""
    erp = make_fsm(ion_sandbox)
    ion_sandbox.sim.block_cost_center("CC200")
    journal = payroll_journal(REFERENCE, day=DAY)
    with pytest.raises(JournalRejected) as caught:
        erp.post_journal(journal)
    assert caught.value.reasons == [
        {"check": FSM_REJECTED, "line_no": 2, "value": "CC200", "reason": "FSM: Accounting Unit CC200 is inactive"}
    ]
    assert "replay" in str(caught.value)
    assert not ion_sandbox.sim.fsm.staged() and not ion_sandbox.sim.fsm.posted()
    ion_sandbox.sim.block_cost_center("CC200", blocked=False)
    assert isinstance(erp.post_journal(journal), SubmittedJournal)
    assert _confirm(erp, REFERENCE).line_count == 4


def test_closed_period_and_unknown_account_are_reported_per_line(
    ion_sandbox: IonSandbox, make_fsm: MakeFsm
) -> None:
    """Every line's ErrorMessage becomes a reason; the closed period is named by FSM's long date."""
    erp = make_fsm(ion_sandbox)
    ion_sandbox.sim.close_period(2026, 3)
    journal = payroll_journal(REFERENCE, day=DAY)
    with pytest.raises(JournalRejected) as caught:
        erp.post_journal(journal)
    assert len(caught.value.reasons) == 4
    assert all(
        "No open period found for Posting Date March 13, 2026" in str(r["reason"]) for r in caught.value.reasons
    )
    ion_sandbox.sim.close_period(2026, 3, closed=False)
    unknown = payroll_journal(REFERENCE, day=DAY, account="6999")
    with pytest.raises(JournalRejected) as caught:
        erp.post_journal(unknown)
    assert {(r["line_no"], r["value"]) for r in caught.value.reasons} == {(1, "6999"), (2, "6999")}


def test_a_resumed_attempt_rolls_back_partial_staging(ion_sandbox: IonSandbox, make_fsm: MakeFsm) -> None:
    """Records left by a crash part-way through staging are rolled back and staged again: one journal."""
    erp = make_fsm(ion_sandbox)
    journal = payroll_journal(REFERENCE, day=DAY)
    erp.gl.client.create_unreleased("GLTransactionInterface", erp.gl.records(journal)[:2])
    assert len(ion_sandbox.sim.fsm.staged()) == 2
    assert isinstance(erp.post_journal(journal), SubmittedJournal)
    assert _confirm(erp, REFERENCE).line_count == 4
    assert len(ion_sandbox.sim.fsm.posted()) == 4


def test_a_resumed_attempt_after_interfacing_interfaces_nothing_twice(
    ion_sandbox: IonSandbox, make_fsm: MakeFsm
) -> None:
    """A crash after the update run was queued: posting again finds or waits for it, and one journal results."""
    erp = make_fsm(ion_sandbox)
    journal = payroll_journal(REFERENCE, day=DAY)
    assert isinstance(erp.post_journal(journal), SubmittedJournal)
    second = erp.post_journal(journal)  # the first update run is still queued
    assert isinstance(second, PostedJournal | SubmittedJournal)
    assert _confirm(erp, REFERENCE).line_count == 4
    ion_sandbox.sim.fsm.complete_runs()
    assert len(ion_sandbox.sim.fsm.posted()) == 4
    assert len({p.journal for p in ion_sandbox.sim.fsm.posted()}) == 1


def test_a_reused_reference_with_other_content_is_a_conflict(ion_sandbox: IonSandbox, make_fsm: MakeFsm) -> None:
    """Posting other amounts under a released reference raises PostingConflict instead of posting."""
    erp = make_fsm(ion_sandbox)
    erp.post_journal(payroll_journal(REFERENCE, day=DAY))
    _confirm(erp, REFERENCE)
    with pytest.raises(PostingConflict, match="reverse the FSM journal"):
        erp.post_journal(payroll_journal(REFERENCE, day=DAY, wages=999_999))


def test_an_update_run_without_edit_and_interface_stays_edit_only(
    ion_sandbox: IonSandbox, make_fsm: MakeFsm
) -> None:
    """The tenant quirk: without PrmEditAndInterface the update run posts nothing (so the flag is on by default)."""
    erp = make_fsm(ion_sandbox, edit_and_interface=False)
    erp.post_journal(payroll_journal(REFERENCE, day=DAY))
    ion_sandbox.sim.fsm.complete_runs()
    assert erp.find_journal(REFERENCE) is None and not ion_sandbox.sim.fsm.posted()
    erp.gl.options = replace(erp.gl.options, edit_and_interface=True)
    erp.post_journal(payroll_journal(REFERENCE, day=DAY))
    assert _confirm(erp, REFERENCE).line_count == 4


def test_fsm_keeps_no_employees(ion_sandbox: IonSandbox, make_fsm: MakeFsm) -> None:
    """Employee calls say clearly that FSM has no employee master."""
    erp = make_fsm(ion_sandbox)
    with pytest.raises(EmployeeSyncUnsupported, match="FSM keeps no employees"):
        erp.list_employees()
    with pytest.raises(EmployeeSyncUnsupported):
        erp.upsert_employee(ErpEmployee("E1", "Ada", "Lovelace"))


def test_gateway_faults_on_the_posting_path(ion_sandbox: IonSandbox, make_fsm: MakeFsm) -> None:
    """A 503 on staging is retried (never delivered); a 500 on the update run fails, and posting again finds or
    finishes the one journal."""
    erp = make_fsm(ion_sandbox)
    journal = payroll_journal(REFERENCE, day=DAY)
    ion_sandbox.sim.faults.add(FaultRule(path="CreateUnreleased", status=503, count=1))
    ion_sandbox.sim.faults.add(FaultRule(path="InterfaceTransactions", status=500, count=1))
    with pytest.raises(IonRequestError, match="HTTP 500"):
        erp.post_journal(journal)  # the edit-only run hits the 500: it was never queued
    assert len(ion_sandbox.sim.fsm.staged()) == 4
    assert isinstance(erp.post_journal(journal), SubmittedJournal)
    assert _confirm(erp, REFERENCE).line_count == 4
    assert len(ion_sandbox.sim.fsm.posted()) == 4
