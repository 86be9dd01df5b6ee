"""Blocking checks on each payroll's journal: a failure holds the posting and lists the exact lines and reasons.

The asset-check view of `ledger/journal_lines` is therefore the list of held postings.
"""

from collections.abc import Iterator

import dagster as dg

from connector_assets.defs.ledger.assets import journal_lines, problems_markdown
from connector_assets.defs.ledger.prepare import PreparedJournal
from connector_assets.ledger import validation as v

DESCRIPTIONS = {
    v.ACCOUNTS_OPEN: "Every account exists in CloudSuite, is not blocked and is valid on the posting date.",
    v.COST_CENTERS_EXIST: "Every cost center exists in CloudSuite and is open on the posting date.",
    v.BALANCED: "Debits equal credits to the cent.",
    v.TIES_OUT: "Gross, taxes, benefits, deductions and net pay tie out to Gusto's payroll totals; nothing dropped.",
    v.NO_UNMAPPED: "Every line found a mapping rule; nothing fell back to an unmapped default.",
}


def _result(check: str, prepared: PreparedJournal) -> dg.AssetCheckResult:
    if prepared.journal is None:
        return dg.AssetCheckResult(passed=True, metadata={"skipped": prepared.skip_reason or ""})
    rows = [r for r in prepared.reasons() if r["check"] == check]
    return dg.AssetCheckResult(
        passed=not rows,
        severity=dg.AssetCheckSeverity.ERROR,
        description=(rows[0]["reason"] if rows else None),
        metadata={
            "reference": prepared.journal.header.external_reference,
            "failures": len(rows),
            "held_lines": dg.MetadataValue.md(problems_markdown(rows)),
            "release": "fix the cause, then `connector replay payroll "
            f"{prepared.payroll_uuid}` or re-materialize this partition",
        },
    )


def _make(check: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(asset=journal_lines, name=check, blocking=True, description=DESCRIPTIONS[check])
    def _check(journal_lines: PreparedJournal) -> dg.AssetCheckResult:
        return _result(check, journal_lines)

    return _check


journal_checks = [_make(name) for name in v.CHECKS]


def all_checks() -> Iterator[dg.AssetChecksDefinition]:
    yield from journal_checks
