"""A transfer inside a pay period, through the sandbox and the Dagster jobs: the payroll posts with the
assignment in force for its period, and a replay after a later transfer posts exactly the same."""

from __future__ import annotations

from datetime import timedelta

import pytest

from connector_assets.store.postings import POSTED
from connector_assets_tests.e2e.deployment import Deployment
from connector_assets_tests.e2e.ledger_view import asset_value, document, documents

NEW_CC = "CC100"  # opened in CloudSuite; no department of the demo firm posts there


@pytest.fixture(scope="module")
def transfers(deployment: Deployment) -> str:
    """A connection of its own, onboarded: the workforce run has observed everyone's assignment."""
    connection_id = "transfer-m3"
    deployment.add_tenant(connection_id, "m3", history_months=0)
    failed = [o for o in deployment.onboard(connection_id) if not o.success]
    assert not failed, [(o.partition_key, o.error) for o in failed]
    return connection_id


def test_transfer_before_period_end_posts_to_the_new_department_and_replays_the_same(
    deployment: Deployment, transfers: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The moved employee's wages land on the new department's cost center; a later move changes nothing."""
    tenant = deployment.env.tenants[transfers]
    world = tenant.world
    schedule = world.pay_schedules[0]
    pending = min((p for p in world.payrolls if p.pay_schedule_uuid == schedule.uuid and not p.processed),
                  key=lambda p: p.check_date)  # fmt: skip
    # The move is observed on the period's last day, inside the period whatever day the suite runs on.
    monkeypatch.setenv("CONNECTOR_TODAY", pending.end_date.isoformat())
    mover = next(
        e for e in world.employees
        if e.pay_schedule_uuid == schedule.uuid and e.employed_during(pending.start_date, pending.end_date)
        and not e.custom_fields.get("cost_center")
    )  # fmt: skip
    tenant.gusto.add_department("Research", NEW_CC)
    deployment.env.write_mapping(transfers, {"Research": NEW_CC})
    tenant.gusto.transfer(mover.uuid, department="Research")
    deployment.run_ok("workforce_job", transfers)

    payroll = tenant.gusto.run_payroll()
    assert payroll.uuid == pending.uuid
    key = deployment.key(transfers, payroll.uuid)
    deployment.run_ok("payroll_job", key)
    (row,) = deployment.postings.for_payroll(transfers, payroll.uuid)
    assert row.state == POSTED
    lines = document(tenant, row.external_reference) or []
    (pay,) = [r for r in payroll.pay or [] if r.employee_uuid == mover.uuid]
    assert sum(c for a, cc, c in lines if cc == NEW_CC and a.startswith("60")) == pay.gross_cents > 0
    prepared = asset_value(["ledger", "journal_lines"], key, deployment.instance)
    (used,) = [a for a in prepared.assignments if a.startswith(f"employee {mover.uuid}")]
    assert "department Research," in used and f"since {pending.end_date.isoformat()}" in used
    assert f"in force at period end {pending.end_date.isoformat()}" in used

    # Months later the employee moves again; a replay of the old payroll posts exactly what it posted.
    monkeypatch.setenv("CONNECTOR_TODAY", (pending.end_date + timedelta(days=40)).isoformat())
    tenant.gusto.transfer(mover.uuid, department=next(d.title for d in world.departments if d.title != "Research"))
    deployment.run_ok("workforce_job", transfers)
    before = documents(tenant)
    deployment.run_ok("payroll_job", key, {"connector/replay": "true"})
    assert documents(tenant) == before
    assert [p.state for p in deployment.postings.for_payroll(transfers, payroll.uuid)] == [POSTED]
