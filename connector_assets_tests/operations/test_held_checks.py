"""Held payrolls in the check view: per payroll, with the business reason, until their own partition runs again."""

from __future__ import annotations

import dagster as dg

from connector_assets_tests.operations.scenario import MISSING_COST_CENTER, Deployment, bonus_payroll


def _latest_evaluations(deployment: Deployment) -> dict[tuple[str | None, str], bool]:
    """`(partition, check) → passed` for the latest evaluation of each check of each payroll partition."""
    latest: dict[tuple[str | None, str], bool] = {}
    with deployment.instance() as instance:
        records = instance.get_event_records(dg.EventRecordsFilter(dg.DagsterEventType.ASSET_CHECK_EVALUATION))
    for record in sorted(records, key=lambda r: r.storage_id):
        data = record.event_log_entry.dagster_event.event_specific_data  # type: ignore[union-attr]
        latest[(data.partition, data.check_name)] = data.passed
    return latest


def test_held_payroll_stays_visible_per_partition(deployment: Deployment, connection_id: str) -> None:
    """The held run fails with the reason (no traceback); a later payroll passing leaves the held one failed."""
    held = deployment.held_payroll(connection_id)
    held_key = deployment.key(connection_id, held)
    deployment.env.write_mapping(connection_id, {})
    posted = bonus_payroll(deployment, connection_id)
    assert deployment.run_payroll(connection_id, posted).success
    latest = _latest_evaluations(deployment)
    assert latest[(held_key, "cost_centers_exist")] is False
    assert latest[(held_key, "balanced")] is True
    assert latest[(deployment.key(connection_id, posted), "cost_centers_exist")] is True


def test_held_run_fails_with_the_business_reason(deployment: Deployment, connection_id: str) -> None:
    """The failed step's message is the hold reason and the release step, not a framework stack trace."""
    tenant = deployment.env.tenants[connection_id]
    tenant.gusto.add_department("Research", MISSING_COST_CENTER)
    deployment.env.write_mapping(connection_id, {"Research": MISSING_COST_CENTER})
    hire = tenant.gusto.hire(first_name="Robin", last_name="Quill", department="Research")
    payroll = tenant.gusto.run_payroll(off_cycle=True, reason="Bonus", bonuses={hire.uuid: "10.00"},
                                       employee_uuids=[hire.uuid])  # fmt: skip
    outcome = deployment.run_payroll(connection_id, payroll.uuid)
    assert not outcome.success and outcome.error is not None
    assert f"is held: cost center {MISSING_COST_CENTER} does not exist in CloudSuite" in outcome.error
    assert "Traceback" not in outcome.error and "blocking asset check" not in outcome.error
    with deployment.instance() as instance:
        failures = instance.all_logs(outcome.run_id, of_type=dg.DagsterEventType.STEP_FAILURE)
    (failure,) = failures
    data = failure.dagster_event.step_failure_data  # type: ignore[union-attr]
    assert data.user_failure_data is not None and "is held" in (data.user_failure_data.description or "")
    deployment.env.write_mapping(connection_id, {})
