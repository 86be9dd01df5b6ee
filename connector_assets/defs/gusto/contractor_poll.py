"""Fallback poll of contractor payments: Gusto's listing over a window around today, compared day by day with
what the last run of that day read; a day that differs goes to the inbox once per content.

Events alone miss a payment whose webhook was dropped and whose event was never read (or aged out of
`/v1/events`); the listing is the ground truth, and a day read since (by a webhook-driven run) compares equal.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from connector_assets import clock
from connector_assets.defs.contractors.assets import DAY_CONTENT_PREFIX
from connector_assets.defs.resources import StoreResource
from connector_assets.defs.routing import CONTRACTOR_DAY_CHANGED
from connector_assets.gusto import contractors as gusto_contractors
from connector_assets.gusto.client import GustoClient
from connector_assets.ledger.contractors import contractor_subject
from connector_assets.settings import Connection


def changed_days(
    listed: dict[str, list[dict[str, Any]]], last_read: dict[str, str], window: tuple[dt.date, dt.date]
) -> list[tuple[str, str]]:
    """`(day, content digest)` of each day in the window whose listed payments differ from the last read.

    A day read before that Gusto now lists empty (every payment cancelled) differs too; a day never read
    and listed empty is nothing."""
    first, last = (d.isoformat() for d in window)
    days = set(listed) | {d for d in last_read if first <= d <= last}
    out = []
    for day in sorted(days):
        digest = gusto_contractors.day_content(listed.get(day, []))
        if last_read.get(day) != digest:
            out.append((day, digest))
    return out


def poll_contractor_days(store: StoreResource, client: GustoClient, connection: Connection) -> tuple[int, int]:
    """Enqueue each changed day of the window; returns (days listed, events added to the inbox)."""
    today, span = clock.today(), dt.timedelta(days=connection.gusto.contractor_poll_days)
    # Gusto takes payments dated ahead of today too (they may be cancelled until their date).
    window = (today - span, today + span)
    listed = gusto_contractors.payments_by_day(client, *window)
    last_read = {
        key.removeprefix(DAY_CONTENT_PREFIX): str(value)
        for key, value in store.state.starting_with(connection.id, DAY_CONTENT_PREFIX).items()
    }
    added = 0
    for day, digest in changed_days(listed, last_read, window):
        event_uuid = f"poll:contractors:{day}:{digest}"
        subject = contractor_subject(day)
        body = {"uuid": event_uuid, "event_type": CONTRACTOR_DAY_CHANGED, "entity_type": "ContractorPayment",
                "entity_uuid": subject, "source": "poll", "payment_date": day,
                "payments": [str(p.get("uuid")) for p in listed.get(day, [])]}  # fmt: skip
        if store.inbox.add(
            connection_id=connection.id, event_uuid=event_uuid, event_type=CONTRACTOR_DAY_CHANGED,
            entity_type="ContractorPayment", entity_uuid=subject, body=json.dumps(body), source="poll",
        ):  # fmt: skip
            added += 1
    return len(listed), added
