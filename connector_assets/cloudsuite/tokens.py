"""ION access tokens: password grant with the service-account keys, cached in the vault per connection.

The service account may authenticate only ~20 times a minute (reference §3.2), so a token is shared by
every client of a connection: in memory within a process and through the vault across processes. A new
token is fetched under the vault's short refresh lease (no transaction is open during the call), so N
processes that all see an expiring token make one grant. The password grant can be issued again at any
time, so a lost answer costs one more authentication, never the connection.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx

from connector_assets.cloudsuite.errors import AuthenticationCapReached, IonAuthError
from connector_assets.cloudsuite.ionapi import IonApiCredentials
from connector_assets.cloudsuite.retry import RETRYABLE_STATUSES, RetryPolicy, body_excerpt, retry_after_s
from connector_assets.store.ratelimit import RollingWindowLimiter
from connector_assets.store.vault import StoredToken, TokenVault, utcnow

# Far longer than a grant takes; a holder that dies frees the lease after this (a takeover only costs
# one more authentication: password grants are independent).
LEASE_TTL = timedelta(minutes=2)
POLL_FIRST_S, POLL_MAX_S = 0.02, 0.25

log = logging.getLogger(__name__)

PROVIDER = "ion"
# Essentials tier: "Service Account Authentication ... max peak 20/minute" (reference §3.2).
DEFAULT_AUTH_PER_MINUTE = 20
_FATAL_ERRORS = frozenset({"invalid_client", "invalid_grant", "unauthorized_client", "invalid_request"})


class IonTokens:
    """The access token of one connection's tenant; thread safe, shared across processes via the vault."""

    def __init__(
        self,
        connection_id: str,
        credentials: IonApiCredentials,
        vault: TokenVault,
        http: httpx.Client,
        *,
        refresh_margin_s: int = 300,
        retry: RetryPolicy | None = None,
        auth_per_minute: int | None = DEFAULT_AUTH_PER_MINUTE,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.connection_id = connection_id
        self.credentials = credentials
        self.vault = vault
        self.http = http
        self.refresh_margin_s = refresh_margin_s
        self.retry = retry or RetryPolicy()
        self._sleep = sleep
        self._limiter = RollingWindowLimiter(vault.engine, limit=auth_per_minute) if auth_per_minute else None
        self._lock = threading.Lock()
        self._cached: StoredToken | None = None
        self._holder = f"ion:{os.getpid()}:{uuid.uuid4().hex[:8]}"

    def __repr__(self) -> str:
        return f"IonTokens(connection={self.connection_id!r}, tenant={self.credentials.tenant!r})"

    @property
    def _secrets(self) -> tuple[str | None, ...]:
        c = self.credentials
        cached = self._cached
        return (
            c.client_secret,
            c.secret_key,
            c.access_key,
            cached.access_token if cached else None,
            cached.refresh_token if cached else None,
        )

    def _margin(self, token: StoredToken) -> timedelta:
        # A tenant may issue short tokens: never refresh earlier than a quarter of their lifetime,
        # or every call would re-authenticate and spend the service account's cap.
        lifetime = float(token.extra.get("lifetime_s", 7200))
        return timedelta(seconds=min(float(self.refresh_margin_s), lifetime / 4))

    def _usable(self, token: StoredToken | None, rejected: str | None = None) -> bool:
        return (
            token is not None and token.access_token != rejected and not token.expires_within(self._margin(token))
        )

    def access_token(self) -> str:
        """A valid access token: from memory, else the vault, else a new grant under the vault's lease."""
        cached = self._cached
        if self._usable(cached):
            assert cached is not None
            return cached.access_token
        return self._renew(rejected=None)

    def reauthenticate(self, rejected: str) -> str:
        """After a 401 with `rejected`: a token another process already renewed, else a new grant."""
        return self._renew(rejected=rejected)

    def _renew(self, rejected: str | None) -> str:
        with self._lock:
            stored = self.vault.get(self.connection_id, PROVIDER)
            if self._usable(stored, rejected):
                assert stored is not None
                self._cached = stored
                return stored.access_token
            if self._limiter is not None and not (stored and stored.refresh_token):
                # Before the lease: a race may spend a slot it then does not use, which only errs on the safe side.
                self._limiter.reserve(f"ion-auth:{self.credentials.tenant}")
            return self._renew_leased(rejected)

    def _renew_leased(self, rejected: str | None) -> str:
        delay = POLL_FIRST_S
        while True:
            claim = self.vault.claim(self.connection_id, PROVIDER, self._holder, LEASE_TTL, create_missing=True)
            current = claim.token
            assert current is not None  # create_missing: the row exists once claimed
            if self._usable(current, rejected):
                if claim.granted:
                    self.vault.release(self.connection_id, PROVIDER, self._holder)
                self._cached = current
                return current.access_token
            if not claim.granted:
                # Another process is authenticating: wait for its token rather than spend the cap.
                self._sleep(delay)
                delay = min(delay * 2, POLL_MAX_S)
                continue
            try:
                fresh = self._obtain(current)
            except BaseException:
                self.vault.release(self.connection_id, PROVIDER, self._holder)
                raise
            stored = self.vault.complete(self.connection_id, PROVIDER, self._holder, current.version, fresh)
            self._cached = stored or fresh
            return fresh.access_token

    def _obtain(self, current: StoredToken | None) -> StoredToken:
        if current is not None and current.refresh_token:
            try:
                return self._grant({"grant_type": "refresh_token", "refresh_token": current.refresh_token})
            except AuthenticationCapReached:
                raise
            except IonAuthError as exc:
                # Refresh tokens expire when idle, rotate, or get revoked: fall back to the password grant.
                log.info("ION refresh for %s failed (%s); using the password grant", self.connection_id, exc)
        c = self.credentials
        return self._grant({"grant_type": "password", "username": c.access_key, "password": c.secret_key})

    def _grant(self, form: dict[str, str]) -> StoredToken:
        kind = form["grant_type"]
        c = self.credentials
        body = {**form, "client_id": c.client_id, "client_secret": c.client_secret}
        attempt = 0
        while True:
            try:
                response = self.http.post(
                    c.token_url, data=body, headers={"Accept": "application/json"}, timeout=self.retry.timeout()
                )
            except httpx.TransportError as exc:
                if attempt >= self.retry.max_retries:
                    raise IonAuthError(
                        f"{self._who()}: token endpoint {c.token_url} unreachable ({type(exc).__name__}); "
                        "check 'pu'/'ot' in the .ionapi file and the network"
                    ) from None
                self._sleep(self.retry.delay(attempt))
                attempt += 1
                continue
            if response.status_code == 200:
                return self._parse(response, kind)
            error = _oauth_error(response)
            capped = response.status_code == 429 or error in ("too_many_requests", "temporarily_unavailable")
            retryable = capped or (response.status_code in RETRYABLE_STATUSES and error not in _FATAL_ERRORS)
            if retryable and attempt < self.retry.max_retries:
                delay = self.retry.delay(attempt, retry_after_s(response))
                log.warning(
                    "ION token %s grant for %s got HTTP %s; retrying in %.1fs",
                    kind,
                    self.connection_id,
                    response.status_code,
                    delay,
                )
                self._sleep(delay)
                attempt += 1
                continue
            detail = body_excerpt(response, self._secrets)
            if capped:
                raise AuthenticationCapReached(
                    f"{self._who()}: the service-account authentication cap was reached (HTTP "
                    f"{response.status_code}: {detail}); wait a minute and make sure tokens are reused"
                )
            raise IonAuthError(
                f"{self._who()}: {kind} grant refused with HTTP {response.status_code} ({detail}); "
                f"check ci/cs/saak/sask in {c.source} or download new credentials"
            )

    def _parse(self, response: httpx.Response, kind: str) -> StoredToken:
        try:
            data: Any = response.json()
            access = str(data["access_token"])
            lifetime = int(data.get("expires_in") or 0)
        except (ValueError, KeyError, TypeError):
            raise IonAuthError(
                f"{self._who()}: {kind} grant answered 200 without access_token/expires_in; "
                "the token endpoint in the .ionapi file may be wrong"
            ) from None
        if lifetime <= 0:
            lifetime = 7200  # reference §3.2: two hours unless the app says otherwise
        refresh = data.get("refresh_token") or None
        return StoredToken(
            access_token=access,
            refresh_token=str(refresh) if refresh else None,
            expires_at=utcnow() + timedelta(seconds=lifetime),
            extra={"lifetime_s": lifetime, "tenant": self.credentials.tenant},
        )

    def forget(self) -> None:
        """Drop the in-memory token (the vault copy stays)."""
        with self._lock:
            self._cached = None

    def revoke(self) -> bool:
        """Revoke the grant at the tenant and delete it from the vault; False when nothing was stored."""
        with self._lock:
            stored = self.vault.get(self.connection_id, PROVIDER)
            self._cached = None
            if stored is None:
                return False
            c = self.credentials
            token, hint = (
                (stored.refresh_token, "refresh_token")
                if stored.refresh_token
                else (stored.access_token, "access_token")
            )
            try:
                response = self.http.post(
                    c.revoke_url,
                    data={"token": token, "token_type_hint": hint},
                    auth=(c.client_id, c.client_secret),
                    timeout=self.retry.timeout(),
                )
            except httpx.TransportError as exc:
                raise IonAuthError(
                    f"{self._who()}: revoke endpoint unreachable ({type(exc).__name__}); the token stays in "
                    "the vault, retry the disconnect"
                ) from None
            if response.status_code >= 400:
                raise IonAuthError(
                    f"{self._who()}: revoke refused with HTTP {response.status_code} "
                    f"({body_excerpt(response, (*self._secrets, token))}); the token stays in the vault"
                )
            self.vault.delete(self.connection_id, PROVIDER)
            return True

    def _who(self) -> str:
        return f"connection {self.connection_id} (tenant {self.credentials.tenant})"


def _oauth_error(response: httpx.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return ""
    return str(data.get("error", "")) if isinstance(data, dict) else ""
