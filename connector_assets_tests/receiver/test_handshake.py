"""The verification handshake: taken only while `subscribe` waits, quarantined, bounded, rate-limited."""

from __future__ import annotations

import json
import socket
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import Engine, select

from connector_assets.receiver.limits import ReceiverLimits
from connector_assets.store.crypto import SecretCipher
from connector_assets.store.handshakes import WINDOW_KEY, HandshakeQuarantine
from connector_assets.store.subscriptions import Subscriptions
from connector_assets.store.tables import handshake_quarantine
from connector_assets_tests.receiver.conftest import (
    CONNECTION,
    SUBSCRIPTION,
    TOKEN,
    ReceiverHandle,
    event_body,
    running,
    subscribe,
)

NEW_TOKEN = "a1b2c3d4-0000-4000-8000-feedfacecafe"


def handshake(token: str = NEW_TOKEN, **extra: str) -> bytes:
    """The body Gusto POSTs when a subscription is created (gusto-api.md §10.2)."""
    return json.dumps({"verification_token": token, **extra}).encode()


def quarantine(engine: Engine, cipher: SecretCipher) -> HandshakeQuarantine:
    return HandshakeQuarantine(engine, cipher)


def test_handshake_without_a_waiting_subscribe_is_answered_like_a_bad_signature(
    store_engine: Engine, cipher: SecretCipher
) -> None:
    """No `subscribe` waits: the handshake gets the unsigned answer and nothing is kept."""
    with running(store_engine, cipher) as rx:
        refused = rx.post(handshake(), token=None)
        unsigned_event = rx.post(event_body("x"), token=None)
    assert refused.status_code == unsigned_event.status_code == 401
    assert refused.json() == unsigned_event.json()
    assert quarantine(store_engine, cipher).count(CONNECTION) == 0


def test_handshake_while_subscribe_waits_is_quarantined_and_signs_nothing(
    store_engine: Engine, cipher: SecretCipher
) -> None:
    """The token is kept encrypted apart from subscriptions: it neither signs events nor fills a row."""
    subscribe(store_engine, cipher, status="pending", token=None)  # a subscription waiting for its token
    quarantine(store_engine, cipher).open_window(CONNECTION, 60)
    with running(store_engine, cipher, verified_only=False) as rx:
        response = rx.post(handshake(), token=None)
        assert response.status_code == 200 and response.json() == {"status": "verification_token_received"}
        assert rx.post(event_body("unverified"), token=NEW_TOKEN).status_code == 401
    with store_engine.connect() as conn:
        (stored,) = conn.execute(select(handshake_quarantine.c.token)).scalars()
    assert NEW_TOKEN.encode() not in bytes(stored)
    (waiting,) = Subscriptions(store_engine, cipher).for_connection(CONNECTION)
    assert waiting.subscription_uuid == SUBSCRIPTION and waiting.verification_token is None
    since = datetime.fromisoformat(quarantine(store_engine, cipher).state.get(CONNECTION, WINDOW_KEY)["opened"])
    assert quarantine(store_engine, cipher).candidates(CONNECTION, SUBSCRIPTION, since) == [NEW_TOKEN]


def test_subscribe_gets_the_token_named_for_its_own_subscription_first(
    sqlite_store: Engine, cipher: SecretCipher
) -> None:
    """A token naming another subscription is never a candidate; one naming ours comes before unnamed ones."""
    q = quarantine(sqlite_store, cipher)
    opened = q.open_window(CONNECTION, 60)
    q.admit(CONNECTION, "stranger-unnamed", None)
    q.admit(CONNECTION, "other-subscription", "11111111-0000-4000-8000-000000000000")
    q.admit(CONNECTION, "ours", SUBSCRIPTION)
    assert q.candidates(CONNECTION, SUBSCRIPTION, opened) == ["ours", "stranger-unnamed"]


def test_pending_tokens_are_capped_per_connection(sqlite_store: Engine, cipher: SecretCipher) -> None:
    """Beyond the cap a handshake gets 429 and adds no row; a resent token adds none either."""
    quarantine(sqlite_store, cipher).open_window(CONNECTION, 60)
    limits = ReceiverLimits(pending_tokens=3, handshakes_per_minute=100)
    with running(sqlite_store, cipher, limits=limits) as rx:
        codes = [rx.post(handshake(f"token-{n}"), token=None).status_code for n in range(5)]
        assert (
            rx.post(handshake("token-0"), token=None).status_code == 200
        )  # a resend of a kept token adds nothing
    assert codes == [200, 200, 200, 429, 429]
    assert quarantine(sqlite_store, cipher).count(CONNECTION) == 3


def test_handshakes_are_rate_limited_per_connection_and_client(sqlite_store: Engine, cipher: SecretCipher) -> None:
    """A flood of handshakes from one client is cut off after the per-minute limit."""
    quarantine(sqlite_store, cipher).open_window(CONNECTION, 60)
    with running(sqlite_store, cipher, limits=ReceiverLimits(handshakes_per_minute=2)) as rx:
        codes = [rx.post(handshake(f"flood-{n}"), token=None).status_code for n in range(4)]
    assert codes == [200, 200, 429, 429]
    assert quarantine(sqlite_store, cipher).count(CONNECTION) == 2


def test_unknown_connection_is_answered_exactly_like_a_bad_signature(receiver: ReceiverHandle) -> None:
    """Status and body do not tell a stranger whether a connection id exists."""
    unknown = receiver.post(event_body("x"), token=None, connection="globex")
    known = receiver.post(event_body("x"), token=None)
    assert (
        (unknown.status_code, unknown.json()["error"])
        == (known.status_code, known.json()["error"])
        == (
            401,
            "missing_signature",
        )
    )
    assert unknown.json()["detail"].replace("globex", CONNECTION) == known.json()["detail"]
    wrong = receiver.post(event_body("y"), token="not-the-token", connection="globex")
    assert (wrong.status_code, wrong.json()["error"]) == (401, "bad_signature")


def test_a_body_slower_than_the_deadline_is_cut_off(sqlite_store: Engine, cipher: SecretCipher) -> None:
    """A client that announces a body and never sends it gets 408 once the body deadline passes."""
    subscribe(sqlite_store, cipher)
    with running(sqlite_store, cipher, limits=ReceiverLimits(body_timeout_s=0.5)) as rx:
        address = urlsplit(rx.url)
        with socket.create_connection((address.hostname, address.port), timeout=30) as sock:
            sock.sendall(
                f"POST /webhooks/gusto/{CONNECTION} HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{{".encode()
            )
            answer = sock.recv(4096).decode()  # blocks until the receiver answers (bounded by the timeout)
    assert answer.startswith("HTTP/1.1 408"), answer[:80]


def test_handshake_shaped_event_with_uuid_needs_signature(receiver: ReceiverHandle) -> None:
    """A body with an event uuid is an event even if it carries a token field, so it must be signed."""
    body = json.dumps({"uuid": "sneaky", "verification_token": "attacker"}).encode()
    assert receiver.post(body, token=None).status_code == 401
    assert receiver.stored_uuids() == []


def test_verified_token_still_signs_events(receiver: ReceiverHandle) -> None:
    """The verified subscription's token signs events as before."""
    assert receiver.post(event_body("signed"), token=TOKEN).status_code == 200
