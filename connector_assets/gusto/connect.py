"""Connect a company: the authorization-code flow with a one-shot loopback listener (or a pasted URL).

An admin opens the authorize URL and consents; Gusto redirects to the connection's `redirect_uri`, where
a listener on loopback takes the code. When the browser runs elsewhere (a server over SSH) the operator
pastes the URL the browser was sent to instead. The code is exchanged, `/v1/token_info` must name the
connection's company, and only then is the pair stored in the vault.
"""

from __future__ import annotations

import contextlib
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from connector_assets.gusto.errors import ConnectFailed, GustoError, TokenExpired, WrongCompany
from connector_assets.gusto.http import Credential, GustoHttp, RetryPolicy
from connector_assets.gusto.models import TokenInfo
from connector_assets.gusto.oauth import OAuthClient, TokenGrant
from connector_assets.gusto.tokens import COMPANY_PROVIDER
from connector_assets.http_clients import new_client
from connector_assets.settings import GustoSettings
from connector_assets.store.ratelimit import RollingWindowLimiter
from connector_assets.store.vault import TokenVault

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
_PAGE = b"<!doctype html><title>Gusto connected</title><p>Gusto sent the authorization. You may close this tab."


@dataclass(frozen=True)
class ConnectResult:
    """What was connected (never the tokens)."""

    connection_id: str
    company_uuid: str
    scope: str
    expires_at: datetime


def is_loopback(redirect_uri: str) -> bool:
    parts = urlsplit(redirect_uri)
    return parts.scheme == "http" and (parts.hostname or "") in LOOPBACK_HOSTS


def parse_redirect(pasted: str) -> dict[str, str]:
    """The query of a pasted redirect URL (`…/callback?code=…&state=…`); a bare code is accepted too."""
    pasted = pasted.strip()
    if "=" not in pasted:
        return {"code": pasted} if pasted else {}
    query = urlsplit(pasted).query if "?" in pasted else pasted
    return {k: v[0] for k, v in parse_qs(query).items() if v}


class CallbackListener:
    """A one-shot HTTP server on the redirect URI's loopback port that captures the first callback."""

    def __init__(self, redirect_uri: str) -> None:
        parts = urlsplit(redirect_uri)
        self.path = parts.path or "/"
        host = "127.0.0.1" if parts.hostname in ("localhost", None) else parts.hostname.strip("[]")
        port = parts.port or 80
        self._done = threading.Event()
        self.params: dict[str, str] = {}
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urlsplit(self.path)
                if url.path != listener.path or listener._done.is_set():
                    self.send_error(404)
                    return
                listener.params = {k: v[0] for k, v in parse_qs(url.query).items() if v}
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(_PAGE)))
                self.end_headers()
                self.wfile.write(_PAGE)
                listener._done.set()

            def log_message(self, format: str, *args: Any) -> None:
                # The default handler prints the request line, which carries the authorization code.
                return

        try:
            self._server = HTTPServer((host, port), Handler)
        except OSError as exc:
            raise ConnectFailed(
                f"cannot listen on {host}:{port} for the Gusto redirect ({exc.strerror}); free the port or "
                "use --paste to paste the redirect URL instead"
            ) from None
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="gusto-callback", daemon=True
        )

    def __enter__(self) -> CallbackListener:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def wait(self, timeout_s: float) -> dict[str, str] | None:
        """The callback's query parameters, or None when none arrived in time."""
        return self.params if self._done.wait(timeout_s) else None


class _OneToken:
    """A token source for the single `token_info` check right after the exchange."""

    def __init__(self, connection_id: str, access_token: str) -> None:
        self.connection_id = connection_id
        self._credential = Credential(access_token)

    def current(self) -> Credential:
        return self._credential

    def refresh_after_rejection(self, rejected: Credential) -> Credential:
        raise TokenExpired(self.connection_id, "GET", "/v1/token_info")


def _code_from(params: dict[str, str] | None, state: str, connection_id: str) -> str:
    if params is None:
        raise ConnectFailed(
            f"no redirect from Gusto arrived for connection {connection_id!r} in time; open the URL again, "
            "or run with --paste and paste the URL the browser was sent to"
        )
    if "error" in params:
        raise ConnectFailed(
            f"Gusto did not authorize connection {connection_id!r}: {params['error']} "
            f"{params.get('error_description', '')}".rstrip()
            + "; sign in as a primary or full-access admin of the company and try again"
        )
    if params.get("state") not in (None, state):
        raise ConnectFailed(
            f"the redirect for connection {connection_id!r} carries another state than this attempt's; "
            "it belongs to an older or foreign attempt: run the connect command again"
        )
    if not params.get("code"):
        raise ConnectFailed(f"the redirect for connection {connection_id!r} has no code; paste the full URL")
    return params["code"]


def connect(
    settings: GustoSettings,
    connection_id: str,
    vault: TokenVault,
    *,
    open_url: Callable[[str], object] | None = None,
    paste: Callable[[str], str] | None = None,
    progress: Callable[[str], None] = lambda _msg: None,
    timeout_s: float = 300.0,
    limiter: RollingWindowLimiter | None = None,
    http_client: httpx.Client | None = None,
    credentials: tuple[str, str] | None = None,
    policy: RetryPolicy | None = None,
) -> ConnectResult:
    """Run the whole flow and store the grant; `paste` (given the URL) returns what the operator pasted."""
    owned = http_client is None
    client = http_client or new_client((policy or RetryPolicy()).timeout)
    try:
        oauth_http = GustoHttp(
            base_url=settings.oauth_url, api_version=settings.api_version, auth=None, limiter=None,
            grant_key="", policy=policy, client=client,
        )  # fmt: skip
        oauth = OAuthClient(settings, connection_id, oauth_http, credentials=credentials)
        state = secrets.token_urlsafe(24)
        url = oauth.authorize_url(state)
        if paste is not None or not is_loopback(settings.redirect_uri):
            if paste is None:
                raise ConnectFailed(
                    f"redirect_uri {settings.redirect_uri} is not a loopback address; run with --paste"
                )
            params: dict[str, str] | None = parse_redirect(paste(url))
        else:
            with CallbackListener(settings.redirect_uri) as listener:
                progress(f"Open this URL as a Gusto admin of company {settings.company_uuid}:\n{url}")
                if open_url is not None:
                    open_url(url)
                params = listener.wait(timeout_s)
        grant = oauth.exchange_code(_code_from(params, state, connection_id))
        info = _token_info(settings, connection_id, grant, client, limiter, policy)
        if info.company_uuid != settings.company_uuid:
            _revoke_quietly(oauth, grant)
            raise WrongCompany(connection_id, settings.company_uuid, info.company_uuid)
        vault.put(connection_id, COMPANY_PROVIDER, grant.to_stored(company_uuid=settings.company_uuid))
        progress(f"connected {connection_id!r} to Gusto company {settings.company_uuid}")
        return ConnectResult(connection_id, settings.company_uuid, info.scope, grant.expires_at)
    finally:
        if owned:
            client.close()


def _token_info(
    settings: GustoSettings,
    connection_id: str,
    grant: TokenGrant,
    client: httpx.Client,
    limiter: RollingWindowLimiter | None,
    policy: RetryPolicy | None,
) -> TokenInfo:
    http = GustoHttp(
        base_url=settings.api_base_url, api_version=settings.api_version,
        auth=_OneToken(connection_id, grant.access_token), limiter=limiter,
        grant_key=f"gusto:{connection_id}", policy=policy, client=client,
    )  # fmt: skip
    return TokenInfo.from_api(http.get_json("/v1/token_info"))


def _revoke_quietly(oauth: OAuthClient, grant: TokenGrant) -> None:
    # A grant for the wrong company is useless to this connection; revoking it is courtesy, not a must.
    with contextlib.suppress(GustoError):
        oauth.revoke(grant.refresh_token or grant.access_token)
