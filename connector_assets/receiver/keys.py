"""Verification tokens per connection (the HMAC keys of `X-Gusto-Signature`), cached briefly in memory.

The cache keeps the database insert the only I/O on the hot path. A signature that matches no cached
token triggers one reload (at most every `min_reload_s`), so a token stored by another worker is seen
at once while a flood of forged signatures cannot turn into a flood of reads.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from connector_assets.gusto.signature import verify_signature
from connector_assets.store.subscriptions import Subscriptions

# `removed` subscriptions are gone at Gusto; their tokens must no longer open the door.
REVOKED_STATUSES = frozenset({"removed"})


@dataclass(frozen=True)
class _Entry:
    loaded_at: float
    tokens: tuple[str, ...] = field(repr=False)


class VerificationKeys:
    """Looks up and matches verification tokens; thread-safe (handlers run in a thread pool)."""

    def __init__(
        self,
        subscriptions: Subscriptions,
        *,
        ttl_s: float = 5.0,
        min_reload_s: float = 0.5,
        verified_only: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._subscriptions = subscriptions
        self._ttl_s, self._min_reload_s = ttl_s, min_reload_s
        self._verified_only = verified_only
        self._clock = clock
        self._entries: dict[str, _Entry] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"VerificationKeys(connections={len(self._entries)}, <tokens hidden>)"

    def _load(self, connection_id: str) -> tuple[str, ...]:
        tokens = tuple(
            s.verification_token
            for s in self._subscriptions.for_connection(connection_id)
            if s.verification_token
            and s.status not in REVOKED_STATUSES
            and (s.status == "verified" or not self._verified_only)
        )
        with self._lock:
            self._entries[connection_id] = _Entry(self._clock(), tokens)
        return tokens

    def tokens(self, connection_id: str) -> tuple[str, ...]:
        """The connection's tokens, from the cache while it is fresh (may hit the store)."""
        entry = self._entries.get(connection_id)
        if entry is not None and self._clock() - entry.loaded_at < self._ttl_s:
            return entry.tokens
        return self._load(connection_id)

    def matches_cached(self, connection_id: str, raw_body: bytes, header: str | None) -> bool:
        """True when a fresh cached token verifies the signature; never touches the store (False: ask `matches`)."""
        entry = self._entries.get(connection_id)
        if not header or entry is None or self._clock() - entry.loaded_at >= self._ttl_s:
            return False
        return any(verify_signature(raw_body, header, t) for t in entry.tokens)

    def matches(self, connection_id: str, raw_body: bytes, header: str | None) -> bool:
        """True when `header` is the body's signature under one of the connection's tokens (may hit the store)."""
        if not header:
            return False
        entry = self._entries.get(connection_id)
        tokens = self.tokens(connection_id)
        if any(verify_signature(raw_body, header, t) for t in tokens):
            return True
        # A miss on a cache that was not just loaded may mean a token arrived through another worker.
        fresh = self._entries.get(connection_id)
        if fresh is not entry or (fresh is not None and self._clock() - fresh.loaded_at < self._min_reload_s):
            return False
        return any(verify_signature(raw_body, header, t) for t in self._load(connection_id))

    def forget(self, connection_id: str) -> None:
        """Drop the cached tokens of a connection (after a handshake stored a new one)."""
        with self._lock:
            self._entries.pop(connection_id, None)
