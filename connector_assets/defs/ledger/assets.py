"""Ledger assets: the connection's mapping (validated against master data) and each payroll's journal."""

import datetime as dt
from typing import Any

import dagster as dg

from connector_assets import clock
from connector_assets.defs.audit import record
from connector_assets.defs.cloudsuite.master_data_assets import cost_centers, gl_accounts
from connector_assets.defs.ledger.presentation import (
    held_line_rows,
    lines_markdown,
    payroll_facts,
    problems_markdown,
)
from connector_assets.defs.partitions import connection_partitions, payroll_partitions, split_payroll_key
from connector_assets.defs.resources import CloudSuiteResource, ConnectionsResource, GustoResource, StoreResource
from connector_assets.ledger.money import format_cents
from connector_assets.mapping.check import MappingProblem, check_mapping
from connector_assets.mapping.model import MappingRules
from connector_assets.mapping.rules import load_mapping_file
from connector_assets.services.master_data import current_master_data
from connector_assets.services.prepare import PreparedJournal, prepare_payroll_journal
from connector_assets.store.postings import HELD

TAGS = {"domain": "general_ledger"}
ALL = dg.AllPartitionMapping()


def validation_key(payroll_uuid: str) -> str:
    """Where a run leaves its journal's validation for the checks (sync_state key)."""
    return f"validation:{payroll_uuid}"


@dg.asset(
    key=["ledger", "mapping"],
    group_name="ledger",
    partitions_def=connection_partitions,
    deps=[gl_accounts, cost_centers, dg.AssetKey(["gusto", "departments"])],
    owners=["team:finance-systems"],
    tags=TAGS,
    kinds={"yaml"},
    description="The connection's mapping rules (job, department, location → GL account and cost center), "
    "validated against CloudSuite master data and Gusto's departments.",
)
def mapping(
    context: dg.AssetExecutionContext,
    store: StoreResource,
    cloudsuite: CloudSuiteResource,
    connections: ConnectionsResource,
) -> dg.Output[MappingRules]:
    connection = connections.get(context.partition_key)
    rules = load_mapping_file(connection.mapping_file)
    erp = cloudsuite.erp(connection.id)
    try:
        master = current_master_data(erp, store.snapshots, connection.id, dt.timedelta(hours=1))
    finally:
        erp.close()
    departments = store.snapshots.get(connection.id, "departments")
    problems: list[MappingProblem] = check_mapping(
        rules,
        master.accounts.frame,
        master.cost_centers.frame,
        departments.frame if departments else None,
        None,
        clock.today(),
    )
    errors = [p for p in problems if p.severity == "error"]
    return dg.Output(
        rules,
        metadata={
            "mapping_version": rules.version,
            "rules": len(rules.rules),
            "errors": len(errors),
            "warnings": len(problems) - len(errors),
            "problems": dg.MetadataValue.md(
                "\n".join(f"- **{p.severity}** {p.describe()}" for p in problems) or "none"
            ),
            "file": dg.MetadataValue.path(str(connection.mapping_file)),
        },
    )


@dg.asset(
    key=["ledger", "journal_lines"],
    group_name="ledger",
    partitions_def=payroll_partitions,
    ins={"payroll": dg.AssetIn(key=["gusto", "payrolls"])},
    deps=[
        dg.AssetDep(gl_accounts, partition_mapping=ALL),
        dg.AssetDep(cost_centers, partition_mapping=ALL),
        dg.AssetDep(dg.AssetKey(["ledger", "mapping"]), partition_mapping=ALL),
    ],
    owners=["team:finance-systems"],
    tags=TAGS,
    kinds={"polars"},
    description="The payroll's balanced journal in integer cents, with its proofs and every reason it may not post.",
)
def journal_lines(
    context: dg.AssetExecutionContext,
    payroll: dict[str, Any],
    store: StoreResource,
    gusto: GustoResource,
    cloudsuite: CloudSuiteResource,
    connections: ConnectionsResource,
) -> PreparedJournal:
    connection_id, payroll_uuid = split_payroll_key(context.partition_key)
    connection = connections.get(connection_id)
    history = store.postings.for_payroll(connection_id, payroll_uuid)
    if history:
        record(
            store, connection_id, "payroll", payroll_uuid, "replayed", {"earlier_postings": len(history)}, context
        )
    erp = cloudsuite.erp(connection_id)
    try:
        with gusto.client(connection_id) as client:
            prepared, master = prepare_payroll_journal(payroll, connection, client, erp, store)
    finally:
        erp.close()
    facts = payroll_facts(payroll, connection.cloudsuite.currency)
    # The payroll's business name on the run itself, however the run was launched (filterable in the UI).
    context.instance.add_run_tags(context.run.run_id, {f"connector/{k}": v for k, v in facts.items() if v})
    validation: dict[str, Any] = {
        "run_id": context.run.run_id, "payroll_uuid": payroll_uuid, "partition_key": context.partition_key,
        **facts,
    }  # fmt: skip
    if prepared.journal is None:
        store.state.put(
            connection_id, validation_key(payroll_uuid), {**validation, "skipped": prepared.skip_reason}
        )
        context.add_output_metadata({"state": "skipped", "skipped": prepared.skip_reason or "", **facts})
        return prepared
    journal = prepared.journal
    header, balance = journal.header, journal.proofs.balance
    record(
        store, connection_id, "payroll", payroll_uuid, "mapped",
        {"mapping_version": header.mapping_version, "reference": header.external_reference,
         "content_hash": header.content_hash, "lines": journal.lines.height,
         "debits_cents": balance.debit_cents, "credits_cents": balance.credit_cents,
         "master_data_version": prepared.master_data_version},
        context,
    )  # fmt: skip
    held_rows = held_line_rows(prepared.reasons(), journal.lines)
    validation.update(reference=header.external_reference, problems=held_rows)
    store.state.put(connection_id, validation_key(payroll_uuid), validation)
    if prepared.held:
        reasons = prepared.reasons()
        store.postings.begin(
            connection_id=connection_id, payroll_uuid=payroll_uuid, payroll_version=prepared.payroll_version,
            external_reference=header.external_reference, content_hash=header.content_hash, state=HELD,
            reasons=reasons, debits_cents=balance.debit_cents, credits_cents=balance.credit_cents,
            line_count=journal.lines.height, run_id=context.run.run_id,
        )  # fmt: skip
        record(store, connection_id, "payroll", payroll_uuid, "held", {"reasons": reasons}, context)
        # The postings asset will not run for a held journal; its event list still shows the held attempt.
        context.log_event(dg.AssetObservation(
            asset_key=dg.AssetKey(["cloudsuite", "journal_postings"]), partition=context.partition_key,
            metadata={"state": "held", "reference": header.external_reference, "held_lines": len(reasons),
                      "reasons": "; ".join(str(r.get("reason")) for r in reasons[:20]),
                      "release": f"connector replay payroll {payroll_uuid}"},
        ))  # fmt: skip
    context.add_output_metadata(
        {
            "state": "held" if prepared.held else "ready",
            **facts,
            "reference": header.external_reference,
            "posting_date": header.posting_date.isoformat(),
            "lines": journal.lines.height,
            "debits": f"{format_cents(balance.debit_cents)} {header.currency}",
            "credits": f"{format_cents(balance.credit_cents)} {header.currency}",
            "balanced": balance.balanced,
            "mapping_version": header.mapping_version or "",
            "content_hash": header.content_hash,
            "held_reasons": len(prepared.problems),
            "held_lines": dg.MetadataValue.md(problems_markdown(held_rows)),
            "master_data_refreshed": bool(master and master.refreshed),
            "journal": dg.MetadataValue.md(lines_markdown(journal.lines)),
        }
    )
    return prepared
