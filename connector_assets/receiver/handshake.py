"""Keep the verification token of a new subscription (gusto-api.md §10.2), encrypted, as the HMAC key.

The handshake is not signed, so anyone can send one. A handshake therefore never replaces a token
already held: it only fills a subscription that has none, or adds a row of its own. Deployments that
verify subscriptions with Gusto (`PUT /v1/webhook_subscriptions/{uuid}/verify`, which refuses an
unknown token) can run the receiver with `verified_only=True` so only confirmed tokens sign events.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select

from connector_assets.receiver.payload import Handshake
from connector_assets.store.subscriptions import Subscription, Subscriptions
from connector_assets.store.tables import webhook_subscriptions

PENDING = "pending"
# Prefix of rows made for a token whose subscription uuid is not known yet (the handshake can
# arrive before Gusto's 201 reaches whoever created the subscription).
UNCLAIMED_PREFIX = "unclaimed-"


@dataclass(frozen=True)
class HandshakeOutcome:
    """Where the token went: `stored` in `subscription_uuid`, or `known` already."""

    result: str
    subscription_uuid: str


def _taken(subscriptions: Subscriptions, subscription_uuid: str) -> bool:
    query = select(webhook_subscriptions.c.subscription_uuid).where(
        webhook_subscriptions.c.subscription_uuid == subscription_uuid
    )
    with subscriptions.engine.connect() as conn:
        return conn.execute(query).first() is not None


def _target(
    subscriptions: Subscriptions, handshake: Handshake, existing: list[Subscription]
) -> Subscription | str:
    by_uuid = {s.subscription_uuid: s for s in existing}
    if handshake.subscription_uuid:
        named = by_uuid.get(handshake.subscription_uuid)
        if named is None:
            # A uuid held by another connection must not be moved over (the upsert would take it).
            taken = _taken(subscriptions, handshake.subscription_uuid)
            return UNCLAIMED_PREFIX + uuid.uuid4().hex if taken else handshake.subscription_uuid
        if not named.verification_token:
            return named
    else:
        waiting = [s for s in existing if not s.verification_token and s.status != "removed"]
        if waiting:
            return waiting[0]
    return UNCLAIMED_PREFIX + uuid.uuid4().hex


def store_handshake(subscriptions: Subscriptions, connection_id: str, handshake: Handshake) -> HandshakeOutcome:
    """Store the handshake's token for `connection_id` unless it is held already (blocking; hits the store)."""
    existing = subscriptions.for_connection(connection_id)
    for sub in existing:
        if sub.verification_token == handshake.verification_token:
            return HandshakeOutcome("known", sub.subscription_uuid)
    target = _target(subscriptions, handshake, existing)
    if isinstance(target, Subscription):
        subscription_uuid, status, url = target.subscription_uuid, target.status, target.url
    else:
        subscription_uuid, status, url = target, PENDING, None
    subscriptions.save(
        subscription_uuid=subscription_uuid,
        connection_id=connection_id,
        status=status,
        url=url,
        verification_token=handshake.verification_token,
    )
    return HandshakeOutcome("stored", subscription_uuid)
