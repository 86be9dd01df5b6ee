"""Typed errors of the Gusto client; every message says what failed, for which record, and what to do next.

No message ever carries a token, a client secret or an authorization code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class GustoError(Exception):
    """Base of every error raised by the Gusto client."""


def reconnect_hint(connection_id: str) -> str:
    return f"reconnect the company with `connector gusto connect {connection_id}`"


class GustoAuthError(GustoError):
    """The connection has no usable grant; the operator must act."""


class NotConnected(GustoAuthError):
    """The vault holds no Gusto token for this connection."""

    def __init__(self, connection_id: str) -> None:
        super().__init__(
            f"no Gusto grant stored for connection {connection_id!r}; {reconnect_hint(connection_id)}"
        )
        self.connection_id = connection_id


class GrantRevoked(GustoAuthError):
    """The refresh token was rejected (`invalid_grant`): revoked, disconnected or already spent."""

    def __init__(self, connection_id: str, detail: str = "invalid_grant") -> None:
        super().__init__(
            f"Gusto grant for connection {connection_id!r} is revoked or invalid ({detail}); "
            f"{reconnect_hint(connection_id)}"
        )
        self.connection_id = connection_id


class TokenExpired(GustoAuthError):
    """Gusto answered 401 even right after a refresh."""

    def __init__(self, connection_id: str, method: str, path: str) -> None:
        super().__init__(
            f"Gusto rejected a freshly refreshed token for connection {connection_id!r} on {method} {path} (401); "
            f"the grant is no longer accepted: {reconnect_hint(connection_id)}"
        )
        self.connection_id = connection_id


class OAuthError(GustoAuthError):
    """The token endpoint refused a request for another reason than `invalid_grant` (e.g. `invalid_client`)."""

    def __init__(self, connection_id: str, status: int, error: str, description: str | None) -> None:
        detail = f"{error}: {description}" if description else error
        hint = (
            "check the client id/secret environment variables named in connections.yaml"
            if error == "invalid_client"
            else reconnect_hint(connection_id)
        )
        super().__init__(f"Gusto token endpoint refused connection {connection_id!r} ({status} {detail}); {hint}")
        self.connection_id, self.status, self.error = connection_id, status, error


class WrongCompany(GustoAuthError):
    """The admin authorized another company than the one the connection names."""

    def __init__(self, connection_id: str, expected: str, actual: str | None) -> None:
        super().__init__(
            f"connection {connection_id!r} expects Gusto company {expected} but the grant is for "
            f"{actual or 'no company'}; sign in as an admin of {expected} and run "
            f"`connector gusto connect {connection_id}` again, or fix gusto.company_uuid in connections.yaml"
        )
        self.connection_id, self.expected, self.actual = connection_id, expected, actual


class ConnectFailed(GustoAuthError):
    """The authorization-code flow did not complete (timeout, denied consent, state mismatch)."""


@dataclass(frozen=True)
class ApiErrorDetail:
    """One entry of Gusto's `{"errors":[...]}` envelope."""

    error_key: str | None
    category: str | None
    message: str | None
    metadata: dict[str, Any] | None = None

    def __str__(self) -> str:
        head = "/".join(p for p in (self.error_key, self.category) if p)
        return f"{head}: {self.message}" if self.message else head or "unknown error"


def parse_error_details(body: Any) -> tuple[ApiErrorDetail, ...]:
    """Read Gusto's error envelope (and the bare RFC 6749 `{"error": ...}` shape) tolerantly."""
    if isinstance(body, dict) and isinstance(body.get("errors"), list):
        return tuple(
            ApiErrorDetail(e.get("error_key"), e.get("category"), e.get("message"), e.get("metadata"))
            for e in body["errors"]
            if isinstance(e, dict)
        )
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        return (ApiErrorDetail("request", body["error"], body.get("error_description")),)
    return ()


class GustoApiError(GustoError):
    """Gusto answered with an error status; `errors` holds its `{"errors":[...]}` content."""

    def __init__(
        self,
        status: int,
        method: str,
        path: str,
        errors: tuple[ApiErrorDetail, ...] = (),
        request_id: str | None = None,
        hint: str | None = None,
    ) -> None:
        detail = "; ".join(str(e) for e in errors) or "no error body"
        rid = f" (x-request-id {request_id})" if request_id else ""
        next_step = hint or _hint_for(status)
        super().__init__(f"Gusto {method} {path} returned {status}: {detail}{rid}; {next_step}")
        self.status, self.method, self.path = status, method, path
        self.errors, self.request_id = errors, request_id

    @property
    def category(self) -> str | None:
        return self.errors[0].category if self.errors else None

    @property
    def error_key(self) -> str | None:
        return self.errors[0].error_key if self.errors else None

    @property
    def error_message(self) -> str | None:
        return self.errors[0].message if self.errors else None


def _hint_for(status: int) -> str:
    if status == 403:
        return "the grant lacks a scope or belongs to another company; check the app's scopes and reconnect"
    if status == 404:
        return "the record does not exist or is not visible to this grant"
    if status == 406:
        return "fix gusto.api_version in connections.yaml (YYYY-MM-DD, a supported version)"
    if status == 422:
        return "the request parameters were rejected; see the message"
    if status == 429:
        return "the rate limit was hit repeatedly; lower concurrency or retry later"
    if status >= 500:
        return "Gusto is failing; retry later"
    return "see the message"


class RateLimited(GustoApiError):
    """429 kept coming after the retry budget was spent."""


class GustoUnavailable(GustoError):
    """5xx answers, timeouts or connection errors outlasted the retry budget.

    `reached` is False only when the last attempt provably never reached Gusto (no connection was made)."""

    def __init__(self, method: str, path: str, attempts: int, last: str, *, reached: bool = True) -> None:
        super().__init__(
            f"Gusto {method} {path} failed {attempts} time(s), last: {last}; Gusto or the network is "
            "unavailable, retry later (the request budget is request_max_retries)"
        )
        self.method, self.path, self.attempts, self.reached = method, path, attempts, reached
        self.last = last


def reconnect_instruction(connection_id: str) -> str:
    """The one line every surface (status, UI, logs, errors) shows for a grant that needs an operator."""
    return f"reconnect Gusto for {connection_id}: `connector gusto connect {connection_id}`"


class RefreshOutcomeUnknown(GustoAuthError):
    """A refresh request may have reached Gusto but its answer was lost (5xx, timeout, dropped, unreadable).

    Gusto may have rotated the refresh token already, so it is never sent again automatically."""

    def __init__(self, connection_id: str, detail: str) -> None:
        super().__init__(
            f"Gusto token request for connection {connection_id!r} has an unknown outcome ({detail}); "
            "the refresh token or code it carried may be spent, so it is not sent again"
        )
        self.connection_id, self.detail = connection_id, detail


class GrantNeedsAttention(GrantRevoked):
    """The company grant is marked "needs attention" in the vault; no process uses it until reconnected."""

    def __init__(self, connection_id: str, reason: str) -> None:
        GustoAuthError.__init__(
            self,
            f"Gusto grant for connection {connection_id!r} needs attention ({reason}); "
            f"{reconnect_instruction(connection_id)}",
        )
        self.connection_id, self.reason = connection_id, reason
