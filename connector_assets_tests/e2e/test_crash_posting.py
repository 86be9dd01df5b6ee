"""Crash recovery of posting: the run process is killed (SIGKILL) at each step of posting and started again;
exactly one document results each time, and the store records it.

The simulator kills the worker the moment a chosen request arrives (see crash_points.py), so the crash is
deterministic without sleeps: CloudSuite has done the step, the connector never heard the answer.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from connector_assets.cloudsuite.m3_gl import batch_key, document_id
from connector_assets.cloudsuite.syteline import journal_reference
from connector_assets.defs.partitions import payroll_key, split_payroll_key
from connector_assets.store.postings import POSTED, REVERSED, Posting, Postings
from connector_assets_tests.e2e.chaos_env import Deployment, add_tenants, deployment, sync_connections
from connector_assets_tests.e2e.confirmation import confirm_submitted
from connector_assets_tests.e2e.crash_points import (
    ACCEPTED_CRASH_POINTS,
    M3_CRASH_POINTS,
    SYTELINE_CRASH_POINTS,
    CrashPoint,
    KillOnRequest,
)
from connector_assets_tests.e2e.ledger_view import document

ROOT = Path(__file__).resolve().parents[2]
WORKER_TIMEOUT_S = 240


@pytest.fixture(scope="module")
def crash_deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    """One M3 and one SyteLine connection with master data loaded; payrolls are added per crash point."""
    with deployment(tmp_path_factory.mktemp("crash")) as dep:
        add_tenants(dep, {"alpha": ("m3", 3), "beta": ("syteline", 4)}, employees=4)
        sync_connections(dep)
        yield dep


def run_worker(dep: Deployment, key: str, log: Path) -> subprocess.Popen[bytes]:
    """Start the run process for one payroll partition (stdout/stderr to `log`)."""
    out = log.open("wb")
    return subprocess.Popen(
        [sys.executable, "-m", "connector_assets_tests.e2e.crash_worker", "payroll_job", key],
        cwd=ROOT, env=dict(os.environ), stdout=out, stderr=subprocess.STDOUT,
    )  # fmt: skip


def new_payroll(dep: Deployment, connection_id: str, n: int) -> str:
    """A fresh off-cycle payroll (a bonus for two people) with its partition key."""
    gusto = dep.env.tenants[connection_id].gusto
    people = [e.uuid for e in gusto.world.employees if not e.terminations][:2]
    payroll = gusto.run_payroll(off_cycle=True, reason="Bonus", bonuses={p: f"{100 + n}.00" for p in people})
    return payroll_key(connection_id, payroll.uuid, payroll.check_date)


def crash_then_restart(
    dep: Deployment,
    connection_id: str,
    point: CrashPoint,
    tmp_path: Path,
    n: int,
    change: Callable[[], object] | None = None,
) -> str:
    """Kill the run at `point`, check it died there, `change` something, run it again to success; returns the
    payroll uuid."""
    key = new_payroll(dep, connection_id, n)
    ion = dep.env.tenants[connection_id].ion
    rule = KillOnRequest(path=point.path, nth=point.nth, count=None)
    ion.faults.add(rule)
    first = run_worker(dep, key, tmp_path / "killed.log")
    rule.pid = first.pid
    try:
        code = first.wait(timeout=WORKER_TIMEOUT_S)
    finally:
        ion.faults.clear()
    assert rule.fired and code == -signal.SIGKILL, f"{point.name}: worker ended with {code} without the kill"
    if change is not None:
        change()
    second = run_worker(dep, key, tmp_path / "restarted.log")
    assert second.wait(timeout=WORKER_TIMEOUT_S) == 0, (tmp_path / "restarted.log").read_text()[-3000:]
    outcome = json.loads((tmp_path / "restarted.log").read_text().strip().splitlines()[-1])
    assert outcome["success"], outcome
    confirm_submitted(dep.instance, dep.env.tenants.values())  # a voucher still in M3's background job
    return split_payroll_key(key)[1]


def the_one_posting(dep: Deployment, connection_id: str, payroll_uuid: str) -> Posting:
    """The payroll's single journal posting, which must be posted with a document id."""
    rows = [p for p in Postings(dep.engine()).for_payroll(connection_id, payroll_uuid) if p.kind == "journal"]
    assert [p.state for p in rows] == [POSTED], rows
    assert rows[0].document_id
    return rows[0]


# CI runs two M3 points and the SyteLine one; `make chaos` runs every point.
CI_POINTS = {"after_add_batch_head", "after_upd_batch"}
M3_PARAMS = [
    pytest.param(p, id=p.name, marks=() if p.name in CI_POINTS else pytest.mark.chaos) for p in M3_CRASH_POINTS
]


@pytest.mark.parametrize("point", M3_PARAMS)
def test_m3_posting_survives_kill(crash_deployment: Deployment, point: CrashPoint, tmp_path: Path) -> None:
    """Killed at this GLS840MI/GLS200MI step and restarted, the payroll has exactly one M3 voucher, recorded."""
    n = M3_CRASH_POINTS.index(point)
    payroll_uuid = crash_then_restart(crash_deployment, "alpha", point, tmp_path, n)
    posting = the_one_posting(crash_deployment, "alpha", payroll_uuid)
    key1 = batch_key(posting.external_reference)
    vouchers = [v for v in crash_deployment.env.tenants["alpha"].ion.vouchers() if v.key1 == key1]
    assert len(vouchers) == 1, f"{point.name}: {len(vouchers)} vouchers for {posting.external_reference}"
    voucher = vouchers[0]
    assert posting.document_id == document_id(str(voucher.year), voucher.series, str(voucher.number))
    assert len(voucher.lines) == posting.line_count
    assert int(voucher.debit_sum * 100) == posting.debits_cents


@pytest.mark.parametrize("point", SYTELINE_CRASH_POINTS, ids=lambda p: p.name)
def test_syteline_posting_survives_kill(crash_deployment: Deployment, point: CrashPoint, tmp_path: Path) -> None:
    """Killed right after the SLJournals insert and restarted, the payroll's rows exist exactly once."""
    payroll_uuid = crash_then_restart(crash_deployment, "beta", point, tmp_path, 10)
    posting = the_one_posting(crash_deployment, "beta", payroll_uuid)
    reference = journal_reference(posting.external_reference)
    rows = [r for r in crash_deployment.env.tenants["beta"].ion.journals() if r.reference == reference]
    assert len(rows) == posting.line_count
    assert sum(int(r.amount * 100) for r in rows if r.amount > 0) == posting.debits_cents


# Connection per ERP for the "accepted, changed, replayed" case (FSM's is in test_crash_fsm.py).
ACCEPTED_TENANTS = {"m3": "alpha", "syteline": "beta"}
GENERAL_CC = "CC100"  # valid in every sandbox tenant, used by no department


def move_departments(dep: Deployment, connection_id: str) -> str:
    """Map every department to the general cost center CC100 (the operator's mapping change); returns it."""
    world = dep.env.tenants[connection_id].world
    dep.env.write_mapping(connection_id, {d.title: GENERAL_CC for d in world.departments})
    return GENERAL_CC


# The kill lands once the simulator has entered the first row (see crash_points.py), on any host load.
@pytest.mark.parametrize("erp", sorted(ACCEPTED_TENANTS))
def test_crash_after_accept_then_changed_content_reverses_what_cloudsuite_holds(
    crash_deployment: Deployment, erp: str, tmp_path: Path
) -> None:
    """Killed after CloudSuite took the journal, mapping changed, replayed: the held document is recorded with
    its own content, reversed line for line, and the new content posted under the next revision."""
    connection_id, point = ACCEPTED_TENANTS[erp], ACCEPTED_CRASH_POINTS[erp]
    tenant = crash_deployment.env.tenants[connection_id]
    moved: list[str] = []
    try:
        uuid = crash_then_restart(crash_deployment, connection_id, point, tmp_path, 20,
                                  change=lambda: moved.append(move_departments(crash_deployment, connection_id)))  # fmt: skip
    finally:
        crash_deployment.env.write_mapping(connection_id, {})
    rows = Postings(crash_deployment.engine()).for_payroll(connection_id, uuid)
    journals = [p for p in rows if p.kind == "journal"]
    (reversal,) = [p for p in rows if p.kind == "reversal"]
    assert [(p.state, p.revision) for p in journals] == [(REVERSED, 1), (POSTED, 2)], rows
    assert reversal.state == POSTED and reversal.reverses_reference == journals[0].external_reference
    first = document(tenant, journals[0].external_reference)
    undo = document(tenant, reversal.external_reference)
    second = document(tenant, journals[1].external_reference)
    assert first and undo and second
    assert journals[0].journal is not None
    frozen = Counter((a, cc or "", d - c) for a, cc, _dims, d, c, _t in journals[0].journal["lines"])
    assert Counter(first) == frozen, "the first document must hold the written-ahead content"
    assert Counter(undo) == Counter((a, cc, -v) for a, cc, v in first)
    assert {cc for _, cc, _ in second} - {""} <= {moved[0]} and {cc for _, cc, _ in first} != {
        cc for _, cc, _ in second
    }
