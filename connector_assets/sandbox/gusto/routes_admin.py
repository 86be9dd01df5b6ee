"""The sandbox admin API under `/_sandbox` (JSON): the admin methods over HTTP, faults, counters, clock."""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Awaitable, Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from connector_assets.sandbox.faults import rule_from_json
from connector_assets.sandbox.gusto.admin import AdminError
from connector_assets.sandbox.gusto.serialize import compensation_json, employee_json
from connector_assets.sandbox.gusto.serialize_payroll import payroll_json

if TYPE_CHECKING:
    from connector_assets.sandbox.gusto.simulator import GustoSimulator


def _arguments(fn: Callable[..., Any], body: dict[str, Any]) -> dict[str, Any]:
    """Body keys → keyword arguments of `fn`; `*_date` values are parsed as ISO dates."""
    allowed = set(inspect.signature(fn).parameters)
    unknown = set(body) - allowed
    if unknown:
        raise AdminError(f"unknown fields {sorted(unknown)}; allowed: {sorted(allowed)}")
    return {k: date.fromisoformat(v) if k.endswith("_date") and isinstance(v, str) else v for k, v in body.items()}


def routes(sim: GustoSimulator) -> list[Route]:
    world = sim.world

    def action(fn: Callable[[Request, dict[str, Any]], Any]) -> Callable[[Request], Awaitable[Response]]:
        async def run(request: Request) -> Response:
            raw = await request.body()
            try:
                body = (await request.json()) if raw else {}
                if not isinstance(body, dict):
                    raise AdminError("the body must be a JSON object")
                return JSONResponse(fn(request, body))
            except (AdminError, ValueError, TypeError) as exc:
                return JSONResponse({"error": str(exc)}, status_code=422)

        return run

    def call(method: Callable[..., Any], body: dict[str, Any], *args: str) -> Any:
        return method(*args, **_arguments(method, body))

    def hire(request: Request, body: dict[str, Any]) -> Any:
        return employee_json(world, call(sim.hire, body), {"custom_fields"})

    def employee_action(name: str) -> Callable[[Request, dict[str, Any]], Any]:
        def run(request: Request, body: dict[str, Any]) -> Any:
            result = call(getattr(sim, name), body, request.path_params["uuid"])
            if name == "change_compensation":
                return compensation_json(result)
            emp = world.employee(request.path_params["uuid"])
            return employee_json(world, emp, {"custom_fields", "all_compensations"}) if emp else {}

        return run

    def department(request: Request, body: dict[str, Any]) -> Any:
        dept = call(sim.add_department, body)
        return {"uuid": dept.uuid, "title": dept.title, "cost_center": dept.cost_center}

    def run_payroll(request: Request, body: dict[str, Any]) -> Any:
        return payroll_json(world, call(sim.run_payroll, body), {"totals"}, show=True)

    def reverse(request: Request, body: dict[str, Any]) -> Any:
        return payroll_json(world, sim.reverse_payroll(request.path_params["uuid"]), {"totals"}, show=True)

    def tokens(kind: str) -> Callable[[Request, dict[str, Any]], Any]:
        def run(request: Request, body: dict[str, Any]) -> Any:
            method = sim.expire_tokens if kind == "expire" else sim.revoke_tokens
            return {kind + "d": call(method, body)}

        return run

    def add_fault(request: Request, body: dict[str, Any]) -> Any:
        return dataclasses.asdict(sim.faults.add(rule_from_json(body)))

    def clear_faults(request: Request, body: dict[str, Any]) -> Any:
        sim.faults.clear()
        return {"rules": []}

    def advance_clock(request: Request, body: dict[str, Any]) -> Any:
        sim.clock.advance(float(body.get("seconds", 0)))
        return {"now": sim.clock.now().isoformat()}

    async def faults(request: Request) -> Response:
        return JSONResponse({"rules": sim.faults.snapshot(), "injected": sim.faults.injected})

    async def counters(request: Request) -> Response:
        return JSONResponse(sim.counters_snapshot())

    async def deliveries(request: Request) -> Response:
        return JSONResponse([dataclasses.asdict(d) for d in sim.webhooks.deliveries()])

    async def summary(request: Request) -> Response:
        return JSONResponse(
            {
                "company_uuid": world.company.uuid,
                "client_id": world.app.client_id,
                "redirect_uri": world.app.redirect_uri,
                "today": world.today.isoformat(),
                "employees": len(world.employees),
                "payrolls": len(world.payrolls),
            }
        )

    post = ["POST"]
    return [
        Route("/_sandbox/world", summary),
        Route("/_sandbox/employees", action(hire), methods=post),
        *[
            Route(f"/_sandbox/employees/{{uuid}}/{path}", action(employee_action(name)), methods=post)
            for path, name in (
                ("terminate", "terminate"),
                ("rehire", "rehire"),
                ("transfer", "transfer"),
                ("compensation", "change_compensation"),
            )
        ],
        Route("/_sandbox/departments", action(department), methods=post),
        Route("/_sandbox/payrolls", action(run_payroll), methods=post),
        Route("/_sandbox/payrolls/{uuid}/reverse", action(reverse), methods=post),
        Route("/_sandbox/tokens/expire", action(tokens("expire")), methods=post),
        Route("/_sandbox/tokens/revoke", action(tokens("revoke")), methods=post),
        Route("/_sandbox/faults", faults, methods=["GET"]),
        Route("/_sandbox/faults", action(add_fault), methods=post),
        Route("/_sandbox/faults", action(clear_faults), methods=["DELETE"]),
        Route("/_sandbox/counters", counters),
        Route("/_sandbox/webhooks/deliveries", deliveries),
        Route("/_sandbox/clock/advance", action(advance_clock), methods=post),
    ]
