"""Settling an FSM attempt the connector never heard the end of, when the payroll's content changed meanwhile.

FSM's result list shows finished runs only and cannot tell a queued edit-only run from an update run, so the
service asks the adapter to withdraw the attempt's unreleased records first: no queued run can release them
afterwards, and the journal read back then is all the attempt will ever leave.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from connector_assets.cloudsuite.fsm_gl import run_group
from connector_assets.cloudsuite.posting_outcomes import Posted
from connector_assets.store.postings import POSTED, REVERSED, SUPERSEDED, Postings
from connector_assets.store.vault import TokenVault
from connector_assets_tests.cloudsuite.fsm_support import MakeFsm, fsm_adapters
from connector_assets_tests.cloudsuite.posting_cases import (
    bonus_journal,
    crash_after_erp_accepted,
    request_for,
    service,
)
from connector_assets_tests.fixtures.ion_sandbox import IonSandbox


@pytest.fixture
def make_fsm(vault: TokenVault) -> Iterator[MakeFsm]:
    yield from fsm_adapters(vault)


def released(sandbox: IonSandbox, reference: str) -> Counter[tuple[str, int]]:
    return Counter((p.account, int(p.amount * 100)) for p in sandbox.sim.fsm.posted()
                   if p.run_group == run_group(reference))  # fmt: skip


@pytest.mark.parametrize("run_finished", [True, False], ids=["run_finished", "run_still_queued"])
def test_changed_content_after_the_update_run_was_queued_leaves_one_live_journal(
    sqlite_store: Engine, ion_sandbox: IonSandbox, make_fsm: MakeFsm, run_finished: bool
) -> None:
    """Released meanwhile: recorded with its own lines, reversed, the new content posted as revision 2. Still
    queued: withdrawn (the run releases nothing, ever), superseded, only the new content posted."""
    erp = make_fsm(ion_sandbox)
    old, new = bonus_journal("6020"), bonus_journal("6010")
    crash_after_erp_accepted(sqlite_store, erp, old)  # edit-only run done, update run queued, run killed
    assert (ion_sandbox.sim.fsm.complete_runs() if run_finished else ion_sandbox.sim.fsm.hold_runs()) == 1
    outcome = service(sqlite_store, erp).post(request_for(new))
    ion_sandbox.sim.fsm.complete_runs()  # anything still queued runs now
    assert isinstance(outcome, Posted) and outcome.reference != old.external_reference
    assert released(ion_sandbox, outcome.reference)[("6010", 250_000)] == 1
    first = Postings(sqlite_store).get(old.external_reference)
    assert first is not None
    if run_finished:
        assert first.state == REVERSED and len(outcome.reversals) == 1
        assert released(ion_sandbox, old.external_reference)[("6020", 250_000)] == 1
        undo = outcome.reversals[0].reversal_reference
        assert undo and released(ion_sandbox, undo)[("6020", -250_000)] == 1
    else:
        assert first.state == SUPERSEDED and not outcome.reversals
        assert not released(ion_sandbox, old.external_reference), "a withdrawn attempt must never be released"
    assert not [s for s in ion_sandbox.sim.fsm.staged() if s.run_group == run_group(old.external_reference)]
    assert Postings(sqlite_store).get(outcome.reference).state == POSTED  # type: ignore[union-attr]
