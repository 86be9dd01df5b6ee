"""Fault injection for the simulators: an ASGI middleware driven by rules set at start or at run time.

A rule matches requests by method and path regex and then, for its next `count` matches (or forever when
`count` is None), injects latency, an HTTP status, or a dropped connection. Rules are evaluated in order;
the first one with budget left wins. Deterministic by design: tests say "the next 3 calls get 429".
With `after`, the server handles the request first and only its answer is replaced: the lost answer
("the token was rotated, then the reply died as a 502 or a timeout").
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
from dataclasses import asdict, dataclass, field
from typing import Any

Scope = dict[str, Any]


@dataclass
class FaultRule:
    """One injected fault: what to match and what to do."""

    path: str = ".*"
    method: str = "*"
    status: int | None = None
    latency_s: float = 0.0
    drop: bool = False
    count: int | None = 1
    retry_after: int | None = None
    body: dict[str, Any] | None = None
    after: bool = False
    hits: int = field(default=0)

    def matches(self, method: str, path: str) -> bool:
        if self.method not in ("*", method):
            return False
        return re.search(self.path, path) is not None and (self.count is None or self.hits < self.count)

    def handled(self) -> None:
        """Called once the server has handled a request whose answer this rule replaces (`after`), before
        anything is sent back: the moment when the server has acted and the client has learnt nothing."""


class FaultInjector:
    """ASGI middleware that applies `FaultRule`s; requests under `admin_prefix` are never faulted."""

    def __init__(self, app: Any, admin_prefix: str = "/_sandbox") -> None:
        self.app = app
        self.admin_prefix = admin_prefix
        self.rules: list[FaultRule] = []
        self.injected: int = 0
        self._lock = threading.Lock()

    def add(self, rule: FaultRule) -> FaultRule:
        with self._lock:
            self.rules.append(rule)
        return rule

    def clear(self) -> None:
        with self._lock:
            self.rules.clear()

    def snapshot(self) -> list[dict[str, Any]]:
        with self._lock:
            return [asdict(r) for r in self.rules]

    def _take(self, method: str, path: str) -> FaultRule | None:
        with self._lock:
            for rule in self.rules:
                if rule.matches(method, path):
                    rule.hits += 1
                    self.injected += 1
                    return rule
        return None

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self.admin_prefix):
            await self.app(scope, receive, send)
            return
        rule = self._take(scope["method"], scope["path"])
        if rule is None:
            await self.app(scope, receive, send)
            return
        if rule.after:
            await self.app(scope, receive, _discard)
            rule.handled()
        if rule.latency_s:
            await asyncio.sleep(rule.latency_s)
        if rule.drop:
            # Start a response and die: the client sees a connection closed mid-response.
            await send({"type": "http.response.start", "status": 200, "headers": []})
            raise ConnectionAbortedError("sandbox fault: connection dropped")
        if rule.status is None and not rule.after:
            await self.app(scope, receive, send)
            return
        status = rule.status or 504
        body = json.dumps(rule.body or {"errors": [{"category": "sandbox_fault", "message": "injected"}]})
        headers = [(b"content-type", b"application/json")]
        if rule.retry_after is not None:
            headers.append((b"retry-after", str(rule.retry_after).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body.encode()})


async def _discard(_message: dict[str, Any]) -> None:
    """The `send` of a request whose answer is lost: the server acted, nothing reaches the client."""


def rule_from_json(data: dict[str, Any]) -> FaultRule:
    """Build a rule from an admin-API body, rejecting unknown keys with a clear message."""
    allowed = {f for f in FaultRule.__dataclass_fields__ if f != "hits"}
    unknown = set(data) - allowed
    if unknown:
        raise ValueError(f"unknown fault keys {sorted(unknown)}; allowed: {sorted(allowed)}")
    return FaultRule(**data)
