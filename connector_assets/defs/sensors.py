"""The inbox sensor: turns webhook and polled events into payroll and workforce runs."""

import json
import time
from dataclasses import asdict, dataclass

import dagster as dg

from connector_assets.defs.jobs import payroll_job, workforce_job
from connector_assets.defs.partitions import connection_partitions, payroll_partitions
from connector_assets.defs.resources import StoreResource
from connector_assets.defs.routing import route
from connector_assets.store.inbox import DISPATCHED, IGNORED, InboxEvent

ROWS_PER_TICK = 500
# Dagster gives a sensor 60 s per evaluation; stop well before so the cursor is always saved.
TICK_BUDGET_S = 20.0


@dataclass
class InboxCursor:
    """Where the sensor stopped: the last inbox id it handled."""

    last_id: int = 0

    @classmethod
    def parse(cls, raw: str | None) -> "InboxCursor":
        """Read a cursor; a missing or corrupt one starts from the beginning (run keys prevent repeats)."""
        try:
            return cls(**json.loads(raw)) if raw else cls()
        except (TypeError, ValueError):
            return cls()

    def dump(self) -> str:
        return json.dumps(asdict(self))


def _tags(connection_id: str) -> dict[str, str]:
    return {"connector/connection": connection_id, "connector/gusto_grant": connection_id}


def _take_batch(store: StoreResource, cursor: InboxCursor) -> list[InboxEvent]:
    deadline = time.monotonic() + TICK_BUDGET_S
    events: list[InboxEvent] = []
    while time.monotonic() < deadline and len(events) < ROWS_PER_TICK:
        page = store.inbox.after(cursor.last_id, limit=min(100, ROWS_PER_TICK - len(events)))
        if not page:
            break
        events.extend(page)
        cursor.last_id = page[-1].id
    return events


@dg.sensor(
    jobs=[payroll_job, workforce_job],
    minimum_interval_seconds=5,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Watches the webhook inbox; one payroll run per payroll, one coalesced workforce run per connection.",
)
def gusto_inbox_sensor(context: dg.SensorEvaluationContext, store: StoreResource) -> dg.SensorResult:
    cursor = InboxCursor.parse(context.cursor)
    events = _take_batch(store, cursor)
    routing = route(events)
    requests: list[dg.RunRequest] = []
    known_payrolls = set(context.instance.get_dynamic_partitions(payroll_partitions.name))
    known_connections = set(context.instance.get_dynamic_partitions(connection_partitions.name))
    new_payrolls = sorted(set(routing.payrolls) - known_payrolls)
    new_connections = sorted({e.connection_id for e in events} - known_connections)

    for key, batch in routing.payrolls.items():
        connection_id = batch[0].connection_id
        run_key = f"payroll:{key}:{max(e.id for e in batch)}"
        requests.append(
            dg.RunRequest(run_key=run_key, job_name=payroll_job.name, partition_key=key, tags=_tags(connection_id))
        )
        store.inbox.mark([e.id for e in batch], DISPATCHED, run_id=run_key)
    for connection_id, batch in routing.workforce.items():
        run_key = f"workforce:{connection_id}:{max(e.id for e in batch)}"
        requests.append(
            dg.RunRequest(
                run_key=run_key,
                job_name=workforce_job.name,
                partition_key=connection_id,
                tags=_tags(connection_id),
            )
        )
        store.inbox.mark([e.id for e in batch], DISPATCHED, run_id=run_key)
    store.inbox.mark([e.id for e in routing.ignored], IGNORED)

    if events:
        context.log.info(
            f"inbox {events[0].id}..{events[-1].id}: {len(routing.payrolls)} payroll run(s), "
            f"{len(routing.workforce)} workforce run(s), {len(routing.ignored)} ignored"
        )
    return dg.SensorResult(
        run_requests=requests,
        cursor=cursor.dump(),
        dynamic_partitions_requests=[
            r
            for r in (
                payroll_partitions.build_add_request(new_payrolls) if new_payrolls else None,
                connection_partitions.build_add_request(new_connections) if new_connections else None,
            )
            if r is not None
        ],
    )
