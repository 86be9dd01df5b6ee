"""The posting asset: each checked payroll journal posted exactly once in CloudSuite, reversals included."""

import dagster as dg

from connector_assets.cloudsuite.erp import Erp
from connector_assets.cloudsuite.posting import (
    APPROVAL,
    approval_key,
    journal_from_json,
    journal_to_json,
    post_once,
    reversal_of,
    to_erp_journal,
)
from connector_assets.defs.audit import record
from connector_assets.defs.ledger.assets import journal_lines
from connector_assets.defs.ledger.prepare import PreparedJournal
from connector_assets.defs.partitions import payroll_partitions
from connector_assets.defs.resources import CloudSuiteResource, ConnectionsResource, StoreResource
from connector_assets.ledger.money import format_cents
from connector_assets.ledger.reference import external_reference
from connector_assets.store.postings import HELD, POSTED, REVERSED, Posting


def _reverse(
    context: dg.AssetExecutionContext, store: StoreResource, erp: Erp, prepared: PreparedJournal, old: Posting
) -> str:
    """Post the reversing entry of a posted journal and mark the original reversed; returns its document id."""
    if old.journal is None:
        raise dg.Failure(f"posting {old.external_reference} has no stored journal to reverse; reverse it by hand")
    original = journal_from_json(old.journal)
    revision = int(old.external_reference.rsplit("-", 1)[1])
    reference = external_reference(prepared.connection_id, prepared.payroll_uuid, revision, reversal=True)
    entry = reversal_of(original, reference, original.posting_date)
    store.postings.begin(
        connection_id=prepared.connection_id, payroll_uuid=prepared.payroll_uuid,
        payroll_version=prepared.payroll_version, external_reference=reference, content_hash=old.content_hash,
        kind="reversal", reverses_reference=old.external_reference, journal=journal_to_json(entry),
        debits_cents=entry.debit_cents, credits_cents=entry.credit_cents, line_count=len(entry.lines),
        run_id=context.run_id,
    )  # fmt: skip
    posted = post_once(erp, store.postings, entry)
    store.postings.mark_reversed(old.external_reference)
    record(
        store, prepared.connection_id, "payroll", prepared.payroll_uuid, "reversed",
        {"original_reference": old.external_reference, "original_document_id": old.document_id,
         "reversal_reference": reference, "reversal_document_id": posted.document_id},
        context,
    )  # fmt: skip
    return posted.document_id


def _original_reference(store: StoreResource, conn_id: str, original_uuid: str) -> str:
    """The reference of the original payroll's posted journal (what a Gusto reversal payroll reverses)."""
    rows = [
        p
        for p in store.postings.for_payroll(conn_id, original_uuid)
        if p.kind == "journal" and p.state in (POSTED, REVERSED)
    ]
    return rows[-1].external_reference if rows else f"payroll {original_uuid}"


def _close_reversed_original(
    context: dg.AssetExecutionContext, store: StoreResource, conn_id: str, original_uuid: str, reversal_uuid: str
) -> list[str]:
    """Once a Gusto reversal payroll is posted, the original's posted journal is reversed: mark it so.

    Called from both payrolls' runs, since either may run first; returns the references it marked.
    """
    reversal_posted = any(
        p.kind == "journal" and p.state == POSTED for p in store.postings.for_payroll(conn_id, reversal_uuid)
    )
    if not reversal_posted:
        return []
    live = [
        p for p in store.postings.for_payroll(conn_id, original_uuid) if p.kind == "journal" and p.state == POSTED
    ]
    for old in live:
        store.postings.mark_reversed(old.external_reference)
        record(
            store, conn_id, "payroll", original_uuid, "reversed",
            {"original_reference": old.external_reference, "original_document_id": old.document_id,
             "reversal_payroll_uuid": reversal_uuid},
            context,
        )  # fmt: skip
    return [p.external_reference for p in live]


@dg.asset(
    key=["cloudsuite", "journal_postings"],
    group_name="cloudsuite",
    partitions_def=payroll_partitions,
    ins={"prepared": dg.AssetIn(key=journal_lines.key)},
    owners=["team:finance-systems"],
    tags={"system": "cloudsuite", "domain": "general_ledger"},
    kinds={"infor"},
    description="The payroll's journal as posted in CloudSuite (exactly once per content; changes post a reversal "
    "and a new entry). Runs only after every blocking check on the journal passed.",
)
def journal_postings(
    context: dg.AssetExecutionContext,
    prepared: PreparedJournal,
    store: StoreResource,
    cloudsuite: CloudSuiteResource,
    connections: ConnectionsResource,
) -> dg.MaterializeResult:
    conn_id, payroll_uuid = prepared.connection_id, prepared.payroll_uuid
    if prepared.held:
        raise dg.Failure(f"payroll {payroll_uuid} is held: {prepared.reasons()[0]['reason']}")
    plan, journal = prepared.plan, prepared.journal
    connection = connections.get(conn_id)
    erp = cloudsuite.erp(conn_id)
    try:
        reversed_docs = [_reverse(context, store, erp, prepared, old) for old in plan.reverse]
        if journal is None or not plan.post_new:
            closed = [
                ref
                for reversal_uuid in prepared.reversed_by
                for ref in _close_reversed_original(context, store, conn_id, payroll_uuid, reversal_uuid)
            ]
            state = "reversed" if reversed_docs or closed else "unchanged"
            detail = prepared.skip_reason or "already posted with the same content"
            if journal is not None and plan.already_posted:
                record(store, conn_id, "payroll", payroll_uuid, "unchanged",
                       {"reference": plan.already_posted.external_reference}, context)  # fmt: skip
            return dg.MaterializeResult(
                metadata={
                    "state": state,
                    "detail": detail,
                    "document_id": (plan.already_posted.document_id if plan.already_posted else None) or "",
                    "reversal_documents": ", ".join(reversed_docs),
                }
            )
        header = journal.header
        if journal.lines.height == 0:
            # A processed payroll that paid nobody (e.g. a pay schedule with no one on it) has nothing to post.
            record(store, conn_id, "payroll", payroll_uuid, "unchanged",
                   {"reference": header.external_reference, "reason": "no amounts to post"}, context)  # fmt: skip
            return dg.MaterializeResult(
                metadata={"state": "nothing_to_post", "detail": "the payroll has no amounts",
                          "reversal_documents": ", ".join(reversed_docs)}
            )  # fmt: skip
        if connection.posting.require_approval and not store.state.get(
            conn_id, approval_key(payroll_uuid, header.content_hash)
        ):
            reason = f"awaiting approval: connector approve payroll {payroll_uuid} --by NAME"
            store.postings.begin(
                connection_id=conn_id, payroll_uuid=payroll_uuid, payroll_version=prepared.payroll_version,
                external_reference=header.external_reference, content_hash=header.content_hash, state=HELD,
                reasons=[{"check": APPROVAL, "line_no": None, "value": None, "reason": reason}],
                run_id=context.run_id,
            )  # fmt: skip
            record(store, conn_id, "payroll", payroll_uuid, "awaiting_approval",
                   {"reference": header.external_reference, "content_hash": header.content_hash}, context)  # fmt: skip
            return dg.MaterializeResult(metadata={"state": "awaiting_approval", "release": reason})
        reverses = _original_reference(store, conn_id, prepared.reversal_of) if prepared.reversal_of else None
        entry = to_erp_journal(
            journal.lines, reference=header.external_reference, posting_date=header.posting_date,
            description=(f"Reversal of {reverses}" if reverses else header.description),
            currency=header.currency,
        )  # fmt: skip
        store.postings.begin(
            connection_id=conn_id, payroll_uuid=payroll_uuid, payroll_version=prepared.payroll_version,
            external_reference=header.external_reference, content_hash=header.content_hash,
            reverses_reference=reverses, journal=journal_to_json(entry),
            debits_cents=entry.debit_cents, credits_cents=entry.credit_cents, line_count=len(entry.lines),
            run_id=context.run_id,
        )  # fmt: skip
        posted = post_once(erp, store.postings, entry)
    finally:
        erp.close()
    if prepared.reversal_of:
        _close_reversed_original(context, store, conn_id, prepared.reversal_of, payroll_uuid)
    for reversal_uuid in prepared.reversed_by:  # an original first seen already reversed posts, then closes
        _close_reversed_original(context, store, conn_id, payroll_uuid, reversal_uuid)
    record(
        store, conn_id, "payroll", payroll_uuid, "posted",
        {"reference": header.external_reference, "document_id": posted.document_id,
         "debits_cents": entry.debit_cents, "credits_cents": entry.credit_cents, "lines": len(entry.lines),
         "reverses": reverses, "reversal_of_payroll": prepared.reversal_of},
        context,
    )  # fmt: skip
    return dg.MaterializeResult(
        metadata={
            "state": "posted",
            "reference": header.external_reference,
            "document_id": posted.document_id,
            "posting_date": header.posting_date.isoformat(),
            "lines": len(entry.lines),
            "debits": format_cents(entry.debit_cents),
            "credits": format_cents(entry.credit_cents),
            "erp": erp.flavour,
            "reversal_documents": ", ".join(reversed_docs),
        }
    )
