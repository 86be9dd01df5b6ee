"""Schedules: master data hourly, a fallback poll of Gusto, a daily workforce sync, monthly headcount, and on
the 1st the month just ended: its accrual (connections that accrue) and its cross-check against Gusto."""

from datetime import timedelta
from typing import Any

import dagster as dg

from connector_assets import clock
from connector_assets.defs.gusto.polling import gusto_poll_job
from connector_assets.defs.jobs import accrual_job, crosscheck_job, headcount_job, master_data_job, workforce_job
from connector_assets.defs.partitions import CONNECTIONS, PERIODS, period_key
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


def _month_just_ended(context: dg.ScheduleEvaluationContext) -> str:
    when = (context.scheduled_execution_time or clock.now()).date()
    return (when.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")


def _per_period(
    context: dg.ScheduleEvaluationContext, connection_ids: list[str], job: dg.JobDefinition | Any
) -> list[dg.RunRequest]:
    period = _month_just_ended(context)
    keys = [period_key(cid, period) for cid in connection_ids]
    missing = set(keys) - set(context.instance.get_dynamic_partitions(PERIODS))
    if missing:
        context.instance.add_dynamic_partitions(PERIODS, sorted(missing))
    return [
        dg.RunRequest(run_key=f"{job.name}:{key}", job_name=job.name, partition_key=key,
                      tags={"connector/connection": cid, "connector/gusto_grant": cid})
        for cid, key in zip(connection_ids, keys, strict=True)
    ]  # fmt: skip


@dg.schedule(cron_schedule="30 6 1 * *", job=accrual_job, default_status=dg.DefaultScheduleStatus.RUNNING)
def accrual_monthly(
    context: dg.ScheduleEvaluationContext, connections: ConnectionsResource
) -> list[dg.RunRequest]:
    """On the 1st, the month just ended is accrued for every connection that sets `posting.accrual.enabled`."""
    enabled = [c.id for c in connections.file.connections if c.posting.accrual.enabled]
    return _per_period(context, enabled, accrual_job)


@dg.schedule(cron_schedule="0 7 1 * *", job=crosscheck_job, default_status=dg.DefaultScheduleStatus.RUNNING)
def crosscheck_monthly(
    context: dg.ScheduleEvaluationContext, connections: ConnectionsResource
) -> list[dg.RunRequest]:
    """On the 1st, the month just ended is cross-checked against Gusto's payrolls for every connection."""
    return _per_period(context, [c.id for c in connections.file.connections], crosscheck_job)
