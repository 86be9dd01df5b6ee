"""Gusto's own payrolls as the cross-check of the books: per month, per account and cost center, what
CloudSuite holds under the connector's references against what Gusto's processed payrolls say. The check
`posted_matches_gusto` fails with every difference (account, cost center, posted, expected, difference).
"""

from collections.abc import Iterator

import dagster as dg
import polars as pl

from connector_assets.defs.partitions import parse_period_key, period_partitions
from connector_assets.defs.resources import CloudSuiteResource, ConnectionsResource, GustoResource, StoreResource
from connector_assets.ledger.accrual import Period
from connector_assets.ledger.crosscheck import compare, differences_table
from connector_assets.services.crosscheck import expected_side, posted_side

CROSSCHECK_KEY = dg.AssetKey(["reports", "gusto_crosscheck"])
CHECK = "posted_matches_gusto"
SCHEMA = {"account": pl.String, "cost_center": pl.String, "posted_cents": pl.Int64, "expected_cents": pl.Int64,
          "difference_cents": pl.Int64}  # fmt: skip


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
        )
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
            "notes": dg.MetadataValue.md(_bullets(posted.notes + expected.notes)),
            "accrual_entries_aside": ", ".join(accruals) or "none",
            "documents": dg.MetadataValue.md(_bullets(posted.sources)),
            "payrolls": dg.MetadataValue.md(_bullets(expected.sources)),
        },
    )
    yield dg.AssetCheckResult(
        asset_key=CROSSCHECK_KEY, check_name=CHECK, passed=not differences,
        severity=dg.AssetCheckSeverity.ERROR,
        description=(f"{len(differences)} difference(s): {summary}" if differences
                     else f"{period}: CloudSuite holds exactly what Gusto's payrolls say"),
        metadata={"differences": dg.MetadataValue.md(table), "difference_count": len(differences), "period": text},
    )  # fmt: skip
