"""Per-grant rolling-window rate limiter with Gusto's headers (§9.1) and counters for tests."""

from __future__ import annotations

import math
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import UTC, datetime

from connector_assets.sandbox.gusto.options import SimClock


@dataclass
class Decision:
    allowed: bool
    headers: dict[str, str]


@dataclass
class Counters:
    """Requests seen by the API (not the admin API), 429s served, and both per grant."""

    total_requests: int = 0
    throttled: int = 0
    per_grant: dict[str, dict[str, int]] = field(
        default_factory=lambda: defaultdict(lambda: {"requests": 0, "throttled": 0})
    )

    def snapshot(self) -> dict[str, object]:
        return {
            "total_requests": self.total_requests,
            "throttled": self.throttled,
            "per_grant": {k: dict(v) for k, v in self.per_grant.items()},
        }


class RateLimiter:
    """At most `limit` accepted requests per grant in any rolling `window_s` seconds; 429s are not counted."""

    def __init__(self, clock: SimClock, limit: int, window_s: float) -> None:
        self.clock = clock
        self.limit = limit
        self.window_s = window_s
        self._hits: dict[str, deque[float]] = defaultdict(deque)

    def check(self, grant_id: str) -> Decision:
        now = self.clock.timestamp()
        hits = self._hits[grant_id]
        while hits and hits[0] <= now - self.window_s:
            hits.popleft()
        allowed = len(hits) < self.limit
        if allowed:
            hits.append(now)
        reset_at = (hits[0] if hits else now) + self.window_s
        headers = {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(max(self.limit - len(hits), 0)),
            # Gusto sends a datetime string here, not epoch seconds.
            "X-RateLimit-Reset": datetime.fromtimestamp(reset_at, UTC).strftime("%Y-%m-%d %H:%M:%S %z"),
        }
        if not allowed:
            headers["Retry-After"] = str(max(1, math.ceil(reset_at - now)))
        return Decision(allowed, headers)
