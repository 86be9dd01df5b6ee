"""Hires, terminations, rehires and transfers in Gusto reach CloudSuite's employees through `workforce_job`."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from connector_assets.defs.workforce.assets import NUMBER_WIDTH, employee_number
from connector_assets.demo.environment import Tenant
from connector_assets_tests.e2e.conftest import ERPS
from connector_assets_tests.e2e.deployment import Deployment


@pytest.fixture(scope="module", params=ERPS)
def connection(request: pytest.FixtureRequest, deployment: Deployment) -> str:
    """A connection of its own (per ERP) whose employees were synced once."""
    connection_id = f"staff-{request.param}"
    deployment.add_tenant(connection_id, request.param, history_months=0)
    deployment.run_ok("workforce_job", connection_id)
    return connection_id


def _erp_employee(tenant: Tenant, gusto_uuid: str) -> Any:
    number = employee_number(gusto_uuid, NUMBER_WIDTH[tenant.erp])
    found = [e for e in tenant.ion.employees() if e.number.strip() == number]  # SyteLine pads EmpNum
    assert len(found) == 1, f"employee {gusto_uuid}: {len(found)} CloudSuite records"
    return found[0]


def _placement(employee: Any) -> str:
    # The connector files employees under their cost center's code as department (both ERPs); SLEmployees
    # has no cost-center property unless one is configured.
    return str(employee.department)


def _cost_center(tenant: Tenant, title: str) -> str:
    (department,) = [d for d in tenant.world.departments if d.title == title]
    return department.cost_center


def test_hire_termination_and_rehire_reach_cloudsuite(deployment: Deployment, connection: str) -> None:
    """A new hire appears active, a termination deactivates them with the date, a rehire reactivates them."""
    tenant = deployment.env.tenants[connection]
    today = tenant.world.today
    start = today - timedelta(days=30)
    hire = tenant.gusto.hire(first_name="Ada", last_name="Byrne", department="Consulting", hire_date=start)
    deployment.run_ok("workforce_job", connection)
    hired = _erp_employee(tenant, hire.uuid)
    assert {"Ada", "Byrne"} <= set(hired.name.replace(",", " ").split()), hired.name  # M3 EMNM is "Last, First"
    assert (hired.active, hired.hire_date) == (True, start)
    assert _placement(hired) == _cost_center(tenant, "Consulting")

    termination = tenant.gusto.terminate(hire.uuid, effective_date=today - timedelta(days=10))
    deployment.run_ok("workforce_job", connection)
    gone = _erp_employee(tenant, hire.uuid)
    assert not gone.active and gone.term_date == termination.effective_date

    tenant.gusto.rehire(hire.uuid, effective_date=today)
    deployment.run_ok("workforce_job", connection)
    back = _erp_employee(tenant, hire.uuid)
    assert back.active and back.term_date is None


def test_transfer_moves_the_employee_to_the_new_cost_center(deployment: Deployment, connection: str) -> None:
    """A department change in Gusto moves the CloudSuite employee to that department's cost center."""
    tenant = deployment.env.tenants[connection]
    world = tenant.world
    target = "Sales"
    # An employee whose cost center follows the department: the generated company (its seed is the order the
    # connection was added in) gives some employees a cost-center custom field, which wins over any department.
    mover = next(
        e for e in world.employees
        if world.department(e.department_uuid).title != target  # type: ignore[union-attr]
        and not e.custom_fields.get("cost_center") and e.employed_during(world.today, world.today)
    )  # fmt: skip
    before = _erp_employee(tenant, mover.uuid)
    assert _placement(before) != _cost_center(tenant, target)
    tenant.gusto.transfer(mover.uuid, department=target)
    deployment.run_ok("workforce_job", connection)
    assert _placement(_erp_employee(tenant, mover.uuid)) == _cost_center(tenant, target)


def test_transfer_keeps_a_cost_center_set_on_the_employee(deployment: Deployment, connection: str) -> None:
    """An employee's cost-center custom field wins over the department: moving them keeps that cost center."""
    tenant = deployment.env.tenants[connection]
    world = tenant.world
    pinned = next(e for e in world.employees if e.custom_fields.get("cost_center"))  # the generator ensures one
    own = pinned.custom_fields["cost_center"]
    target = next(d for d in world.departments if d.uuid != pinned.department_uuid and d.cost_center != own)
    assert _placement(_erp_employee(tenant, pinned.uuid)) == own
    tenant.gusto.transfer(pinned.uuid, department=target.title)
    outcome = deployment.run_ok("workforce_job", connection)
    moves = [
        e.detail["after"]
        for e in deployment.audit.history("employee", pinned.uuid)
        if e.run_id == outcome.run_id and e.action == "synced" and e.detail["kind"] == "department_change"
    ]
    assert moves == [{"department": target.title, "cost_center": own}]  # the move was seen and applied
    assert _placement(_erp_employee(tenant, pinned.uuid)) == own


def test_rerun_without_changes_applies_nothing(deployment: Deployment, connection: str) -> None:
    """A second sync with nothing changed in Gusto writes nothing to CloudSuite and audits no sync."""
    tenant = deployment.env.tenants[connection]
    deployment.run_ok("workforce_job", connection)
    before = {e.number: (e.version, e.to_json()) for e in tenant.ion.employees()}
    outcome = deployment.run_ok("workforce_job", connection)
    assert {e.number: (e.version, e.to_json()) for e in tenant.ion.employees()} == before
    synced = [
        e
        for emp in tenant.world.employees
        for e in deployment.audit.history("employee", emp.uuid)
        if e.run_id == outcome.run_id and e.action in ("synced", "sync_failed")
    ]
    assert synced == []
