"""The inbox sensor: turns webhook and polled events into payroll, contractor payment and workforce runs.

Each tick reads the inbox after its cursor (bounded in rows and time), routes the events, and asks for one
run per payroll partition and one coalesced workforce run per connection. Every event is marked with the
run key it was dispatched under, so an event read twice (a reset cursor, a tick that died before its
cursor was saved) is re-requested under the same key, which Dagster launches at most once.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import dagster as dg

from connector_assets.defs.contractors.assets import payment_date_key
from connector_assets.defs.gusto.grant import grant_observations
from connector_assets.defs.jobs import contractor_payment_job, payroll_job, workforce_job
from connector_assets.defs.partitions import (
    PAYROLLS,
    CheckDate,
    connection_partitions,
    contractor_payment_key,
    contractor_payment_partitions,
    find_payroll_key,
    payroll_key,
    payroll_partitions,
)
from connector_assets.defs.resources import GustoResource, StoreResource
from connector_assets.defs.routing import route
from connector_assets.gusto.contractors import get_payment
from connector_assets.store.inbox import DISPATCHED, IGNORED, PENDING, InboxEvent

ROWS_PER_TICK = 500
PAGE_ROWS = 100
# Dagster gives a sensor 60 s per evaluation; stop well before so the cursor is always saved.
TICK_BUDGET_S = 20.0
RUN_KEY_TAG = "dagster/run_key"
# The inbox keeps the run key in a 64-character column.
MAX_RUN_KEY = 64
EPOCH_SCOPE, EPOCH_KEY = "*", "inbox_sensor_store_epoch"
# The daemon wakes its sensors every 5 s and skips a sensor whose last tick began less than its interval
# ago. A tick begins a few milliseconds after its wake-up, so an interval of 5 s skipped every other
# wake-up (a tick each 10 s); any interval under 5 s ticks on every wake-up. An idle tick reads the store
# four times, whatever the number of connections.
TICK_INTERVAL_S = 1


@dataclass
class InboxCursor:
    """Where the sensor stopped: the last inbox id it handled, in the store identified by `store_epoch`."""

    last_id: int = 0
    store_epoch: str | None = None

    @classmethod
    def parse(cls, raw: str | None) -> InboxCursor:
        """Read a cursor; a missing or corrupt one starts from the beginning (run keys prevent repeats)."""
        try:
            doc = json.loads(raw) if raw else {}
        except ValueError:
            return cls()
        if not isinstance(doc, dict):
            return cls()
        last_id, epoch = doc.get("last_id", 0), doc.get("store_epoch")
        if not isinstance(last_id, int) or isinstance(last_id, bool) or last_id < 0:
            return cls()
        return cls(last_id, epoch if isinstance(epoch, str) else None)

    def for_store(self, epoch: str) -> InboxCursor:
        """This cursor if it was saved against this store; a fresh one if the store was replaced since."""
        return self if self.store_epoch == epoch else InboxCursor(0, epoch)

    def dump(self) -> str:
        return json.dumps(asdict(self))


@dataclass
class InboxTick:
    """What one evaluation asks for: runs, new dynamic partitions, and the cursor to save."""

    cursor: InboxCursor
    run_requests: list[dg.RunRequest] = field(default_factory=list)
    new_payrolls: list[str] = field(default_factory=list)
    new_contractor_days: list[str] = field(default_factory=list)
    new_connections: list[str] = field(default_factory=list)
    events: int = 0
    ignored: int = 0


def run_key(kind: str, target: str, last: InboxEvent) -> str:
    """`{kind}:{inbox id}:{digest of target and event uuid}`: short, and unique even across replaced stores."""
    digest = hashlib.sha256(f"{target}|{last.event_uuid}".encode()).hexdigest()[:20]
    return f"{kind}:{last.id}:{digest}"


def store_epoch(store: StoreResource) -> str:
    """A random id kept in the store, so a cursor saved against an earlier store is not applied to this one."""
    epoch = store.state.get(EPOCH_SCOPE, EPOCH_KEY)
    if not isinstance(epoch, str):
        epoch = uuid.uuid4().hex
        store.state.put(EPOCH_SCOPE, EPOCH_KEY, epoch)
    return str(epoch)


CheckDateLookup = Callable[[str, str], CheckDate]


def _no_lookup(_connection_id: str, _payroll_uuid: str) -> CheckDate:
    return None


def gusto_check_dates(gusto: GustoResource, log: Callable[[str], None]) -> CheckDateLookup:
    """Reads a new payroll's check date from Gusto (webhook events do not carry it) for its partition key."""

    def lookup(connection_id: str, payroll_uuid: str) -> CheckDate:
        try:
            with gusto.client(connection_id) as client:
                return client.get_payroll(payroll_uuid).check_date
        except Exception as exc:  # the key falls back to the dateless form; the run reads Gusto anyway
            log(f"check date of payroll {payroll_uuid} ({connection_id}) unreadable: {type(exc).__name__}")
            return None

    return lookup


def contractor_payment_dates(
    store: StoreResource, gusto: GustoResource, log: Callable[[str], None]
) -> CheckDateLookup:
    """A contractor payment's date: remembered from an earlier read (a cancelled payment is gone from Gusto),
    else read from Gusto; None when neither knows it."""

    def lookup(connection_id: str, payment_uuid: str) -> CheckDate:
        known = store.state.get(connection_id, payment_date_key(payment_uuid))
        if known:
            return str(known)
        try:
            with gusto.client(connection_id) as client:
                payment = get_payment(client, payment_uuid)
        except Exception as exc:
            log(f"date of contractor payment {payment_uuid} ({connection_id}) unreadable: {type(exc).__name__}")
            return None
        return str(payment["date"])[:10] if payment and payment.get("date") else None

    return lookup


def _contractor_days(
    payments: dict[tuple[str, str], list[InboxEvent]], date_of: CheckDateLookup
) -> tuple[dict[str, list[InboxEvent]], list[InboxEvent]]:
    """Events grouped by the partition of their payment's date; those whose date nobody knows."""
    days: dict[str, list[InboxEvent]] = {}
    undated: list[InboxEvent] = []
    for (connection_id, payment_uuid), batch in payments.items():
        day = _polled_payment_date(batch) or date_of(connection_id, payment_uuid)
        if day:
            days.setdefault(contractor_payment_key(connection_id, day), []).extend(batch)
        else:
            undated.extend(batch)
    return days, undated


def _polled_field(batch: list[InboxEvent], name: str) -> CheckDate:
    """A date a polled event carries in its body (pushed webhook events carry none)."""
    for event in batch:
        try:
            body = json.loads(event.body) if event.source == "poll" else {}
        except ValueError:
            continue
        if isinstance(body, dict) and body.get(name):
            return str(body[name])
    return None


def _polled_check_date(batch: list[InboxEvent]) -> CheckDate:
    return _polled_field(batch, "check_date")


def _polled_payment_date(batch: list[InboxEvent]) -> CheckDate:
    """The day a polled contractor-payments event names (a day emptied by cancellations has no payment left)."""
    return _polled_field(batch, "payment_date")


def _payroll_keys(
    instance: dg.DagsterInstance,
    payrolls: dict[tuple[str, str], list[InboxEvent]],
    check_date_of: CheckDateLookup,
) -> dict[tuple[str, str], str]:
    """Each payroll's partition key: the key it already has, else one built with its check date."""
    existing = instance.get_dynamic_partitions(PAYROLLS) if payrolls else []
    keys = {}
    for (connection_id, payroll_uuid), batch in payrolls.items():
        keys[(connection_id, payroll_uuid)] = find_payroll_key(
            existing, connection_id, payroll_uuid
        ) or payroll_key(
            connection_id, payroll_uuid, _polled_check_date(batch) or check_date_of(connection_id, payroll_uuid)
        )
    return keys


def _tags(connection_id: str) -> dict[str, str]:
    return {"connector/connection": connection_id, "connector/gusto_grant": connection_id}


def take_batch(
    store: StoreResource,
    cursor: InboxCursor,
    *,
    row_limit: int = ROWS_PER_TICK,
    budget_s: float = TICK_BUDGET_S,
    clock: Callable[[], float] = time.monotonic,
    page_rows: int = PAGE_ROWS,
) -> list[InboxEvent]:
    """Inbox rows after the cursor, page by page, until `row_limit` rows or `budget_s` seconds; moves the cursor."""
    deadline = clock() + budget_s
    events: list[InboxEvent] = []
    while len(events) < row_limit and clock() < deadline:
        page = store.inbox.after(cursor.last_id, limit=min(page_rows, row_limit - len(events)))
        if not page:
            break
        events.extend(page)
        cursor.last_id = page[-1].id
    return events


def _launched(instance: dg.DagsterInstance, keys: set[str]) -> set[str]:
    """Which of these run keys already have a run (only asked for events read a second time)."""
    if not keys:
        return set()
    records = instance.get_run_records(dg.RunsFilter(tags={RUN_KEY_TAG: sorted(keys)}))
    return {r.dagster_run.tags.get(RUN_KEY_TAG, "") for r in records}


def _plan(
    store: StoreResource,
    tick: InboxTick,
    reread: dict[str, dg.RunRequest],
    *,
    job_name: str,
    kind: str,
    partition_key: str,
    batch: list[InboxEvent],
) -> None:
    """New events get one new run key; events seen before keep the key they were dispatched under."""
    tags = _tags(batch[0].connection_id)

    def request(key: str) -> dg.RunRequest:
        return dg.RunRequest(run_key=key, job_name=job_name, partition_key=partition_key, tags=tags)

    pending = [e for e in batch if e.state == PENDING or not e.run_id]
    if pending:
        key = run_key(kind, partition_key, max(pending, key=lambda e: e.id))
        tick.run_requests.append(request(key))
        store.inbox.mark([e.id for e in pending], DISPATCHED, run_id=key)
    for event in batch:
        if event.run_id and event.state == DISPATCHED and event.run_id not in reread:
            reread[event.run_id] = request(event.run_id)


def evaluate_inbox(
    store: StoreResource,
    instance: dg.DagsterInstance,
    cursor: InboxCursor,
    *,
    row_limit: int = ROWS_PER_TICK,
    budget_s: float = TICK_BUDGET_S,
    clock: Callable[[], float] = time.monotonic,
    check_date_of: CheckDateLookup = _no_lookup,
    payment_date_of: CheckDateLookup = _no_lookup,
) -> InboxTick:
    """One tick's work, without the sensor machinery (tests and `operations.process_inbox` use the sensor)."""
    cursor = cursor.for_store(store_epoch(store))
    events = take_batch(store, cursor, row_limit=row_limit, budget_s=budget_s, clock=clock)
    tick = InboxTick(cursor=cursor, events=len(events))
    routing = route(events)
    reread: dict[str, dg.RunRequest] = {}
    keys = _payroll_keys(instance, routing.payrolls, check_date_of)
    for target, batch in routing.payrolls.items():
        key = keys[target]
        _plan(store, tick, reread, job_name=payroll_job.name, kind="payroll", partition_key=key, batch=batch)
    for connection_id, batch in routing.workforce.items():
        _plan(
            store,
            tick,
            reread,
            job_name=workforce_job.name,
            kind="workforce",
            partition_key=connection_id,
            batch=batch,
        )
    days, undated = _contractor_days(routing.contractor_payments, payment_date_of)
    for key, batch in days.items():
        batch.sort(key=lambda e: e.id)
        _plan(store, tick, reread, job_name=contractor_payment_job.name, kind="contractors", partition_key=key,
              batch=batch)  # fmt: skip
    routing.ignored += undated  # created and cancelled before any run read it: nothing was posted
    fresh_ignored = [e for e in routing.ignored if e.state == PENDING]
    store.inbox.mark([e.id for e in fresh_ignored], IGNORED)
    tick.ignored = len(routing.ignored)
    launched = _launched(instance, set(reread))
    tick.run_requests += [r for k, r in reread.items() if k not in launched]

    tick.new_payrolls = sorted(
        k for k in keys.values() if not instance.has_dynamic_partition(str(payroll_partitions.name), k)
    )
    tick.new_contractor_days = sorted(
        k for k in days if not instance.has_dynamic_partition(str(contractor_payment_partitions.name), k)
    )
    tick.new_connections = sorted(
        c
        for c in {e.connection_id for e in events}
        if not instance.has_dynamic_partition(str(connection_partitions.name), c)
    )
    return tick


@dg.sensor(
    jobs=[payroll_job, workforce_job, contractor_payment_job],
    minimum_interval_seconds=TICK_INTERVAL_S,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Watches the webhook inbox; one payroll run per payroll, one run per day of contractor payments, "
    "one coalesced workforce run per connection.",
)
def gusto_inbox_sensor(
    context: dg.SensorEvaluationContext, store: StoreResource, gusto: GustoResource
) -> dg.SensorResult:
    lookup = gusto_check_dates(gusto, context.log.warning)
    payment_dates = contractor_payment_dates(store, gusto, context.log.warning)
    tick = evaluate_inbox(store, context.instance, InboxCursor.parse(context.cursor), check_date_of=lookup,
                          payment_date_of=payment_dates)  # fmt: skip
    # A grant's change of state is observed on every tick, idle ones too (it is not an inbox event).
    grants = grant_observations(store, context.instance.get_dynamic_partitions(str(connection_partitions.name)))
    for event in grants:
        if event.metadata.get("action"):
            context.log.error(f"Gusto grant needs attention: {event.metadata['reason'].value}; "
                              f"{event.metadata['action'].value}")  # fmt: skip
    if not tick.events and not grants:
        # Nothing new: no log line, so the tick list stays readable (Dagster shows the tick as skipped).
        return dg.SensorResult(skip_reason="no new inbox events", cursor=tick.cursor.dump())
    if tick.events:
        context.log.info(
            f"inbox up to {tick.cursor.last_id}: {tick.events} event(s), {len(tick.run_requests)} run request(s), "
            f"{tick.ignored} ignored"
        )
    partition_requests: list[dg.AddDynamicPartitionsRequest] = []
    if tick.new_payrolls:
        partition_requests.append(payroll_partitions.build_add_request(tick.new_payrolls))
    if tick.new_contractor_days:
        partition_requests.append(contractor_payment_partitions.build_add_request(tick.new_contractor_days))
    if tick.new_connections:
        partition_requests.append(connection_partitions.build_add_request(tick.new_connections))
    return dg.SensorResult(
        run_requests=tick.run_requests,
        cursor=tick.cursor.dump(),
        dynamic_partitions_requests=partition_requests,
        asset_events=grants,
    )
