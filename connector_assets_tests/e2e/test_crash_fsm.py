"""Crash recovery of FSM posting: the run process is SIGKILLed at each step of interfacing and started again;
exactly one journal is interfaced each time, and the store records it.

The steps: after staging (`CreateUnreleased/batch`), after the edit-only run, after the update run, and
while the released journal is read back before its document id is recorded. Then "crash after FSM accepted,
change content, replay", with the update run finished while the connector was down or still queued.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from connector_assets.cloudsuite.fsm_gl import run_group
from connector_assets.store.postings import POSTED, REVERSED, SUPERSEDED, Postings
from connector_assets_tests.e2e.chaos_env import Deployment, add_tenants, deployment, sync_connections
from connector_assets_tests.e2e.crash_points import ACCEPTED_CRASH_POINTS, CrashPoint
from connector_assets_tests.e2e.ledger_view import document
from connector_assets_tests.e2e.test_crash_posting import (
    GENERAL_CC,
    WORKER_TIMEOUT_S,
    crash_then_restart,
    move_departments,
    the_one_posting,
)

FSM_CRASH_POINTS = (
    CrashPoint("after_staging", r"GLTransactionInterface/actions/CreateUnreleased/batch"),
    CrashPoint("after_edit_only", r"InterfaceTransactions_InterfaceTransactionsForm", nth=1),
    CrashPoint("after_interface", r"InterfaceTransactions_InterfaceTransactionsForm", nth=2),
    CrashPoint("before_recording_document_id", r"classes/GeneralLedgerTransaction/lists"),
)
# CI runs the two points after which FSM holds something the connector never heard of; `make chaos` runs all.
CI_POINTS = {"after_interface", "before_recording_document_id"}
PARAMS = [
    pytest.param(p, id=p.name, marks=() if p.name in CI_POINTS else pytest.mark.chaos) for p in FSM_CRASH_POINTS
]


@pytest.fixture(scope="module")
def fsm_deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    """One FSM connection with master data loaded; payrolls are added per crash point."""
    with deployment(tmp_path_factory.mktemp("crash-fsm")) as dep:
        add_tenants(dep, {"delta": ("fsm", 5)}, employees=4)
        sync_connections(dep)
        yield dep


@pytest.mark.parametrize("point", PARAMS)
def test_fsm_posting_survives_kill(fsm_deployment: Deployment, point: CrashPoint, tmp_path: Path) -> None:
    """Killed at this step and restarted, the payroll has exactly one released FSM journal, recorded."""
    n = 20 + FSM_CRASH_POINTS.index(point)
    payroll_uuid = crash_then_restart(fsm_deployment, "delta", point, tmp_path, n)
    posting = the_one_posting(fsm_deployment, "delta", payroll_uuid)
    fsm = fsm_deployment.env.tenants["delta"].ion.fsm
    fsm.complete_runs()  # any run still queued must not release a second copy either
    lines = [p for p in fsm.posted() if p.run_group == run_group(posting.external_reference)]
    assert len({p.journal for p in lines}) == 1, f"{point.name}: {len({p.journal for p in lines})} journals"
    assert len(lines) == posting.line_count
    assert sum(int(p.amount * 100) for p in lines if p.amount > 0) == posting.debits_cents
    assert posting.document_id == f"1000/{lines[0].journal}"
    assert not [s for s in fsm.staged() if s.run_group == run_group(posting.external_reference)]


# Two worker processes and five FSM interface runs: on a loaded host this outlasts the suite's 300 s default.
@pytest.mark.timeout(2 * WORKER_TIMEOUT_S + 120)
@pytest.mark.parametrize("run_finished", [True, False], ids=["run_finished_while_down", "run_still_queued"])
def test_crash_after_interface_then_changed_content_leaves_one_live_journal(
    fsm_deployment: Deployment, run_finished: bool, tmp_path: Path
) -> None:
    """Killed once FSM queued the update run, mapping changed, replayed. A run that released the journal while
    the connector was down: recorded with its own content, reversed line for line, the new content posted under
    the next revision. A run still queued: its records are withdrawn, it releases nothing, the attempt is
    superseded. Either way exactly one live journal."""
    dep, tenant = fsm_deployment, fsm_deployment.env.tenants["delta"]
    fsm = tenant.ion.fsm

    def change() -> None:
        assert (fsm.complete_runs() if run_finished else fsm.hold_runs()) == 1  # the update run
        move_departments(dep, "delta")

    try:
        uuid = crash_then_restart(dep, "delta", ACCEPTED_CRASH_POINTS["fsm"], tmp_path, 30 + run_finished,
                                  change=change)  # fmt: skip
    finally:
        dep.env.write_mapping("delta", {})
    fsm.complete_runs()  # whatever was still queued has run: it must not release the first attempt now
    rows = Postings(dep.engine()).for_payroll("delta", uuid)
    journals = [p for p in rows if p.kind == "journal"]
    reversals = [p for p in rows if p.kind == "reversal"]
    first, second = (document(tenant, p.external_reference) for p in journals)
    assert second and {cc for _, cc, _ in second} - {""} <= {GENERAL_CC}
    assert journals[0].journal is not None
    if run_finished:
        assert [(p.state, p.revision) for p in journals] == [(REVERSED, 1), (POSTED, 2)], rows
        (reversal,) = reversals
        assert reversal.state == POSTED and reversal.reverses_reference == journals[0].external_reference
        frozen = Counter((a, cc or "", d - c) for a, cc, _dims, d, c, _t in journals[0].journal["lines"])
        assert first and Counter(first) == frozen, "the released journal must hold the written-ahead content"
        undo = document(tenant, reversal.external_reference)
        assert undo and Counter(undo) == Counter((a, cc, -v) for a, cc, v in first)
    else:
        assert [(p.state, p.revision) for p in journals] == [(SUPERSEDED, 1), (POSTED, 2)], rows
        assert not reversals and first is None, "a withdrawn attempt must never be released"
    assert not [s for s in fsm.staged() if s.run_group == run_group(journals[0].external_reference)]
