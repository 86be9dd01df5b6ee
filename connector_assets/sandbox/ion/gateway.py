"""The gateway in front of the tenant's APIs: request counters, bearer-token check and spike arrest."""

from __future__ import annotations

import json
from collections import deque
from typing import Any

from connector_assets.sandbox.ion.config import IonConfig
from connector_assets.sandbox.ion.model import Clock
from connector_assets.sandbox.ion.state import IonState
from connector_assets.sandbox.ion.tokens import TokenService

Scope = dict[str, Any]
ADMIN_PREFIX = "/_sandbox"


async def send_json(send: Any, status: int, body: Any, headers: list[tuple[bytes, bytes]] | None = None) -> None:
    """Send a complete JSON response from raw ASGI."""
    payload = json.dumps(body).encode()
    all_headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": all_headers + (headers or [])})
    await send({"type": "http.response.body", "body": payload})


class RequestCounter:
    """Outermost middleware: counts every non-admin request and its status (including injected faults)."""

    def __init__(self, app: Any, state: IonState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"].startswith(ADMIN_PREFIX):
            await self.app(scope, receive, send)
            return
        self.state.count("requests")

        async def counting_send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                self.state.count(f"status_{message['status']}")
            await send(message)

        await self.app(scope, receive, counting_send)


class Gateway:
    """Checks the tenant in the path, the bearer token (401) and the spike-arrest policy (429)."""

    def __init__(self, app: Any, config: IonConfig, tokens: TokenService, state: IonState, clock: Clock) -> None:
        self.app = app
        self.config = config
        self.tokens = tokens
        self.state = state
        self.clock = clock
        self._recent: deque[float] = deque()

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or path.startswith(ADMIN_PREFIX):
            await self.app(scope, receive, send)
            return
        parts = path.split("/")
        if len(parts) < 3 or parts[1] != self.config.tenant:
            await send_json(send, 404, {"error": "Not Found", "message": f"no tenant at {path}"})
            return
        if parts[2] == "as":  # the authorization server itself needs no bearer token
            await self.app(scope, receive, send)
            return
        if not self.tokens.is_valid(_bearer(scope)):
            await send_json(send, 401, self.config.unauthorized_body)
            return
        retry_after = self._throttle()
        if retry_after is not False:
            headers = [] if retry_after is None else [(b"retry-after", str(retry_after).encode())]
            await send_json(send, 429, self.config.throttled_body, headers)
            return
        await self.app(scope, receive, send)

    def _throttle(self) -> int | bool | None:
        """False when the request may pass; otherwise the Retry-After value to send (None: no header)."""
        policy = self.config.spike_arrest
        if policy is None:
            return False
        with self.state.lock:
            now = self.clock.now()
            while self._recent and now - self._recent[0] >= policy.period_s:
                self._recent.popleft()
            if len(self._recent) >= policy.max_requests:
                return policy.retry_after_s
            self._recent.append(now)
            return False

    def reset_throttle(self) -> None:
        with self.state.lock:
            self._recent.clear()


def _bearer(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            text = value.decode("latin-1")
            if text[:7].lower() == "bearer ":
                return text[7:].strip()
    return ""
