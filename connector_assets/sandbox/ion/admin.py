"""Admin API under `/_sandbox/...`: the JSON face of the simulator's Python methods (never faulted)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from connector_assets.sandbox.faults import rule_from_json
from connector_assets.sandbox.ion.config import SpikeArrest

if TYPE_CHECKING:
    from connector_assets.sandbox.ion.simulator import IonSimulator

Body = dict[str, Any]


def json_endpoint(action: Callable[[Request, Body], Any]) -> Callable[[Request], Awaitable[Response]]:
    """Wrap an action: parse the JSON body, turn bad input into a 400 that says what was wrong."""

    async def run(request: Request) -> Response:
        try:
            raw = await request.body()
            body = json.loads(raw) if raw else {}
            if not isinstance(body, dict):
                raise ValueError("the body must be a JSON object")
            return JSONResponse(action(request, body))
        except (ValueError, KeyError, TypeError, InvalidOperation) as exc:
            return JSONResponse({"error": f"{request.url.path}: {exc}"}, status_code=400)

    return run


def admin_routes(sim: IonSimulator) -> list[Route]:
    """Routes of the admin API bound to `sim`."""

    def seed(kind: str) -> Callable[[Request, Body], Any]:
        def action(request: Request, body: Body) -> Any:
            replace = bool(body.get("replace", False))
            if kind == "accounts":
                return {"seeded": sim.seed_accounts(body["accounts"], replace)}
            if kind == "cost_centers":
                return {"seeded": sim.seed_cost_centers(body["cost_centers"], replace)}
            number = int(request.path_params["n"])
            if kind == "dimension":
                return {"seeded": sim.seed_dimension(number, body["values"], replace)}
            return {"seeded": sim.seed_unit_code(number, body["values"], replace)}

        return action

    def block(kind: str) -> Callable[[Request, Body], Any]:
        def action(request: Request, body: Body) -> Any:
            code, blocked = request.path_params["code"], bool(body.get("blocked", True))
            (sim.block_account if kind == "account" else sim.block_cost_center)(code, blocked)
            return {"code": code, "blocked": blocked}

        return action

    def close_period(request: Request, body: Body) -> Any:
        sim.close_period(int(body["year"]), int(body["month"]), bool(body.get("closed", True)))
        return {"year": body["year"], "month": body["month"], "closed": bool(body.get("closed", True))}

    def spike_arrest(request: Request, body: Body) -> Any:
        sim.set_spike_arrest(SpikeArrest(**body) if body else None)
        return {"spike_arrest": body or None}

    def accounts(request: Request, body: Body) -> Any:
        with sim.state.lock:
            dim = sim.state.accounts()
            return [dim.values[code].to_json() for code in dim.sorted_keys()]

    def faults(request: Request, body: Body) -> Any:
        if request.method == "POST":
            sim.faults.add(rule_from_json(body))
        elif request.method == "DELETE":
            sim.faults.clear()
        return sim.faults.snapshot()

    def reset_counters(request: Request, body: Body) -> Any:
        sim.reset_counters()
        return sim.counters()

    def alter_line(request: Request, body: Body) -> Any:
        amount = Decimal(str(body["amount"]))
        return sim.alter_posted_line(str(body["key"]), str(body["account"]), amount, body.get("cost_center"))

    def get(fn: Callable[[], Any]) -> Callable[[Request, Body], Any]:
        return lambda request, body: fn()

    p = "/_sandbox"
    return [
        Route(f"{p}/accounts", json_endpoint(seed("accounts")), methods=["POST"]),
        Route(f"{p}/accounts", json_endpoint(accounts), methods=["GET"]),
        Route(f"{p}/cost_centers", json_endpoint(seed("cost_centers")), methods=["POST"]),
        Route(p + "/dimensions/{n:int}", json_endpoint(seed("dimension")), methods=["POST"]),
        Route(p + "/unit_codes/{n:int}", json_endpoint(seed("unit_code")), methods=["POST"]),
        Route(p + "/accounts/{code}/block", json_endpoint(block("account")), methods=["POST"]),
        Route(p + "/cost_centers/{code}/block", json_endpoint(block("cost_center")), methods=["POST"]),
        Route(f"{p}/periods/close", json_endpoint(close_period), methods=["POST"]),
        Route(
            f"{p}/tokens/expire", json_endpoint(get(lambda: {"expired": sim.expire_tokens()})), methods=["POST"]
        ),
        Route(
            f"{p}/tokens/revoke", json_endpoint(get(lambda: {"revoked": sim.revoke_tokens()})), methods=["POST"]
        ),
        Route(
            f"{p}/clock/advance",
            json_endpoint(lambda r, b: sim.advance_clock(float(b["seconds"]))),
            methods=["POST"],
        ),
        Route(f"{p}/spike_arrest", json_endpoint(spike_arrest), methods=["POST"]),
        Route(f"{p}/vouchers", json_endpoint(get(lambda: [v.to_json() for v in sim.vouchers()])), methods=["GET"]),
        Route(f"{p}/journals", json_endpoint(get(lambda: [j.to_json() for j in sim.journals()])), methods=["GET"]),
        Route(f"{p}/ledgers", json_endpoint(get(lambda: [j.to_json() for j in sim.ledgers()])), methods=["GET"]),
        Route(
            f"{p}/journals/post",
            json_endpoint(lambda r, b: {"posted": sim.post_journals(b.get("journal_id"))}),
            methods=["POST"],
        ),
        Route(
            f"{p}/employees", json_endpoint(get(lambda: [e.to_json() for e in sim.employees()])), methods=["GET"]
        ),
        Route(
            f"{p}/batches", json_endpoint(get(lambda: [_batch_json(b) for b in sim.batches()])), methods=["GET"]
        ),
        Route(f"{p}/posted_lines/alter", json_endpoint(alter_line), methods=["POST"]),
        Route(f"{p}/counters", json_endpoint(get(sim.counters)), methods=["GET"]),
        Route(f"{p}/counters/reset", json_endpoint(reset_counters), methods=["POST"]),
        Route(f"{p}/faults", json_endpoint(faults), methods=["GET", "POST", "DELETE"]),
    ]


def _batch_json(batch: Any) -> Body:
    return {"key1": batch.key1, "interface": batch.interface, "description": batch.description,
            "division": batch.division, "status": batch.status,
            "voucher": list(batch.voucher) if batch.voucher else None,
            "lines": [batch.lines[n].to_json() for n in sorted(batch.lines)]}  # fmt: skip
