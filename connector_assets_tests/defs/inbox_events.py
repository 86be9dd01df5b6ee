"""Inbox events for sensor tests, written as the receiver or the fallback poll would write them."""

from __future__ import annotations

import json
import uuid

from sqlalchemy import Engine

from connector_assets.defs.resources import StoreResource
from connector_assets.store.crypto import SecretCipher


def store_for(engine: Engine) -> StoreResource:
    """A StoreResource on the same database as `engine`."""
    url = engine.url.render_as_string(hide_password=False)
    return StoreResource(database_url=url, encryption_key=SecretCipher.generate_key())


def add_event(
    store: StoreResource,
    event_type: str,
    entity_uuid: str | None = None,
    *,
    connection: str = "acme",
    source: str = "webhook",
    event_uuid: str | None = None,
    check_date: str | None = None,
) -> int | None:
    """Put one Gusto event in the inbox (as the receiver or the poll would) and return its inbox id."""
    entity_type = {"payroll": "Payroll", "employee": "Employee"}.get(event_type.split(".")[0], "Other")
    event_uuid = event_uuid or str(uuid.uuid4())
    body = {"uuid": event_uuid, "event_type": event_type, "entity_type": entity_type, "entity_uuid": entity_uuid}
    if check_date:  # the fallback poll puts the payroll's check date in the body
        body["check_date"] = check_date
    return store.inbox.add(
        connection_id=connection,
        event_uuid=event_uuid,
        event_type=event_type,
        entity_type=entity_type,
        entity_uuid=entity_uuid,
        body=json.dumps(body),
        source=source,
    )
