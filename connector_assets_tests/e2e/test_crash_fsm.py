"""Crash recovery of FSM posting: the run process is SIGKILLed at each step of interfacing and started again;
exactly one journal is interfaced each time, and the store records it.

The steps: after staging (`CreateUnreleased/batch`), after the edit-only run, after the update run, and
while the released journal is read back before its document id is recorded.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from connector_assets.cloudsuite.fsm_gl import run_group
from connector_assets_tests.e2e.chaos_env import Deployment, add_tenants, deployment, sync_connections
from connector_assets_tests.e2e.crash_points import CrashPoint
from connector_assets_tests.e2e.test_crash_posting import crash_then_restart, the_one_posting

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
