"""Blocking checks on each day's contractor journal, per partition, as on payroll journals: a failure holds
that day's posting until its partition is materialized again."""

import warnings
from collections.abc import Iterator
from typing import Any

import dagster as dg

from connector_assets.defs.contractors.assets import contractor_journal, validation_key
from connector_assets.defs.ledger.checks import DESCRIPTIONS
from connector_assets.defs.ledger.presentation import problems_markdown
from connector_assets.defs.partitions import contractor_payment_partitions, parse_contractor_payment_key
from connector_assets.defs.resources import StoreResource
from connector_assets.ledger import validation as v
from connector_assets.ledger.contractors import contractor_subject

CONTRACTOR_DESCRIPTIONS = {
    **DESCRIPTIONS,
    v.TIES_OUT: "Wages, bonuses and reimbursements tie out to Gusto's contractor payment totals of the day.",
    v.CASH_TIES_OUT: "The cash or clearing credits equal what Gusto pays the contractors (wages + reimbursements).",
    v.NO_UNMAPPED: "Every contractor, amount and payment method found a rule; nothing was guessed.",
}
with warnings.catch_warnings():
    warnings.simplefilter("ignore", dg.PreviewWarning)  # partitioned checks are a preview in Dagster 1.13
    SPECS = [
        dg.AssetCheckSpec(
            name,
            asset=contractor_journal,
            blocking=True,
            description=CONTRACTOR_DESCRIPTIONS[name],
            partitions_def=contractor_payment_partitions,
        )
        for name in v.CHECKS
    ]


def release_hint(partition_key: str) -> str:
    key = parse_contractor_payment_key(partition_key)
    return (
        "fix the cause (the mapping file's contractors section or CloudSuite master data), then run "
        f"`connector replay contractor-payments {key.payment_date.isoformat()} --connection {key.connection_id}` "
        f"(or materialize the contractor_payment_job for partition {partition_key})"
    )


def check_result(check: str, validation: dict[str, Any] | None, partition_key: str) -> dg.AssetCheckResult:
    """One check's verdict on the validation the journal asset stored in this run."""
    if validation is None:
        return dg.AssetCheckResult(asset_key=contractor_journal.key, check_name=check, passed=False,
                                   description="the day's contractor journal has not been built yet")  # fmt: skip
    if validation.get("skipped"):
        return dg.AssetCheckResult(asset_key=contractor_journal.key, check_name=check, passed=True,
                                   metadata={"skipped": validation["skipped"]})  # fmt: skip
    rows = [r for r in validation["problems"] if r["check"] == check]
    return dg.AssetCheckResult(
        asset_key=contractor_journal.key, check_name=check, passed=not rows, severity=dg.AssetCheckSeverity.ERROR,
        description=rows[0]["reason"] if rows else None,
        metadata={"reference": validation["reference"], "payment_date": validation.get("payment_date", ""),
                  "failures": len(rows), "held_lines": dg.MetadataValue.md(problems_markdown(rows)),
                  **({"release": release_hint(partition_key)} if rows else {})},
    )  # fmt: skip


@dg.multi_asset_check(
    specs=SPECS,
    name="contractor_journal_checks",
    description="The contractor journal's blocking checks, evaluated against the validation built in this run.",
)
def contractor_journal_checks(
    context: dg.AssetCheckExecutionContext, store: StoreResource
) -> Iterator[dg.AssetCheckResult]:
    partition_key = context.op_execution_context.partition_key
    key = parse_contractor_payment_key(partition_key)
    validation = store.state.get(key.connection_id, validation_key(contractor_subject(key.payment_date)))
    results = [check_result(name, validation, partition_key) for name in v.CHECKS]
    yield from results
    failed = [r for r in results if not r.passed]
    if failed:
        raise dg.Failure(
            description=f"contractor payments {partition_key} are held: {failed[0].description}",
            metadata={"checks_failed": ", ".join(str(r.check_name) for r in failed),
                      "release": release_hint(partition_key)},
            allow_retries=False,
        )  # fmt: skip
