"""The receiver's limits against strangers, all configurable: handshakes per minute (per connection and per
client address), the body-read deadline, and the cap on concurrent connections (enforced by uvicorn)."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from connector_assets.store.handshakes import DEFAULT_CAP, DEFAULT_TTL_S

# Gusto waits 10 s for an answer (gusto-api.md §10.5): a body still arriving after that is not Gusto's.
DEFAULT_BODY_TIMEOUT_S = 10.0
DEFAULT_MAX_CONNECTIONS = 1000
DEFAULT_HANDSHAKES_PER_MINUTE = 10


@dataclass(frozen=True)
class ReceiverLimits:
    """Every limit of the receiver in one value (defaults suit one Gusto company per connection)."""

    body_timeout_s: float = DEFAULT_BODY_TIMEOUT_S
    max_connections: int = DEFAULT_MAX_CONNECTIONS
    handshakes_per_minute: int = DEFAULT_HANDSHAKES_PER_MINUTE
    pending_tokens: int = DEFAULT_CAP
    pending_token_ttl_s: float = DEFAULT_TTL_S


def uvicorn_limits(limits: ReceiverLimits) -> dict[str, Any]:
    """uvicorn's options for the connection cap. uvicorn answers 503 (and closes) once the open connections,
    the new one included, reach `limit_concurrency`: one more than the cap serves exactly `max_connections`."""
    return {"limit_concurrency": limits.max_connections + 1}


class RateLimiter:
    """At most `limit` events per `window_s` per key, in this process (thread-safe)."""

    def __init__(self, limit: int, window_s: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.window_s, self.clock = limit, window_s, clock
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, *keys: str) -> bool:
        """Count one event against every key; False (and nothing counted) when any key is over its limit."""
        now = self.clock()
        with self._lock:
            queues = [self._seen.setdefault(k, deque()) for k in keys]
            for q in queues:
                while q and now - q[0] >= self.window_s:
                    q.popleft()
            if any(len(q) >= self.limit for q in queues):
                return False
            for q in queues:
                q.append(now)
            if len(self._seen) > 10_000:  # forget idle keys so strangers cannot grow the table
                self._seen = {k: q for k, q in self._seen.items() if q}
            return True
