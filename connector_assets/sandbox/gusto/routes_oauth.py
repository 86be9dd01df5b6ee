"""OAuth routes: authorize (auto-consent), token (code, refresh, system), revoke, token info (§2)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from connector_assets.sandbox.gusto.http import Ctx, Reply, endpoint
from connector_assets.sandbox.gusto.oauth import OAuthError
from connector_assets.sandbox.gusto.options import SYSTEM_SCOPES

if TYPE_CHECKING:
    from connector_assets.sandbox.gusto.simulator import GustoSimulator


def _oauth_error(err: OAuthError) -> JSONResponse:
    return JSONResponse({"error": err.code, "error_description": err.description}, status_code=err.status)


async def _body(sim: GustoSimulator, request: Request) -> dict[str, Any]:
    raw = await request.body()
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/x-www-form-urlencoded"):
        if not sim.options.accept_form_token_requests:
            raise OAuthError(400, "invalid_request", "Send the token request as a JSON body.")
        return dict(parse_qsl(raw.decode()))
    try:
        data = json.loads(raw) if raw else {}
    except ValueError as exc:
        raise OAuthError(400, "invalid_request", "The token request body is not valid JSON.") from exc
    if not isinstance(data, dict):
        raise OAuthError(400, "invalid_request", "The token request body must be a JSON object.")
    return data


def routes(sim: GustoSimulator) -> list[Route]:
    async def authorize(request: Request) -> Response:
        q = request.query_params
        try:
            with sim.lock:
                sim.counters.total_requests += 1
                code = sim.oauth.authorize(
                    q.get("client_id", ""),
                    q.get("redirect_uri", ""),
                    q.get("response_type", ""),
                    sim.world.company.uuid,
                )
        except OAuthError as err:
            return _oauth_error(err)
        params = {"code": code, **({"state": q["state"]} if "state" in q else {})}
        separator = "&" if "?" in sim.oauth.redirect_uri else "?"
        return RedirectResponse(f"{sim.oauth.redirect_uri}{separator}{urlencode(params)}", status_code=302)

    async def token(request: Request) -> Response:
        try:
            if "client_secret" in request.query_params:
                raise OAuthError(400, "invalid_request", "client_secret must be sent in the body, not the URL.")
            data = await _body(sim, request)
            with sim.lock:
                sim.counters.total_requests += 1
                sim.oauth.check_client(data.get("client_id"), data.get("client_secret"))
                grant_type = data.get("grant_type")
                if grant_type == "authorization_code":
                    issued, grant = sim.oauth.exchange_code(data.get("code"), data.get("redirect_uri"))
                    sim.emit("company.provisioned", "Company", grant.company_uuid or "")
                elif grant_type == "refresh_token":
                    issued = sim.oauth.refresh_grant(data.get("refresh_token"))
                elif grant_type == "system_access":
                    issued = sim.oauth.system_token()
                else:
                    raise OAuthError(400, "unsupported_grant_type", f"grant_type {grant_type!r} is not supported.")
        except OAuthError as err:
            return _oauth_error(err)
        return JSONResponse(issued, headers={"Cache-Control": "no-store"})

    async def revoke(request: Request) -> Response:
        try:
            data = await _body(sim, request)
            with sim.lock:
                sim.counters.total_requests += 1
                sim.oauth.check_client(data.get("client_id"), data.get("client_secret"))
                if not data.get("token"):
                    raise OAuthError(400, "invalid_request", "token is required.")
                company = sim.oauth.revoke(data["token"])
                if company:
                    sim.emit("company.deprovisioned", "Company", company)
        except OAuthError as err:
            return _oauth_error(err)
        return JSONResponse({})

    def token_info(ctx: Ctx) -> Reply:
        assert ctx.token is not None
        grant = ctx.token.grant
        if grant.kind == "system":
            return Reply(
                {
                    "scope": SYSTEM_SCOPES,
                    "resource": {"type": "Oauth::Application", "uuid": sim.world.company.application_uuid},
                    "resource_owner": None,
                }
            )
        return Reply(
            {
                "scope": sim.options.scopes,
                "resource": {"type": "Company", "uuid": grant.company_uuid},
                "resource_owner": {"type": "CompanyAdmin", "uuid": sim.world.company.admin_uuid},
            }
        )

    return [
        Route("/oauth/authorize", authorize, methods=["GET"]),
        Route("/oauth/token", token, methods=["POST"]),
        Route("/oauth/revoke", revoke, methods=["POST"]),
        Route("/v1/token_info", endpoint(sim, token_info, auth="any"), methods=["GET"]),
    ]
