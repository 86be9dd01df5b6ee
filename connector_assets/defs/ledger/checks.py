"""Blocking checks on each payroll's journal: a failure holds the posting and lists the exact lines and reasons.

The asset-check view of `ledger/journal_lines` is therefore the list of held postings.
"""

from collections.abc import Iterator
from typing import Any

import dagster as dg

from connector_assets.defs.ledger.assets import journal_lines, problems_markdown, validation_key
from connector_assets.defs.partitions import split_payroll_key
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


def _result(check: str, validation: dict[str, Any] | None) -> dg.AssetCheckResult:
    if validation is None:
        return dg.AssetCheckResult(
            passed=False, description="the journal of this payroll was not built in this run"
        )
    if validation.get("skipped"):
        return dg.AssetCheckResult(passed=True, metadata={"skipped": validation["skipped"]})
    rows = [r for r in validation["problems"] if r["check"] == check]
    return dg.AssetCheckResult(
        passed=not rows,
        severity=dg.AssetCheckSeverity.ERROR,
        description=(rows[0]["reason"] if rows else None),
        metadata={
            "reference": validation["reference"],
            "failures": len(rows),
            "held_lines": dg.MetadataValue.md(problems_markdown(rows)),
            "release": "fix the cause, then `connector replay payroll "
            f"{validation['payroll_uuid']}` or re-materialize this partition",
        },
    )


def _make(check: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(asset=journal_lines, name=check, blocking=True, description=DESCRIPTIONS[check])
    def _check(context: dg.AssetCheckExecutionContext, store: StoreResource) -> dg.AssetCheckResult:
        # The journal's validation travels through the store (written by the asset in this run), so the
        # check does not depend on an IO manager being able to hand it the pickled journal.
        connection_id, payroll_uuid = split_payroll_key(context.run.tags["dagster/partition"])
        validation = store.state.get(connection_id, validation_key(payroll_uuid))
        if validation is not None and validation.get("run_id") != context.run.run_id:
            validation = None
        return _result(check, validation)

    return _check


journal_checks = [_make(name) for name in v.CHECKS]


def all_checks() -> Iterator[dg.AssetChecksDefinition]:
    yield from journal_checks
