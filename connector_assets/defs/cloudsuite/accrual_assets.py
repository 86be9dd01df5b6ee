"""The period-end accrual asset: earned, unpaid wages and employer cost, posted on the month's last day with
its reversal on the next month's first day, each exactly once (the posting service's write-ahead, look-up
and lock, as for payrolls). Off unless the connection sets `posting.accrual.enabled`.
"""

from typing import Any

import dagster as dg

from connector_assets import clock
from connector_assets.cloudsuite.errors import JournalRejected
from connector_assets.cloudsuite.posting_outcomes import Outcome, PostingMismatch
from connector_assets.cloudsuite.posting_service import PostingRequest, PostingService, open_service
from connector_assets.defs.partitions import parse_period_key, period_partitions
from connector_assets.defs.resources import CloudSuiteResource, ConnectionsResource, GustoResource, StoreResource
from connector_assets.ledger.accrual import Accrual, AccrualError, Period, accrual_entity, reversal_entity
from connector_assets.ledger.accrual_text import accrual_text, lines_table
from connector_assets.ledger.money import format_cents
from connector_assets.services.accrual import entry_hash, entry_journal, prepare_accrual

ACCRUAL_KEY = dg.AssetKey(["cloudsuite", "payroll_accrual"])


def post_accrual(service: PostingService, accrual: Accrual, currency: str) -> tuple[Outcome, Outcome]:
    """Post the accrual and its reversal (each once per content); with nothing to accrue, withdraw both."""
    period = accrual.period
    version = str(period)
    if not accrual.lines:
        reason = f"nothing to accrue for {period}"
        return service.withdraw(accrual_entity(period), reason), service.withdraw(reversal_entity(period), reason)
    entry = entry_journal(accrual.lines, posting_date=accrual.posting_date,
                          description=f"Payroll accrual {period}", currency=currency)  # fmt: skip
    posted = service.post(PostingRequest(service.connection_id, accrual_entity(period), version, entry,
                                         entry_hash(entry)))  # fmt: skip
    reverses = getattr(posted, "reference", None)
    reversal = entry_journal(accrual.reversal_lines(), posting_date=accrual.reversal_date,
                             description=f"Reversal of payroll accrual {period}", currency=currency)  # fmt: skip
    undone = service.post(PostingRequest(service.connection_id, reversal_entity(period), version, reversal,
                                         entry_hash(reversal), reverses_reference=reverses))  # fmt: skip
    return posted, undone


@dg.asset(
    key=ACCRUAL_KEY,
    group_name="cloudsuite",
    partitions_def=period_partitions,
    owners=["team:finance-systems"],
    tags={"system": "cloudsuite", "domain": "general_ledger"},
    kinds={"infor"},
    description="Month-end accrual of wages and employer cost earned but not yet paid, posted on the month's "
    "last day with its reversal on the next month's first day, each exactly once (per connection, opt-in).",
)
def payroll_accrual(
    context: dg.AssetExecutionContext,
    store: StoreResource,
    gusto: GustoResource,
    cloudsuite: CloudSuiteResource,
    connections: ConnectionsResource,
) -> dg.MaterializeResult:
    connection_id, text = parse_period_key(context.partition_key)
    connection = connections.get(connection_id)
    period = Period.parse(text)
    if not connection.posting.accrual.enabled:
        return dg.MaterializeResult(metadata={"state": "off", "period": text,
                                              "note": "posting.accrual.enabled is false: nothing accrued"})  # fmt: skip
    if clock.today() <= period.last_day:
        raise dg.Failure(f"period {period} ends on {period.last_day}; its accrual runs once the period has ended")
    erp = cloudsuite.erp(connection_id)
    try:
        with gusto.client(connection_id) as client:
            accrual = prepare_accrual(period, connection, client, erp, store.snapshots, store.postings,
                                      store.assignments)  # fmt: skip
        service = open_service(store.engine, erp, connection, run_id=context.run.run_id,
                               asset_key=context.asset_key.to_user_string())  # fmt: skip
        posted, reversal = post_accrual(service, accrual, connection.cloudsuite.currency)
    except (AccrualError, PostingMismatch, JournalRejected) as exc:
        raise dg.Failure(str(exc)) from exc
    finally:
        erp.close()
    currency = connection.cloudsuite.currency
    metadata: dict[str, Any] = {
        "period": text,
        "posting_date": accrual.posting_date.isoformat(),
        "reversal_date": accrual.reversal_date.isoformat(),
        "accrued_wages": f"{format_cents(accrual.wages_cents)} {currency}",
        "accrued_employer_cost": f"{format_cents(accrual.employer_cents)} {currency}",
        "balanced": accrual.debit_cents == accrual.credit_cents,
        "computation": dg.MetadataValue.md("\n".join(f"- {line}" for line in accrual_text(accrual))),
        "accrual_lines": dg.MetadataValue.md(lines_table(accrual.lines)),
        "erp": erp.flavour,
    }
    metadata.update({f"accrual_{k}": v for k, v in posted.metadata().items()})
    metadata.update({f"reversal_{k}": v for k, v in reversal.metadata().items()})
    return dg.MaterializeResult(metadata=metadata)
