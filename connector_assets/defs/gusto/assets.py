"""Gusto assets: departments and employees per connection, payrolls per payroll partition (raw JSON kept)."""

import hashlib
import json
from typing import Any

import dagster as dg
import polars as pl

from connector_assets import clock
from connector_assets.defs.audit import record, record_many
from connector_assets.defs.partitions import connection_partitions, payroll_partitions, split_payroll_key
from connector_assets.defs.resources import ConnectionsResource, GustoResource, StoreResource
from connector_assets.ledger.money import format_cents, to_cents
from connector_assets.mapping.attributes import employee_attributes
from connector_assets.mapping.rules import department_cost_centers
from connector_assets.services.payroll_reads import read_payroll
from connector_assets.services.prepare import pay_period_of
from connector_assets.workforce.assignments import changes, observe
from connector_assets.workforce.events import employee_events, observed_through_events
from connector_assets.workforce.snapshot import employee_snapshot

TAGS = {"system": "gusto", "domain": "payroll"}
DEPARTMENTS, EMPLOYEES, ATTRIBUTES = "departments", "employees", "employee_attributes"


def payload_hash(payload: Any) -> str:
    """A short, stable hash of a JSON payload (what was read, for the audit trail)."""
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()[:16]


@dg.asset(
    key=["gusto", "departments"],
    group_name="gusto",
    partitions_def=connection_partitions,
    owners=["team:finance-systems"],
    tags=TAGS,
    kinds={"gusto", "polars"},
    description="Gusto departments of the company (titles are what the mapping's department rules name).",
)
def departments(context: dg.AssetExecutionContext, store: StoreResource, gusto: GustoResource) -> pl.DataFrame:
    with gusto.client(context.partition_key) as client:
        rows = [(d.uuid, d.title) for d in client.list_departments()]
    frame = pl.DataFrame(rows, schema={"department_uuid": pl.String, "department": pl.String}, orient="row")
    store.snapshots.put(context.partition_key, DEPARTMENTS, frame)
    context.add_output_metadata({"departments": frame.height, "titles": ", ".join(frame["department"].to_list())})
    return frame


@dg.asset(
    key=["gusto", "employees"],
    group_name="gusto",
    partitions_def=connection_partitions,
    deps=[departments],
    owners=["team:finance-systems"],
    tags=TAGS,
    kinds={"gusto", "polars"},
    description="Snapshot of every Gusto employee (active and terminated) with jobs, compensations and terminations.",
)
def employees(
    context: dg.AssetExecutionContext, store: StoreResource, gusto: GustoResource, connections: ConnectionsResource
) -> pl.DataFrame:
    connection = connections.get(context.partition_key)
    with gusto.client(connection.id) as client:
        raw = [e.raw for e in client.iter_employees()]
    field = connection.gusto.cost_center_field
    store.snapshots.put(connection.id, ATTRIBUTES, employee_attributes(raw, field))
    snapshot = employee_snapshot(raw, department_cost_centers(str(connection.mapping_file)), field)
    store.snapshots.put(connection.id, EMPLOYEES, snapshot)
    # What Gusto shows now starts a new assignment today (or on the day of the employee webhook that started
    # this run); payrolls post with the one in force for their period.
    today = clock.today()
    observed = observe(raw, today, field, "workforce run")
    run_key = context.run.tags.get("dagster/run_key")
    if run_key:
        events = store.inbox.dispatched_under(connection.id, run_key)
        by_employee = employee_events((e.event_type, e.entity_uuid, e.body) for e in events)
        observed = observed_through_events(observed, by_employee, today)
    history = store.assignments.history(connection.id)
    started = store.assignments.record(connection.id, changes(history, observed, {e["uuid"]: e for e in raw}))
    # One transaction for the run's reads: a commit per employee was most of this step's time.
    reads = [(e["uuid"], "read", {"version": e.get("version"), "payload_hash": payload_hash(e)}) for e in raw]
    record_many(store, connection.id, "employee", reads, context)
    context.add_output_metadata(
        {
            "employees": snapshot.height,
            "active": int((~snapshot["terminated"]).sum()),
            "terminated": int(snapshot["terminated"].sum()),
            "assignments_started": started,
            "dagster/row_count": snapshot.height,
        }
    )
    return snapshot


def _total(payroll: dict[str, Any], name: str) -> str:
    value = (payroll.get("totals") or {}).get(name)
    return format_cents(to_cents(value, f"totals.{name}")) if value not in (None, "") else "n/a"


@dg.asset(
    key=["gusto", "payrolls"],
    group_name="gusto",
    partitions_def=payroll_partitions,
    owners=["team:finance-systems"],
    tags=TAGS,
    kinds={"gusto"},
    retry_policy=dg.RetryPolicy(max_retries=2, delay=10, backoff=dg.Backoff.EXPONENTIAL),
    description="One Gusto payroll as Gusto holds it now (never trusted from the event): read again unless "
    "Gusto's payroll listing shows it unchanged since the stored read.",
)
def payrolls(context: dg.AssetExecutionContext, store: StoreResource, gusto: GustoResource) -> dict[str, Any]:
    connection_id, payroll_uuid = split_payroll_key(context.partition_key)
    with gusto.client(connection_id) as client:
        read = read_payroll(client, store.snapshots, connection_id, payroll_uuid)
    payroll = read.raw
    digest = payload_hash(payroll)
    for reversal_uuid in payroll.get("reversal_payroll_uuids") or []:
        # Gusto names the reversal only on the original; the reversal's own run reads this link.
        store.state.put(connection_id, f"reversal_of:{reversal_uuid}", payroll_uuid)
        if payroll.get("processed"):  # the reversal is posted with the original's assignments
            start, end = pay_period_of(payroll)
            store.state.put(connection_id, f"period_of:{reversal_uuid}", [start.isoformat(), end.isoformat()])
    record(
        store, connection_id, "payroll", payroll_uuid, "read",
        {"version": read.version, "payload_hash": digest, "processed": payroll.get("processed"),
         "check_date": payroll.get("check_date"), "source": read.source},
        context,
    )  # fmt: skip
    context.add_output_metadata(
        {
            "check_date": str(payroll.get("check_date")),
            "processed": bool(payroll.get("processed")),
            "off_cycle": bool(payroll.get("off_cycle")),
            "employees": len(payroll.get("employee_compensations") or []),
            "gross_pay": _total(payroll, "gross_pay"),
            "net_pay": _total(payroll, "net_pay"),
            "employer_taxes": _total(payroll, "employer_taxes"),
            "payload_hash": digest,
            "gusto_version": read.version,
            "read_from": read.source,
        }
    )
    return payroll
