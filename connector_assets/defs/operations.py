"""Run the pipeline from Python: the demo, `connector replay` and tests use these instead of a daemon.

Runs are real Dagster runs recorded in the given instance, so they appear in the UI with their history.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import dagster as dg

from connector_assets.defs.cloudsuite.release import RELEASED
from connector_assets.defs.gusto.polling import gusto_poll_job
from connector_assets.defs.jobs import CONTRACTOR_CHAIN
from connector_assets.defs.partitions import CONNECTIONS, CONTRACTOR_PAYMENTS, PAYROLLS, PERIODS
from connector_assets.defs.run_policy import connection_tags
from connector_assets.defs.sensors import gusto_inbox_sensor


@dataclass(frozen=True)
class RunOutcome:
    """What one launched run did."""

    job_name: str
    partition_key: str | None
    run_id: str
    success: bool
    error: str | None = None


def local_instance(home: str | None = None) -> dg.DagsterInstance:
    """The Dagster instance of `home`, or of `$DAGSTER_HOME` (callers outside `defs/` never import Dagster)."""
    return dg.DagsterInstance.from_config(home) if home else dg.DagsterInstance.get()


def _definitions() -> dg.Definitions:
    # Imported late: the Definitions read the environment (store URL, connections file) when imported.
    from connector_assets.definitions import defs

    return defs


def run_job(
    instance: dg.DagsterInstance,
    job_name: str,
    partition_key: str | None = None,
    tags: dict[str, str] | None = None,
) -> RunOutcome:
    """Execute a job (one partition) in this process, recorded in `instance`."""
    if partition_key is not None:
        _ensure_partition(instance, job_name, partition_key)
    job = _definitions().resolve_job_def(job_name)
    result = job.execute_in_process(
        instance=instance,
        partition_key=partition_key,
        tags={**connection_tags(partition_key), **(tags or {})},
        raise_on_error=False,
    )
    return RunOutcome(job_name, partition_key, result.run_id, result.success, _first_error(result))


def materialize(
    instance: dg.DagsterInstance, asset_key: list[str], partition_key: str, tags: dict[str, str] | None = None
) -> RunOutcome:
    """Materialize one asset partition (with its checks) alone, as the UI's Materialize button does."""
    chain_job = "contractor_payment_job" if dg.AssetKey(asset_key) in CONTRACTOR_CHAIN else "payroll_job"
    _ensure_partition(instance, chain_job, partition_key)
    job = _definitions().resolve_implicit_global_asset_job_def()
    result = job.execute_in_process(
        instance=instance,
        partition_key=partition_key,
        asset_selection=[dg.AssetKey(asset_key)],
        tags={**connection_tags(partition_key), **(tags or {})},
        raise_on_error=False,
    )
    return RunOutcome(job.name, partition_key, result.run_id, result.success, _first_error(result))


def follow_releases(instance: dg.DagsterInstance, cursor: Any = None) -> tuple[list[RunOutcome], Any]:
    """One evaluation of the release automation, executing the postings it asks for (what the daemon does).

    Pass the returned cursor to the next call: the automation acts on what changed since then.
    """
    defs = _definitions()
    evaluated = dg.evaluate_automation_conditions(
        defs=defs, instance=instance, asset_selection=dg.AssetSelection.assets(*RELEASED), cursor=cursor
    )
    job = defs.resolve_implicit_global_asset_job_def()
    outcomes = []
    for asset in RELEASED:
        for key in sorted(k for k in evaluated.get_requested_partitions(asset) if k):
            result = job.execute_in_process(
                instance=instance,
                partition_key=key,
                asset_selection=[asset],
                tags={**connection_tags(key), "dagster/from_automation_condition": "true"},
                raise_on_error=False,
            )
            outcomes.append(RunOutcome(job.name, key, result.run_id, result.success, _first_error(result)))
    return outcomes, evaluated.cursor


def _first_error(result: dg.ExecuteInProcessResult) -> str | None:
    for event in result.all_events:
        if event.is_step_failure and event.step_failure_data.error:
            # A deliberate failure (a held payroll) carries its business reason as the description.
            user = event.step_failure_data.user_failure_data
            message = (
                user.description if user and user.description else None
            ) or event.step_failure_data.error.message
            return f"{event.step_key}: {message.strip()}"
    return None


PARTITIONS_OF_JOB = {
    "payroll_job": PAYROLLS,
    "master_data_job": CONNECTIONS,
    "workforce_job": CONNECTIONS,
    "connection_sync_job": CONNECTIONS,
    "headcount_job": CONNECTIONS,
    "accrual_job": PERIODS,
    "crosscheck_job": PERIODS,
    "contractor_payment_job": CONTRACTOR_PAYMENTS,
}


def _ensure_partition(instance: dg.DagsterInstance, job_name: str, key: str) -> None:
    name = PARTITIONS_OF_JOB.get(job_name)
    if name is not None and not instance.has_dynamic_partition(name, key):
        instance.add_dynamic_partitions(name, [key])


def poll_gusto(
    instance: dg.DagsterInstance, connection_ids: list[str] | None = None, *, read_events: bool = True
) -> RunOutcome:
    """Run the fallback poll now (payrolls, contractor payment days and events missing from the inbox are added)."""
    config = {"ops": {"poll_gusto": {"config": {"connections": connection_ids or [], "read_events": read_events}}}}
    job = _definitions().resolve_job_def(gusto_poll_job.name)
    result = job.execute_in_process(instance=instance, run_config=config, raise_on_error=False)
    return RunOutcome(gusto_poll_job.name, None, result.run_id, result.success)


def process_inbox(
    instance: dg.DagsterInstance,
    cursor: str | None = None,
    progress: Callable[[str], None] = lambda _m: None,
    on_run: Callable[[RunOutcome], None] | None = None,
) -> tuple[list[RunOutcome], str | None]:
    """Evaluate the inbox sensor once and execute the runs it asks for; returns them and the new cursor.

    Each finished run is reported to `on_run` if given, else as one line to `progress`."""
    defs = _definitions()
    with dg.build_sensor_context(
        instance=instance,
        cursor=cursor,
        definitions=defs,
        resources={name: (defs.resources or {})[name] for name in ("store", "gusto")},
    ) as context:
        result = gusto_inbox_sensor(context)
    assert isinstance(result, dg.SensorResult)
    for event in result.asset_events or []:  # e.g. a Gusto grant that needs attention
        instance.report_runless_asset_event(event)
    for request in result.dynamic_partitions_requests or []:
        if isinstance(request, dg.AddDynamicPartitionsRequest):
            instance.add_dynamic_partitions(request.partitions_def_name, list(request.partition_keys))
    outcomes = []
    for run in result.run_requests or []:
        tags = {**run.tags, "dagster/sensor_name": gusto_inbox_sensor.name}
        if run.run_key:
            tags["dagster/run_key"] = run.run_key
        outcome = run_job(instance, str(run.job_name), run.partition_key, tags)
        if on_run is not None:
            on_run(outcome)
        else:
            progress(f"{outcome.job_name} {outcome.partition_key}: {'ok' if outcome.success else 'failed'}")
        outcomes.append(outcome)
    return outcomes, result.cursor


def check_verdicts(instance: dg.DagsterInstance, run_id: str) -> list[tuple[str, bool, str]]:
    """Every asset check a run evaluated: (check name, passed, description)."""
    verdicts = []
    for record in instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION):
        evaluation = record.dagster_event.event_specific_data if record.dagster_event else None
        if isinstance(evaluation, dg.AssetCheckEvaluation):
            verdicts.append((evaluation.check_name, evaluation.passed, evaluation.description or ""))
    return verdicts
