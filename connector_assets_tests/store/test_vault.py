"""The token vault: encryption at rest, key rotation, row-locked refresh."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine

from connector_assets.store import create_store_engine
from connector_assets.store.crypto import EncryptionKeyError, SecretCipher
from connector_assets.store.tables import oauth_tokens
from connector_assets.store.vault import StoredToken, TokenVault, utcnow

EXPIRES = datetime(2030, 1, 1, tzinfo=UTC)


def test_tokens_round_trip_and_are_encrypted_at_rest(store_engine: Engine) -> None:
    """What goes in comes out; the table never holds the plaintext."""
    vault = TokenVault(store_engine, SecretCipher([SecretCipher.generate_key()]))
    saved = vault.put("acme", "gusto", StoredToken("access-123", "refresh-456", EXPIRES, {"scope": "x"}))
    assert saved.version == 1
    got = vault.get("acme", "gusto")
    assert got is not None
    assert (got.access_token, got.refresh_token, got.extra, got.expires_at) == (
        "access-123",
        "refresh-456",
        {"scope": "x"},
        EXPIRES,
    )
    with store_engine.connect() as conn:
        raw = conn.execute(sa.select(oauth_tokens)).mappings().one()
    assert b"access-123" not in bytes(raw["access_token"])
    assert b"refresh-456" not in bytes(raw["refresh_token"])


def test_repr_hides_secrets() -> None:
    """A token printed in a log line or traceback shows no secret."""
    text = repr(StoredToken("access-secret", "refresh-secret", EXPIRES))
    assert "secret" not in text


def test_key_rotation_keeps_old_rows_readable_and_reencrypts(store_engine: Engine) -> None:
    """Old rows decrypt with the old key listed second; reencrypt moves them to the new key."""
    old, new = SecretCipher.generate_key(), SecretCipher.generate_key()
    TokenVault(store_engine, SecretCipher([old])).put("acme", "gusto", StoredToken("a1", "r1", EXPIRES))
    rotated = TokenVault(store_engine, SecretCipher([new, old]))
    assert rotated.get("acme", "gusto").access_token == "a1"  # type: ignore[union-attr]
    rotated.put("beta", "ion", StoredToken("a2", None, EXPIRES))
    assert rotated.reencrypt() == 2
    only_new = TokenVault(store_engine, SecretCipher([new]))
    assert only_new.get("acme", "gusto").access_token == "a1"  # type: ignore[union-attr]
    assert only_new.get("beta", "ion").access_token == "a2"  # type: ignore[union-attr]
    with pytest.raises(EncryptionKeyError, match="connector store reencrypt"):
        TokenVault(store_engine, SecretCipher([old])).get("beta", "ion")


def test_malformed_key_is_a_clear_error() -> None:
    """A bad key says what is wrong and how to make a good one, without echoing it."""
    with pytest.raises(EncryptionKeyError, match="connector keygen") as info:
        SecretCipher(["not-a-key"])
    assert "not-a-key" not in str(info.value)


def _refresher(url: str, cipher: SecretCipher, spent: list[str], barrier: threading.Barrier) -> None:
    engine = create_store_engine(url)
    vault = TokenVault(engine, cipher)
    barrier.wait()
    with vault.lock("acme", "gusto") as locked:
        current = locked.current
        assert current is not None
        if not current.expires_within(timedelta(minutes=5)):
            return  # the other refresher won: reuse its token
        spent.append(current.refresh_token or "")
        n = len(spent)
        locked.replace(StoredToken(f"access-{n}", f"refresh-{n}", utcnow() + timedelta(hours=2)))


def test_two_concurrent_refreshers_end_with_one_winner(store_engine: Engine) -> None:
    """Two refreshers on separate connections: the refresh token is spent once and the row stays consistent."""
    cipher = SecretCipher([SecretCipher.generate_key()])
    vault = TokenVault(store_engine, cipher)
    vault.put("acme", "gusto", StoredToken("access-0", "refresh-0", utcnow() - timedelta(seconds=1)))
    url = store_engine.url.render_as_string(hide_password=False)
    spent: list[str] = []
    barrier = threading.Barrier(2)
    threads = [threading.Thread(target=_refresher, args=(url, cipher, spent, barrier)) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert spent == ["refresh-0"]
    final = vault.get("acme", "gusto")
    assert final is not None
    assert (final.access_token, final.refresh_token, final.version) == ("access-1", "refresh-1", 2)
