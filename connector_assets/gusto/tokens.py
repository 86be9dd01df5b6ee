"""Token lifecycle: proactive, rotation-safe refresh of the company grant; the application's system token.

Gusto's refresh tokens rotate and may be spent once. A refresh takes the vault's short lease on the row
(one quick transaction), calls Gusto with no transaction open, and writes the new pair only if the row is
still at the version it leased; other processes poll the lease and then use the winner's pair. The new
pair is stored before the new access token is ever sent (invariant 5).

A refresh token is never sent twice. When a refresh may have reached Gusto but its answer was lost, the
grant is marked "needs attention": every process stops using it, and one process (whoever leases it
next) tries the documented recovery once: a refresh with the newest stored token, which works under
Gusto's grace rule (gusto-api.md §2.4) because the lost pair was never used. If that fails too, only an
operator can help (`connector gusto connect`); Gusto offers no system-level re-authorization of a
company grant to app integrations.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from connector_assets.gusto.errors import (
    GrantNeedsAttention,
    GrantRevoked,
    NotConnected,
    RefreshOutcomeUnknown,
    reconnect_instruction,
)
from connector_assets.gusto.http import Credential, RetryPolicy
from connector_assets.gusto.oauth import OAuthClient
from connector_assets.store.vault import StoredToken, TokenVault, utcnow

log = logging.getLogger(__name__)

COMPANY_PROVIDER = "gusto"
SYSTEM_PROVIDER = "gusto_system"
# Polling a lease held by another process: first after this long, then doubling up to the cap.
POLL_FIRST_S, POLL_MAX_S = 0.02, 0.25


def lease_ttl(policy: RetryPolicy) -> timedelta:
    """Longer than the slowest refresh the request loop can make, so a live holder never loses its lease."""
    attempts = policy.max_retries + 1
    return timedelta(seconds=attempts * (policy.timeout + policy.max_retry_delay) + 30)


def new_holder() -> str:
    """A lease holder id naming this process (host, pid) and this client."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


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
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.connection_id, self.vault, self.oauth = connection_id, vault, oauth
        self.margin, self._clock, self._sleep = margin, clock, sleep
        self.holder = new_holder()

    def _stale(self, token: StoredToken) -> bool:
        return token.expires_within(self.margin, self._clock())


class CompanyTokens(_VaultTokens):
    """The company grant of one connection, refreshed `margin` before it expires."""

    def current(self) -> Credential:
        """A token valid for at least `margin`, refreshing first when it is not."""
        token = self.vault.get(self.connection_id, COMPANY_PROVIDER)
        if token is None:
            raise NotConnected(self.connection_id)
        if token.attention is not None or self._stale(token):
            token = self.refresh(seen_version=token.version, force=False)
        return Credential(token.access_token, token.version)

    def refresh_after_rejection(self, rejected: Credential) -> Credential:
        """After a 401: refresh once, unless another process has replaced the rejected token already."""
        token = self.refresh(seen_version=rejected.version, force=True)
        return Credential(token.access_token, token.version)

    def refresh(self, *, seen_version: int, force: bool) -> StoredToken:
        """The pair to use: another process's fresh one, or a new one spent for under this client's lease."""
        ttl = lease_ttl(self.oauth.http.policy)
        while True:
            claim = self.vault.claim(self.connection_id, COMPANY_PROVIDER, self.holder, ttl, single_use=True)
            token = claim.token
            if token is None:
                raise NotConnected(self.connection_id)
            if claim.expired_holder:
                self._flag(token.attention or "a refresh lease expired")
            if not claim.granted:
                if token.attention is not None and not token.leased_by_other(self.holder, self._clock()):
                    raise GrantNeedsAttention(self.connection_id, token.attention)
                moved = self._await_lease(token)
                if moved is not None:
                    return moved
                continue
            if not claim.recovery:
                won_elsewhere = token.version != seen_version and not self._stale(token)
                if won_elsewhere or (not force and not self._stale(token)):
                    self.vault.release(self.connection_id, COMPANY_PROVIDER, self.holder)
                    return token
            stored = self._spend(token, recovery=claim.recovery)
            if stored is not None:
                return stored

    def _await_lease(self, leased: StoredToken) -> StoredToken | None:
        """Poll until the other holder's lease ends; its fresh pair, or None to claim again."""
        delay = POLL_FIRST_S
        while True:
            self._sleep(delay)
            delay = min(delay * 2, POLL_MAX_S)
            token = self.vault.get(self.connection_id, COMPANY_PROVIDER)
            if token is None:
                raise NotConnected(self.connection_id)
            if token.version != leased.version and token.attention is None and not self._stale(token):
                return token
            if not token.leased_by_other(self.holder, self._clock()):
                return None

    def _spend(self, token: StoredToken, *, recovery: bool) -> StoredToken | None:
        """Send the stored refresh token once; the stored pair, or None when the caller must claim again."""
        what = "recovery refresh" if recovery else "refresh"
        before = f"{token.attention}; then " if recovery and token.attention else ""
        if not token.refresh_token:
            self._mark("no refresh token stored", recoverable=False)
            raise GrantNeedsAttention(self.connection_id, "no refresh token stored")
        try:
            grant = self.oauth.refresh(token.refresh_token)
        except RefreshOutcomeUnknown as exc:
            reason = f"{before}the {what} answer was lost ({exc.detail})"
            self._mark(reason, recoverable=not recovery)
            if recovery:
                raise GrantNeedsAttention(self.connection_id, reason) from None
            return None  # claim again: one process (maybe this one) may try the recovery
        except GrantRevoked:
            reason = f"{before}Gusto refused the {what} (invalid_grant)"
            self._mark(reason, recoverable=False)
            raise GrantNeedsAttention(self.connection_id, reason) from None
        except Exception:
            # Provably not acted on (never sent, or refused before rotating): the token is still good.
            self.vault.release(self.connection_id, COMPANY_PROVIDER, self.holder)
            raise
        stored = self.vault.complete(
            self.connection_id,
            COMPANY_PROVIDER,
            self.holder,
            token.version,
            grant.to_stored(token.refresh_token, **_kept(token)),
        )
        if stored is not None and recovery:
            log.warning("Gusto grant for %s recovered by a refresh with the stored token", self.connection_id)
        return stored

    def _mark(self, reason: str, *, recoverable: bool) -> None:
        self.vault.mark_needs_attention(self.connection_id, COMPANY_PROVIDER, reason, recoverable=recoverable)
        self._flag(reason)

    def _flag(self, reason: str) -> None:
        log.error(
            "Gusto grant for %s needs attention (%s); %s",
            self.connection_id,
            reason,
            reconnect_instruction(self.connection_id),
        )


def _kept(token: StoredToken) -> dict[str, str]:
    """Facts learned at connect time (the company) survive refreshes."""
    return {k: v for k, v in token.extra.items() if k in ("company_uuid", "company_name") and isinstance(v, str)}


class SystemTokens(_VaultTokens):
    """The application's system-access token (webhook subscriptions, events), cached encrypted in the vault.

    A system token can be requested at any time, so no lease is needed: two processes renewing at once
    each get a valid token and the later write wins."""

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
        current = self.vault.get(self.connection_id, SYSTEM_PROVIDER)
        if current is not None and current.version != seen_version and self._usable(current):
            return current
        return self.vault.put(self.connection_id, SYSTEM_PROVIDER, self.oauth.system_token().to_stored())
