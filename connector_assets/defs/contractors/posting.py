"""The contractor posting asset: each day's checked contractor journal posted exactly once in CloudSuite,
through the payroll posting service (write-ahead, look-up, per-day lock); a day whose content changes in
Gusto (a payment cancelled or added) gets a reversal and a new entry, and a day left empty is reversed."""

import dagster as dg

from connector_assets.cloudsuite.errors import JournalRejected
from connector_assets.cloudsuite.posting import approval_key, to_erp_journal
from connector_assets.cloudsuite.posting_outcomes import Held, Outcome, PostingMismatch, Unchanged
from connector_assets.cloudsuite.posting_service import PostingRequest, PostingService, open_service
from connector_assets.defs.contractors.assets import POSTINGS_KEY, contractor_journal
from connector_assets.defs.partitions import contractor_payment_partitions
from connector_assets.defs.resources import CloudSuiteResource, ConnectionsResource, StoreResource
from connector_assets.services.contractors import PreparedContractorJournal
from connector_assets.subjects import subject_label


def post_day(
    service: PostingService, prepared: PreparedContractorJournal, *, require_approval: bool = False
) -> Outcome:
    """Bring CloudSuite to hold exactly the day's journal (or nothing, once every payment is cancelled); with
    `require_approval`, the journal waits until its content is approved (`connector approve contractor-payments`)."""
    journal = prepared.journal
    if journal is None:
        return service.withdraw(prepared.subject, prepared.skip_reason or "nothing to post")
    if journal.lines.height == 0:
        return Unchanged("the day's payments have no amounts", journal.header.external_reference)
    header = journal.header
    entry = to_erp_journal(journal.lines, reference=header.external_reference, posting_date=header.posting_date,
                           description=header.description, currency=header.currency)  # fmt: skip
    return service.post(
        PostingRequest(connection_id=prepared.connection_id, payroll_uuid=prepared.subject,
                       payroll_version=prepared.payload_hash, journal=entry, content_hash=header.content_hash,
                       require_approval=require_approval)
    )  # fmt: skip


@dg.asset(
    key=POSTINGS_KEY,
    group_name="cloudsuite",
    partitions_def=contractor_payment_partitions,
    ins={"prepared": dg.AssetIn(key=contractor_journal.key)},
    owners=["team:finance-systems"],
    tags={"system": "cloudsuite", "domain": "general_ledger"},
    kinds={"infor"},
    description="The day's contractor journal as posted in CloudSuite (exactly once per content; changes post a "
    "reversal and a new entry). Runs only after every blocking check on the journal passed; with "
    "posting.require_approval, waits for `connector approve contractor-payments`.",
)
def contractor_postings(
    context: dg.AssetExecutionContext,
    prepared: PreparedContractorJournal,
    store: StoreResource,
    cloudsuite: CloudSuiteResource,
    connections: ConnectionsResource,
) -> dg.MaterializeResult:
    if prepared.held:
        raise dg.Failure(f"{subject_label(prepared.subject)} are held: {prepared.reasons()[0]['reason']}")
    connection = connections.get(prepared.connection_id)
    erp = cloudsuite.erp(prepared.connection_id)
    service = open_service(store.engine, erp, connection, run_id=context.run.run_id,
                           asset_key=context.asset_key.to_user_string())  # fmt: skip
    try:
        outcome = post_day(service, prepared, require_approval=connection.posting.require_approval)
    except (PostingMismatch, JournalRejected) as exc:
        raise dg.Failure(str(exc)) from exc
    finally:
        erp.close()
    metadata = {**outcome.metadata(), "erp": erp.flavour, "payment_date": prepared.payment_date.isoformat()}
    if prepared.journal is not None and not isinstance(outcome, Held):
        approval = store.state.get(prepared.connection_id,
                                   approval_key(prepared.subject, prepared.journal.header.content_hash))  # fmt: skip
        if approval:
            metadata["approved_by"] = f"{approval['by']} at {approval['at']}"
    if context.run.tags.get("connector/replay") == "true":
        metadata["replayed"] = True
    return dg.MaterializeResult(metadata=metadata)
