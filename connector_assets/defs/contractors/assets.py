"""Contractor payment assets, one partition per connection and payment date: Gusto's payments as read, then
their journal (with every reason it may not post). The posting is `defs.contractors.posting`."""

from typing import Any

import dagster as dg

from connector_assets.defs.audit import record
from connector_assets.defs.cloudsuite.master_data_assets import cost_centers, gl_accounts
from connector_assets.defs.gusto.assets import payload_hash
from connector_assets.defs.ledger.presentation import held_line_rows, lines_markdown, problems_markdown
from connector_assets.defs.partitions import contractor_payment_partitions, parse_contractor_payment_key
from connector_assets.defs.resources import CloudSuiteResource, ConnectionsResource, GustoResource, StoreResource
from connector_assets.gusto import contractors as gusto_contractors
from connector_assets.ledger.contractors import CONTRACTOR_ENTITY, contractor_subject
from connector_assets.ledger.money import format_cents, to_cents
from connector_assets.mapping.contractors import contractor_name
from connector_assets.services.contractors import (
    PreparedContractorJournal,
    prepare_contractor_journal,
    read_contractor_day,
)
from connector_assets.store.postings import HELD
from connector_assets.subjects import replay_command

ENTITY = CONTRACTOR_ENTITY
ALL = dg.AllPartitionMapping()
POSTINGS_KEY = dg.AssetKey(["cloudsuite", "contractor_postings"])


def validation_key(subject: str) -> str:
    """Where a run leaves its journal's validation for the checks (sync_state key)."""
    return f"validation:{subject}"


DAY_CONTENT_PREFIX = "contractor_day_content:"


def day_content_key(day: str) -> str:
    """Where the content digest of a day's payments as last read is kept; the fallback poll compares Gusto's
    listing with it to find a day whose payments changed without an event reaching the inbox."""
    return f"{DAY_CONTENT_PREFIX}{day}"


def payment_date_key(payment_uuid: str) -> str:
    """Where a payment's date is remembered, so its cancellation (Gusto then answers 404) finds its partition."""
    return f"contractor_payment_date:{payment_uuid}"


@dg.asset(
    key=["gusto", "contractor_payments"],
    group_name="gusto",
    partitions_def=contractor_payment_partitions,
    owners=["team:finance-systems"],
    tags={"system": "gusto", "domain": "payroll"},
    kinds={"gusto"},
    retry_policy=dg.RetryPolicy(max_retries=2, delay=10, backoff=dg.Backoff.EXPONENTIAL),
    description="A connection's Gusto contractor payments of one payment date, with the contractors they pay "
    "(re-read on every run, never trusted from the event).",
)
def contractor_payments(
    context: dg.AssetExecutionContext, store: StoreResource, gusto: GustoResource
) -> dict[str, Any]:
    key = parse_contractor_payment_key(context.partition_key)
    with gusto.client(key.connection_id) as client:
        batch = read_contractor_day(client, key.payment_date)
    for payment in batch["payments"]:
        store.state.put(key.connection_id, payment_date_key(str(payment.get("uuid"))), batch["date"])
    store.state.put(
        key.connection_id, day_content_key(batch["date"]), gusto_contractors.day_content(batch["payments"])
    )
    digest = payload_hash(batch)
    subject = contractor_subject(key.payment_date)
    names = {str(c.get("uuid")): contractor_name(c) for c in batch["contractors"]}
    record(
        store, key.connection_id, ENTITY, subject, "read",
        {"payments": [p.get("uuid") for p in batch["payments"]], "payload_hash": digest, "total": batch["total"]},
        context,
    )  # fmt: skip
    total = batch["total"] or {}
    context.add_output_metadata(
        {
            "payment_date": batch["date"],
            "payments": len(batch["payments"]),
            "contractors": ", ".join(
                sorted({names.get(str(p.get("contractor_uuid")), "?") for p in batch["payments"]})
            ),
            "wages": format_cents(to_cents(total.get("wages"), "total.wages")),
            "reimbursements": format_cents(to_cents(total.get("reimbursements"), "total.reimbursements")),
            "payload_hash": digest,
        }
    )
    return batch


@dg.asset(
    key=["ledger", "contractor_journal"],
    group_name="ledger",
    partitions_def=contractor_payment_partitions,
    ins={"batch": dg.AssetIn(key=["gusto", "contractor_payments"])},
    deps=[
        dg.AssetDep(gl_accounts, partition_mapping=ALL),
        dg.AssetDep(cost_centers, partition_mapping=ALL),
        dg.AssetDep(dg.AssetKey(["ledger", "mapping"]), partition_mapping=ALL),
    ],
    owners=["team:finance-systems"],
    tags={"domain": "general_ledger"},
    kinds={"polars"},
    description="The day's contractor journal in integer cents: expense per contractor (wages, bonus, "
    "reimbursement) against the cash or clearing account of each payment method, with every reason it may not post.",
)
def contractor_journal(
    context: dg.AssetExecutionContext,
    batch: dict[str, Any],
    store: StoreResource,
    cloudsuite: CloudSuiteResource,
    connections: ConnectionsResource,
) -> PreparedContractorJournal:
    key = parse_contractor_payment_key(context.partition_key)
    connection = connections.get(key.connection_id)
    subject = contractor_subject(key.payment_date)
    history = store.postings.for_payroll(connection.id, subject)
    if history:
        record(store, connection.id, ENTITY, subject, "replayed", {"earlier_postings": len(history)}, context)
    erp = cloudsuite.erp(connection.id)
    try:
        prepared = prepare_contractor_journal(batch, connection, erp, store.snapshots, store.postings,
                                              payload_hash(batch))  # fmt: skip
    finally:
        erp.close()
    validation: dict[str, Any] = {"run_id": context.run.run_id, "partition_key": context.partition_key,
                                  "payment_date": batch["date"]}  # fmt: skip
    if prepared.journal is None:
        store.state.put(connection.id, validation_key(subject), {**validation, "skipped": prepared.skip_reason})
        context.add_output_metadata({"state": "skipped", "skipped": prepared.skip_reason or ""})
        return prepared
    journal = prepared.journal
    header, balance = journal.header, journal.proofs.balance
    record(
        store, connection.id, ENTITY, subject, "mapped",
        {"mapping_version": header.mapping_version, "reference": header.external_reference,
         "content_hash": header.content_hash, "lines": journal.lines.height, "debits_cents": balance.debit_cents,
         "credits_cents": balance.credit_cents, "master_data_version": prepared.master_data_version},
        context,
    )  # fmt: skip
    held_rows = held_line_rows(prepared.reasons(), journal.lines)
    store.state.put(connection.id, validation_key(subject),
                    {**validation, "reference": header.external_reference, "problems": held_rows})  # fmt: skip
    if prepared.held:
        reasons = prepared.reasons()
        store.postings.begin(
            connection_id=connection.id, payroll_uuid=subject, payroll_version=prepared.payload_hash,
            external_reference=header.external_reference, content_hash=header.content_hash, state=HELD,
            reasons=reasons, debits_cents=balance.debit_cents, credits_cents=balance.credit_cents,
            line_count=journal.lines.height, run_id=context.run.run_id,
        )  # fmt: skip
        record(store, connection.id, ENTITY, subject, "held", {"reasons": reasons}, context)
        context.log_event(dg.AssetObservation(
            asset_key=POSTINGS_KEY, partition=context.partition_key,
            metadata={"state": "held", "reference": header.external_reference, "held_lines": len(reasons),
                      "reasons": "; ".join(str(r.get("reason")) for r in reasons[:20]),
                      "release": replay_command(subject, connection.id)},
        ))  # fmt: skip
    context.add_output_metadata(
        {
            "state": "held" if prepared.held else "ready",
            "payment_date": batch["date"],
            "reference": header.external_reference,
            "lines": journal.lines.height,
            "debits": f"{format_cents(balance.debit_cents)} {header.currency}",
            "credits": f"{format_cents(balance.credit_cents)} {header.currency}",
            "balanced": balance.balanced,
            "content_hash": header.content_hash,
            "notes": "; ".join(journal.proofs.notes) or "none",
            "held_lines": dg.MetadataValue.md(problems_markdown(held_rows)),
            "journal": dg.MetadataValue.md(lines_markdown(journal.lines)),
        }
    )
    return prepared
