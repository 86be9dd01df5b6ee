"""Fallback polling: find processed payrolls and Gusto events the webhooks missed, and put them in the inbox.

One path handles both: the sensor cannot tell a polled event from a pushed one, so a run never depends on
whether a webhook arrived.
"""

import datetime as dt
import json

import dagster as dg

from connector_assets.defs.resources import ConnectionsResource, GustoResource, StoreResource

EVENTS_CURSOR = "events_cursor"
LAST_CHECK_DATE = "last_check_date"
# Payrolls are processed days before their check date and can be reversed weeks later.
LOOKBACK = dt.timedelta(days=35)


class PollConfig(dg.Config):
    """Which connections to poll (all by default), whether to read `/v1/events` too, and how far back."""

    connections: list[str] = []
    read_events: bool = True
    full_sweep: bool = False


@dg.op(
    description="List processed payrolls and new Gusto events per connection; add what is missing to the inbox."
)
def poll_gusto(
    context: dg.OpExecutionContext,
    config: PollConfig,
    store: StoreResource,
    gusto: GustoResource,
    connections: ConnectionsResource,
) -> dg.Output[int]:
    ids = config.connections or [c.id for c in connections.file.connections]
    added = 0
    for connection_id in ids:
        connection = connections.get(connection_id)
        last = store.state.get(connection_id, LAST_CHECK_DATE)
        # The daily sweep walks back to the connection's start date, catching back-dated off-cycle runs.
        start = (
            connection.gusto.start_date
            if config.full_sweep or not last
            else dt.date.fromisoformat(last) - LOOKBACK
        )
        with gusto.client(connection_id) as client:
            found = client.list_payrolls(start=start)
            for payroll in found:
                body = {"uuid": f"poll:{payroll.uuid}:{payroll.raw.get('version') or payroll.processed_date}", "event_type": "payroll.processed",
                        "entity_type": "Payroll", "entity_uuid": payroll.uuid, "source": "poll"}  # fmt: skip
                if store.inbox.add(
                    connection_id=connection_id, event_uuid=body["uuid"], event_type="payroll.processed",
                    entity_type="Payroll", entity_uuid=payroll.uuid, body=json.dumps(body), source="poll",
                ):  # fmt: skip
                    added += 1
            dates = [p.check_date for p in found if p.check_date]
            if dates:
                store.state.put(connection_id, LAST_CHECK_DATE, max(dates).isoformat())
            if config.read_events:
                cursor = store.state.get(connection_id, EVENTS_CURSOR)
                for event in client.list_events(starting_after_uuid=cursor):
                    if store.inbox.add(
                        connection_id=connection_id, event_uuid=event.uuid, event_type=event.event_type or "",
                        entity_type=event.entity_type, entity_uuid=event.entity_uuid,
                        body=json.dumps(event.raw), source="poll",
                    ):  # fmt: skip
                        added += 1
                    cursor = event.uuid
                if cursor:
                    store.state.put(connection_id, EVENTS_CURSOR, cursor)
        context.log.info(
            f"{connection_id}: {len(found)} processed payroll(s) since {start}; inbox additions so far {added}"
        )
    return dg.Output(added, metadata={"added_to_inbox": added, "connections": len(ids)})


@dg.job(description="Fallback polling of Gusto into the webhook inbox.", tags={"connector/kind": "poll"})
def gusto_poll_job() -> None:
    poll_gusto()
