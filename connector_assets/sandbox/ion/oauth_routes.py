"""HTTP endpoints of the authorization server: `{pu}{ot}` (token) and `{pu}{or}` (revoke)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable
from urllib.parse import parse_qsl, unquote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from connector_assets.sandbox.ion.tokens import TokenError, TokenService


async def read_form(request: Request) -> dict[str, str]:
    """Parse an `application/x-www-form-urlencoded` body (plus query string, for GET revoke)."""
    body = (await request.body()).decode("utf-8", errors="replace")
    form = dict(parse_qsl(request.url.query, keep_blank_values=True))
    form.update(parse_qsl(body, keep_blank_values=True))
    return form


def basic_credentials(request: Request) -> tuple[str, str] | None:
    """Client id and secret from an HTTP Basic header, or None when there is none."""
    header = request.headers.get("authorization", "")
    if header[:6].lower() != "basic ":
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, _, client_secret = decoded.partition(":")
    return unquote(client_id), unquote(client_secret)


Endpoint = Callable[[Request], Awaitable[Response]]


def make_oauth_endpoints(tokens: TokenService) -> tuple[Endpoint, Endpoint]:
    """Build the token and revoke endpoints bound to one TokenService."""

    async def token(request: Request) -> Response:
        try:
            return JSONResponse(tokens.grant(await read_form(request), basic_credentials(request)))
        except TokenError as exc:
            return JSONResponse(exc.body, status_code=exc.status)

    async def revoke(request: Request) -> Response:
        try:
            tokens.revoke(await read_form(request), basic_credentials(request))
        except TokenError as exc:
            return JSONResponse(exc.body, status_code=exc.status)
        return Response(status_code=200)

    return token, revoke
