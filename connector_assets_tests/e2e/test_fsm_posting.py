"""An FSM connection end to end on PostgreSQL: held and replayed, corrected by reversal, reversed by Gusto.

FSM interfaces journals asynchronously and reports refused lines per record, so besides the ledger's own
checks (an inactive accounting unit is seen in the master data) a refusal only FSM knows about (a closed
period) must also leave the posting held with FSM's reason, and post once after the fix.
"""

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

OPEN_CC = "CC100"


@dataclass(frozen=True)
class Scenario:
    connection_id: str
    history: tuple[str, ...]


@pytest.fixture(scope="module")
def scenario(deployment: Deployment) -> Scenario:
    """An FSM connection with its short payroll history posted."""
    connection_id = "fix-fsm"
    deployment.add_tenant(connection_id, "fsm", history_months=1)
    failed = [o for o in deployment.onboard(connection_id) if not o.success]
    assert not failed, [(o.partition_key, o.error) for o in failed]
    posted = deployment.postings.in_state(POSTED, connection_id)
    history = tuple(sorted({p.payroll_uuid for p in posted if p.kind == "journal"}))
    assert len(history) >= 2, "the history must hold a payroll per correction test"
    return Scenario(connection_id, history)


@pytest.fixture
def connection(deployment: Deployment, scenario: Scenario) -> Iterator[str]:
    yield scenario.connection_id
    deployment.env.write_mapping(scenario.connection_id, {})


def _bonus_payroll(deployment: Deployment, connection: str, department: str, cost_center: str) -> str:
    tenant = deployment.env.tenants[connection]
    tenant.gusto.add_department(department, cost_center)
    deployment.env.write_mapping(connection, {department: cost_center})
    hire = tenant.gusto.hire(first_name="Robin", last_name="Quill", department=department)
    payroll = tenant.gusto.run_payroll(
        off_cycle=True, reason="Bonus", bonuses={hire.uuid: "2500.00"}, employee_uuids=[hire.uuid]
    )
    return payroll.uuid


def test_history_is_posted_once_line_for_line(deployment: Deployment, scenario: Scenario) -> None:
    """Each processed payroll has one released FSM journal equal to its ledger journal; a replay adds nothing.

    The history holds a Gusto reversal pair: the reversal payroll posts its own journal, and the original,
    first seen already reversed, posts too and is then marked reversed (its document stays in FSM)."""
    tenant = deployment.env.tenants[scenario.connection_id]
    reversed_rows = deployment.postings.in_state(REVERSED, scenario.connection_id)
    reversed_originals = tuple(sorted({p.payroll_uuid for p in reversed_rows if p.kind == "journal"}))
    processed = {p.uuid for p in tenant.world.payrolls if p.processed}
    assert len(reversed_originals) == 1, "the history holds one reversal pair"
    assert set(scenario.history) | set(reversed_originals) == processed
    for uuid in scenario.history + reversed_originals:
        rows = [p for p in deployment.postings.for_payroll(scenario.connection_id, uuid) if p.kind == "journal"]
        state = REVERSED if uuid in reversed_originals else POSTED
        assert [p.state for p in rows] == [state], f"payroll {uuid}: {[(p.state, p.reasons) for p in rows]}"
        posted = document(tenant, rows[0].external_reference)
        key = deployment.key(scenario.connection_id, uuid)
        prepared = asset_value(["ledger", "journal_lines"], key, deployment.instance)
        assert posted is not None and Counter(posted) == Counter(journal_rows(prepared.journal.lines))
        assert rows[0].document_id and rows[0].document_id.startswith("1000/")
    before = documents(tenant)
    deployment.run_ok("payroll_job", deployment.key(scenario.connection_id, scenario.history[-1]),
                      {"connector/replay": "true"})  # fmt: skip
    assert documents(tenant) == before
    assert len(before) == len(processed), "FSM holds a journal no processed payroll explains"


def test_workforce_is_skipped_with_a_note(deployment: Deployment, scenario: Scenario) -> None:
    """FSM keeps no employees: the workforce sync ran without touching the ERP and says why."""
    tenant = deployment.env.tenants[scenario.connection_id]
    assert tenant.ion.employees() == []
    deployment.run_ok("workforce_job", scenario.connection_id)
    event = deployment.instance.get_latest_materialization_event(dg.AssetKey(["cloudsuite", "employees"]))
    assert event is not None and event.asset_materialization is not None
    assert event.asset_materialization.partition == scenario.connection_id
    skipped = event.asset_materialization.metadata["skipped"].value
    assert isinstance(skipped, str) and skipped.startswith("FSM keeps no employees")


def test_inactive_accounting_unit_holds_then_posts_once_after_the_fix(
    deployment: Deployment, connection: str
) -> None:
    """An accounting unit made inactive in FSM holds the payroll; once active again, a replay posts it once."""
    tenant = deployment.env.tenants[connection]
    tenant.ion.block_cost_center("CC400")
    try:
        uuid = _bonus_payroll(deployment, connection, "Field Ops", "CC400")
        key = deployment.key(connection, uuid)
        (run,) = [o for o in deployment.sync(connection) if o.partition_key == key]
        assert not run.success
        (held,) = deployment.postings.for_payroll(connection, uuid)
        assert held.state == HELD and {(r["check"], r["value"]) for r in held.reasons or []} == {
            (COST_CENTERS_EXIST, "CC400")
        }
        assert document(tenant, held.external_reference) is None
    finally:
        tenant.ion.block_cost_center("CC400", blocked=False)
    deployment.run_ok("payroll_job", key, {"connector/replay": "true"})
    deployment.run_ok("payroll_job", key, {"connector/replay": "true"})
    (posted,) = deployment.postings.for_payroll(connection, uuid)
    assert posted.state == POSTED and posted.external_reference == held.external_reference
    lines = document(tenant, posted.external_reference) or []
    assert {cc for _, cc, _ in lines} - {""} == {"CC400"}
    assert posted.document_id and posted.document_id.startswith("1000/")


def test_a_period_fsm_refuses_holds_with_its_reason_then_posts_once(
    deployment: Deployment, connection: str
) -> None:
    """A closed period is only known to FSM: the posting is held with FSM's per-line message, then replayed."""
    tenant = deployment.env.tenants[connection]
    uuid = _bonus_payroll(deployment, connection, "Studio", OPEN_CC)
    check_date = tenant.world.payroll(uuid).check_date  # type: ignore[union-attr]
    tenant.ion.close_period(check_date.year, check_date.month)
    try:
        key = deployment.key(connection, uuid)
        (run,) = [o for o in deployment.sync(connection) if o.partition_key == key]
        assert not run.success
        (held,) = deployment.postings.for_payroll(connection, uuid)
        assert held.state == HELD and held.reasons
        assert all("No open period found for Posting Date" in str(r["reason"]) for r in held.reasons)
        assert {r["check"] for r in held.reasons} == {"fsm_rejected"}
        assert not tenant.ion.fsm.staged(), "the refused run group is rolled back"
    finally:
        tenant.ion.close_period(check_date.year, check_date.month, closed=False)
    deployment.run_ok("payroll_job", key, {"connector/replay": "true"})
    (posted,) = deployment.postings.for_payroll(connection, uuid)
    assert posted.state == POSTED
    assert sum(1 for k in documents(tenant) if k == erp_key(tenant, posted.external_reference)) == 1


def test_changed_mapping_after_posting_reverses_and_reposts(
    deployment: Deployment, scenario: Scenario, connection: str
) -> None:
    """After a mapping change FSM holds the original, its exact reversal and a new entry netting to the new journal."""
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
    reversing = document(tenant, reversal.external_reference)
    replacement = document(tenant, new.external_reference)
    assert reversal.state == POSTED and reversing is not None and replacement is not None
    assert Counter(reversing) == Counter((a, cc, -c) for a, cc, c in first)
    assert document(tenant, original.external_reference) == first, "the original must never be edited"
    prepared = asset_value(["ledger", "journal_lines"], deployment.key(connection, uuid), deployment.instance)
    assert net(first + reversing + replacement) == net(journal_rows(prepared.journal.lines))


def test_gusto_reversal_nets_the_payroll_to_zero(
    deployment: Deployment, scenario: Scenario, connection: str
) -> None:
    """A Gusto reversal payroll posts the negated journal in FSM; the original is marked reversed."""
    tenant = deployment.env.tenants[connection]
    uuid = scenario.history[-1]
    (original,) = [p for p in deployment.postings.for_payroll(connection, uuid) if p.state == POSTED]
    reversal = tenant.gusto.reverse_payroll(uuid)
    outcomes = [o for o in deployment.sync(connection) if o.job_name == "payroll_job"]
    assert all(o.success for o in outcomes), [(o.partition_key, o.error) for o in outcomes]
    deployment.run_ok("payroll_job", deployment.key(connection, uuid), {"connector/replay": "true"})
    (posted_reversal,) = deployment.postings.for_payroll(connection, reversal.uuid)
    assert posted_reversal.state == POSTED
    lines = (document(tenant, original.external_reference) or []) + (
        document(tenant, posted_reversal.external_reference) or []
    )
    assert lines and not net(lines), f"payroll {uuid} does not net to zero: {net(lines)}"
    states = {p.external_reference: p.state for p in deployment.postings.for_payroll(connection, uuid)}
    assert states == {original.external_reference: REVERSED}
