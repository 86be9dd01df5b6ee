"""Request plumbing shared by the API routes: version header, bearer auth, per-grant rate limit, scopes,
Gusto's error envelope (§9.2) and page headers (§7)."""

from __future__ import annotations

import json
import math
import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response

from connector_assets.sandbox.gusto.oauth import AccessToken, OAuthError
from connector_assets.sandbox.gusto.serialize_payroll import render_numbers

if TYPE_CHECKING:
    from connector_assets.sandbox.gusto.simulator import GustoSimulator

_VERSION = re.compile(r"\d{4}-\d{2}-\d{2}")
T = TypeVar("T")


class ApiError(Exception):
    """An error in Gusto's `{"errors": [{error_key, category, message}]}` envelope."""

    def __init__(
        self,
        status: int,
        category: str,
        message: str,
        error_key: str = "request",
        metadata: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.category = category
        self.message = message
        self.error_key = error_key
        self.metadata = metadata

    def body(self) -> dict[str, Any]:
        item: dict[str, Any] = {"error_key": self.error_key, "category": self.category, "message": self.message}
        if self.metadata:
            item["metadata"] = self.metadata
        return {"errors": [item]}


def not_found(what: str) -> ApiError:
    return ApiError(404, "not_found", f"The requested resource was not found. ({what})")


@dataclass
class Reply:
    body: Any
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Ctx:
    request: Request
    query: QueryParams
    path: dict[str, str]
    body: Any
    token: AccessToken | None

    def include(self) -> set[str]:
        return {p.strip() for p in self.query.get("include", "").split(",") if p.strip()}

    def csv(self, name: str, default: str) -> list[str]:
        return [p.strip() for p in self.query.get(name, default).split(",") if p.strip()]

    def require_company(self, company_id: str, company_uuid: str) -> None:
        """One company per token: another company's id is forbidden."""
        if self.token is None or self.token.grant.company_uuid != company_id:
            raise ApiError(403, "missing_permissions", f"This token cannot access company {company_id}.")
        if company_id != company_uuid:
            raise not_found(f"company {company_id}")


def json_response(body: Any, status: int, headers: dict[str, str]) -> Response:
    text = "" if body is None else render_numbers(json.dumps(body, separators=(",", ":")))
    return Response(
        text, status_code=status, headers=headers, media_type=None if body is None else "application/json"
    )


def paginate(
    items: Sequence[T],
    query: QueryParams,
    *,
    forced: bool = False,
    max_per: int | None = None,
    default_per: int = 25,
) -> tuple[list[T], dict[str, str]]:
    """Slice per `page`/`per`; headers only when paging was asked for or the endpoint forces it."""
    if "page" not in query and "per" not in query and not forced:
        return list(items), {}
    try:
        page, per = int(query.get("page", "1")), int(query.get("per", str(default_per)))
    except ValueError as exc:
        raise ApiError(422, "invalid_parameter", "page and per must be integers.", "request") from exc
    if page < 1 or per < 1:
        raise ApiError(422, "invalid_parameter", "page and per must be positive.", "request")
    per = min(per, max_per) if max_per else per
    total = len(items)
    headers = {
        "X-Page": str(page),
        "X-Per-Page": str(per),
        "X-Total-Count": str(total),
        "X-Total-Pages": str(math.ceil(total / per)),
    }
    return list(items[(page - 1) * per : page * per]), headers


Handler = Callable[[Ctx], Reply]


def endpoint(
    sim: GustoSimulator,
    fn: Handler,
    *,
    auth: Literal["company", "system", "any", "none"] = "company",
    scope: str | None = None,
) -> Callable[[Request], Any]:
    """Wrap a synchronous handler with Gusto's cross-cutting behaviour; the handler runs in a worker thread."""

    async def run(request: Request) -> Response:
        request_id = str(uuid.uuid4())
        version = request.headers.get("x-gusto-api-version")
        headers = {
            "X-Gusto-API-Version": version or sim.options.default_api_version,
            "x-request-id": f"{request_id},{request_id}" if sim.options.duplicate_request_id else request_id,
        }
        with sim.lock:
            sim.counters.total_requests += 1
        if version is not None and not _VERSION.fullmatch(version):
            err = ApiError(
                406, "invalid_api_version", f"Invalid API Version `{version}`. Expected format: YYYY-MM-DD"
            )
            return json_response(err.body(), 406, headers)
        token: AccessToken | None = None
        if auth != "none":
            early = _authenticate(sim, request, auth, scope, headers)
            if isinstance(early, Response):
                return early
            token = early
        raw = await request.body()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            err = ApiError(422, "invalid_parameter", "The request body is not valid JSON.")
            return json_response(err.body(), 422, headers)
        ctx = Ctx(request, request.query_params, dict(request.path_params), body, token)
        try:
            reply = await run_in_threadpool(fn, ctx)
        except ApiError as err:
            return json_response(err.body(), err.status, headers)
        return json_response(reply.body, reply.status, {**headers, **reply.headers})

    return run


def _authenticate(
    sim: GustoSimulator, request: Request, auth: str, scope: str | None, headers: dict[str, str]
) -> AccessToken | Response:
    header = request.headers.get("authorization", "")
    bearer = header[7:].strip() if header.lower().startswith("bearer ") else None
    with sim.lock:
        try:
            token = sim.oauth.authenticate(bearer)
        except OAuthError:
            return json_response(sim.options.unauthorized_body, 401, headers)
        if auth != "any" and token.grant.kind != auth:
            return json_response(sim.options.unauthorized_body, 401, headers)
        grant_counts = sim.counters.per_grant[token.grant.id]
        grant_counts["requests"] += 1
        decision = sim.limiter.check(token.grant.id)
        headers.update(decision.headers)
        if not decision.allowed:
            sim.counters.throttled += 1
            grant_counts["throttled"] += 1
            return json_response(sim.options.rate_limited_body, 429, headers)
        scopes = set(sim.options.scopes.split()) if token.grant.kind == "company" else None
        if scope and scopes is not None and scope not in scopes:
            err = ApiError(
                403,
                "missing_oauth_scopes",
                "You do not have the necessary OAuth scopes for this "
                "request. Ask the company admin to reauthorize the application.",
                metadata={"missing_scope_name": scope},
            )
            return json_response(err.body(), 403, headers)
    return token
