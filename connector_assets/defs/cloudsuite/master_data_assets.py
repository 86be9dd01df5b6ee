"""CloudSuite master data assets: the chart of accounts and the cost-center dimension, per connection."""

import dagster as dg

from connector_assets.defs.master_data import refresh_accounts, refresh_cost_centers
from connector_assets.defs.partitions import connection_partitions
from connector_assets.defs.resources import CloudSuiteResource, StoreResource

TAGS = {"system": "cloudsuite", "domain": "general_ledger"}


@dg.asset(
    key=["cloudsuite", "gl_accounts"],
    group_name="cloudsuite",
    partitions_def=connection_partitions,
    owners=["team:finance-systems"],
    tags=TAGS,
    kinds={"infor", "polars"},
    description="CloudSuite's chart of accounts (account, name, blocked, validity): the only accounts a journal may use.",
)
def gl_accounts(
    context: dg.AssetExecutionContext, store: StoreResource, cloudsuite: CloudSuiteResource
) -> dg.MaterializeResult:
    erp = cloudsuite.erp(context.partition_key)
    try:
        snap = refresh_accounts(erp, store.snapshots, context.partition_key)
    finally:
        erp.close()
    frame = snap.frame
    return dg.MaterializeResult(
        metadata={
            "accounts": dg.MetadataValue.int(frame.height),
            "blocked": dg.MetadataValue.int(int(frame["blocked"].sum())),
            "erp": erp.flavour,
            "content_hash": snap.content_hash,
            "dagster/row_count": dg.MetadataValue.int(frame.height),
        },
        data_version=dg.DataVersion(snap.content_hash),
    )


@dg.asset(
    key=["cloudsuite", "cost_centers"],
    group_name="cloudsuite",
    partitions_def=connection_partitions,
    owners=["team:finance-systems"],
    tags=TAGS,
    kinds={"infor", "polars"},
    description="Values of the connection's cost-center dimension in CloudSuite (M3 AITn / SyteLine unit code).",
)
def cost_centers(
    context: dg.AssetExecutionContext, store: StoreResource, cloudsuite: CloudSuiteResource
) -> dg.MaterializeResult:
    erp = cloudsuite.erp(context.partition_key)
    try:
        snap = refresh_cost_centers(erp, store.snapshots, context.partition_key)
    finally:
        erp.close()
    frame = snap.frame
    return dg.MaterializeResult(
        metadata={
            "cost_centers": dg.MetadataValue.int(frame.height),
            "blocked": dg.MetadataValue.int(int(frame["blocked"].sum())),
            "codes": dg.MetadataValue.text(", ".join(frame["cost_center"].head(50).to_list())),
            "content_hash": snap.content_hash,
            "dagster/row_count": dg.MetadataValue.int(frame.height),
        },
        data_version=dg.DataVersion(snap.content_hash),
    )
