"""The receiver served on loopback over a migrated store, with one connection and one verified subscription."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, select

from connector_assets.gusto.signature import SIGNATURE_HEADER, sign
from connector_assets.receiver import create_app
from connector_assets.sandbox.server import ServerThread
from connector_assets.store.crypto import SecretCipher
from connector_assets.store.inbox import Inbox
from connector_assets.store.subscriptions import Subscriptions
from connector_assets.store.tables import webhook_inbox

CONNECTION = "acme"
TOKEN = "6590f590-3dba-495e-9bea-c361e1e2efc0"
SUBSCRIPTION = "0d4f31a4-2a41-4b55-a4c4-5d2b0b3c7a11"
SMALL_LIMIT = 4096


def event_body(event_uuid: str | None = None, **overrides: Any) -> bytes:
    """A Gusto event as in gusto-api.md §10.4, with a fresh uuid unless given."""
    doc: dict[str, Any] = {
        "uuid": event_uuid or str(uuid.uuid4()),
        "event_type": "payroll.processed",
        "resource_type": "Company",
        "resource_uuid": "5df911a0-e8e9-412d-8aaf-a46ad193dd96",
        "entity_type": "Payroll",
        "entity_uuid": "b50e611d-8f3d-4f24-b001-46675f7b5777",
        "timestamp": 1671058841,
    }
    doc.update(overrides)
    return json.dumps(doc).encode()


@dataclass
class ReceiverHandle:
    """A running receiver and what it needs to sign deliveries."""

    url: str
    engine: Engine
    cipher: SecretCipher
    client: httpx.Client
    token: str = field(default=TOKEN, repr=False)

    def post(
        self,
        body: bytes,
        *,
        token: str | None = TOKEN,
        connection: str = CONNECTION,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """POST `body`, signed with `token` (unsigned when None)."""
        sent = dict(headers or {})
        if token is not None:
            sent[SIGNATURE_HEADER] = sign(body, token)
        return self.client.post(f"{self.url}/webhooks/gusto/{connection}", content=body, headers=sent)

    def stored_uuids(self) -> list[str]:
        """Every event uuid in the inbox, one entry per row."""
        with self.engine.connect() as conn:
            return list(conn.execute(select(webhook_inbox.c.event_uuid)).scalars())

    def inbox(self) -> Inbox:
        return Inbox(self.engine)


def serve(engine: Engine, cipher: SecretCipher, **options: Any) -> ServerThread:
    """Start the receiver for CONNECTION on loopback."""
    return ServerThread(create_app(engine, cipher, {CONNECTION}, **options), name="receiver").start()


@pytest.fixture
def cipher() -> SecretCipher:
    """A fresh encryption key."""
    return SecretCipher([SecretCipher.generate_key()])


@contextmanager
def running(engine: Engine, cipher: SecretCipher, **options: Any) -> Iterator[ReceiverHandle]:
    """The receiver on `engine` for the length of the block, with a client."""
    options.setdefault("max_body_bytes", SMALL_LIMIT)
    server = serve(engine, cipher, **options)
    try:
        with httpx.Client(timeout=10) as client:
            yield ReceiverHandle(server.url, engine, cipher, client)
    finally:
        server.stop()


def subscribe(engine: Engine, cipher: SecretCipher, status: str = "verified", token: str | None = TOKEN) -> None:
    """The subscription SUBSCRIPTION of CONNECTION, as the subscriber code records it."""
    Subscriptions(engine, cipher).save(
        subscription_uuid=SUBSCRIPTION, connection_id=CONNECTION, status=status, verification_token=token
    )


@pytest.fixture
def receiver(store_engine: Engine, cipher: SecretCipher) -> Iterator[ReceiverHandle]:
    """The receiver on SQLite and on PostgreSQL, with a verified subscription holding TOKEN."""
    subscribe(store_engine, cipher)
    with running(store_engine, cipher) as handle:
        yield handle
