"""A transfer inside a pay period on a connection that prorates (`posting.assignment_basis: prorate`): the
posted journal splits the moved employee's cost across both cost centers by calendar days."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import yaml

from connector_assets.store.postings import POSTED
from connector_assets_tests.e2e.deployment import Deployment
from connector_assets_tests.e2e.ledger_view import asset_value, document

NEW_CC = "CC100"  # opened in CloudSuite; no department of the demo firm posts there
DAYS_BEFORE_MOVE = 4  # the move is observed on the period's fifth day


@pytest.fixture(scope="module")
def prorating(deployment: Deployment) -> str:
    """A connection of its own that prorates across transfers, onboarded (everyone's assignment observed)."""
    connection_id = "transfer-prorate"
    deployment.add_tenant(connection_id, "m3", history_months=0)
    path = deployment.env.connections_path
    document_ = yaml.safe_load(path.read_text())
    (entry,) = [c for c in document_["connections"] if c["id"] == connection_id]
    entry["posting"]["assignment_basis"] = "prorate"
    path.write_text(yaml.safe_dump(document_, sort_keys=False))
    deployment.activate()
    failed = [o for o in deployment.onboard(connection_id) if not o.success]
    assert not failed, [(o.partition_key, o.error) for o in failed]
    return connection_id


def by_days(cents: int, old_days: int, new_days: int) -> tuple[int, int]:
    """Largest remainder over two parts, worked by hand: each part's floor, the cent left over to the part
    with the larger remainder (the earlier part on a tie); the sign follows the amount."""
    whole = old_days + new_days
    magnitude = abs(cents)
    old, old_rest = divmod(magnitude * old_days, whole)
    new, new_rest = divmod(magnitude * new_days, whole)
    if old + new < magnitude:  # one cent left at most with two parts
        if new_rest > old_rest:
            new += 1
        else:
            old += 1
    sign = -1 if cents < 0 else 1
    return sign * old, sign * new


def test_by_days_keeps_every_cent() -> None:
    """The hand arithmetic: 100.01 over 4 + 11 days is 26.67 + 73.34; a tie goes to the earlier part."""
    assert by_days(10_001, 4, 11) == (2_667, 7_334)
    assert by_days(1, 1, 1) == (1, 0)
    assert by_days(-10_001, 4, 11) == (-2_667, -7_334)


def test_prorated_transfer_splits_the_cost_by_calendar_days(
    deployment: Deployment, prorating: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The mover's wages land on the old and the new cost center in proportion to the days in each."""
    tenant = deployment.env.tenants[prorating]
    world = tenant.world
    schedule = world.pay_schedules[0]
    pending = min((p for p in world.payrolls if p.pay_schedule_uuid == schedule.uuid and not p.processed),
                  key=lambda p: p.check_date)  # fmt: skip
    moved_on = pending.start_date + timedelta(days=DAYS_BEFORE_MOVE)
    monkeypatch.setenv("CONNECTOR_TODAY", moved_on.isoformat())
    mover = next(
        e for e in world.employees
        if e.pay_schedule_uuid == schedule.uuid and e.employed_during(pending.start_date, pending.end_date)
        and not e.custom_fields.get("cost_center")
    )  # fmt: skip
    old_cc = world.department(mover.department_uuid).cost_center  # type: ignore[union-attr]
    assert old_cc != NEW_CC
    tenant.gusto.add_department("Research", NEW_CC)
    deployment.env.write_mapping(prorating, {"Research": NEW_CC})
    tenant.gusto.transfer(mover.uuid, department="Research")
    deployment.run_ok("workforce_job", prorating)

    payroll = tenant.gusto.run_payroll()
    assert payroll.uuid == pending.uuid
    key = deployment.key(prorating, payroll.uuid)
    deployment.run_ok("payroll_job", key)
    (row,) = deployment.postings.for_payroll(prorating, payroll.uuid)
    assert row.state == POSTED
    lines = document(tenant, row.external_reference) or []

    # By hand: every wage line of the mover (and the PTO pay inside gross) split 4 : (period days - 4).
    period_days = (pending.end_date - pending.start_date).days + 1
    old_days, new_days = DAYS_BEFORE_MOVE, period_days - DAYS_BEFORE_MOVE
    (pay,) = [r for r in payroll.pay or [] if r.employee_uuid == mover.uuid]
    wages = [line.amount_cents for line in pay.earnings if line.amount_cents] + (
        [pay.pto_cents] if pay.pto_cents else []
    )
    assert sum(wages) == pay.gross_cents > 0
    shares = [by_days(cents, old_days, new_days) for cents in wages]
    expected_old, expected_new = sum(o for o, _ in shares), sum(n for _, n in shares)
    assert 0 < expected_new < pay.gross_cents and expected_old + expected_new == pay.gross_cents

    def wages_on(cost_center: str) -> int:
        return sum(c for a, cc, c in lines if cc == cost_center and a.startswith("60"))

    assert wages_on(NEW_CC) == expected_new
    # The old cost center carries its other employees' wages and the mover's first days, nothing more.
    stayed = [r.gross_cents for r in payroll.pay or []
              if r.employee_uuid != mover.uuid and cost_center_of(world, r.employee_uuid) == old_cc]  # fmt: skip
    assert wages_on(old_cc) == sum(stayed) + expected_old
    assert sum(c for _, _, c in lines) == 0

    prepared = asset_value(["ledger", "journal_lines"], key, deployment.instance)
    used = sorted(a for a in prepared.assignments if a.startswith(f"employee {mover.uuid}"))
    assert len(used) == 2
    first_day, last_day = pending.start_date.isoformat(), pending.end_date.isoformat()
    assert any(f"{old_days} of {period_days} days {first_day}..{(moved_on - timedelta(days=1)).isoformat()}" in u
               for u in used), used  # fmt: skip
    assert any("department Research," in u and f"{new_days} of {period_days} days {moved_on}..{last_day}" in u
               for u in used), used  # fmt: skip


def cost_center_of(world: Any, employee_uuid: str) -> str | None:
    """Where the demo mapping puts an employee: the cost-center field, else the department's cost center."""
    employee = world.employee(employee_uuid)
    department = world.department(employee.department_uuid)
    return employee.custom_fields.get("cost_center") or (department.cost_center if department else None)
