"""The verification handshake: the token is kept encrypted and signs the events that follow."""

from __future__ import annotations

import json

from sqlalchemy import Engine, select

from connector_assets.store.crypto import SecretCipher
from connector_assets.store.subscriptions import Subscriptions
from connector_assets.store.tables import webhook_subscriptions
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


def raw_tokens(engine: Engine) -> list[bytes]:
    with engine.connect() as conn:
        query = select(webhook_subscriptions.c.verification_token)
        return [bytes(t) for t in conn.execute(query).scalars() if t is not None]


def tokens_by_subscription(engine: Engine, cipher: SecretCipher) -> dict[str, str | None]:
    return {
        s.subscription_uuid: s.verification_token for s in Subscriptions(engine, cipher).for_connection(CONNECTION)
    }


def test_handshake_token_signs_only_once_verified(store_engine: Engine, cipher: SecretCipher) -> None:
    """By default a handshake's token is stored but signs nothing until the subscription is verified."""
    with running(store_engine, cipher) as rx:
        assert rx.post(handshake(), token=None).status_code == 200
        assert rx.post(event_body("before-verify"), token=NEW_TOKEN).status_code == 401
        assert rx.stored_uuids() == []


def test_handshake_stores_token_encrypted_and_it_signs_events(store_engine: Engine, cipher: SecretCipher) -> None:
    """The unsigned handshake gets 200; its token is stored encrypted and, accepting pending, signs at once."""
    with running(store_engine, cipher, verified_only=False) as rx:
        response = rx.post(handshake(), token=None)
        assert response.status_code == 200
        assert response.json() == {"status": "verification_token_received"}
        assert list(tokens_by_subscription(store_engine, cipher).values()) == [NEW_TOKEN]
        [stored] = raw_tokens(store_engine)
        assert NEW_TOKEN.encode() not in stored
        assert rx.post(event_body("after-handshake"), token=NEW_TOKEN).status_code == 200
        assert rx.stored_uuids() == ["after-handshake"]


def test_handshake_fills_the_waiting_subscription(sqlite_store: Engine, cipher: SecretCipher) -> None:
    """A subscription recorded without a token (from Gusto's 201) receives the handshake's token."""
    subscribe(sqlite_store, cipher, status="pending", token=None)
    with running(sqlite_store, cipher) as rx:
        assert rx.post(handshake(), token=None).status_code == 200
    assert tokens_by_subscription(sqlite_store, cipher) == {SUBSCRIPTION: NEW_TOKEN}


def test_handshake_naming_its_subscription_uses_that_uuid(sqlite_store: Engine, cipher: SecretCipher) -> None:
    """A `webhook_subscription_uuid` in the handshake names the row the token is stored under."""
    with running(sqlite_store, cipher) as rx:
        assert rx.post(handshake(webhook_subscription_uuid="sub-42"), token=None).status_code == 200
    assert tokens_by_subscription(sqlite_store, cipher) == {"sub-42": NEW_TOKEN}


def test_handshake_never_replaces_a_held_token(sqlite_store: Engine, cipher: SecretCipher) -> None:
    """An unsigned handshake naming a subscription that has a token cannot take it over; the old key still signs."""
    subscribe(sqlite_store, cipher)
    with running(sqlite_store, cipher) as rx:
        assert rx.post(handshake(webhook_subscription_uuid=SUBSCRIPTION), token=None).status_code == 200
        tokens = tokens_by_subscription(sqlite_store, cipher)
        assert tokens[SUBSCRIPTION] == TOKEN
        assert sorted(t for t in tokens.values() if t) == sorted([TOKEN, NEW_TOKEN])
        assert rx.post(event_body("old-key-still-works")).status_code == 200


def test_handshake_cannot_move_another_connections_subscription(
    sqlite_store: Engine, cipher: SecretCipher
) -> None:
    """A handshake naming a subscription of another connection leaves that row where it was."""
    Subscriptions(sqlite_store, cipher).save(
        subscription_uuid="theirs", connection_id="globex", status="verified", verification_token="their-token"
    )
    with running(sqlite_store, cipher) as rx:
        assert rx.post(handshake(webhook_subscription_uuid="theirs"), token=None).status_code == 200
    [theirs] = Subscriptions(sqlite_store, cipher).for_connection("globex")
    assert (theirs.subscription_uuid, theirs.verification_token) == ("theirs", "their-token")
    assert list(tokens_by_subscription(sqlite_store, cipher).values()) == [NEW_TOKEN]


def test_resent_handshake_adds_no_row(sqlite_store: Engine, cipher: SecretCipher) -> None:
    """Gusto's resend of the same token (request_verification_token) is acknowledged without a new row."""
    with running(sqlite_store, cipher) as rx:
        assert rx.post(handshake(), token=None).status_code == 200
        assert rx.post(handshake(), token=None).status_code == 200
    assert len(raw_tokens(sqlite_store)) == 1


def test_handshake_with_empty_token_is_bad_request(sqlite_store: Engine, cipher: SecretCipher) -> None:
    """A handshake whose token is empty or not a string gets 400 and stores nothing."""
    with running(sqlite_store, cipher) as rx:
        assert rx.post(handshake("  "), token=None).status_code == 400
        assert rx.post(json.dumps({"verification_token": 5}).encode(), token=None).status_code == 400
    assert raw_tokens(sqlite_store) == []


def test_verified_only_waits_for_verification(sqlite_store: Engine, cipher: SecretCipher) -> None:
    """With verified_only, a handshake token signs nothing until its subscription is marked verified."""
    subscribe(sqlite_store, cipher, status="pending", token=None)
    with running(sqlite_store, cipher, verified_only=True, token_ttl_s=0) as rx:
        rx.post(handshake(), token=None)
        assert rx.post(event_body("too-early"), token=NEW_TOKEN).status_code == 401
        subscribe(sqlite_store, cipher, status="verified", token=None)
        assert rx.post(event_body("verified-now"), token=NEW_TOKEN).status_code == 200
        assert rx.stored_uuids() == ["verified-now"]


def test_removed_subscription_token_signs_nothing(sqlite_store: Engine, cipher: SecretCipher) -> None:
    """A token of a `removed` subscription no longer opens the inbox."""
    subscribe(sqlite_store, cipher, status="removed")
    with running(sqlite_store, cipher) as rx:
        assert rx.post(event_body("from-removed")).status_code == 401
        assert rx.stored_uuids() == []


def test_handshake_shaped_event_with_uuid_needs_signature(receiver: ReceiverHandle) -> None:
    """A body with an event uuid is an event even if it carries a token field, so it must be signed."""
    body = json.dumps({"uuid": "sneaky", "verification_token": "attacker"}).encode()
    assert receiver.post(body, token=None).status_code == 401
    assert receiver.stored_uuids() == []
