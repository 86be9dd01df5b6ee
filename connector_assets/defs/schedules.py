"""Schedules: master data hourly, a fallback poll of Gusto, a daily workforce sync, monthly headcount."""

from typing import Any

import dagster as dg

from connector_assets import clock
from connector_assets.defs.gusto.polling import gusto_poll_job
from connector_assets.defs.jobs import headcount_job, master_data_job, workforce_job
from connector_assets.defs.partitions import CONNECTIONS
from connector_assets.defs.resources import ConnectionsResource


def _per_connection(
    context: dg.ScheduleEvaluationContext, connections: ConnectionsResource, job: dg.JobDefinition | Any
) -> list[dg.RunRequest]:
    ids = [c.id for c in connections.file.connections]
    missing = set(ids) - set(context.instance.get_dynamic_partitions(CONNECTIONS))
    if missing:
        context.instance.add_dynamic_partitions(CONNECTIONS, sorted(missing))
    stamp = context.scheduled_execution_time.isoformat() if context.scheduled_execution_time else "now"
    return [
        dg.RunRequest(
            run_key=f"{job.name}:{cid}:{stamp}",
            job_name=job.name,
            partition_key=cid,
            tags={"connector/connection": cid, "connector/gusto_grant": cid},
        )
        for cid in ids
    ]


@dg.schedule(cron_schedule="0 * * * *", job=master_data_job, default_status=dg.DefaultScheduleStatus.RUNNING)
def master_data_hourly(
    context: dg.ScheduleEvaluationContext, connections: ConnectionsResource
) -> list[dg.RunRequest]:
    """CloudSuite GL accounts and cost centers, and the mapping re-validated, every hour."""
    return _per_connection(context, connections, master_data_job)


@dg.schedule(cron_schedule="0 5 * * *", job=workforce_job, default_status=dg.DefaultScheduleStatus.RUNNING)
def workforce_daily(
    context: dg.ScheduleEvaluationContext, connections: ConnectionsResource
) -> list[dg.RunRequest]:
    """A daily workforce sync, in case employee events were missed."""
    return _per_connection(context, connections, workforce_job)


@dg.schedule(cron_schedule="0 6 1 * *", job=headcount_job, default_status=dg.DefaultScheduleStatus.RUNNING)
def headcount_monthly(
    context: dg.ScheduleEvaluationContext, connections: ConnectionsResource
) -> list[dg.RunRequest]:
    """Headcount per cost center, Gusto vs CloudSuite, at the start of each month."""
    return _per_connection(context, connections, headcount_job)


# Hourly, so payrolls processed on or near a check date are picked up within the hour when webhooks fail;
# the poll itself is cheap when nothing is new (one page of payrolls, one page of events).
@dg.schedule(cron_schedule="15 * * * *", job=gusto_poll_job, default_status=dg.DefaultScheduleStatus.RUNNING)
def gusto_fallback_poll(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    """Fallback polling of Gusto payrolls and events into the inbox; a full sweep daily."""
    when = context.scheduled_execution_time or clock.now()
    sweep = when.hour == 3  # once a day, a full sweep back to each connection's start date
    config = {"ops": {"poll_gusto": {"config": {"full_sweep": sweep}}}}
    return dg.RunRequest(run_key=f"poll:{when.isoformat()}", run_config=config)
