"""`connection_sync_job`: a connection's master data and workforce in one run, per connection partition."""

from __future__ import annotations

import dagster as dg
import pytest

from connector_assets.defs.jobs import MASTER_DATA, WORKFORCE
from connector_assets.defs.workforce.assets import NUMBER_WIDTH, employee_number
from connector_assets_tests.e2e.conftest import ERPS
from connector_assets_tests.e2e.deployment import Deployment

ACCOUNTS, COST_CENTERS = dg.AssetKey(["cloudsuite", "gl_accounts"]), dg.AssetKey(["cloudsuite", "cost_centers"])


def _materialized(deployment: Deployment, run_id: str) -> dict[dg.AssetKey, set[str | None]]:
    """Asset key → partitions the run materialized."""
    found: dict[dg.AssetKey, set[str | None]] = {}
    for record in deployment.instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION):
        event = record.dagster_event
        assert event is not None and event.asset_key is not None
        found.setdefault(event.asset_key, set()).add(event.partition)
    return found


@pytest.mark.parametrize("erp", ERPS)
def test_one_run_brings_master_data_and_employees(deployment: Deployment, erp: str) -> None:
    """One run materializes every master-data and workforce asset of its connection only, and CloudSuite
    has Gusto's employees afterwards; the chart read matches the tenant's."""
    connection_id = f"onerun-{erp}"
    tenant = deployment.add_tenant(connection_id, erp, history_months=0)
    outcome = deployment.run_ok("connection_sync_job", connection_id)
    materialized = _materialized(deployment, outcome.run_id)
    assert set(materialized) == {*MASTER_DATA, *WORKFORCE}
    assert all(partitions == {connection_id} for partitions in materialized.values())
    numbers = {e.number.strip() for e in tenant.ion.employees()}
    assert {employee_number(e.uuid, NUMBER_WIDTH[erp]) for e in tenant.world.employees} <= numbers
    rows = {
        record.dagster_event.asset_key: record.asset_materialization.metadata["rows"].value
        for record in deployment.instance.all_logs(
            outcome.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION
        )
        if record.dagster_event
        and record.asset_materialization
        and record.dagster_event.asset_key in (ACCOUNTS, COST_CENTERS)
    }
    assert rows == {ACCOUNTS: len(tenant.world.gl_accounts), COST_CENTERS: len(tenant.world.cost_centers)}


def test_one_of_the_two_master_data_assets_alone(deployment: Deployment) -> None:
    """Selecting only the cost centers reads and materializes only them."""
    connection_id = "onerun-subset"
    deployment.add_tenant(connection_id, "m3", history_months=0)
    deployment.run_ok("connection_sync_job", connection_id)
    deployment.activate()
    from connector_assets.definitions import defs

    job = defs.resolve_implicit_global_asset_job_def()
    result = job.execute_in_process(
        instance=deployment.instance, partition_key=connection_id, asset_selection=[COST_CENTERS]
    )
    assert result.success
    assert _materialized(deployment, result.run_id) == {COST_CENTERS: {connection_id}}
