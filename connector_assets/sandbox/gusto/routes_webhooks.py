"""System-token routes: webhook subscriptions and verification, health check, events, disconnect (§6.3, §10)."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from starlette.routing import Route

from connector_assets.sandbox.gusto.http import ApiError, Ctx, Reply, endpoint, not_found
from connector_assets.sandbox.gusto.serialize import iso
from connector_assets.sandbox.gusto.webhooks import Subscription

if TYPE_CHECKING:
    from connector_assets.sandbox.gusto.simulator import GustoSimulator

SUBSCRIPTION_TYPES = frozenset(
    {
        "BankAccount",
        "Company",
        "CompanyBenefit",
        "Contractor",
        "ContractorPayment",
        "Employee",
        "EmployeeBenefit",
        "EmployeeJobCompensation",
        "ExternalPayroll",
        "Form",
        "Location",
        "Notification",
        "Payroll",
        "PayrollSync",
        "PaySchedule",
        "Signatory",
    }
)


def _types(body: dict[str, object]) -> list[str]:
    types = body.get("subscription_types")
    if not isinstance(types, list) or not types or not all(isinstance(t, str) for t in types):
        raise ApiError(
            422, "invalid_attribute_value", "subscription_types must be a non-empty list.", "subscription_types"
        )
    unknown = sorted(set(types) - SUBSCRIPTION_TYPES)  # type: ignore[arg-type]
    if unknown:
        raise ApiError(
            422,
            "invalid_attribute_value",
            f"Unknown subscription types {unknown}; allowed: {sorted(SUBSCRIPTION_TYPES)}.",
            "subscription_types",
        )
    return list(types)  # type: ignore[arg-type]


def routes(sim: GustoSimulator) -> list[Route]:
    hooks = sim.webhooks

    def body_of(ctx: Ctx) -> dict[str, object]:
        return ctx.body if isinstance(ctx.body, dict) else {}

    def subscription(ctx: Ctx) -> Subscription:
        sub = hooks.subscriptions.get(ctx.path["uuid"])
        if sub is None or sub.status == "removed":
            raise not_found(f"webhook subscription {ctx.path['uuid']}")
        return sub

    def create(ctx: Ctx) -> Reply:
        body = body_of(ctx)
        url = body.get("url")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise ApiError(422, "invalid_attribute_value", "url must be an http(s) URL.", "url")
        sub = hooks.create(url, _types(body))
        return Reply(sub.to_json(), status=201)

    def list_all(ctx: Ctx) -> Reply:
        return Reply([s.to_json() for s in hooks.subscriptions.values() if s.status != "removed"])

    def get_one(ctx: Ctx) -> Reply:
        return Reply(subscription(ctx).to_json())

    def update(ctx: Ctx) -> Reply:
        sub = subscription(ctx)
        sub.subscription_types = _types(body_of(ctx))  # url is read-only: only the types change
        return Reply(sub.to_json())

    def delete(ctx: Ctx) -> Reply:
        subscription(ctx).status = "removed"
        return Reply(None, status=204)

    def verify(ctx: Ctx) -> Reply:
        sub = subscription(ctx)
        token = body_of(ctx).get("verification_token")
        if not isinstance(token, str) or not secrets.compare_digest(token, sub.verification_token):
            raise ApiError(422, "invalid_attribute_value", "Invalid verification token", "base")
        sub.status = "verified"
        return Reply(sub.to_json())

    def resend(ctx: Ctx) -> Reply:
        hooks.send_verification(subscription(ctx))
        return Reply({"message": "Success! The subscriber will be notified with the verification token"})

    def health(ctx: Ctx) -> Reply:
        subs = [s for s in hooks.subscriptions.values() if s.status != "removed"]
        status = (
            "unknown" if not subs else "unhealthy" if any(s.status == "unreachable" for s in subs) else "healthy"
        )
        return Reply({"status": status, "last_checked_at": iso(sim.clock.now())})

    def events(ctx: Ctx) -> Reply:
        q = ctx.query
        try:
            limit = int(q.get("limit", "25"))
        except ValueError as exc:
            raise ApiError(422, "invalid_parameter", "limit must be an integer from 1 to 100.", "limit") from exc
        if not 1 <= limit <= 100:
            raise ApiError(422, "invalid_parameter", "limit must be an integer from 1 to 100.", "limit")
        with sim.lock:
            rows, more = sim.events.page(
                now=int(sim.clock.timestamp()),
                retention_days=sim.options.event_retention_days,
                starting_after=q.get("starting_after_uuid"),
                limit=limit,
                event_type=q.get("event_type"),
                resource_uuid=q.get("resource_uuid"),
                descending=q.get("sort_order") == "desc",
            )
        return Reply([e.to_json() for e in rows], headers={"X-Has-Next-Page": "true" if more else "false"})

    def disconnect(ctx: Ctx) -> Reply:
        company = ctx.path["company_id"]
        if company != sim.world.company.uuid:
            raise not_found(f"company {company}")
        with sim.lock:
            if sim.oauth.revoke_company(company):
                sim.emit("company.deprovisioned", "Company", company)
        return Reply(None, status=204)

    def ep(fn, scope: str):  # type: ignore[no-untyped-def]
        return endpoint(sim, fn, auth="system", scope=scope)

    read, write = "webhook_subscriptions:read", "webhook_subscriptions:write"
    return [
        Route("/v1/webhook_subscriptions", ep(create, write), methods=["POST"]),
        Route("/v1/webhook_subscriptions", ep(list_all, read), methods=["GET"]),
        Route("/v1/webhook_subscriptions/{uuid}", ep(get_one, read), methods=["GET"]),
        Route("/v1/webhook_subscriptions/{uuid}", ep(update, write), methods=["PUT"]),
        Route("/v1/webhook_subscriptions/{uuid}", ep(delete, write), methods=["DELETE"]),
        Route("/v1/webhook_subscriptions/{uuid}/verify", ep(verify, write), methods=["PUT"]),
        Route("/v1/webhook_subscriptions/{uuid}/request_verification_token", ep(resend, read), methods=["GET"]),
        Route("/v1/webhooks/health_check", ep(health, read), methods=["GET"]),
        Route("/v1/events", ep(events, "events:read"), methods=["GET"]),
        Route("/v1/companies/{company_id}/disconnect_app_integration", ep(disconnect, "public"), methods=["POST"]),
    ]
