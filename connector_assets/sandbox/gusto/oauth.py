"""Gusto's OAuth 2.0 server state: authorization codes, grants, access and rotating refresh tokens (§2).

A refresh returns a new pair. What becomes of the spent refresh token is `options.refresh_rotation`:
"strict" kills it at once and treats its reuse as theft (the grant is revoked); "grace" keeps it usable
until the new access token is first used (gusto-api.md §2.4). Callers hold the simulator lock.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from connector_assets.sandbox.gusto.options import SYSTEM_SCOPES, SimClock, SimulatorOptions


class OAuthError(Exception):
    """An OAuth failure rendered as RFC 6749 JSON: `{"error": code}` with `status`."""

    def __init__(self, status: int, code: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.code = code
        self.description = description


@dataclass
class Grant:
    """One authorization of the app by a company (or the app's system access): the rate-limit bucket."""

    id: str
    kind: str  # company | system
    company_uuid: str | None
    revoked: bool = False


@dataclass
class AccessToken:
    token: str = field(repr=False)
    grant: Grant
    expires_at: float
    created_at: float
    predecessor_refresh: str | None = field(default=None, repr=False)
    used: bool = False
    revoked: bool = False


@dataclass
class RefreshToken:
    token: str = field(repr=False)
    grant: Grant
    created_at: float
    revoked: bool = False
    spent: bool = False


@dataclass
class AuthCode:
    code: str = field(repr=False)
    company_uuid: str
    redirect_uri: str
    expires_at: float
    spent: bool = False


class OAuthState:
    """Issues and checks codes and tokens for one application."""

    def __init__(
        self, client_id: str, client_secret: str, redirect_uri: str, options: SimulatorOptions, clock: SimClock
    ) -> None:
        self.client_id = client_id
        self._client_secret = client_secret
        self.redirect_uri = redirect_uri
        self.options = options
        self.clock = clock
        self.codes: dict[str, AuthCode] = {}
        self.access: dict[str, AccessToken] = {}
        self.refresh: dict[str, RefreshToken] = {}
        self.grants: dict[str, Grant] = {}
        self._system_grant = Grant("system", "system", None)
        # Refresh requests answered with a new pair, and those that presented a spent or revoked token.
        self.refreshes = 0
        self.replayed_refreshes = 0

    def __repr__(self) -> str:
        return f"OAuthState(client_id={self.client_id!r}, grants={len(self.grants)})"

    def check_client(self, client_id: object, client_secret: object) -> None:
        ok_id = isinstance(client_id, str) and secrets.compare_digest(client_id, self.client_id)
        ok_secret = isinstance(client_secret, str) and secrets.compare_digest(client_secret, self._client_secret)
        if not (ok_id and ok_secret):
            raise OAuthError(401, "invalid_client", "Client authentication failed: unknown client_id or secret.")

    def authorize(self, client_id: str, redirect_uri: str, response_type: str, company_uuid: str) -> str:
        """Issue a single-use code valid for `code_ttl_s` (consent is auto-approved)."""
        if client_id != self.client_id:
            raise OAuthError(400, "invalid_client", "Unknown client_id; use the id registered for the app.")
        if redirect_uri != self.redirect_uri:
            raise OAuthError(400, "invalid_redirect_uri", "redirect_uri must equal the registered one exactly.")
        if response_type != "code":
            raise OAuthError(400, "unsupported_response_type", "response_type must be 'code'.")
        code = secrets.token_urlsafe(24)
        self.codes[code] = AuthCode(
            code, company_uuid, redirect_uri, self.clock.timestamp() + self.options.code_ttl_s
        )
        return code

    def _issue(self, grant: Grant, *, with_refresh: bool, predecessor: str | None = None) -> dict[str, object]:
        now = self.clock.timestamp()
        access = AccessToken(secrets.token_urlsafe(32), grant, now + self.options.token_ttl_s, now, predecessor)
        self.access[access.token] = access
        refresh: str | None = None
        if with_refresh:
            refresh = secrets.token_urlsafe(32)
            self.refresh[refresh] = RefreshToken(refresh, grant, now)
        scope = self.options.scopes if grant.kind == "company" else SYSTEM_SCOPES
        return {
            "access_token": access.token,
            "token_type": "bearer",
            "expires_in": int(self.options.token_ttl_s),
            "refresh_token": refresh,
            "scope": scope,
            "created_at": int(now),
        }

    def exchange_code(self, code: object, redirect_uri: object) -> tuple[dict[str, object], Grant]:
        record = self.codes.get(code) if isinstance(code, str) else None
        if record is None or record.spent or record.expires_at <= self.clock.timestamp():
            raise OAuthError(400, "invalid_grant", "The authorization code is invalid, expired or already used.")
        if redirect_uri != record.redirect_uri:
            raise OAuthError(400, "invalid_grant", "redirect_uri does not match the one used to authorize.")
        record.spent = True
        grant = Grant(f"grant-{len(self.grants) + 1}", "company", record.company_uuid)
        self.grants[grant.id] = grant
        return self._issue(grant, with_refresh=True), grant

    def refresh_grant(self, token: object) -> dict[str, object]:
        record = self.refresh.get(token) if isinstance(token, str) else None
        ttl = self.options.refresh_token_ttl_s
        now = self.clock.timestamp()
        aged_out = ttl is not None and record is not None and record.created_at + ttl <= now
        strict = self.options.refresh_rotation == "strict"
        if record is not None and (record.spent or record.revoked):
            self.replayed_refreshes += 1
            if record.spent and strict:
                # Reuse of a rotated refresh token: the pair may be stolen, so the whole grant ends.
                record.grant.revoked = True
        if record is None or record.revoked or record.grant.revoked or aged_out or (record.spent and strict):
            raise OAuthError(400, "invalid_grant", "The refresh token is invalid, revoked or already rotated.")
        record.spent = True
        self.refreshes += 1
        if not self.options.old_access_token_valid_after_refresh:
            for access in self.access.values():
                if access.grant is record.grant and not access.revoked:
                    access.revoked = True
        return self._issue(record.grant, with_refresh=True, predecessor=record.token)

    def system_token(self) -> dict[str, object]:
        self.grants.setdefault(self._system_grant.id, self._system_grant)
        return self._issue(self._system_grant, with_refresh=False)

    def revoke(self, token: object) -> str | None:
        """Revoke an access or refresh token; for a company token the whole grant ends, as a disconnect does.
        Returns the company whose grant ended, if any."""
        record: AccessToken | RefreshToken | None = None
        if isinstance(token, str):
            record = self.access.get(token) or self.refresh.get(token)
        if record is None:
            return None
        if record.grant.kind == "company" and not record.grant.revoked:
            record.grant.revoked = True
            return record.grant.company_uuid
        record.revoked = True
        return None

    def revoke_company(self, company_uuid: str | None) -> int:
        """Revoke every grant of the company (all when None); returns how many grants ended."""
        ended = 0
        for grant in self.grants.values():
            if grant.kind == "company" and (company_uuid is None or grant.company_uuid == company_uuid):
                ended += not grant.revoked
                grant.revoked = True
        return ended

    def expire_access_tokens(self, company_uuid: str | None = None) -> int:
        """Make live access tokens expire now (all, or one company's); returns how many."""
        now = self.clock.timestamp()
        count = 0
        for access in self.access.values():
            if access.expires_at > now and (company_uuid is None or access.grant.company_uuid == company_uuid):
                access.expires_at = now - 1
                count += 1
        return count

    def authenticate(self, token: str | None) -> AccessToken:
        """Resolve a bearer token; on the first use of a refreshed token its predecessor refresh token dies."""
        access = self.access.get(token) if token else None
        if access is None or access.revoked or access.grant.revoked:
            raise OAuthError(401, "invalid_token", "The access token is missing, unknown or revoked.")
        if access.expires_at <= self.clock.timestamp():
            raise OAuthError(401, "invalid_token", "The access token has expired; refresh it.")
        if not access.used:
            access.used = True
            if access.predecessor_refresh and access.predecessor_refresh in self.refresh:
                self.refresh[access.predecessor_refresh].revoked = True
        return access
