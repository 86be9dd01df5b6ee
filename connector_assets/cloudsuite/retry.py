"""Retry knobs shared by the token client and the gateway transport: timeouts and backoff with jitter."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import UTC
from email.utils import parsedate_to_datetime

import httpx

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """How hard one request tries: `max_retries` after the first attempt, exponential backoff with full jitter."""

    max_retries: int = 5
    backoff_base_s: float = 0.5
    backoff_max_s: float = 30.0
    timeout_s: float = 30.0
    connect_timeout_s: float = 10.0
    # A longer Retry-After is cut to this, so one call never stalls a run for minutes.
    retry_after_cap_s: float = 120.0

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number `attempt` (0-based); a server's Retry-After wins when given."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.retry_after_cap_s)
        ceiling = min(self.backoff_max_s, self.backoff_base_s * (2**attempt))
        return random.uniform(ceiling / 2, ceiling)

    def timeout(self) -> httpx.Timeout:
        return httpx.Timeout(self.timeout_s, connect=self.connect_timeout_s)


def retry_after_s(response: httpx.Response) -> float | None:
    """The `Retry-After` header as seconds (delta or HTTP date); Infor documents none, so usually None."""
    value = response.headers.get("retry-after")
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # `-0000` dates parse naive; HTTP dates are GMT
        when = when.replace(tzinfo=UTC)
    # An HTTP date is the server's real clock, not the calendar a pinned CONNECTOR_TODAY shows.
    return max(when.timestamp() - time.time(), 0.0)


def redact(text: str, secrets: tuple[str | None, ...]) -> str:
    """Replace any secret that a server echoed back, so it never reaches an exception or a log."""
    for secret in secrets:
        if secret and len(secret) >= 6:
            text = text.replace(secret, "***")
    return text


def body_excerpt(response: httpx.Response, secrets: tuple[str | None, ...] = (), limit: int = 300) -> str:
    """A short, redacted excerpt of a response body for an error message."""
    try:
        text = response.text
    except (UnicodeDecodeError, httpx.ResponseNotRead):
        return f"<{len(response.content)} bytes>"
    text = " ".join(text.split())
    return redact(text[:limit] + ("..." if len(text) > limit else ""), secrets)
