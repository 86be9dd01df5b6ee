"""CloudSuite master data assets: the chart of accounts and the cost-center dimension, per connection.

Both are read in one step: M3 pages the two listings side by side through its bulk MI endpoint, and one
step instead of two saves a run a step's worth of Dagster events.
"""

from collections.abc import Iterator

import dagster as dg

from connector_assets.defs.partitions import connection_partitions
from connector_assets.defs.resources import CloudSuiteResource, StoreResource
from connector_assets.services.master_data import refresh_accounts, refresh_cost_centers, refresh_master_data
from connector_assets.store.snapshots import Snapshot

TAGS = {"system": "cloudsuite", "domain": "general_ledger"}


def _spec(name: str, description: str) -> dg.AssetSpec:
    return dg.AssetSpec(
        key=["cloudsuite", name],
        group_name="cloudsuite",
        owners=["team:finance-systems"],
        tags=TAGS,
        kinds={"infor", "polars"},
        description=description,
        skippable=True,
    )


gl_accounts = _spec(
    "gl_accounts",
    "CloudSuite's chart of accounts (account, name, blocked, validity): the only accounts a journal may use.",
)
cost_centers = _spec(
    "cost_centers",
    "Values of the connection's cost-center dimension in CloudSuite (M3 AITn / SyteLine unit code).",
)
CODE_COLUMNS = {gl_accounts.key: "account", cost_centers.key: "cost_center"}


def _result(key: dg.AssetKey, snap: Snapshot, erp: str) -> dg.MaterializeResult:
    frame = snap.frame
    return dg.MaterializeResult(
        asset_key=key,
        metadata={
            "rows": dg.MetadataValue.int(frame.height),
            "blocked": dg.MetadataValue.int(int(frame["blocked"].sum())),
            "codes": dg.MetadataValue.text(", ".join(frame[CODE_COLUMNS[key]].head(50).to_list())),
            "erp": erp,
            "content_hash": snap.content_hash,
            "dagster/row_count": dg.MetadataValue.int(frame.height),
        },
        data_version=dg.DataVersion(snap.content_hash),
    )


@dg.multi_asset(
    name="cloudsuite__master_data",
    specs=[gl_accounts, cost_centers],
    partitions_def=connection_partitions,
    can_subset=True,
)
def master_data(
    context: dg.AssetExecutionContext, store: StoreResource, cloudsuite: CloudSuiteResource
) -> Iterator[dg.MaterializeResult]:
    """Both snapshots from one read when both are selected; either alone when the selection asks for one."""
    connection_id = context.partition_key
    selected = context.selected_asset_keys
    erp = cloudsuite.erp(connection_id)
    try:
        if selected >= {gl_accounts.key, cost_centers.key}:
            accounts, centers = refresh_master_data(erp, store.snapshots, connection_id)
            snaps = {gl_accounts.key: accounts, cost_centers.key: centers}
        elif gl_accounts.key in selected:
            snaps = {gl_accounts.key: refresh_accounts(erp, store.snapshots, connection_id)}
        else:
            snaps = {cost_centers.key: refresh_cost_centers(erp, store.snapshots, connection_id)}
    finally:
        erp.close()
    for key, snap in snaps.items():
        yield _result(key, snap, erp.flavour)
