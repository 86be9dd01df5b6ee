"""SyteLine over the sandbox's Mongoose IDOs: bookmark paging, journals by Reference, typed errors."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from connector_assets.cloudsuite.erp import Erp
from connector_assets.cloudsuite.errors import IonRequestError, PostingConflict, SyteLineError
from connector_assets.cloudsuite.mongoose import IdoClient
from connector_assets.cloudsuite.syteline import SyteLineErp, SyteLineOptions, journal_reference
from connector_assets.sandbox.faults import FaultRule
from connector_assets_tests.cloudsuite.conftest import expire_after
from connector_assets_tests.cloudsuite.journals import payroll_journal
from connector_assets_tests.fixtures.ion_sandbox import IonSandbox

MakeErp = Callable[..., Erp]


def syteline(make_erp: MakeErp, sandbox: IonSandbox, **options: object) -> SyteLineErp:
    erp = make_erp(sandbox, "syteline", **options)
    assert isinstance(erp, SyteLineErp)
    return erp


def test_lists_twelve_thousand_accounts_with_bookmarks(
    make_ion_sandbox: Callable[..., IonSandbox], make_erp: MakeErp
) -> None:
    """Bookmark paging returns every SLCharts row once (recordcap alone would stop at 200)."""
    sandbox = make_ion_sandbox(seed_default=False)
    sandbox.sim.seed_accounts([{"code": f"{40000 + i}", "name": f"Account {i}"} for i in range(12_000)])
    # Pages of 3000 keep the simulator's per-page sort cheap while still crossing three bookmarks.
    erp = syteline(make_erp, sandbox, syteline_options=SyteLineOptions(page_size=3_000))
    accounts = erp.list_gl_accounts()
    assert len(accounts) == 12_000
    assert len({a.account for a in accounts}) == 12_000
    assert sandbox.sim.counters()["ido_requests"] == 4 + 5  # four pages, five property lists discovered


def test_token_expiry_mid_listing(make_ion_sandbox: Callable[..., IonSandbox], make_erp: MakeErp) -> None:
    """An expired token between bookmark pages costs one re-authentication, no rows."""
    sandbox = make_ion_sandbox(seed_default=False)
    sandbox.sim.seed_accounts([{"code": f"{40000 + i}", "name": "x"} for i in range(3_000)])
    http = httpx.Client(event_hooks={"response": [expire_after(sandbox, "/load/SLCharts", 1)]})
    try:
        accounts = syteline(make_erp, sandbox, http=http).list_gl_accounts()
    finally:
        http.close()
    assert len({a.account for a in accounts}) == 3_000
    assert sandbox.sim.counters()["status_401"] == 1


def test_blocked_accounts_and_cost_center_unit_code(
    make_ion_sandbox: Callable[..., IonSandbox], make_erp: MakeErp
) -> None:
    """Inactive accounts read as blocked; cost centers come from the configured SLUnitcdNs."""
    sandbox = make_ion_sandbox(cost_center_unit_code=3)
    erp = syteline(make_erp, sandbox, cloudsuite={"cost_center_dimension": 3})
    accounts = {a.account: a for a in erp.list_gl_accounts()}
    assert accounts["6900"].blocked and not accounts["6000"].blocked
    assert {c.code for c in erp.list_cost_centers()} >= {"CC100", "CC500"}


def test_post_and_find_journal(ion_sandbox: IonSandbox, make_erp: MakeErp) -> None:
    """All lines go in under one Reference; find_journal sums them back."""
    erp = syteline(make_erp, ion_sandbox)
    journal = payroll_journal()
    posted = erp.post_journal(journal)
    assert (posted.line_count, posted.debit_cents, posted.credit_cents) == (4, 1_234_567, 1_234_567)
    rows = ion_sandbox.sim.journals()
    assert {r.reference for r in rows} == {journal.external_reference}
    assert [str(r.amount) for r in rows] == ["12000.00", "345.67", "-2000.01", "-10345.66"]
    assert rows[0].units[1] == "CC100"
    assert erp.find_journal(journal.external_reference) == posted
    assert erp.find_journal("gusto:acme:other:v1") is None


def test_posting_twice_inserts_once(ion_sandbox: IonSandbox, make_erp: MakeErp) -> None:
    """The second post_journal finds the Reference and inserts nothing."""
    erp = syteline(make_erp, ion_sandbox)
    assert erp.post_journal(payroll_journal()) == erp.post_journal(payroll_journal())
    assert len(ion_sandbox.sim.journals()) == 4


def test_dropped_insert_then_retry_posts_once(ion_sandbox: IonSandbox, make_erp: MakeErp) -> None:
    """A dropped UpdateCollection is not blindly repeated; the retried post_journal posts exactly once."""
    erp = syteline(make_erp, ion_sandbox)
    ion_sandbox.sim.faults.add(FaultRule(path="/update/SLJournals", drop=True, count=1))
    with pytest.raises(IonRequestError):
        erp.post_journal(payroll_journal())
    assert ion_sandbox.sim.journals() == []
    erp.post_journal(payroll_journal())
    assert len(ion_sandbox.sim.journals()) == 4


def test_long_reference_is_shortened_deterministically(ion_sandbox: IonSandbox, make_erp: MakeErp) -> None:
    """References over 30 characters become a stable 30-character Reference that find_journal uses."""
    long_ref = "gusto:acme:0b9f7c1e-2d4e-4a6b-9c1d-0123456789ab:v2"
    short = journal_reference(long_ref)
    assert len(short) == 30 and short == journal_reference(long_ref) and short != journal_reference(long_ref + "x")
    erp = syteline(make_erp, ion_sandbox)
    posted = erp.post_journal(payroll_journal(long_ref))
    assert {r.reference for r in ion_sandbox.sim.journals()} == {short}
    assert erp.find_journal(long_ref) == posted


def test_unknown_account_error_reaches_the_caller_intact(ion_sandbox: IonSandbox, make_erp: MakeErp) -> None:
    """Success: false with the sandbox's Message becomes SyteLineError carrying that message."""
    erp = syteline(make_erp, ion_sandbox)
    with pytest.raises(SyteLineError) as err:
        erp.post_journal(payroll_journal(account="6999"))
    assert (err.value.ido, err.value.action) == ("SLJournals", "update")
    assert "account '6999' does not exist" in err.value.message
    assert ion_sandbox.sim.journals() == []


def test_reference_reused_for_other_content_is_a_conflict(ion_sandbox: IonSandbox, make_erp: MakeErp) -> None:
    """Different content under a posted Reference is refused before anything is inserted."""
    erp = syteline(make_erp, ion_sandbox)
    erp.post_journal(payroll_journal(wages=1_000_000))
    with pytest.raises(PostingConflict, match="reverse them before posting again"):
        erp.post_journal(payroll_journal(wages=2_000_000))
    assert len(ion_sandbox.sim.journals()) == 4


def test_wrong_mongoose_configuration_is_a_typed_error(ion_sandbox: IonSandbox, make_erp: MakeErp) -> None:
    """A configuration the tenant does not have fails with SyteLineError naming it."""
    erp = syteline(make_erp, ion_sandbox)
    erp.ido = IdoClient(erp.ido.transport, configuration="NOPE_DALS")
    with pytest.raises(SyteLineError, match="NOPE_DALS"):
        erp.list_gl_accounts()
