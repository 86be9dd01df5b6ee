"""The contractor posting asset: each day's checked contractor journal posted exactly once in CloudSuite,
through the payroll posting service (write-ahead, look-up, per-day lock); a day whose content changes in
Gusto (a payment cancelled or added) gets a reversal and a new entry, and a day left empty is reversed."""

from typing import Any

import dagster as dg
from sqlalchemy import Engine

from connector_assets.cloudsuite.erp import Erp
from connector_assets.cloudsuite.errors import JournalRejected
from connector_assets.cloudsuite.posting import to_erp_journal
from connector_assets.cloudsuite.posting_outcomes import Outcome, PostingMismatch, Unchanged
from connector_assets.cloudsuite.posting_service import PostingRequest, PostingService
from connector_assets.defs.contractors.assets import ENTITY, POSTINGS_KEY, contractor_journal
from connector_assets.defs.partitions import contractor_payment_partitions
from connector_assets.defs.resources import CloudSuiteResource, ConnectionsResource, StoreResource
from connector_assets.services.contractors import PreparedContractorJournal
from connector_assets.settings import Connection
from connector_assets.store.audit import AuditLog
from connector_assets.store.locks import PostingLocks
from connector_assets.store.postings import Postings
from connector_assets.store.state import SyncState


class ContractorPostingService(PostingService):
    """The posting service with a day's contractor payments as its subject (audited under their own entity)."""

    def _audit(self, payroll_uuid: str, action: str, detail: dict[str, Any]) -> None:
        self.audit.append(connection_id=self.connection_id, entity_type=ENTITY, entity_id=payroll_uuid,
                          action=action, detail=detail, run_id=self.run_id, asset_key=self.asset_key)  # fmt: skip


def open_contractor_service(
    engine: Engine, erp: Erp, connection: Connection, *, run_id: str | None = None, asset_key: str | None = None
) -> ContractorPostingService:
    return ContractorPostingService(
        erp, Postings(engine), AuditLog(engine), PostingLocks(engine), SyncState(engine),
        connection_id=connection.id, run_id=run_id, asset_key=asset_key,
        confirm_within_s=connection.posting.confirm_within_s,
    )  # fmt: skip


def post_day(service: PostingService, prepared: PreparedContractorJournal) -> Outcome:
    """Bring CloudSuite to hold exactly the day's journal (or nothing, once every payment is cancelled)."""
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
                       payroll_version=prepared.payload_hash, journal=entry, content_hash=header.content_hash)
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
    "reversal and a new entry). Runs only after every blocking check on the journal passed.",
)
def contractor_postings(
    context: dg.AssetExecutionContext,
    prepared: PreparedContractorJournal,
    store: StoreResource,
    cloudsuite: CloudSuiteResource,
    connections: ConnectionsResource,
) -> dg.MaterializeResult:
    if prepared.held:
        raise dg.Failure(f"contractor payments {prepared.subject} are held: {prepared.reasons()[0]['reason']}")
    connection = connections.get(prepared.connection_id)
    erp = cloudsuite.erp(prepared.connection_id)
    service = open_contractor_service(store.engine, erp, connection, run_id=context.run.run_id,
                                      asset_key=context.asset_key.to_user_string())  # fmt: skip
    try:
        outcome = post_day(service, prepared)
    except (PostingMismatch, JournalRejected) as exc:
        raise dg.Failure(str(exc)) from exc
    finally:
        erp.close()
    metadata = {**outcome.metadata(), "erp": erp.flavour, "payment_date": prepared.payment_date.isoformat()}
    if context.run.tags.get("connector/replay") == "true":
        metadata["replayed"] = True
    return dg.MaterializeResult(metadata=metadata)
