"""The token vault: OAuth tokens per connection and provider, encrypted, refreshed under a short lease.

Rotating refresh tokens (Gusto) may be spent once, and the token endpoint can be slow. No transaction is
held across that call: a refresher `claim`s a lease on the row in one quick transaction (it records who
refreshes and until when), calls the provider with no transaction open, then `complete`s, which writes the
new pair only if the row's version is still the one it claimed. Other processes see the live lease and
poll until the version moves. A refresh whose outcome is unclear marks the grant "needs attention".
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select, text, update

from connector_assets import clock
from connector_assets.store.crypto import SecretCipher
from connector_assets.store.tables import oauth_tokens

NEEDS_ATTENTION = "needs_attention"


def _serialize(conn: Connection, connection_id: str, provider: str) -> None:
    # FOR UPDATE locks nothing while the row does not exist yet (first grant): on PostgreSQL a transaction-
    # scoped advisory lock on the key serializes those callers too. SQLite's BEGIN IMMEDIATE already does.
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"{connection_id}:{provider}"})


def utcnow() -> datetime:
    """Now, by the product's clock (`CONNECTOR_TODAY` pins the day)."""
    return clock.now()


def _aware(value: datetime) -> datetime:
    # SQLite returns naive datetimes; everything stored is UTC.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _token_name(connection_id: str, provider: str) -> str:
    return f"the {provider} token of connection {connection_id} (oauth_tokens row {connection_id}/{provider})"


@dataclass(frozen=True)
class StoredToken:
    """A token pair as held in the vault; `repr` never shows the secrets.

    `attention` is the reason the grant needs an operator (None while usable); `lease_holder` and
    `lease_expires_at` name a refresh in flight."""

    access_token: str = field(repr=False)
    refresh_token: str | None = field(repr=False)
    expires_at: datetime
    extra: dict[str, Any] = field(default_factory=dict, repr=False)
    version: int = 0
    attention: str | None = None
    recovery_attempts: int = 0
    lease_holder: str | None = None
    lease_expires_at: datetime | None = None

    def expires_within(self, margin: timedelta, now: datetime | None = None) -> bool:
        """True when the access token expires in less than `margin` (refresh it before use)."""
        return _aware(self.expires_at) - margin <= (now or utcnow())

    def leased_by_other(self, holder: str, now: datetime) -> bool:
        """Another process holds a live refresh lease on this row."""
        live = self.lease_expires_at is not None and self.lease_expires_at > now
        return live and self.lease_holder not in (None, holder)


@dataclass(frozen=True)
class Claim:
    """The outcome of `TokenVault.claim`: the row as it was, and whether the caller now holds the lease.

    `recovery` is set when the lease was granted for the one recovery attempt of a grant needing attention;
    `expired_holder` names a previous holder whose lease ran out before it reported back."""

    token: StoredToken | None
    granted: bool
    recovery: bool = False
    expired_holder: str | None = None


class TokenVault:
    """Encrypted OAuth tokens per (connection, provider)."""

    def __init__(self, engine: Engine, cipher: SecretCipher) -> None:
        self.engine = engine
        self.cipher = cipher

    def get(self, connection_id: str, provider: str) -> StoredToken | None:
        with self.engine.connect() as conn:
            return self._read(conn, connection_id, provider, for_update=False)

    def put(self, connection_id: str, provider: str, token: StoredToken) -> StoredToken:
        """Store a new pair (after a connect or a re-authentication), bumping the version and clearing any
        lease and "needs attention" state."""
        with self.engine.begin() as conn:
            _serialize(conn, connection_id, provider)
            current = self._read(conn, connection_id, provider, for_update=True)
            return self._write(conn, connection_id, provider, token, current)

    def delete(self, connection_id: str, provider: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(oauth_tokens).where(*self._key(connection_id, provider)))

    def claim(
        self,
        connection_id: str,
        provider: str,
        holder: str,
        ttl: timedelta,
        *,
        single_use: bool = False,
        create_missing: bool = False,
        now: datetime | None = None,
    ) -> Claim:
        """Take the refresh lease in one quick transaction, unless another process holds a live one.

        With `single_use` (rotating refresh tokens) a lease that expired before its holder reported back
        is an unclear outcome: the grant is marked needs attention. A grant needing attention is leased
        once more, for one recovery attempt, and then no more until an operator reconnects it.
        With `create_missing`, a missing row is created empty and expired, so first grants are leased too."""
        now = now or utcnow()
        with self.engine.begin() as conn:
            _serialize(conn, connection_id, provider)
            token = self._read(conn, connection_id, provider, for_update=True)
            if token is None and create_missing:
                empty = StoredToken("", None, datetime(1970, 1, 1, tzinfo=UTC))
                token = replace(self._write(conn, connection_id, provider, empty, None), version=0)
                self._update(conn, connection_id, provider, version=0)
            if token is None:
                return Claim(None, granted=False)
            if token.leased_by_other(holder, now):
                return Claim(token, granted=False)
            expired = token.lease_holder if token.lease_holder not in (None, holder) else None
            values: dict[str, Any] = {"lease_holder": holder, "lease_expires_at": now + ttl}
            if expired and single_use and token.attention is None:
                reason = f"a refresh by {expired} did not report back before its lease expired"
                token = replace(token, attention=reason)
                values.update(state=NEEDS_ATTENTION, state_reason=reason)
            recovery = token.attention is not None
            if recovery:
                if token.recovery_attempts >= 1:
                    if token.lease_holder is not None:
                        self._update(conn, connection_id, provider, lease_holder=None, lease_expires_at=None)
                    return Claim(token, granted=False, expired_holder=expired)
                values["recovery_attempts"] = token.recovery_attempts + 1
            self._update(conn, connection_id, provider, **values)
            return Claim(token, granted=True, recovery=recovery, expired_holder=expired)

    def complete(
        self, connection_id: str, provider: str, holder: str, claimed_version: int, token: StoredToken
    ) -> StoredToken | None:
        """Write the new pair and end the lease, only if `holder` still holds it at `claimed_version`;
        None when the row moved on (the caller's pair was not stored)."""
        with self.engine.begin() as conn:
            current = self._read(conn, connection_id, provider, for_update=True)
            if current is None or current.version != claimed_version or current.lease_holder != holder:
                return None
            return self._write(conn, connection_id, provider, token, current)

    def release(self, connection_id: str, provider: str, holder: str) -> None:
        """End `holder`'s lease without writing (the refresh provably did not happen, or was not needed).
        An empty row made by `create_missing` (version 0) goes with it."""
        held = (*self._key(connection_id, provider), oauth_tokens.c.lease_holder == holder)
        with self.engine.begin() as conn:
            conn.execute(delete(oauth_tokens).where(*held, oauth_tokens.c.version == 0))
            conn.execute(
                update(oauth_tokens)
                .where(*self._key(connection_id, provider), oauth_tokens.c.lease_holder == holder)
                .values(lease_holder=None, lease_expires_at=None)
            )

    def mark_needs_attention(
        self, connection_id: str, provider: str, reason: str, *, recoverable: bool = True
    ) -> None:
        """Every process stops using the grant until it is recovered or reconnected; ends any lease.
        Not `recoverable` (a definite refusal): no recovery attempt is leased, only a reconnect helps."""
        values: dict[str, Any] = {"state": NEEDS_ATTENTION, "state_reason": reason}
        if not recoverable:
            values["recovery_attempts"] = 1
        with self.engine.begin() as conn:
            self._update(conn, connection_id, provider, lease_holder=None, lease_expires_at=None, **values)

    @staticmethod
    def _key(connection_id: str, provider: str) -> tuple[Any, Any]:
        return (oauth_tokens.c.connection_id == connection_id, oauth_tokens.c.provider == provider)

    def _update(self, conn: Connection, connection_id: str, provider: str, **values: Any) -> None:
        conn.execute(update(oauth_tokens).where(*self._key(connection_id, provider)).values(**values))

    def needing_attention(self, provider: str) -> dict[str, str]:
        """Connection id → reason, for every grant of `provider` that needs attention (nothing decrypted)."""
        cols = oauth_tokens.c
        query = select(cols.connection_id, cols.state_reason).where(
            cols.provider == provider, cols.state == NEEDS_ATTENTION
        )
        with self.engine.connect() as conn:
            return {r.connection_id: r.state_reason or NEEDS_ATTENTION for r in conn.execute(query)}

    def reencrypt(self) -> int:
        """Rewrite every row under the newest key (after rotating `CONNECTOR_ENCRYPTION_KEY`)."""
        count = 0
        with self.engine.begin() as conn:
            for row in conn.execute(select(oauth_tokens).with_for_update()).mappings():
                what = f"{_token_name(row['connection_id'], row['provider'])} ({{col}})"
                values = {
                    col: self.cipher.rotate(row[col], what.format(col=col))
                    for col in ("access_token", "refresh_token", "extra")
                    if row[col] is not None
                }
                conn.execute(
                    update(oauth_tokens)
                    .where(
                        oauth_tokens.c.connection_id == row["connection_id"],
                        oauth_tokens.c.provider == row["provider"],
                    )
                    .values(**values)
                )
                count += 1
        return count

    def undecryptable(self) -> list[str]:
        """Names of the stored token rows some column of which no configured key decrypts."""
        cols = oauth_tokens.c
        query = select(cols.connection_id, cols.provider, cols.access_token, cols.refresh_token, cols.extra)
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(cols.connection_id, cols.provider)).all()
        return [
            _token_name(r.connection_id, r.provider)
            for r in rows
            if not all(self.cipher.can_decrypt(v) for v in (r.access_token, r.refresh_token, r.extra) if v)
        ]

    def _read(
        self, conn: Connection, connection_id: str, provider: str, *, for_update: bool
    ) -> StoredToken | None:
        query = select(oauth_tokens).where(
            oauth_tokens.c.connection_id == connection_id, oauth_tokens.c.provider == provider
        )
        row = conn.execute(query.with_for_update() if for_update else query).mappings().first()
        if row is None:
            return None
        lease_until = row["lease_expires_at"]
        what = _token_name(connection_id, provider)
        return StoredToken(
            access_token=self.cipher.decrypt(row["access_token"], what),
            refresh_token=self.cipher.decrypt(row["refresh_token"], what) if row["refresh_token"] else None,
            expires_at=_aware(row["expires_at"]),
            extra=json.loads(self.cipher.decrypt(row["extra"], what)) if row["extra"] else {},
            version=row["version"],
            attention=(row["state_reason"] or row["state"]) if row["state"] == NEEDS_ATTENTION else None,
            recovery_attempts=row["recovery_attempts"] or 0,
            lease_holder=row["lease_holder"],
            lease_expires_at=_aware(lease_until) if lease_until else None,
        )

    def _write(
        self,
        conn: Connection,
        connection_id: str,
        provider: str,
        token: StoredToken,
        current: StoredToken | None,
    ) -> StoredToken:
        version = (current.version if current else 0) + 1
        values = {
            "access_token": self.cipher.encrypt(token.access_token),
            "refresh_token": self.cipher.encrypt(token.refresh_token) if token.refresh_token else None,
            "expires_at": _aware(token.expires_at),
            "extra": self.cipher.encrypt(json.dumps(token.extra)) if token.extra else None,
            "version": version,
            "updated_at": utcnow(),
            # A stored pair is usable: any lease ends and the grant no longer needs attention.
            "lease_holder": None,
            "lease_expires_at": None,
            "state": None,
            "state_reason": None,
            "recovery_attempts": None,
        }
        key = {"connection_id": connection_id, "provider": provider}
        if current is None:
            conn.execute(insert(oauth_tokens).values(**key, **values))
        else:
            conn.execute(
                update(oauth_tokens)
                .where(oauth_tokens.c.connection_id == connection_id, oauth_tokens.c.provider == provider)
                .values(**values)
            )
        return StoredToken(token.access_token, token.refresh_token, token.expires_at, token.extra, version)
