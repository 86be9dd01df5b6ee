"""The confirmation step in the end-to-end deployments, as the posting confirmation sensor runs it.

The simulated tenants are strict: M3 creates vouchers in the background after `voucher_delay_s` (simulator
clock). A run that ended with its posting submitted is confirmed here the way production confirms it: the
tenants' background jobs are given their time by moving their clocks (never by sleeping), then the sensor's
step looks every submitted posting up and records what it finds.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

import dagster as dg

from connector_assets.defs.cloudsuite.confirm_sensor import confirmation_events
from connector_assets.defs.resources import CloudSuiteResource, ConnectionsResource, StoreResource
from connector_assets.demo.environment import Tenant
from connector_assets.store.postings import SUBMITTED


def sensor_resources() -> tuple[StoreResource, CloudSuiteResource, ConnectionsResource]:
    """The sensor's resources as the daemon builds them from the environment the deployment last exported
    (the Definitions hold the encryption key as an `EnvVar`, which only Dagster resolves)."""
    import connector_assets.definitions as definitions  # the Definitions the deployment last loaded

    store = StoreResource(database_url=definitions.store.database_url,
                          encryption_key=os.environ["CONNECTOR_ENCRYPTION_KEY"])  # fmt: skip
    connections = definitions.connections
    return store, CloudSuiteResource(store=store, connections=connections), connections


def confirm_submitted(instance: dg.DagsterInstance, tenants: Iterable[Tenant]) -> int:
    """Confirm the deployment's submitted postings (one sensor tick); returns how many were looked up."""
    store, cloudsuite, connections = sensor_resources()
    tenants = list(tenants)
    if not any(store.postings.in_state(SUBMITTED, t.connection_id) for t in tenants):
        return 0
    for tenant in tenants:
        tenant.ion.advance_clock(tenant.ion.config.voucher_delay_s)
    events = confirmation_events(instance, store, cloudsuite, connections)
    for event in events:
        instance.report_runless_asset_event(event)
    return len(events)
