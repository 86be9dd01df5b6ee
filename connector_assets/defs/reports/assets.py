"""Headcount reconciliation: active Gusto employees per cost center against CloudSuite's employee master."""

import dagster as dg
import polars as pl

from connector_assets.cloudsuite.flavours import employee_sync_note
from connector_assets.defs.partitions import connection_partitions
from connector_assets.defs.resources import CloudSuiteResource
from connector_assets.defs.workforce.assets import employee_number


@dg.asset(
    key=["reports", "headcount_reconciliation"],
    group_name="reports",
    partitions_def=connection_partitions,
    ins={"employees": dg.AssetIn(key=["gusto", "employees"])},
    deps=[dg.AssetKey(["cloudsuite", "employees"])],
    owners=["team:finance-systems"],
    tags={"domain": "workforce"},
    kinds={"polars"},
    description="Gusto headcount per cost center vs CloudSuite's, and the employees on one side only.",
)
def headcount_reconciliation(
    context: dg.AssetExecutionContext, employees: pl.DataFrame, cloudsuite: CloudSuiteResource
) -> pl.DataFrame:
    note = employee_sync_note(cloudsuite.connections.get(context.partition_key).cloudsuite.erp)
    if note:
        context.add_output_metadata(
            {"skipped": note, "gusto_active": employees.filter(~pl.col("terminated")).height}
        )
        return pl.DataFrame(schema={"cost_center": pl.String, "gusto": pl.UInt32, "cloudsuite": pl.UInt32,
                                    "difference": pl.Int64})  # fmt: skip
    erp = cloudsuite.erp(context.partition_key)
    try:
        erp_rows = [(e.number, e.cost_center or None) for e in erp.list_employees() if e.termination_date is None]
    finally:
        erp.close()
    gusto = employees.filter(~pl.col("terminated")).select(
        pl.col("employee_uuid").map_elements(employee_number, return_dtype=pl.String).alias("number"),
        "cost_center",
    )
    erp_frame = pl.DataFrame(erp_rows, schema={"number": pl.String, "cost_center": pl.String}, orient="row")
    per_cc = (
        gusto.group_by("cost_center").len("gusto")
        .join(erp_frame.group_by("cost_center").len("cloudsuite"), on="cost_center", how="full", coalesce=True)
        .fill_null(0)
        .with_columns(difference=pl.col("gusto") - pl.col("cloudsuite"))
        .sort("cost_center", nulls_last=True)
    )  # fmt: skip
    only_gusto = gusto.join(erp_frame, on="number", how="anti").height
    only_erp = erp_frame.join(gusto, on="number", how="anti").height
    table = "| cost center | Gusto | CloudSuite | difference |\n|---|---|---|---|\n" + "\n".join(
        f"| {cc or '—'} | {g} | {c} | {d} |" for cc, g, c, d in per_cc.iter_rows()
    )
    context.add_output_metadata(
        {
            "gusto_active": gusto.height,
            "cloudsuite_active": erp_frame.height,
            "only_in_gusto": only_gusto,
            "only_in_cloudsuite": only_erp,
            "aligned": only_gusto == 0 and only_erp == 0 and bool((per_cc["difference"] == 0).all()),
            "per_cost_center": dg.MetadataValue.md(table),
        }
    )
    return per_cc
