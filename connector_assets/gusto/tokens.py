"""Token lifecycle: proactive, rotation-safe refresh of the company grant; the application's system token.

Gusto's refresh tokens rotate and may be spent once. A refresh therefore runs under the vault's row lock:
after taking it, the row is read again, and if another process already refreshed (the version moved on and
the token is fresh) that token is used instead of spending the old refresh token a second time. The new
pair is committed when the lock's block exits, before the new access token is ever sent (invariant 5).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from connector_assets.gusto.errors import GrantRevoked, NotConnected
from connector_assets.gusto.http import Credential
from connector_assets.gusto.oauth import OAuthClient
from connector_assets.store.vault import StoredToken, TokenVault, utcnow

COMPANY_PROVIDER = "gusto"
SYSTEM_PROVIDER = "gusto_system"


class _VaultTokens:
    """A token kept in the vault for one connection, renewed `margin` before it expires."""

    def __init__(
        self,
        connection_id: str,
        vault: TokenVault,
        oauth: OAuthClient,
        *,
        margin: timedelta = timedelta(seconds=300),
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.connection_id, self.vault, self.oauth = connection_id, vault, oauth
        self.margin, self._clock = margin, clock

    def _stale(self, token: StoredToken) -> bool:
        return token.expires_within(self.margin, self._clock())


class CompanyTokens(_VaultTokens):
    """The company grant of one connection, refreshed `margin` before it expires."""

    def current(self) -> Credential:
        """A token valid for at least `margin`, refreshing first when it is not."""
        token = self.vault.get(self.connection_id, COMPANY_PROVIDER)
        if token is None:
            raise NotConnected(self.connection_id)
        if self._stale(token):
            token = self.refresh(seen_version=token.version, force=False)
        return Credential(token.access_token, token.version)

    def refresh_after_rejection(self, rejected: Credential) -> Credential:
        """After a 401: refresh once, unless another process has replaced the rejected token already."""
        token = self.refresh(seen_version=rejected.version, force=True)
        return Credential(token.access_token, token.version)

    def refresh(self, *, seen_version: int, force: bool) -> StoredToken:
        """Refresh under the row lock; returns the pair that is committed to the vault."""
        with self.vault.lock(self.connection_id, COMPANY_PROVIDER) as locked:
            current = locked.current
            if current is None:
                raise NotConnected(self.connection_id)
            won_elsewhere = current.version != seen_version and not self._stale(current)
            if won_elsewhere or (not force and not self._stale(current)):
                return current
            if not current.refresh_token:
                raise GrantRevoked(self.connection_id, "no refresh token stored")
            grant = self.oauth.refresh(current.refresh_token)
            stored = locked.replace(grant.to_stored(current.refresh_token, **_kept(current)))
        # Leaving the block committed the new pair; only now may it be used.
        return stored


def _kept(token: StoredToken) -> dict[str, str]:
    """Facts learned at connect time (the company) survive refreshes."""
    return {k: v for k, v in token.extra.items() if k in ("company_uuid", "company_name") and isinstance(v, str)}


class SystemTokens(_VaultTokens):
    """The application's system-access token (webhook subscriptions, events), cached encrypted in the vault."""

    def _usable(self, token: StoredToken | None) -> bool:
        return token is not None and not self._stale(token)

    def current(self) -> Credential:
        token = self.vault.get(self.connection_id, SYSTEM_PROVIDER)
        if token is None or not self._usable(token):
            token = self._renew(seen_version=token.version if token else None)
        return Credential(token.access_token, token.version)

    def refresh_after_rejection(self, rejected: Credential) -> Credential:
        token = self._renew(seen_version=rejected.version)
        return Credential(token.access_token, token.version)

    def _renew(self, seen_version: int | None) -> StoredToken:
        with self.vault.lock(self.connection_id, SYSTEM_PROVIDER) as locked:
            current = locked.current
            if current is not None and current.version != seen_version and self._usable(current):
                return current
            stored = locked.replace(self.oauth.system_token().to_stored())
        return stored
