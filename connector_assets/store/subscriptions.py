"""Gusto webhook subscriptions known to the connector, with their verification tokens encrypted."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, select, update

from connector_assets.store._dialect import upsert
from connector_assets.store.crypto import SecretCipher
from connector_assets.store.tables import webhook_subscriptions
from connector_assets.store.vault import utcnow


@dataclass(frozen=True)
class Subscription:
    """A subscription; the verification token is the HMAC key for `X-Gusto-Signature`."""

    subscription_uuid: str
    connection_id: str
    url: str | None
    status: str
    verification_token: str | None = field(default=None, repr=False)


class Subscriptions:
    """Repository for `webhook_subscriptions`."""

    def __init__(self, engine: Engine, cipher: SecretCipher) -> None:
        self.engine, self.cipher = engine, cipher

    def save(
        self,
        *,
        subscription_uuid: str,
        connection_id: str,
        status: str,
        url: str | None = None,
        verification_token: str | None = None,
    ) -> None:
        """Create or update a subscription; a given verification token is stored encrypted."""
        values: dict[str, Any] = {
            "subscription_uuid": subscription_uuid,
            "connection_id": connection_id,
            "url": url,
            "status": status,
            "updated_at": utcnow(),
        }
        columns: tuple[str, ...] = ("connection_id", "status", "updated_at") + (("url",) if url else ())
        if verification_token is not None:
            values["verification_token"] = self.cipher.encrypt(verification_token)
            columns += ("verification_token",)
        with self.engine.begin() as conn:
            upsert(conn, webhook_subscriptions, values, update_columns=columns)

    def for_connection(self, connection_id: str) -> list[Subscription]:
        """Subscriptions of a connection, newest first; the receiver tries each token in turn."""
        query = (
            select(webhook_subscriptions)
            .where(webhook_subscriptions.c.connection_id == connection_id)
            .order_by(webhook_subscriptions.c.updated_at.desc())
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [
            Subscription(
                subscription_uuid=r["subscription_uuid"],
                connection_id=r["connection_id"],
                url=r["url"],
                status=r["status"],
                verification_token=self.cipher.decrypt(r["verification_token"], _name(r["subscription_uuid"]))
                if r["verification_token"]
                else None,
            )
            for r in rows
        ]

    def undecryptable(self) -> list[str]:
        """Names of the stored verification tokens no configured key decrypts."""
        cols = webhook_subscriptions.c
        query = select(cols.subscription_uuid, cols.verification_token).where(cols.verification_token.is_not(None))
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [_name(r.subscription_uuid) for r in rows if not self.cipher.can_decrypt(r.verification_token)]

    def reencrypt(self) -> int:
        """Rewrite every verification token under the newest key; all or nothing."""
        cols = webhook_subscriptions.c
        count = 0
        with self.engine.begin() as conn:
            query = select(cols.subscription_uuid, cols.verification_token).where(
                cols.verification_token.is_not(None)
            )
            for row in conn.execute(query.with_for_update()).all():
                token = self.cipher.rotate(row.verification_token, _name(row.subscription_uuid))
                conn.execute(update(webhook_subscriptions)
                             .where(cols.subscription_uuid == row.subscription_uuid)
                             .values(verification_token=token))  # fmt: skip
                count += 1
        return count


def _name(subscription_uuid: str) -> str:
    return f"the verification token of webhook subscription {subscription_uuid}"
