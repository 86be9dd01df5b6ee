"""Fallback polling: find processed payrolls, days of contractor payments and Gusto events the webhooks missed,
and put them in the inbox.

One path handles both: the sensor cannot tell a polled event from a pushed one, so a run never depends on
whether a webhook arrived.
"""

import datetime as dt
import hashlib
import json

import dagster as dg

from connector_assets.defs.gusto.contractor_poll import poll_contractor_days
from connector_assets.defs.resources import ConnectionsResource, GustoResource, StoreResource
from connector_assets.gusto.payroll import Payroll
from connector_assets.services.master_data import ACCOUNTS, COST_CENTERS
from connector_assets.settings import Connection
from connector_assets.store.postings import HELD, PENDING, Posting

EVENTS_CURSOR = "events_cursor"
LAST_CHECK_DATE = "last_check_date"
# Payrolls are processed days before their check date and can be reversed weeks later.
LOOKBACK = dt.timedelta(days=35)


def causes_fingerprint(store: StoreResource, connection: Connection) -> str:
    """What a hold depends on: the mapping file and the stored chart of accounts and cost centers.

    When any of them changes, a held payroll is polled again (and posts if its cause was fixed).
    """
    digest = hashlib.sha256()
    path = connection.mapping_file
    digest.update(path.read_bytes() if path.exists() else b"")
    for kind in (ACCOUNTS, COST_CENTERS):
        snapshot = store.snapshots.get(connection.id, kind)
        digest.update((snapshot.content_hash if snapshot else "").encode())
    return digest.hexdigest()[:12]


def poll_event_uuid(payroll: Payroll, history: list[Posting], causes: str) -> str | None:
    """The inbox event uuid for a polled payroll, or None when there is nothing to do for it.

    A payroll already posted (or reversed) at its current Gusto version is left alone; a new version or a
    payroll never posted is enqueued once; a held one again whenever what held it may have changed.
    """
    version = str(payroll.raw.get("version") or payroll.processed_date)
    mine = [p for p in history if p.kind == "journal" and p.payroll_version == version]
    if any(p.state not in (HELD, PENDING) for p in mine):
        return None
    if any(p.state == HELD for p in mine):
        return f"poll:{payroll.uuid}:{version}:{causes}"
    return f"poll:{payroll.uuid}:{version}"


class PollConfig(dg.Config):
    """Which connections to poll (all by default), whether to read `/v1/events` and list contractor payments
    too, and how far back."""

    connections: list[str] = []
    read_events: bool = True
    read_contractor_payments: bool = True
    full_sweep: bool = False


@dg.op(
    description="List processed payrolls, contractor payments and new Gusto events per connection; add what is "
    "missing to the inbox."
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
        causes = causes_fingerprint(store, connection)
        with gusto.client(connection_id) as client:
            found = client.list_payrolls(start=start)
            for payroll in found:
                event_uuid = poll_event_uuid(
                    payroll, store.postings.for_payroll(connection_id, payroll.uuid), causes
                )
                if event_uuid is None:
                    continue
                body = {"uuid": event_uuid, "event_type": "payroll.processed", "entity_type": "Payroll",
                        "entity_uuid": payroll.uuid, "source": "poll",
                        "check_date": payroll.check_date.isoformat() if payroll.check_date else None}  # fmt: skip
                if store.inbox.add(
                    connection_id=connection_id, event_uuid=event_uuid, event_type="payroll.processed",
                    entity_type="Payroll", entity_uuid=payroll.uuid, body=json.dumps(body), source="poll",
                ):  # fmt: skip
                    added += 1
            dates = [p.check_date for p in found if p.check_date]
            if dates:
                store.state.put(connection_id, LAST_CHECK_DATE, max(dates).isoformat())
            days = 0
            if config.read_contractor_payments:
                days, enqueued = poll_contractor_days(store, client, connection)
                added += enqueued
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
            f"{connection_id}: {len(found)} processed payroll(s) since {start}, {days} day(s) of contractor "
            f"payments listed; inbox additions so far {added}"
        )
    return dg.Output(added, metadata={"added_to_inbox": added, "connections": len(ids)})


@dg.job(description="Fallback polling of Gusto into the webhook inbox.", tags={"connector/kind": "poll"})
def gusto_poll_job() -> None:
    poll_gusto()
