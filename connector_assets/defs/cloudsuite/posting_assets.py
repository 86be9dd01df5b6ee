"""The posting asset: each checked payroll journal posted exactly once in CloudSuite, reversals included.

The decisions live in `cloudsuite.posting_service`; this asset only turns its outcome into metadata (and an
observation when the payroll is held), so the partition's event list tells the posting's story.
"""

import dagster as dg

from connector_assets.cloudsuite.errors import JournalRejected
from connector_assets.cloudsuite.posting import approval_key, to_erp_journal
from connector_assets.cloudsuite.posting_outcomes import Held, Outcome, Posted, PostingMismatch, Unchanged
from connector_assets.cloudsuite.posting_service import PostingRequest, PostingService, open_service
from connector_assets.defs.ledger.assets import journal_lines
from connector_assets.defs.ledger.presentation import lines_markdown
from connector_assets.defs.partitions import payroll_partitions
from connector_assets.defs.resources import CloudSuiteResource, ConnectionsResource, StoreResource
from connector_assets.services.prepare import PreparedJournal
from connector_assets.settings import Connection

POSTINGS_KEY = dg.AssetKey(["cloudsuite", "journal_postings"])


def _held_observation(context: dg.AssetExecutionContext, prepared: PreparedJournal) -> dg.AssetObservation:
    reasons = prepared.reasons()
    return dg.AssetObservation(
        asset_key=POSTINGS_KEY,
        partition=context.partition_key,
        metadata={"state": "held", "reasons": "; ".join(str(r.get("reason")) for r in reasons[:20]),
                  "held_lines": len(reasons), "release": f"connector replay payroll {prepared.payroll_uuid}"},
    )  # fmt: skip


def _post(service: PostingService, prepared: PreparedJournal, connection: Connection) -> Outcome:
    journal = prepared.journal
    reason = prepared.skip_reason or "nothing to post"
    if journal is None and prepared.reversed_by:
        # Reversed in Gusto: the reversal payroll posts the negated amounts; here the original is only closed.
        closed = [r for uuid in prepared.reversed_by
                  for r in service.close_reversed_original(prepared.payroll_uuid, uuid)]  # fmt: skip
        return closed[0] if len(closed) == 1 else Unchanged(reason, reversals=tuple(closed))
    if journal is None:
        return service.withdraw(prepared.payroll_uuid, reason)
    if journal.lines.height == 0:
        # A processed payroll that paid nobody (a pay schedule with no one on it) has nothing to post.
        return Unchanged("the payroll has no amounts", journal.header.external_reference)
    header = journal.header
    reverses = service.original_reference(prepared.reversal_of) if prepared.reversal_of else None
    entry = to_erp_journal(
        journal.lines, reference=header.external_reference, posting_date=header.posting_date,
        description=f"Reversal of {reverses}" if reverses else header.description, currency=header.currency,
    )  # fmt: skip
    request = PostingRequest(
        connection_id=prepared.connection_id, payroll_uuid=prepared.payroll_uuid,
        payroll_version=prepared.payroll_version, journal=entry, content_hash=header.content_hash,
        reverses_reference=reverses, require_approval=connection.posting.require_approval,
    )  # fmt: skip
    outcome = service.post(request)
    if prepared.reversal_of and isinstance(outcome, Posted):
        service.close_reversed_original(prepared.reversal_of, prepared.payroll_uuid)
    if isinstance(outcome, Posted | Unchanged):
        for reversal_uuid in prepared.reversed_by:  # an original first seen already reversed posts, then closes
            service.close_reversed_original(prepared.payroll_uuid, reversal_uuid)
    return outcome


@dg.asset(
    key=POSTINGS_KEY,
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
    if prepared.held:
        context.log_event(_held_observation(context, prepared))
        raise dg.Failure(f"payroll {prepared.payroll_uuid} is held: {prepared.reasons()[0]['reason']}")
    connection = connections.get(prepared.connection_id)
    erp = cloudsuite.erp(prepared.connection_id)
    service = open_service(store.engine, erp, connection, run_id=context.run.run_id,
                           asset_key=context.asset_key.to_user_string())  # fmt: skip
    try:
        outcome = _post(service, prepared, connection)
    except (PostingMismatch, JournalRejected) as exc:
        raise dg.Failure(str(exc)) from exc
    finally:
        erp.close()
    metadata = {**outcome.metadata(), "erp": erp.flavour}
    if prepared.journal is not None and not isinstance(outcome, Held):
        approval = store.state.get(prepared.connection_id,
                                   approval_key(prepared.payroll_uuid, prepared.journal.header.content_hash))  # fmt: skip
        if approval:
            metadata["approved_by"] = f"{approval['by']} at {approval['at']}"
        # The lines as posted, beside the document id, so the posting reads on its own in the UI.
        metadata["journal"] = dg.MetadataValue.md(lines_markdown(prepared.journal.lines))
    if context.run.tags.get("connector/replay") == "true":
        metadata["replayed"] = True
    return dg.MaterializeResult(metadata=metadata)
