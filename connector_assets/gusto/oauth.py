"""Gusto OAuth 2.0: authorize URL, code exchange, refresh, system token and revoke (reference §2).

The token endpoint takes a JSON body with the client credentials in it; errors follow RFC 6749
(`{"error":"invalid_grant"}`), which this module turns into `GrantRevoked` or `OAuthError`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from connector_assets.gusto.errors import (
    GrantRevoked,
    GustoApiError,
    GustoUnavailable,
    OAuthError,
    RefreshOutcomeUnknown,
)
from connector_assets.gusto.http import GustoHttp
from connector_assets.settings import GustoSettings
from connector_assets.store.vault import StoredToken, utcnow

DEFAULT_EXPIRES_IN_S = 7200


@dataclass(frozen=True)
class TokenGrant:
    """A token endpoint answer; `repr` never shows the tokens."""

    access_token: str = field(repr=False)
    refresh_token: str | None = field(repr=False)
    expires_at: datetime
    scope: str = ""
    token_type: str = "bearer"

    def to_stored(self, previous_refresh: str | None = None, **extra: Any) -> StoredToken:
        """The vault row; keeps the previous refresh token when Gusto sends none (as Gusto's own CLI does)."""
        return StoredToken(
            access_token=self.access_token,
            refresh_token=self.refresh_token or previous_refresh,
            expires_at=self.expires_at,
            extra={"scope": self.scope, **extra},
        )


def parse_token_response(body: Any, now: datetime) -> TokenGrant:
    """Read `/oauth/token`'s JSON; expiry counts from receipt, which errs towards refreshing early."""
    if not isinstance(body, dict) or not isinstance(body.get("access_token"), str):
        raise ValueError("Gusto token endpoint answered without an access_token")
    if str(body.get("token_type") or "bearer").lower() != "bearer":
        raise ValueError(f"Gusto token endpoint returned token_type {body.get('token_type')!r}, expected bearer")
    expires_in = body.get("expires_in")
    seconds = int(expires_in) if isinstance(expires_in, int | float | str) and str(expires_in).strip() else None
    return TokenGrant(
        access_token=body["access_token"],
        refresh_token=body.get("refresh_token") or None,
        expires_at=now + timedelta(seconds=seconds if seconds is not None else DEFAULT_EXPIRES_IN_S),
        scope=str(body.get("scope") or ""),
        token_type="bearer",
    )


class OAuthClient:
    """The OAuth endpoints of one Gusto app for one connection."""

    def __init__(
        self,
        settings: GustoSettings,
        connection_id: str,
        http: GustoHttp,
        *,
        credentials: tuple[str, str] | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.settings, self.connection_id, self.http = settings, connection_id, http
        self._credentials = credentials
        self._clock = clock

    def _client(self) -> tuple[str, str]:
        if self._credentials is None:
            self._credentials = self.settings.client_credentials()
        return self._credentials

    def authorize_url(self, state: str | None = None) -> str:
        """`{oauth}/oauth/authorize?client_id=…&redirect_uri=…&response_type=code` (no scope: the app has them)."""
        params = {
            "client_id": self._client()[0],
            "redirect_uri": self.settings.redirect_uri,
            "response_type": "code",
        }
        if state:
            params["state"] = state
        return f"{self.settings.oauth_url}/oauth/authorize?{urlencode(params)}"

    def _token(self, grant_type: str, *, repeatable: bool, **fields: str) -> TokenGrant:
        """POST /oauth/token. A request that is not `repeatable` (it spends a single-use code or refresh
        token) is sent again only when it provably never reached Gusto (no connection was made); any other
        failure after sending is `RefreshOutcomeUnknown`, because Gusto may have acted on it."""
        client_id, client_secret = self._client()
        body = {"client_id": client_id, "client_secret": client_secret, "grant_type": grant_type, **fields}
        try:
            response = self.http.request(
                "POST",
                f"{self.settings.oauth_url}/oauth/token",
                json=body,
                authorized=False,
                idempotent=repeatable,
            )
        except GustoApiError as exc:
            raise self._oauth_error(exc) from None
        except GustoUnavailable as exc:
            if repeatable or not exc.reached:
                raise
            raise RefreshOutcomeUnknown(self.connection_id, f"{exc.last} after sending") from None
        try:
            return parse_token_response(response.json(), self._clock())
        except ValueError as exc:
            if not repeatable:
                raise RefreshOutcomeUnknown(self.connection_id, f"unreadable answer: {exc}") from None
            raise OAuthError(self.connection_id, response.status_code, "invalid_response", str(exc)) from None

    def _oauth_error(self, exc: GustoApiError) -> Exception:
        category = exc.category or "unknown_error"
        if category == "invalid_grant":
            return GrantRevoked(self.connection_id, f"{exc.status} invalid_grant")
        return OAuthError(self.connection_id, exc.status, category, exc.error_message)

    def exchange_code(self, code: str) -> TokenGrant:
        """Trade a single-use authorization code for the company's first token pair."""
        return self._token(
            "authorization_code", repeatable=False, code=code, redirect_uri=self.settings.redirect_uri
        )

    def refresh(self, refresh_token: str) -> TokenGrant:
        """Spend a rotating refresh token for a new pair; `GrantRevoked` when Gusto rejects it,
        `RefreshOutcomeUnknown` when the answer was lost (the token may be spent: never resend it)."""
        return self._token(
            "refresh_token", repeatable=False, refresh_token=refresh_token, redirect_uri=self.settings.redirect_uri
        )

    def system_token(self) -> TokenGrant:
        """An application-level token (webhook subscriptions, events); it has no refresh token."""
        return self._token("system_access", repeatable=True)

    def revoke(self, token: str) -> None:
        """Revoke an access or refresh token; it can no longer be used or refreshed."""
        client_id, client_secret = self._client()
        body = {"client_id": client_id, "client_secret": client_secret, "token": token}
        try:
            self.http.request(
                "POST", f"{self.settings.oauth_url}/oauth/revoke", json=body, authorized=False, idempotent=True
            )
        except GustoApiError as exc:
            raise self._oauth_error(exc) from None
