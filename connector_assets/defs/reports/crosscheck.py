"""Gusto's own payrolls as the cross-check of the books: per month, per account and cost center, what
CloudSuite holds under the connector's references against what Gusto's processed payrolls say. The check
`posted_matches_gusto` fails with every difference (account, cost center, posted, expected, difference).

Second, per payroll, Gusto's own general-ledger report against what CloudSuite holds for that payroll, per
family (wages, employer taxes, net pay debit, ...): the check `matches_gusto_gl_report` fails with every
difference (payroll, family, Gusto's report, connector, difference).
"""

from collections.abc import Iterator

import dagster as dg
import polars as pl

from connector_assets.defs.partitions import parse_period_key, period_partitions
from connector_assets.defs.resources import CloudSuiteResource, ConnectionsResource, GustoResource, StoreResource
from connector_assets.ledger.accrual import Period
from connector_assets.ledger.crosscheck import compare, differences_table
from connector_assets.ledger.gl_report import report_table
from connector_assets.services.crosscheck import expected_side, posted_side
from connector_assets.services.gl_report import ReportCheck, report_side

CROSSCHECK_KEY = dg.AssetKey(["reports", "gusto_crosscheck"])
CHECK = "posted_matches_gusto"
REPORT_CHECK = "matches_gusto_gl_report"
SCHEMA = {"account": pl.String, "cost_center": pl.String, "posted_cents": pl.Int64, "expected_cents": pl.Int64,
          "difference_cents": pl.Int64}  # fmt: skip


def _listed(note: str | None) -> list[str]:
    return [note] if note else []


def _bullets(items: list[str], limit: int = 40) -> str:
    shown = [f"- {i}" for i in items[:limit]]
    return "\n".join(shown + ([f"- … and {len(items) - limit} more"] if len(items) > limit else [])) or "none"


@dg.asset(
    key=CROSSCHECK_KEY,
    group_name="reports",
    partitions_def=period_partitions,
    owners=["team:finance-systems"],
    tags={"domain": "general_ledger"},
    kinds={"polars"},
    check_specs=[
        dg.AssetCheckSpec(
            CHECK,
            asset=CROSSCHECK_KEY,
            description="What CloudSuite holds for the month equals what Gusto's payrolls say, per "
            "account and cost center (accrual entries aside).",
        ),
        dg.AssetCheckSpec(
            REPORT_CHECK,
            asset=CROSSCHECK_KEY,
            description="Per payroll of the month, Gusto's own general-ledger report equals what CloudSuite "
            "holds for it, per family (wages, employer taxes, net pay debit, tax debit, ...).",
        ),
    ],
    description="Per month: the connector's postings as CloudSuite holds them (read back) against the journals "
    "rebuilt from Gusto's processed payrolls, per account and cost center.",
)
def gusto_crosscheck(
    context: dg.AssetExecutionContext,
    store: StoreResource,
    gusto: GustoResource,
    cloudsuite: CloudSuiteResource,
    connections: ConnectionsResource,
) -> Iterator[dg.Output[pl.DataFrame] | dg.AssetCheckResult]:
    connection_id, text = parse_period_key(context.partition_key)
    connection = connections.get(connection_id)
    period = Period.parse(text)
    erp = cloudsuite.erp(connection_id)
    try:
        posted, accruals = posted_side(period, connection_id, store.postings, erp)
        with gusto.client(connection_id) as client:
            expected = expected_side(period, connection, client, erp, store.snapshots, store.postings,
                                     store.assignments, store.state)  # fmt: skip
            report = report_side(client, posted, expected)
    finally:
        erp.close()
    differences = compare(posted.lines, expected.lines)
    frame = pl.DataFrame(
        [(d.account, d.cost_center, d.posted_cents, d.expected_cents, d.difference_cents) for d in differences],
        schema=SCHEMA, orient="row",
    )  # fmt: skip
    table = differences_table(differences)
    summary = "; ".join(d.describe() for d in differences[:10])
    yield dg.Output(
        frame,
        metadata={
            "period": text,
            "differences": len(differences),
            "documents_read": len(posted.sources),
            "payrolls_recomputed": len(expected.sources),
            "difference_table": dg.MetadataValue.md(table),
            "notes": dg.MetadataValue.md(_bullets(posted.notes + expected.notes + _listed(report.scope_missing))),
            "accrual_entries_aside": ", ".join(accruals) or "none",
            "documents": dg.MetadataValue.md(_bullets(posted.sources)),
            "payrolls": dg.MetadataValue.md(_bullets(expected.sources)),
            "gl_reports_read": report.reports_read,
            "gl_report_table": dg.MetadataValue.md(report_table(report.figures)),
            "gl_report_not_compared": dg.MetadataValue.md(_bullets([n.describe() for n in report.not_compared])),
        },
    )
    yield dg.AssetCheckResult(
        asset_key=CROSSCHECK_KEY, check_name=CHECK, passed=not differences,
        severity=dg.AssetCheckSeverity.ERROR,
        description=(f"{len(differences)} difference(s): {summary}" if differences
                     else f"{period}: CloudSuite holds exactly what Gusto's payrolls say"),
        metadata={"differences": dg.MetadataValue.md(table), "difference_count": len(differences), "period": text},
    )  # fmt: skip
    yield _report_check(report, text)


def _report_check(report: ReportCheck, period: str) -> dg.AssetCheckResult:
    """Fails with every family difference; a report that could not be read fails too; a grant without the
    report scopes is a warning that names the missing scopes."""
    differences = report.differences
    problems = [d.describe() for d in differences] + report.unreadable
    if report.scope_missing:
        problems.append(report.scope_missing)
    if report.scope_missing and not differences and not report.unreadable:
        description = f"not compared: {report.scope_missing}"
    elif problems:
        description = f"{len(problems)} problem(s): " + "; ".join(problems[:10])
    else:
        description = f"{period}: CloudSuite holds what Gusto's general-ledger reports say, per payroll and family"
    severe = bool(differences or report.unreadable)
    return dg.AssetCheckResult(
        asset_key=CROSSCHECK_KEY, check_name=REPORT_CHECK, passed=not problems,
        severity=dg.AssetCheckSeverity.ERROR if severe else dg.AssetCheckSeverity.WARN,
        description=description,
        metadata={"differences": dg.MetadataValue.md(report_table(differences)),
                  "difference_count": len(differences), "reports_read": report.reports_read,
                  "unreadable": dg.MetadataValue.md(_bullets(report.unreadable)),
                  "not_compared": dg.MetadataValue.md(_bullets([n.describe() for n in report.not_compared])),
                  "period": period},
    )  # fmt: skip
