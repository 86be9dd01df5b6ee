"""The inbox sensor routes contractor payment events to one run per connection and payment date."""

from __future__ import annotations

import dagster as dg

from connector_assets.defs.contractors.assets import payment_date_key
from connector_assets.defs.partitions import (
    CONTRACTOR_PAYMENTS,
    contractor_payment_key,
    parse_contractor_payment_key,
)
from connector_assets.defs.resources import ConnectionsResource, GustoResource, StoreResource
from connector_assets.defs.sensors import InboxCursor, contractor_payment_dates, gusto_inbox_sensor
from connector_assets.store.inbox import DISPATCHED, IGNORED
from connector_assets_tests.defs.inbox_events import add_event

PAY_A, PAY_B, PAY_C = (
    "04552eb9-7829-4b18-ae96-6983552948df",
    "25cfeb96-17fc-4fdf-8941-57f3fb9eea00",
    "9e1c7a40-6c5b-4f2a-8d3e-1b2c3d4e5f61",
)


def _tick(store: StoreResource, instance: dg.DagsterInstance) -> dg.SensorResult:
    # No connections file: Gusto cannot be asked, so only the dates the store remembers are known.
    gusto = GustoResource(store=store, connections=ConnectionsResource(path="/nonexistent/connections.yaml"))
    with dg.build_sensor_context(
        instance=instance, cursor=None, resources={"store": store, "gusto": gusto}
    ) as ctx:
        result = gusto_inbox_sensor(ctx)
    assert isinstance(result, dg.SensorResult)
    return result


def test_payments_of_one_date_share_one_run(store: StoreResource, instance: dg.DagsterInstance) -> None:
    """Created and cancelled events of payments dated the same day ask for one run of that day's partition;
    an event whose payment nobody can date is ignored (it was never read, so nothing of it was posted)."""
    store.state.put("acme", payment_date_key(PAY_A), "2026-03-13")
    store.state.put("acme", payment_date_key(PAY_B), "2026-03-13")
    ids = [
        add_event(store, "contractor_payment.created", PAY_A),
        add_event(store, "contractor_payment.cancelled", PAY_B),
        add_event(store, "contractor_payment.created", PAY_C),
    ]
    result = _tick(store, instance)
    key = contractor_payment_key("acme", "2026-03-13")
    assert [(r.job_name, r.partition_key) for r in result.run_requests or []] == [("contractor_payment_job", key)]
    added = {
        r.partitions_def_name: list(r.partition_keys)
        for r in result.dynamic_partitions_requests or []
        if isinstance(r, dg.AddDynamicPartitionsRequest)
    }
    assert added[CONTRACTOR_PAYMENTS] == [key]
    rows = {e.id: e.state for e in store.inbox.after(0, limit=100)}
    assert [rows[i or 0] for i in ids] == [DISPATCHED, DISPATCHED, IGNORED]
    assert InboxCursor.parse(result.cursor).last_id == ids[-1]


def test_a_payment_date_is_read_from_the_store_before_gusto(store: StoreResource) -> None:
    """A cancelled payment is gone from Gusto: the date remembered when it was read is used."""
    store.state.put("acme", payment_date_key(PAY_A), "2026-02-20")
    logged: list[str] = []
    gusto = GustoResource(store=store, connections=ConnectionsResource(path="/nonexistent/connections.yaml"))
    lookup = contractor_payment_dates(store, gusto, logged.append)
    assert lookup("acme", PAY_A) == "2026-02-20" and not logged
    assert lookup("acme", PAY_C) is None and PAY_C in logged[0]


def test_contractor_partition_keys_round_trip() -> None:
    key = contractor_payment_key("acme", "2026-03-13")
    assert key == "acme:2026-03-13"
    parts = parse_contractor_payment_key(key)
    assert (parts.connection_id, parts.payment_date.isoformat()) == ("acme", "2026-03-13")
    for bad in ("acme", "acme:not-a-date", ":2026-03-13"):
        try:
            parse_contractor_payment_key(bad)
        except ValueError as exc:
            assert "connection:payment_date" in str(exc)
        else:
            raise AssertionError(f"{bad!r} parsed")
