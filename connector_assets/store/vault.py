"""The token vault: OAuth tokens per connection and provider, encrypted, refreshed under a row lock.

Rotating refresh tokens (Gusto) may be spent once. `TokenVault.lock` holds the row exclusively
(`SELECT ... FOR UPDATE` on PostgreSQL, `BEGIN IMMEDIATE` on SQLite) for the whole refresh, so a
second process waits, then sees the winner's new token instead of spending the old refresh token.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select, text, update

from connector_assets.store.crypto import SecretCipher
from connector_assets.store.tables import oauth_tokens


def _serialize(conn: Connection, connection_id: str, provider: str) -> None:
    # FOR UPDATE locks nothing while the row does not exist yet (first grant): on PostgreSQL a transaction-
    # scoped advisory lock on the key serializes those callers too. SQLite's BEGIN IMMEDIATE already does.
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"{connection_id}:{provider}"})


def utcnow() -> datetime:
    return datetime.now(UTC)


def _aware(value: datetime) -> datetime:
    # SQLite returns naive datetimes; everything stored is UTC.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _token_name(connection_id: str, provider: str) -> str:
    return f"the {provider} token of connection {connection_id} (oauth_tokens row {connection_id}/{provider})"


@dataclass(frozen=True)
class StoredToken:
    """A token pair as held in the vault; `repr` never shows the secrets."""

    access_token: str = field(repr=False)
    refresh_token: str | None = field(repr=False)
    expires_at: datetime
    extra: dict[str, Any] = field(default_factory=dict, repr=False)
    version: int = 0

    def expires_within(self, margin: timedelta, now: datetime | None = None) -> bool:
        """True when the access token expires in less than `margin` (refresh it before use)."""
        return _aware(self.expires_at) - margin <= (now or utcnow())


class TokenLock:
    """The locked vault row during a refresh: read `current`, then `replace` it inside the same transaction."""

    def __init__(self, vault: TokenVault, conn: Connection, connection_id: str, provider: str) -> None:
        self._vault, self._conn = vault, conn
        self._key = (connection_id, provider)
        self.current = vault._read(conn, connection_id, provider, for_update=True)

    def replace(self, token: StoredToken) -> StoredToken:
        """Persist the new pair; committed when the `with` block exits, before the caller uses it."""
        self.current = self._vault._write(self._conn, *self._key, token, self.current)
        return self.current


class TokenVault:
    """Encrypted OAuth tokens per (connection, provider)."""

    def __init__(self, engine: Engine, cipher: SecretCipher) -> None:
        self.engine = engine
        self.cipher = cipher

    def get(self, connection_id: str, provider: str) -> StoredToken | None:
        with self.engine.connect() as conn:
            return self._read(conn, connection_id, provider, for_update=False)

    def put(self, connection_id: str, provider: str, token: StoredToken) -> StoredToken:
        """Store a new pair (after a connect or a re-authentication), bumping the version."""
        with self.engine.begin() as conn:
            _serialize(conn, connection_id, provider)
            current = self._read(conn, connection_id, provider, for_update=True)
            return self._write(conn, connection_id, provider, token, current)

    def delete(self, connection_id: str, provider: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                delete(oauth_tokens).where(
                    oauth_tokens.c.connection_id == connection_id, oauth_tokens.c.provider == provider
                )
            )

    @contextmanager
    def lock(self, connection_id: str, provider: str) -> Iterator[TokenLock]:
        """Hold the row exclusively for a refresh; commits on exit, rolls back on error."""
        with self.engine.begin() as conn:
            _serialize(conn, connection_id, provider)
            yield TokenLock(self, conn, connection_id, provider)

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
        what = _token_name(connection_id, provider)
        return StoredToken(
            access_token=self.cipher.decrypt(row["access_token"], what),
            refresh_token=self.cipher.decrypt(row["refresh_token"], what) if row["refresh_token"] else None,
            expires_at=_aware(row["expires_at"]),
            extra=json.loads(self.cipher.decrypt(row["extra"], what)) if row["extra"] else {},
            version=row["version"],
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
