"""One request path to the ION gateway: bearer token, per-tenant concurrency cap, retries, typed errors.

429 and 5xx are retried with exponential backoff and jitter (a `Retry-After` is honoured when present,
though Infor documents none); a 401 re-authenticates once and then fails. Calls that change data are
not retried after a network error or an ambiguous 500/504, since the ERP may have applied them: the
caller's own recovery (e.g. looking a batch up by its key) decides.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from connector_assets.cloudsuite.errors import IonRequestError, IonUnauthorized, RateLimited
from connector_assets.cloudsuite.retry import RETRYABLE_STATUSES, RetryPolicy, body_excerpt, retry_after_s
from connector_assets.cloudsuite.tokens import IonTokens

log = logging.getLogger(__name__)

# Statuses that mean the gateway never handed the call to the ERP: safe to repeat even for writes.
_NOT_DELIVERED = frozenset({429, 502, 503})

_semaphores: dict[str, threading.BoundedSemaphore] = {}
_semaphores_lock = threading.Lock()


def tenant_semaphore(tenant_url: str, size: int) -> threading.BoundedSemaphore:
    """The process-wide semaphore of one tenant, created with the first size asked for."""
    with _semaphores_lock:
        sem = _semaphores.get(tenant_url)
        if sem is None:
            sem = _semaphores[tenant_url] = threading.BoundedSemaphore(size)
        return sem


Accept = Callable[[httpx.Response], bool]


class IonTransport:
    """Authenticated HTTP to one tenant; every call of the M3 and SyteLine adapters goes through `request`."""

    def __init__(
        self,
        tokens: IonTokens,
        http: httpx.Client,
        *,
        max_concurrency: int = 4,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        owns_http: bool = False,
    ) -> None:
        self.tokens = tokens
        self.http = http
        self.owns_http = owns_http
        self.retry = retry or RetryPolicy()
        self._sleep = sleep
        self._semaphore = tenant_semaphore(tokens.credentials.tenant_url, max_concurrency)

    def __repr__(self) -> str:
        return f"IonTransport(tenant={self.tokens.credentials.tenant!r})"

    def close(self) -> None:
        """Close the HTTP client when this transport created it."""
        if self.owns_http:
            self.http.close()

    def url(self, context: str) -> str:
        return self.tokens.credentials.api_url(context)

    def request(
        self,
        method: str,
        url: str,
        *,
        what: str,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        writes: bool = False,
        accept: Accept | None = None,
    ) -> httpx.Response:
        """Send one call; `what` names the call in errors; `accept` keeps an error status whose body the caller reads."""
        attempt = 0
        reauthenticated = False
        while True:
            token = self.tokens.access_token()
            all_headers = {"Accept": "application/json", **(headers or {}), "Authorization": f"Bearer {token}"}
            try:
                with self._semaphore:
                    response = self.http.request(
                        method, url, params=params, json=json, headers=all_headers, timeout=self.retry.timeout()
                    )
            except httpx.TransportError as exc:
                if writes or attempt >= self.retry.max_retries:
                    raise IonRequestError(
                        f"{what}: {type(exc).__name__} talking to {self._host()} after {attempt + 1} attempt(s); "
                        + (
                            "the change may or may not have been applied, retry the whole operation"
                            if writes
                            else "check the network and the 'iu' URL, then retry"
                        ),
                        retryable=True,
                    ) from None
                self._backoff(what, attempt, None, type(exc).__name__)
                attempt += 1
                continue
            status = response.status_code
            if status == 401:
                if reauthenticated:
                    raise IonUnauthorized(
                        f"{what}: HTTP 401 again with a fresh token; grant the app's service account access "
                        f"to this API in tenant {self.tokens.credentials.tenant}"
                    )
                self.tokens.reauthenticate(token)
                reauthenticated = True
                continue
            if status < 400 or (accept is not None and accept(response)):
                return response
            retryable = status in (_NOT_DELIVERED if writes else RETRYABLE_STATUSES)
            if retryable and attempt < self.retry.max_retries:
                self._backoff(what, attempt, retry_after_s(response), f"HTTP {status}")
                attempt += 1
                continue
            detail = body_excerpt(response, (token,))
            if status == 429:
                raise RateLimited(
                    f"{what}: throttled (HTTP 429) {attempt + 1} times; lower cloudsuite.max_concurrency or "
                    f"retry later ({detail})",
                    status=status,
                    retryable=True,
                )
            raise IonRequestError(
                f"{what}: HTTP {status} after {attempt + 1} attempt(s): {detail}",
                status=status,
                retryable=status in RETRYABLE_STATUSES,
            )

    def _backoff(self, what: str, attempt: int, retry_after: float | None, reason: str) -> None:
        delay = self.retry.delay(attempt, retry_after)
        log.warning("%s: %s, retry %d in %.2fs", what, reason, attempt + 1, delay)
        self._sleep(delay)

    def _host(self) -> str:
        return self.tokens.credentials.gateway_url
