"""Webhook subscriptions and signatures against the sandbox, with a minimal receiver on loopback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from connector_assets import clock
from connector_assets.gusto.errors import GustoApiError
from connector_assets.gusto.signature import SIGNATURE_HEADER, verify_signature
from connector_assets.gusto.webhooks import (
    SUBSCRIPTION_TYPES,
    VerificationTimeout,
    subscribe,
    unsubscribe,
    wait_for_tokens,
)
from connector_assets.sandbox.server import ServerThread
from connector_assets.store.crypto import SecretCipher
from connector_assets.store.handshakes import HandshakeQuarantine
from connector_assets.store.subscriptions import Subscriptions
from connector_assets_tests.fixtures.gusto_sandbox import GustoSandbox
from connector_assets_tests.gusto.conftest import CONNECTION, ClientFactory, free_port


@dataclass
class Received:
    body: bytes
    signature: str | None


@dataclass
class HookReceiver:
    """Keeps every delivery and quarantines handshake tokens the way the real receiver does; with
    `stranger_first`, a stranger's handshake lands in the quarantine just before Gusto's own."""

    subscriptions: Subscriptions
    url: str = ""
    received: list[Received] = field(default_factory=list)
    stranger_first: bool = False

    def app(self) -> Starlette:
        async def hook(request: Request) -> Response:
            body = await request.body()
            self.received.append(Received(body, request.headers.get(SIGNATURE_HEADER)))
            token = json.loads(body).get("verification_token")
            if token:
                quarantine = HandshakeQuarantine(self.subscriptions.engine, self.subscriptions.cipher)
                if self.stranger_first:
                    quarantine.admit(CONNECTION, STRANGER_TOKEN, None)
                quarantine.admit(CONNECTION, token, None)
            return Response(status_code=200)

        return Starlette(routes=[Route("/hooks/{connection}", hook, methods=["POST"])])


STRANGER_TOKEN = "00000000-dead-4bad-8bad-000000000000"


@pytest.fixture
def subscriptions(sqlite_store: Engine, cipher: SecretCipher) -> Subscriptions:
    return Subscriptions(sqlite_store, cipher)


@pytest.fixture
def receiver(subscriptions: Subscriptions) -> Iterator[HookReceiver]:
    """A receiver on loopback at `/hooks/<connection>`."""
    rec = HookReceiver(subscriptions)
    with ServerThread(rec.app(), name="test-receiver") as server:
        rec.url = f"{server.url}/hooks/{CONNECTION}"
        yield rec


def _subscribe(sandbox: GustoSandbox, client_factory: ClientFactory, subs: Subscriptions, url: str) -> str:
    client = client_factory(sandbox)

    def drain(_seconds: float) -> None:
        # Polling waits for the simulator's delivery queue to drain instead of sleeping.
        sandbox.sim.webhooks.join(5)

    sub = subscribe(client, subs, url, timeout_s=30, sleep=drain)
    return sub.uuid


def test_subscribe_completes_the_verification_handshake(
    sandbox: GustoSandbox, make_client: ClientFactory, subscriptions: Subscriptions, receiver: HookReceiver
) -> None:
    """The token the receiver stored is sent back; Gusto and the store both say verified."""
    uuid = _subscribe(sandbox, make_client, subscriptions, receiver.url)
    at_gusto = {s.uuid: s for s in make_client(sandbox).list_webhook_subscriptions()}
    assert at_gusto[uuid].status == "verified"
    assert set(at_gusto[uuid].subscription_types) == set(SUBSCRIPTION_TYPES)
    stored = {s.subscription_uuid: s for s in subscriptions.for_connection(CONNECTION)}
    assert stored[uuid].status == "verified" and stored[uuid].verification_token
    assert stored[uuid].verification_token == json.loads(receiver.received[0].body)["verification_token"]


def test_subscribe_verifies_gustos_token_when_a_strangers_came_first(
    sandbox: GustoSandbox, make_client: ClientFactory, subscriptions: Subscriptions, receiver: HookReceiver
) -> None:
    """A stranger's handshake in the quarantine is refused by Gusto's verify; subscribe verifies Gusto's own."""
    receiver.stranger_first = True
    uuid = _subscribe(sandbox, make_client, subscriptions, receiver.url)
    stored = {s.subscription_uuid: s for s in subscriptions.for_connection(CONNECTION)}
    assert stored[uuid].status == "verified"
    assert stored[uuid].verification_token == json.loads(receiver.received[0].body)["verification_token"]
    assert STRANGER_TOKEN not in {s.verification_token for s in stored.values()}
    assert HandshakeQuarantine(subscriptions.engine, subscriptions.cipher).count(CONNECTION) == 0


def test_signatures_of_deliveries_verify_and_tampering_does_not(
    sandbox: GustoSandbox, make_client: ClientFactory, subscriptions: Subscriptions, receiver: HookReceiver
) -> None:
    """A signed event verifies with the subscription's token; a changed body, wrong key or no header fail."""
    uuid = _subscribe(sandbox, make_client, subscriptions, receiver.url)
    token = next(
        s.verification_token for s in subscriptions.for_connection(CONNECTION) if s.subscription_uuid == uuid
    )
    assert token
    sandbox.sim.emit("payroll.processed", "Payroll", sandbox.world.payrolls[0].uuid)
    assert sandbox.sim.webhooks.join(10)
    event = receiver.received[-1]
    assert json.loads(event.body)["event_type"] == "payroll.processed"
    assert verify_signature(event.body, event.signature, token)
    assert not verify_signature(event.body.replace(b"processed", b"cancelled"), event.signature, token)
    assert not verify_signature(event.body, event.signature, token + "x")
    assert not verify_signature(event.body, None, token)
    assert not verify_signature(event.body, "", token)


def test_verify_with_a_wrong_token_is_refused(sandbox: GustoSandbox, make_client: ClientFactory) -> None:
    """Gusto answers 422 invalid_attribute_value to a token it did not send."""
    client = make_client(sandbox)
    sub = client.create_webhook_subscription(f"http://127.0.0.1:{free_port()}/nobody")
    with pytest.raises(GustoApiError) as caught:
        client.verify_webhook_subscription(sub.uuid, "not-the-token")
    assert caught.value.status == 422 and caught.value.category == "invalid_attribute_value"


def test_waiting_for_a_token_is_bounded_and_asks_for_a_resend_once(subscriptions: Subscriptions) -> None:
    """With no receiver storing the token, the wait asks Gusto to resend once and then times out clearly."""
    now = [0.0]
    resends: list[int] = []

    def tick(seconds: float) -> None:
        now[0] += seconds

    quarantine = HandshakeQuarantine(subscriptions.engine, subscriptions.cipher)
    with pytest.raises(VerificationTimeout, match="receiver is reachable"):
        wait_for_tokens(quarantine, CONNECTION, "sub-1", since=clock.now(), timeout_s=30, poll_s=5,
                        resend_after_s=10, resend=lambda: resends.append(1), sleep=tick,
                        monotonic=lambda: now[0])  # fmt: skip
    assert resends == [1] and now[0] == 30


def test_unsubscribe_removes_at_gusto_and_in_the_store(
    sandbox: GustoSandbox, make_client: ClientFactory, subscriptions: Subscriptions, receiver: HookReceiver
) -> None:
    """A deleted subscription is gone from Gusto's list and marked removed locally."""
    uuid = _subscribe(sandbox, make_client, subscriptions, receiver.url)
    client = make_client(sandbox)
    unsubscribe(client, subscriptions, uuid)
    assert uuid not in {s.uuid for s in client.list_webhook_subscriptions()}
    assert {s.subscription_uuid: s.status for s in subscriptions.for_connection(CONNECTION)}[uuid] == "removed"
