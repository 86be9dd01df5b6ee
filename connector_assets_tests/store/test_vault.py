"""The token vault: encryption at rest, key rotation, leased refresh, needs-attention state, deferred reads."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine

from connector_assets.store import create_store_engine, upgrade
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


def _refresher(url: str, cipher: SecretCipher, spent: list[str], barrier: threading.Barrier, name: str) -> None:
    """The refresh protocol by hand: lease, "call the provider" outside any transaction, conditional write."""
    vault = TokenVault(create_store_engine(url), cipher)
    barrier.wait()
    while True:
        claim = vault.claim("acme", "gusto", name, timedelta(minutes=1), single_use=True)
        current = claim.token
        assert current is not None
        if not current.expires_within(timedelta(minutes=5)):
            if claim.granted:
                vault.release("acme", "gusto", name)
            return  # the other refresher won: reuse its token
        if claim.granted:
            break
        deadline = time.monotonic() + 30
        while (row := vault.get("acme", "gusto")) is not None and row.leased_by_other(name, utcnow()):
            assert time.monotonic() < deadline, "the other refresher never ended its lease"
            time.sleep(0.01)  # a poll of the lease, as the token clients do
    spent.append(current.refresh_token or "")
    n = len(spent)
    fresh = StoredToken(f"access-{n}", f"refresh-{n}", utcnow() + timedelta(hours=2))
    assert vault.complete("acme", "gusto", name, current.version, fresh) is not None


def test_two_concurrent_refreshers_end_with_one_winner(store_engine: Engine) -> None:
    """Two refreshers on separate connections: the refresh token is spent once and the row stays consistent."""
    cipher = SecretCipher([SecretCipher.generate_key()])
    vault = TokenVault(store_engine, cipher)
    vault.put("acme", "gusto", StoredToken("access-0", "refresh-0", utcnow() - timedelta(seconds=1)))
    url = store_engine.url.render_as_string(hide_password=False)
    spent: list[str] = []
    barrier = threading.Barrier(2)
    threads = [threading.Thread(target=_refresher, args=(url, cipher, spent, barrier, f"p{i}")) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert spent == ["refresh-0"]
    final = vault.get("acme", "gusto")
    assert final is not None
    assert (final.access_token, final.refresh_token, final.version) == ("access-1", "refresh-1", 2)
    assert final.lease_holder is None


def _due(vault: TokenVault) -> StoredToken:
    return vault.put("acme", "gusto", StoredToken("a0", "r0", utcnow() - timedelta(seconds=1)))


def test_lease_excludes_others_and_write_needs_the_claimed_version(store_engine: Engine) -> None:
    """A live lease is not granted twice; `complete` stores only at the claimed version, under the lease."""
    vault = TokenVault(store_engine, SecretCipher([SecretCipher.generate_key()]))
    row = _due(vault)
    first = vault.claim("acme", "gusto", "p1", timedelta(minutes=1))
    assert first.granted and first.token is not None and first.token.version == row.version
    assert not vault.claim("acme", "gusto", "p2", timedelta(minutes=1)).granted
    fresh = StoredToken("a1", "r1", utcnow() + timedelta(hours=2))
    assert vault.complete("acme", "gusto", "p2", row.version, fresh) is None  # not the holder
    assert vault.complete("acme", "gusto", "p1", row.version - 1, fresh) is None  # stale version
    stored = vault.complete("acme", "gusto", "p1", row.version, fresh)
    assert stored is not None and stored.version == row.version + 1
    assert vault.complete("acme", "gusto", "p1", row.version, fresh) is None  # only once
    assert vault.claim("acme", "gusto", "p2", timedelta(minutes=1)).granted


def test_needs_attention_allows_one_recovery_then_none(store_engine: Engine) -> None:
    """After an unclear outcome one process gets a recovery lease; once that is spent nobody gets one."""
    vault = TokenVault(store_engine, SecretCipher([SecretCipher.generate_key()]))
    _due(vault)
    vault.mark_needs_attention("acme", "gusto", "the refresh answer was lost (HTTP 502)")
    recovery = vault.claim("acme", "gusto", "p1", timedelta(minutes=1), single_use=True)
    assert recovery.granted and recovery.recovery
    assert not vault.claim("acme", "gusto", "p2", timedelta(minutes=1), single_use=True).granted
    vault.mark_needs_attention("acme", "gusto", "recovery refused")
    again = vault.claim("acme", "gusto", "p2", timedelta(minutes=1), single_use=True)
    assert not again.granted and again.token is not None and again.token.attention == "recovery refused"
    _due(vault)  # an operator reconnects: usable again
    assert vault.get("acme", "gusto").attention is None  # type: ignore[union-attr]
    vault.mark_needs_attention("acme", "gusto", "invalid_grant", recoverable=False)
    assert not vault.claim("acme", "gusto", "p3", timedelta(minutes=1), single_use=True).granted


def test_expired_lease_of_a_single_use_token_needs_attention(store_engine: Engine) -> None:
    """A holder that never reported back may have spent the token: the next claimer sees needs attention."""
    vault = TokenVault(store_engine, SecretCipher([SecretCipher.generate_key()]))
    _due(vault)
    past = utcnow() - timedelta(hours=1)
    assert vault.claim("acme", "gusto", "dead", timedelta(minutes=1), now=past).granted
    claim = vault.claim("acme", "gusto", "p2", timedelta(minutes=1), single_use=True)
    assert claim.expired_holder == "dead" and claim.recovery and claim.granted
    assert claim.token is not None and "did not report back" in (claim.token.attention or "")


def test_sqlite_reads_do_not_wait_for_a_writer(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Reads begin deferred: with another transaction holding the write lock, a read still answers."""
    url = f"sqlite:///{tmp_path_factory.mktemp('deferred') / 'connector.db'}"
    vault = TokenVault(upgrade(create_store_engine(url)), SecretCipher([SecretCipher.generate_key()]))
    _due(vault)
    impatient = TokenVault(create_store_engine(url, wait_s=0.2), vault.cipher)
    with vault.engine.begin() as writer:
        writer.execute(sa.text("UPDATE oauth_tokens SET updated_at = updated_at"))
        assert impatient.get("acme", "gusto") is not None
        with pytest.raises(sa.exc.OperationalError, match="locked"):
            impatient.put("acme", "gusto", StoredToken("a", "r", EXPIRES))
