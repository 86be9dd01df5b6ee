"""Held, changed and reversed payrolls on both ERPs: nothing posted is edited; corrections are new entries."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import dagster as dg
import pytest

from connector_assets.ledger.validation import COST_CENTERS_EXIST
from connector_assets.store.postings import HELD, POSTED, REVERSED
from connector_assets_tests.e2e.deployment import Deployment
from connector_assets_tests.e2e.ledger_view import asset_value, document, documents, erp_key, journal_rows, net

MISSING_CC, OPEN_CC = "CC700", "CC100"


@dataclass(frozen=True)
class Scenario:
    """A connection of this module's own and the payrolls it had posted before any test ran."""

    connection_id: str
    history: tuple[str, ...]


@pytest.fixture(scope="module")
def scenario(deployment: Deployment) -> Scenario:
    """An M3 connection with its short payroll history posted (the posting path is ERP-neutral above the adapter)."""
    connection_id = "fix-m3"
    deployment.add_tenant(connection_id, "m3", history_months=0)
    failed = [o for o in deployment.onboard(connection_id) if not o.success]
    assert not failed, [(o.partition_key, o.error) for o in failed]
    posted = deployment.postings.in_state(POSTED, connection_id)
    history = tuple(sorted({p.payroll_uuid for p in posted if p.kind == "journal"}))
    assert len(history) >= 2, "the history must hold a payroll per correction test"
    return Scenario(connection_id, history)


@pytest.fixture
def connection(deployment: Deployment, scenario: Scenario) -> Iterator[str]:
    """The scenario's connection; its mapping is restored after each test."""
    yield scenario.connection_id
    deployment.env.write_mapping(scenario.connection_id, {})


def _failed_checks(deployment: Deployment, run_id: str) -> set[str]:
    events = deployment.instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)
    return {
        e.dagster_event.event_specific_data.check_name  # type: ignore[union-attr]
        for e in events
        if e.dagster_event and not e.dagster_event.event_specific_data.passed  # type: ignore[union-attr]
    }


def test_held_payroll_posts_once_after_the_mapping_fix(deployment: Deployment, connection: str) -> None:
    """A department mapped to a cost center CloudSuite lacks holds the payroll; after the fix it posts once."""
    tenant = deployment.env.tenants[connection]
    tenant.gusto.add_department("Research", MISSING_CC)
    deployment.env.write_mapping(connection, {"Research": MISSING_CC})
    hire = tenant.gusto.hire(first_name="Robin", last_name="Quill", department="Research")
    payroll = tenant.gusto.run_payroll(
        off_cycle=True, reason="Bonus", bonuses={hire.uuid: "2500.00"}, employee_uuids=[hire.uuid]
    )
    key = deployment.key(connection, payroll.uuid)
    (run,) = [o for o in deployment.sync(connection) if o.partition_key == key]
    assert not run.success
    assert COST_CENTERS_EXIST in _failed_checks(deployment, run.run_id)
    (held,) = deployment.postings.for_payroll(connection, payroll.uuid)
    assert held.state == HELD and held.document_id is None
    assert {(r["check"], r["value"]) for r in held.reasons or []} == {(COST_CENTERS_EXIST, MISSING_CC)}
    assert all("does not exist in CloudSuite" in r["reason"] for r in held.reasons or [])
    assert document(tenant, held.external_reference) is None
    assert "held" in [e.action for e in deployment.audit.history("payroll", payroll.uuid)]

    deployment.env.write_mapping(connection, {"Research": OPEN_CC})
    deployment.run_ok("payroll_job", key, {"connector/replay": "true"})
    deployment.run_ok("payroll_job", key, {"connector/replay": "true"})
    (posted,) = deployment.postings.for_payroll(connection, payroll.uuid)
    assert posted.state == POSTED and posted.external_reference == held.external_reference
    lines = document(tenant, posted.external_reference) or []
    assert {cc for _, cc, _ in lines} - {""} == {OPEN_CC}
    assert sum(1 for k in documents(tenant) if k == erp_key(tenant, posted.external_reference)) == 1


def test_changed_mapping_after_posting_reverses_and_reposts(
    deployment: Deployment, scenario: Scenario, connection: str
) -> None:
    """A mapping change after posting yields original, its exact reversal and a new entry that nets to the new journal."""
    tenant = deployment.env.tenants[connection]
    uuid = scenario.history[0]
    payroll = tenant.world.payroll(uuid)
    assert payroll is not None
    department = tenant.world.department(tenant.world.employee(payroll.employee_uuids[0]).department_uuid)  # type: ignore[union-attr]
    assert department is not None and department.cost_center != OPEN_CC
    (original,) = deployment.postings.for_payroll(connection, uuid)
    first = document(tenant, original.external_reference)
    assert first is not None

    deployment.env.write_mapping(connection, {department.title: OPEN_CC})
    deployment.run_ok("payroll_job", deployment.key(connection, uuid), {"connector/replay": "true"})

    rows = {p.external_reference: p for p in deployment.postings.for_payroll(connection, uuid)}
    assert rows[original.external_reference].state == REVERSED
    (reversal,) = [p for p in rows.values() if p.kind == "reversal"]
    (new,) = [p for p in rows.values() if p.kind == "journal" and p.state == POSTED]
    assert reversal.state == POSTED and reversal.reverses_reference == original.external_reference
    reversing = document(tenant, reversal.external_reference)
    replacement = document(tenant, new.external_reference)
    assert reversing is not None and replacement is not None
    assert Counter(reversing) == Counter((a, cc, -c) for a, cc, c in first)
    assert document(tenant, original.external_reference) == first, "the original must never be edited"
    prepared = asset_value(["ledger", "journal_lines"], deployment.key(connection, uuid), deployment.instance)
    assert Counter(replacement) == Counter(journal_rows(prepared.journal.lines))
    assert net(first + reversing + replacement) == net(journal_rows(prepared.journal.lines))
    assert any(cc == OPEN_CC for _, cc, _ in replacement)


def test_gusto_reversal_nets_the_payroll_to_zero(
    deployment: Deployment, scenario: Scenario, connection: str
) -> None:
    """A Gusto reversal payroll posts the negated journal; the GL nets to zero and the original is reversed."""
    tenant = deployment.env.tenants[connection]
    uuid = scenario.history[-1]
    (original,) = [p for p in deployment.postings.for_payroll(connection, uuid) if p.state == POSTED]
    reversal = tenant.gusto.reverse_payroll(uuid)
    outcomes = deployment.sync(connection)
    payroll_runs = [o for o in outcomes if o.job_name == "payroll_job"]
    assert {o.partition_key for o in payroll_runs} >= {deployment.key(connection, reversal.uuid)}
    assert all(o.success for o in payroll_runs), [(o.partition_key, o.error) for o in payroll_runs]
    deployment.run_ok("payroll_job", deployment.key(connection, uuid), {"connector/replay": "true"})

    (posted_reversal,) = deployment.postings.for_payroll(connection, reversal.uuid)
    assert posted_reversal.state == POSTED
    lines = (document(tenant, original.external_reference) or []) + (
        document(tenant, posted_reversal.external_reference) or []
    )
    assert lines and not net(lines), f"payroll {uuid} does not net to zero: {net(lines)}"
    states = {p.external_reference: p.state for p in deployment.postings.for_payroll(connection, uuid)}
    assert states == {original.external_reference: REVERSED}
    assert len([k for k in documents(tenant) if k in {erp_key(tenant, r) for r in states}]) == 1
