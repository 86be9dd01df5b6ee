"""Workforce assets: Gusto's hires, terminations, rehires and transfers, applied to CloudSuite's employees."""

import dagster as dg
import polars as pl

from connector_assets.cloudsuite.employee_sync import EmployeeTarget, sync_employees
from connector_assets.cloudsuite.errors import CloudSuiteError
from connector_assets.cloudsuite.flavours import employee_sync_note
from connector_assets.cloudsuite.types import ErpEmployee
from connector_assets.defs.audit import record_many
from connector_assets.defs.partitions import connection_partitions
from connector_assets.defs.resources import CloudSuiteResource, StoreResource
from connector_assets.workforce.diff import SNAPSHOT_COLUMNS, WorkforceChange, diff_employees

SYNCED = "employees_synced"
TAGS = {"domain": "workforce"}


# Employee-number width per ERP: M3 EMNO holds 10 characters, SyteLine's EmpNum 7.
NUMBER_WIDTH = {"m3": 10, "syteline": 7}


def employee_number(employee_uuid: str, width: int = 10) -> str:
    """CloudSuite employee number for a Gusto employee: stable, `width` characters of its uuid."""
    return employee_uuid.replace("-", "")[:width].upper()


def erp_employee(row: dict[str, object], width: int = 10) -> ErpEmployee:
    return ErpEmployee(
        number=employee_number(str(row["employee_uuid"]), width),
        first_name=str(row["first_name"] or ""),
        last_name=str(row["last_name"] or ""),
        # CloudSuite departments follow cost centers here: Gusto department titles do not fit M3's DEPT (8).
        department=str(row["cost_center"] or "")[:8],
        cost_center=str(row["cost_center"] or ""),
        hire_date=row["hire_date"],  # type: ignore[arg-type]
        termination_date=row["termination_date"],  # type: ignore[arg-type]
    )


@dg.asset(
    key=["workforce", "changes"],
    group_name="workforce",
    partitions_def=connection_partitions,
    ins={"employees": dg.AssetIn(key=["gusto", "employees"])},
    owners=["team:finance-systems"],
    tags=TAGS,
    kinds={"polars"},
    description="Hires, terminations, rehires, department, job and compensation changes since the last sync.",
)
def changes(
    context: dg.AssetExecutionContext, employees: pl.DataFrame, store: StoreResource
) -> list[WorkforceChange]:
    synced = store.snapshots.get(context.partition_key, SYNCED)
    previous = synced.frame if synced else pl.DataFrame(schema=SNAPSHOT_COLUMNS)
    found = diff_employees(previous, employees)
    counts = pl.DataFrame({"kind": [c.kind for c in found]}, schema={"kind": pl.String})["kind"].value_counts()
    context.add_output_metadata(
        {"changes": len(found), **{str(k): int(n) for k, n in counts.iter_rows()}, "first_sync": synced is None}
    )
    return found


@dg.asset(
    key=["cloudsuite", "employees"],
    group_name="workforce",
    partitions_def=connection_partitions,
    ins={"changes": dg.AssetIn(key=["workforce", "changes"]), "employees": dg.AssetIn(key=["gusto", "employees"])},
    owners=["team:finance-systems"],
    tags={"system": "cloudsuite", **TAGS},
    kinds={"infor"},
    description="CloudSuite's employee master brought in line with Gusto (M3 CRS530MI / SyteLine SLEmployees).",
)
def cloudsuite_employees(
    context: dg.AssetExecutionContext,
    changes: list[WorkforceChange],
    employees: pl.DataFrame,
    store: StoreResource,
    cloudsuite: CloudSuiteResource,
) -> dg.MaterializeResult:
    connection_id = context.partition_key
    note = employee_sync_note(cloudsuite.connections.get(connection_id).cloudsuite.erp)
    if note:
        context.log.info("%s: %s", connection_id, note)
        return dg.MaterializeResult(metadata={"skipped": note, "applied": 0, "employees": employees.height})
    current = {row["employee_uuid"]: row for row in employees.iter_rows(named=True)}
    erp = cloudsuite.erp(connection_id)
    try:
        width = NUMBER_WIDTH.get(erp.flavour, 10)
        targets = [
            EmployeeTarget(target, terminate=c.kind == "termination" and target.termination_date is not None)
            for c in changes
            for target in [erp_employee(current[c.employee_uuid], width)]
        ]
        outcomes = sync_employees(erp, targets)
    finally:
        erp.close()
    applied: dict[str, int] = {}
    entries: list[tuple[str, str, dict[str, object]]] = []
    for change, target in zip(changes, targets, strict=True):
        number = target.employee.number
        outcome = outcomes[number]
        if isinstance(outcome, CloudSuiteError):
            entries.append((change.employee_uuid, "sync_failed",
                            {"kind": change.kind, "employee_number": number, "reason": str(outcome)}))  # fmt: skip
            continue
        applied[change.kind] = applied.get(change.kind, 0) + 1
        entries.append((
            change.employee_uuid, "synced",
            {"kind": change.kind, "employee_number": number, "outcome": outcome,
             "before": {k: str(v) for k, v in change.before.items()},
             "after": {k: str(v) for k, v in change.after.items()}},
        ))  # fmt: skip
    # One transaction for the run's audit rows: a row per employee, not a commit per employee.
    record_many(store, connection_id, "employee", entries, context)
    # Only after every change reached CloudSuite: a failure part-way re-applies the rest next run.
    store.snapshots.put(connection_id, SYNCED, employees)
    return dg.MaterializeResult(
        metadata={"applied": sum(applied.values()), **applied, "employees": employees.height}
    )
