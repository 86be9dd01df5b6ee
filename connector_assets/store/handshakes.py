"""Unsigned webhook handshakes, kept in quarantine: never attached to a subscription until verified at Gusto.

Anyone can POST a handshake, so the receiver takes one only while `connector gusto subscribe` for that
connection has its window open (`open_window`), keeps it encrypted for `ttl_s`, and holds at most `cap` per
connection. `subscribe` reads the candidates (its own subscription uuid first), lets Gusto's verify call say
which token is the real one, stores that one in `webhook_subscriptions` and clears the quarantine.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import Engine, delete, func, insert, select

from connector_assets import clock
from connector_assets.store.crypto import SecretCipher
from connector_assets.store.state import SyncState
from connector_assets.store.tables import handshake_quarantine
from connector_assets.store.vault import _aware

WINDOW_KEY = "handshake_window"
DEFAULT_TTL_S = 600.0
DEFAULT_CAP = 20

Admitted = Literal["stored", "known", "full"]


class HandshakeQuarantine:
    """Repository for `handshake_quarantine` and the per-connection subscribe window."""

    def __init__(
        self, engine: Engine, cipher: SecretCipher, *, ttl_s: float = DEFAULT_TTL_S, cap: int = DEFAULT_CAP
    ) -> None:
        self.engine, self.cipher = engine, cipher
        self.ttl_s, self.cap = ttl_s, cap
        self.state = SyncState(engine)

    # --- the window `subscribe` holds open while it waits ---
    def open_window(self, connection_id: str, seconds: float) -> datetime:
        """Accept handshakes for the connection for `seconds` from now; returns when the window opened."""
        now = clock.now()
        self.state.put(connection_id, WINDOW_KEY, {"opened": now.isoformat(),
                                                   "until": (now + timedelta(seconds=seconds)).isoformat()})  # fmt: skip
        return now

    def close_window(self, connection_id: str) -> None:
        self.state.put(connection_id, WINDOW_KEY, {"opened": None, "until": None})

    def window_open(self, connection_id: str) -> bool:
        """True while a `subscribe` of this connection waits for its token."""
        window = self.state.get(connection_id, WINDOW_KEY) or {}
        until = window.get("until")
        return until is not None and clock.now() < datetime.fromisoformat(str(until))

    # --- the receiver's side ---
    def admit(self, connection_id: str, token: str, subscription_uuid: str | None) -> Admitted:
        """Keep a handshake's token unless it is held already or the connection's quarantine is full."""
        now = clock.now()
        cols = handshake_quarantine.c
        with self.engine.begin() as conn:
            conn.execute(
                delete(handshake_quarantine).where(cols.received_at < now - timedelta(seconds=self.ttl_s))
            )
            rows = conn.execute(select(cols.token).where(cols.connection_id == connection_id)).all()
            if any(self.cipher.can_decrypt(r.token) and self.cipher.decrypt(r.token) == token for r in rows):
                return "known"
            if len(rows) >= self.cap:
                return "full"
            conn.execute(insert(handshake_quarantine).values(
                connection_id=connection_id, subscription_uuid=subscription_uuid,
                token=self.cipher.encrypt(token), received_at=now))  # fmt: skip
        return "stored"

    # --- the subscriber's side ---
    def candidates(self, connection_id: str, subscription_uuid: str, since: datetime) -> list[str]:
        """Tokens that may be this subscription's: named for it first, then unnamed ones received since
        `since` (the subscribe window's opening); tokens named for another subscription never."""
        cols = handshake_quarantine.c
        floor = max(since, clock.now() - timedelta(seconds=self.ttl_s))
        query = (
            select(cols.subscription_uuid, cols.token, cols.received_at)
            .where(cols.connection_id == connection_id)
            .order_by(cols.id)
        )
        with self.engine.connect() as conn:
            rows = [r for r in conn.execute(query).all() if _aware(r.received_at) >= floor]
        named = [self.cipher.decrypt(r.token) for r in rows if r.subscription_uuid == subscription_uuid]
        unnamed = [self.cipher.decrypt(r.token) for r in rows if r.subscription_uuid is None]
        return list(dict.fromkeys(named + unnamed))

    def clear(self, connection_id: str) -> None:
        """Drop the connection's quarantined tokens (once its subscription is verified)."""
        with self.engine.begin() as conn:
            conn.execute(delete(handshake_quarantine).where(handshake_quarantine.c.connection_id == connection_id))

    def count(self, connection_id: str) -> int:
        with self.engine.connect() as conn:
            query = select(func.count()).where(handshake_quarantine.c.connection_id == connection_id)
            return int(conn.execute(query).scalar_one())
