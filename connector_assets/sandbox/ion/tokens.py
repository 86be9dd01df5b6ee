"""The tenant's OAuth authorization server: password, refresh and client-credentials grants, revocation."""

from __future__ import annotations

import hmac
import secrets
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from connector_assets.sandbox.ion.config import IonConfig
from connector_assets.sandbox.ion.model import Clock
from connector_assets.sandbox.ion.state import IonState


@dataclass(frozen=True)
class Credentials:
    """The app's client and service-account key pairs, as written to the `.ionapi` file."""

    client_id: str
    client_secret: str = field(repr=False)
    access_key: str
    secret_key: str = field(repr=False)

    @classmethod
    def generate(cls, tenant: str) -> Credentials:
        return cls(
            client_id=f"{tenant}~{secrets.token_urlsafe(24)}",
            client_secret=secrets.token_urlsafe(32),
            access_key=f"{tenant}#{secrets.token_urlsafe(40)}",
            secret_key=secrets.token_urlsafe(48),
        )


class TokenError(Exception):
    """A rejected token request; `body` is the RFC 6749 style error returned to the client."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(f"{error}: {description}")
        self.status = status
        self.body = {"error": error, "error_description": description}


@dataclass
class _Grant:
    refresh_token: str | None
    refresh_issued_at: float
    refresh_used_at: float
    revoked: bool = False


@dataclass
class _Access:
    grant_id: int
    expires_at: float
    revoked: bool = False


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


class TokenService:
    """Issues and checks tokens; every method is safe to call from any thread."""

    def __init__(self, config: IonConfig, credentials: Credentials, clock: Clock, state: IonState) -> None:
        self.config = config
        self.credentials = credentials
        self.clock = clock
        self.state = state
        self._grants: dict[int, _Grant] = {}
        self._access: dict[str, _Access] = {}
        self._by_refresh: dict[str, int] = {}
        self._auth_times: deque[float] = deque()

    def __repr__(self) -> str:
        return f"TokenService(tenant={self.config.tenant!r}, tokens={len(self._access)})"

    # --- grants ---
    def grant(self, form: dict[str, str], basic: tuple[str, str] | None) -> dict[str, Any]:
        """Handle one token-endpoint request; raises TokenError with the status and body to return."""
        with self.state.lock:
            self.state.count("token_requests")
            self._authenticate_client(form, basic)
            grant_type = form.get("grant_type", "")
            if grant_type == "password":
                return self._password_grant(form)
            if grant_type == "refresh_token":
                return self._refresh_grant(form)
            if grant_type == "client_credentials" and self.config.allow_client_credentials:
                self._take_auth_budget()
                self.state.count("authentications")
                return self._issue(refresh=False)
            raise TokenError(
                self.config.token_error_status,
                "unsupported_grant_type",
                f"grant_type {grant_type!r} is not enabled for this app; use password",
            )

    def _authenticate_client(self, form: dict[str, str], basic: tuple[str, str] | None) -> None:
        client_id, client_secret = basic or (form.get("client_id", ""), form.get("client_secret", ""))
        if not (
            _same(client_id, self.credentials.client_id) and _same(client_secret, self.credentials.client_secret)
        ):
            self.state.count("token_rejected")
            raise TokenError(
                self.config.invalid_client_status,
                "invalid_client",
                "client authentication failed: check ci/cs from the .ionapi file",
            )

    def _take_auth_budget(self) -> None:
        cap = self.config.auth_cap_per_minute
        now = self.clock.now()
        while self._auth_times and now - self._auth_times[0] >= 60:
            self._auth_times.popleft()
        if cap is not None and len(self._auth_times) >= cap:
            self.state.count("auth_capped")
            raise TokenError(
                self.config.auth_cap_status,
                "too_many_requests",
                f"service account authentication limit of {cap} per minute reached; reuse the cached token",
            )
        self._auth_times.append(now)

    def _password_grant(self, form: dict[str, str]) -> dict[str, Any]:
        self._take_auth_budget()
        username, password = form.get("username", ""), form.get("password", "")
        if not (_same(username, self.credentials.access_key) and _same(password, self.credentials.secret_key)):
            self.state.count("token_rejected")
            raise TokenError(
                self.config.token_error_status,
                "invalid_grant",
                "service account credentials are invalid: check saak/sask from the .ionapi file",
            )
        self.state.count("authentications")
        return self._issue(refresh=self.config.issue_refresh_tokens)

    def _refresh_grant(self, form: dict[str, str]) -> dict[str, Any]:
        if not self.config.issue_refresh_tokens:
            raise TokenError(
                self.config.token_error_status,
                "unsupported_grant_type",
                "refresh tokens are not enabled for this app; authenticate with the password grant",
            )
        now = self.clock.now()
        grant_id = self._by_refresh.get(form.get("refresh_token", ""), -1)
        grant = self._grants.get(grant_id)
        if grant is None or grant.revoked or now - grant.refresh_used_at > self.config.refresh_idle_expiry_s:
            self.state.count("token_rejected")
            raise TokenError(
                self.config.token_error_status,
                "invalid_grant",
                "refresh token is unknown, rotated, revoked or idle too long; use the password grant",
            )
        grant.refresh_used_at = now
        rotation = self.config.refresh_rotation_s
        if rotation is not None and now - grant.refresh_issued_at >= rotation:
            self._by_refresh.pop(grant.refresh_token or "", None)
            grant.refresh_token = secrets.token_urlsafe(32)
            grant.refresh_issued_at = now
            self._by_refresh[grant.refresh_token] = grant_id
        self.state.count("refreshes")
        return self._access_response(grant_id, grant)

    def _issue(self, refresh: bool) -> dict[str, Any]:
        now = self.clock.now()
        token = secrets.token_urlsafe(32) if refresh else None
        grant = _Grant(refresh_token=token, refresh_issued_at=now, refresh_used_at=now)
        grant_id = len(self._grants) + 1
        self._grants[grant_id] = grant
        if token:
            self._by_refresh[token] = grant_id
        return self._access_response(grant_id, grant)

    def _access_response(self, grant_id: int, grant: _Grant) -> dict[str, Any]:
        access = secrets.token_urlsafe(48)
        ttl = self.config.token_ttl_s
        self._access[access] = _Access(grant_id=grant_id, expires_at=self.clock.now() + ttl)
        body: dict[str, Any] = {"access_token": access, "token_type": "Bearer", "expires_in": ttl}
        if grant.refresh_token:
            body["refresh_token"] = grant.refresh_token
        return body

    # --- revoke and check ---
    def revoke(self, form: dict[str, str], basic: tuple[str, str] | None) -> None:
        """Revoke an access or refresh token (RFC 7009: unknown tokens are not an error)."""
        with self.state.lock:
            self._authenticate_client(form, basic)
            token = form.get("token", "")
            self.state.count("revocations")
            grant_id = self._by_refresh.get(token)
            if grant_id is not None:
                self._revoke_grant(grant_id)
            elif token in self._access:
                self._access[token].revoked = True

    def _revoke_grant(self, grant_id: int) -> None:
        self._grants[grant_id].revoked = True
        for access in self._access.values():
            if access.grant_id == grant_id:
                access.revoked = True

    def is_valid(self, access_token: str) -> bool:
        with self.state.lock:
            access = self._access.get(access_token)
            return access is not None and not access.revoked and self.clock.now() < access.expires_at

    def expire_all(self) -> int:
        """Make every issued access token expired now; returns how many were live."""
        with self.state.lock:
            now = self.clock.now()
            live = [a for a in self._access.values() if a.expires_at > now and not a.revoked]
            for access in live:
                access.expires_at = now
            return len(live)

    def revoke_all(self) -> int:
        """Revoke every grant, its refresh token and its access tokens; returns how many grants were live."""
        with self.state.lock:
            live = [gid for gid, g in self._grants.items() if not g.revoked]
            for grant_id in live:
                self._revoke_grant(grant_id)
            return len(live)
