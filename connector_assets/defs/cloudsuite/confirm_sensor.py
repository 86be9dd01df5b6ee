"""The confirmation step for journals CloudSuite accepted but has not created yet (asynchronous posting).

Every tick looks each connection's submitted postings up through the posting service: a document found is
recorded (a materialization of the payroll's, month's or contractor day's partition with its document id), one
still missing past the connection's `posting.confirm_within_s` is reported as an observation with the reason.
"""

import dagster as dg

from connector_assets.cloudsuite.posting_outcomes import Posted
from connector_assets.cloudsuite.posting_service import open_service
from connector_assets.defs.cloudsuite.accrual_assets import ACCRUAL_KEY
from connector_assets.defs.cloudsuite.posting_assets import POSTINGS_KEY
from connector_assets.defs.cloudsuite.release import CONTRACTOR_POSTINGS
from connector_assets.defs.partitions import contractor_payment_key, period_key, resolve_payroll_key
from connector_assets.defs.resources import CloudSuiteResource, ConnectionsResource, StoreResource
from connector_assets.ledger.accrual import is_accrual_entity, period_of_entity
from connector_assets.ledger.contractors import contractor_day, is_contractor_subject
from connector_assets.store.postings import SUBMITTED

AssetEvent = dg.AssetMaterialization | dg.AssetObservation


def confirmation_events(
    instance: dg.DagsterInstance,
    store: StoreResource,
    cloudsuite: CloudSuiteResource,
    connections: ConnectionsResource,
) -> list[AssetEvent]:
    """Confirm every connection's submitted postings; one asset event per posting that was looked up."""
    events: list[AssetEvent] = []
    for connection in connections.file.connections:
        if not store.postings.in_state(SUBMITTED, connection.id):
            continue
        erp = cloudsuite.erp(connection.id)
        try:
            outcomes = open_service(store.engine, erp, connection).confirm_submitted()
        finally:
            erp.close()
        for payroll_uuid, outcome in outcomes:
            # An accrual entry belongs to its month's accrual partition, a contractor day's journal to its
            # payment date's partition, a payroll's to its payroll partition.
            if is_accrual_entity(payroll_uuid):
                key, partition = ACCRUAL_KEY, period_key(connection.id, period_of_entity(payroll_uuid))
            elif is_contractor_subject(payroll_uuid):
                key = CONTRACTOR_POSTINGS
                partition = contractor_payment_key(connection.id, contractor_day(payroll_uuid))
            else:
                key, partition = POSTINGS_KEY, resolve_payroll_key(instance, connection.id, payroll_uuid, None)
            metadata = {**outcome.metadata(), "erp": erp.flavour}
            if isinstance(outcome, Posted):
                events.append(dg.AssetMaterialization(key, partition=partition, metadata=metadata))
            elif outcome.overdue_reason:
                events.append(dg.AssetObservation(key, partition=partition, metadata=metadata))
    return events


@dg.sensor(
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Confirms journals CloudSuite accepted asynchronously: records the document id once it exists, "
    "reports a posting still unconfirmed past posting.confirm_within_s.",
)
def posting_confirmation_sensor(
    context: dg.SensorEvaluationContext,
    store: StoreResource,
    cloudsuite: CloudSuiteResource,
    connections: ConnectionsResource,
) -> dg.SensorResult:
    events = confirmation_events(context.instance, store, cloudsuite, connections)
    if events:
        context.log.info(f"{len(events)} submitted posting(s) confirmed or overdue")
    return dg.SensorResult(asset_events=events)
