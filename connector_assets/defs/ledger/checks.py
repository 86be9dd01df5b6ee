"""Blocking checks on each payroll's journal, per payroll partition: a failure holds that payroll's posting.

The checks are partitioned like `ledger/journal_lines`, so the check view shows every payroll's own status
and a held payroll stays failed until its partition is materialized again (whatever other payrolls do in
between). All five are evaluated in one step; when one fails, the step fails with the business reason as
its message (a `dg.Failure`, not a stack trace), and the posting step does not run.
"""

import warnings
from collections.abc import Iterator
from typing import Any

import dagster as dg

from connector_assets.defs.ledger.assets import journal_lines, validation_key
from connector_assets.defs.ledger.presentation import problems_markdown
from connector_assets.defs.partitions import payroll_partitions, split_payroll_key
from connector_assets.defs.resources import StoreResource
from connector_assets.ledger import validation as v

DESCRIPTIONS = {
    v.ACCOUNTS_OPEN: "Every account exists in CloudSuite, is not blocked and is valid on the posting date.",
    v.COST_CENTERS_EXIST: "Every cost center exists in CloudSuite and is open on the posting date.",
    v.BALANCED: "Debits equal credits to the cent.",
    v.TIES_OUT: "Gross, taxes, benefits, deductions and net pay tie out to Gusto's payroll totals; nothing dropped.",
    v.CASH_TIES_OUT: v.CASH_FIGURES_TEXT,
    v.NO_UNMAPPED: "Every line found a mapping rule; nothing fell back to an unmapped default.",
}
with warnings.catch_warnings():
    # Partitioned checks are a preview feature of Dagster 1.13; the version is pinned.
    warnings.simplefilter("ignore", dg.PreviewWarning)
    SPECS = [
        dg.AssetCheckSpec(
            name,
            asset=journal_lines,
            blocking=True,
            description=DESCRIPTIONS[name],
            partitions_def=payroll_partitions,
        )
        for name in v.CHECKS
    ]


def release_hint(partition_key: str) -> str:
    """The one step that releases a held payroll once its cause is fixed."""
    _, payroll_uuid = split_payroll_key(partition_key)
    return (
        f"fix the cause (mapping file or CloudSuite master data), then in the UI materialize ledger/journal_lines "
        f"partition {partition_key} (the posting follows by itself), or run `connector replay payroll {payroll_uuid}`"
    )


def check_result(check: str, validation: dict[str, Any] | None, partition_key: str) -> dg.AssetCheckResult:
    """One check's verdict on the validation the journal asset stored in this run."""
    if validation is None:
        return dg.AssetCheckResult(
            asset_key=journal_lines.key, check_name=check, passed=False,
            description="the journal of this payroll has not been built yet; materialize ledger/journal_lines",
        )  # fmt: skip
    if validation.get("skipped"):
        return dg.AssetCheckResult(
            asset_key=journal_lines.key, check_name=check, passed=True, metadata={"skipped": validation["skipped"]}
        )
    rows = [r for r in validation["problems"] if r["check"] == check]
    return dg.AssetCheckResult(
        asset_key=journal_lines.key,
        check_name=check,
        passed=not rows,
        severity=dg.AssetCheckSeverity.ERROR,
        description=(rows[0]["reason"] if rows else None),
        metadata={
            "reference": validation["reference"],
            "check_date": validation.get("check_date", ""),
            "payroll_type": validation.get("payroll_type", ""),
            "failures": len(rows),
            "held_lines": dg.MetadataValue.md(problems_markdown(rows)),
            **({"release": release_hint(partition_key)} if rows else {}),
        },
    )


def held_failure(partition_key: str, results: list[dg.AssetCheckResult], problems: int) -> dg.Failure:
    """The step's failure when a check failed: the first reason, how many more, and how to release."""
    failed = [r for r in results if not r.passed]
    first = failed[0].description or "a blocking check failed"
    more = problems - 1
    extra = f" (and {more} more)" if more > 0 else ""
    return dg.Failure(
        description=f"payroll {partition_key} is held: {first}{extra}",
        metadata={
            "checks_failed": ", ".join(str(r.check_name) for r in failed),
            "release": release_hint(partition_key),
        },
        allow_retries=False,  # a held payroll waits for its cause to be fixed; retrying changes nothing
    )


@dg.multi_asset_check(
    specs=SPECS,
    name="journal_checks",
    description="The journal's blocking checks, all evaluated against the validation built in this run.",
)
def journal_checks_op(
    context: dg.AssetCheckExecutionContext, store: StoreResource
) -> Iterator[dg.AssetCheckResult]:
    # The journal's validation travels through the store (written by the asset in this run), so the
    # checks do not depend on an IO manager being able to hand them the pickled journal.
    partition_key = context.op_execution_context.partition_key
    connection_id, payroll_uuid = split_payroll_key(partition_key)
    # The latest journal built for this payroll (in this run when the asset ran with the checks).
    validation = store.state.get(connection_id, validation_key(payroll_uuid))
    results = [check_result(name, validation, partition_key) for name in v.CHECKS]
    yield from results
    if any(not r.passed for r in results):
        raise held_failure(partition_key, results, len((validation or {}).get("problems") or []))


journal_checks = [journal_checks_op]


def all_checks() -> Iterator[dg.AssetChecksDefinition]:
    yield from journal_checks
