"""The one request path to Gusto: version header, bearer token, client-side rate limit, retries, typed errors.

Every call, OAuth included, goes through `GustoHttp.request`: 429 is retried after `Retry-After`; 5xx,
timeouts and connection errors with exponential backoff and jitter; 401 triggers one forced token refresh
and one retry; any other 4xx fails at once with Gusto's `{"errors":[...]}` content in the exception.
"""

from __future__ import annotations

import email.utils
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import httpx

from connector_assets.gusto.errors import (
    GustoApiError,
    GustoUnavailable,
    RateLimited,
    TokenExpired,
    parse_error_details,
)
from connector_assets.http_clients import new_client
from connector_assets.store.ratelimit import RollingWindowLimiter

USER_AGENT = "connector-assets-gusto/0.1"
_IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})


@dataclass(frozen=True)
class RetryPolicy:
    """Retry and timeout knobs of the request loop (the same names as dagster-fivetran's resource fields)."""

    max_retries: int = 5
    """Retries of one request after a 5xx, a timeout or a connection error."""
    retry_delay: float = 0.5
    """Base of the exponential backoff in seconds: delay n is retry_delay * 2**(n-1), with jitter."""
    max_retry_delay: float = 30.0
    """Upper bound of one backoff delay in seconds."""
    max_rate_limit_retries: int = 10
    """Retries of one request after 429; each waits `Retry-After` (or the backoff when absent)."""
    timeout: float = 30.0
    """Seconds for connect, read and write of one request."""


@dataclass(frozen=True)
class Credential:
    """An access token and the vault version it came from; `repr` hides the token."""

    access_token: str
    version: int = 0

    def __repr__(self) -> str:
        return f"Credential(version={self.version})"


class TokenSource(Protocol):
    """Gives the request loop a bearer token, and a new one after a 401."""

    connection_id: str

    def current(self) -> Credential: ...

    def refresh_after_rejection(self, rejected: Credential) -> Credential: ...


@dataclass
class RequestCounters:
    """What the client sent and what came back, for benchmarks and run metadata."""

    requests: int = 0
    throttled: int = 0
    retries: int = 0
    refreshes: int = 0
    limiter_wait_s: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def retry_after_seconds(value: str | None, now: Callable[[], float] = time.time) -> float | None:
    """`Retry-After` as seconds: an integer, or an HTTP date (RFC 9110 allows both)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - datetime.fromtimestamp(now(), UTC)).total_seconds(), 0.0)


def request_id(response: httpx.Response) -> str | None:
    """`x-request-id`, which Gusto's proxies sometimes stamp twice (`abc,abc`)."""
    raw = response.headers.get("x-request-id")
    return raw.split(",")[0].strip() if raw else None


class GustoHttp:
    """Sends requests to one Gusto host for one grant."""

    def __init__(
        self,
        *,
        base_url: str,
        api_version: str,
        auth: TokenSource | None,
        limiter: RollingWindowLimiter | None,
        grant_key: str,
        policy: RetryPolicy | None = None,
        client: httpx.Client | None = None,
        counters: RequestCounters | None = None,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_version = api_version
        self.auth, self.limiter, self.grant_key = auth, limiter, grant_key
        self.policy = policy or RetryPolicy()
        self._owns_client = client is None
        self.client = client or new_client(self.policy.timeout)
        self.counters = counters or RequestCounters()
        self._sleep, self._jitter = sleep, jitter
        self._lock = threading.Lock()

    def close(self) -> None:
        if self._owns_client:
            self.client.close()

    def _count(self, **deltas: float) -> None:
        with self._lock:
            for name, delta in deltas.items():
                setattr(self.counters, name, getattr(self.counters, name) + delta)

    def backoff(self, attempt: int) -> float:
        """Delay before retry `attempt` (1-based): exponential, capped, with jitter in [50 %, 100 %]."""
        base = min(self.policy.retry_delay * 2 ** (attempt - 1), self.policy.max_retry_delay)
        return base * (0.5 + self._jitter() / 2)

    def _url(self, path: str) -> str:
        return path if path.startswith(("http://", "https://")) else f"{self.base_url}{path}"

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        authorized: bool = True,
        idempotent: bool | None = None,
    ) -> httpx.Response:
        """Send one logical request; returns the 2xx response or raises a typed `GustoError`."""
        method = method.upper()
        safe_to_repeat = method in _IDEMPOTENT if idempotent is None else idempotent
        failures = throttles = 0
        refreshed = False
        credential = self.auth.current() if authorized and self.auth else None
        while True:
            headers = {
                "Accept": "application/json",
                "X-Gusto-API-Version": self.api_version,
                "User-Agent": USER_AGENT,
            }
            if credential is not None:
                headers["Authorization"] = f"Bearer {credential.access_token}"
            if authorized and self.limiter is not None:
                waited = self.limiter.reserve(self.grant_key)
                if waited:
                    self._count(limiter_wait_s=waited)
            self._count(requests=1)
            try:
                response = self.client.request(method, self._url(path), params=params, json=json, headers=headers)
            except httpx.TransportError as exc:
                # A connection never made never reached Gusto, so even a POST may be sent again.
                never_sent = isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
                if not (safe_to_repeat or never_sent) or failures >= self.policy.max_retries:
                    raise GustoUnavailable(
                        method, path, failures + 1, type(exc).__name__, reached=not never_sent
                    ) from exc
                failures += 1
                self._count(retries=1)
                self._sleep(self.backoff(failures))
                continue
            status = response.status_code
            if status == 401 and credential is not None and self.auth is not None:
                if refreshed:
                    raise TokenExpired(self.auth.connection_id, method, path)
                refreshed = True
                self._count(refreshes=1, retries=1)
                credential = self.auth.refresh_after_rejection(credential)
                continue
            if status == 429:
                self._count(throttled=1)
                if throttles >= self.policy.max_rate_limit_retries:
                    raise self._error(RateLimited, response, method, path)
                throttles += 1
                self._count(retries=1)
                wait = retry_after_seconds(response.headers.get("retry-after"))
                self._sleep(wait if wait is not None else self.backoff(throttles))
                continue
            if status >= 500:
                if not safe_to_repeat or failures >= self.policy.max_retries:
                    raise GustoUnavailable(method, path, failures + 1, f"HTTP {status}")
                failures += 1
                self._count(retries=1)
                self._sleep(self.backoff(failures))
                continue
            if status >= 400:
                raise self._error(GustoApiError, response, method, path)
            return response

    @staticmethod
    def _error(kind: type[GustoApiError], response: httpx.Response, method: str, path: str) -> GustoApiError:
        try:
            body = response.json()
        except ValueError:
            body = None
        return kind(response.status_code, method, path, parse_error_details(body), request_id(response))

    def get_json(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """GET and decode the JSON body."""
        return self.request("GET", path, params=params).json()
