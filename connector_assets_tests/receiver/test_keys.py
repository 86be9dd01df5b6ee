"""The verification-token cache: fresh tokens come from memory, a miss reloads at most once per interval."""

from __future__ import annotations

from sqlalchemy import Engine

from connector_assets.gusto.signature import sign
from connector_assets.receiver.keys import VerificationKeys
from connector_assets.store.crypto import SecretCipher
from connector_assets.store.subscriptions import Subscriptions

BODY = b'{"uuid": "e-1"}'


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class CountingSubscriptions(Subscriptions):
    """Subscriptions that count reads of the store."""

    reads = 0

    def for_connection(self, connection_id: str):  # type: ignore[no-untyped-def]
        self.reads += 1
        return super().for_connection(connection_id)


def setup(engine: Engine) -> tuple[CountingSubscriptions, Clock, VerificationKeys]:
    subs = CountingSubscriptions(engine, SecretCipher([SecretCipher.generate_key()]))
    subs.save(subscription_uuid="s-1", connection_id="acme", status="verified", verification_token="old")
    clock = Clock()
    return subs, clock, VerificationKeys(subs, ttl_s=5, min_reload_s=0.5, clock=clock)


def test_fresh_cache_answers_without_the_store(sqlite_store: Engine) -> None:
    """Within the TTL a matching signature costs no read; matches_cached agrees with matches."""
    subs, clock, keys = setup(sqlite_store)
    assert keys.matches("acme", BODY, sign(BODY, "old"))
    clock.now += 4
    assert keys.matches_cached("acme", BODY, sign(BODY, "old"))
    assert keys.matches("acme", BODY, sign(BODY, "old"))
    assert subs.reads == 1
    clock.now += 2
    assert not keys.matches_cached("acme", BODY, sign(BODY, "old"))


def test_new_token_from_elsewhere_is_seen_on_first_miss(sqlite_store: Engine) -> None:
    """A token stored by another worker is found by one reload when a signature misses the cache."""
    subs, clock, keys = setup(sqlite_store)
    assert keys.matches("acme", BODY, sign(BODY, "old"))
    subs.save(subscription_uuid="s-2", connection_id="acme", status="pending", verification_token="new")
    clock.now += 1
    assert keys.matches("acme", BODY, sign(BODY, "new"))
    assert subs.reads == 2


def test_forged_signatures_do_not_flood_the_store(sqlite_store: Engine) -> None:
    """Repeated misses within min_reload_s cause no further reads."""
    subs, clock, keys = setup(sqlite_store)
    keys.matches("acme", BODY, sign(BODY, "old"))
    clock.now += 1
    for _ in range(20):
        assert not keys.matches("acme", BODY, sign(BODY, "forged"))
    assert subs.reads == 2
    assert "old" not in repr(keys)
