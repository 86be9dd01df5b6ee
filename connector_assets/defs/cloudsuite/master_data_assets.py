"""CloudSuite master data assets: the chart of accounts and the cost-center dimension, per connection."""

from collections.abc import Callable

import dagster as dg

from connector_assets.cloudsuite.erp import Erp
from connector_assets.defs.partitions import connection_partitions
from connector_assets.defs.resources import CloudSuiteResource, StoreResource
from connector_assets.services.master_data import refresh_accounts, refresh_cost_centers
from connector_assets.store.snapshots import Snapshot, Snapshots

TAGS = {"system": "cloudsuite", "domain": "general_ledger"}
Refresh = Callable[[Erp, Snapshots, str], Snapshot]


def _master_data_asset(name: str, code_column: str, refresh: Refresh, description: str) -> dg.AssetsDefinition:
    @dg.asset(
        key=["cloudsuite", name],
        group_name="cloudsuite",
        partitions_def=connection_partitions,
        owners=["team:finance-systems"],
        tags=TAGS,
        kinds={"infor", "polars"},
        description=description,
    )
    def _asset(
        context: dg.AssetExecutionContext, store: StoreResource, cloudsuite: CloudSuiteResource
    ) -> dg.MaterializeResult:
        erp = cloudsuite.erp(context.partition_key)
        try:
            snap = refresh(erp, store.snapshots, context.partition_key)
        finally:
            erp.close()
        frame = snap.frame
        return dg.MaterializeResult(
            metadata={
                "rows": dg.MetadataValue.int(frame.height),
                "blocked": dg.MetadataValue.int(int(frame["blocked"].sum())),
                "codes": dg.MetadataValue.text(", ".join(frame[code_column].head(50).to_list())),
                "erp": erp.flavour,
                "content_hash": snap.content_hash,
                "dagster/row_count": dg.MetadataValue.int(frame.height),
            },
            data_version=dg.DataVersion(snap.content_hash),
        )

    return _asset


gl_accounts = _master_data_asset(
    "gl_accounts",
    "account",
    refresh_accounts,
    "CloudSuite's chart of accounts (account, name, blocked, validity): the only accounts a journal may use.",
)
cost_centers = _master_data_asset(
    "cost_centers",
    "cost_center",
    refresh_cost_centers,
    "Values of the connection's cost-center dimension in CloudSuite (M3 AITn / SyteLine unit code).",
)
