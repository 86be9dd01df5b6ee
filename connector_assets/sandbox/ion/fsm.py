"""FSM (CloudSuite Financials) over Landmark REST at `{ti}/FSM/fsm/soap`: routes, Python admin API, admin routes.

Lists under `classes/{BusinessClass}/lists/{ListName}`, staging under
`classes/GLTransactionInterface/actions/CreateUnreleased/batch`, form operations under
`ldrest/GLTransactionInterface/{Operation}`. Errors are HTTP 400 `{"code", "message"}`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from connector_assets.sandbox.ion.admin import Body, json_endpoint
from connector_assets.sandbox.ion.fsm_lists import ListError, list_records
from connector_assets.sandbox.ion.fsm_model import FsmConfig, FsmState, PostedLine, StagedRow
from connector_assets.sandbox.ion.fsm_posting import (
    FormError,
    complete_runs,
    create_unreleased,
    delete_run_group,
    interface_transactions,
)

INTERFACE = "GLTransactionInterface"
FORM_OPERATIONS = {
    "InterfaceTransactions_InterfaceTransactionsForm_FormOperation": interface_transactions,
    "DeleteAllTransactionsForRunGroup_DeleteAllTransactionsForRunGroupForm_FormOperation": delete_run_group,
}


def _error(code: str, message: str) -> Response:
    return JSONResponse({"code": code, "message": message}, status_code=400)


class FsmTenant:
    """The FSM face of a simulated tenant: state, HTTP endpoints and the admin methods tests call."""

    def __init__(self, config: FsmConfig | None = None) -> None:
        self.config = config or FsmConfig()
        self.state = FsmState(self.config)

    # --- HTTP ---
    def routes(self) -> list[Route]:
        base = "/{tenant}/" + self.config.context_path.strip("/")
        return [
            Route(base + "/classes/{cls}/lists/{name}", self._list, methods=["GET"]),
            Route(base + "/classes/{cls}/actions/{action}/batch", self._batch, methods=["POST"]),
            Route(base + "/ldrest/{cls}/{operation}", self._form, methods=["GET", "POST"]),
        ]

    async def _list(self, request: Request) -> Response:
        params = dict(request.query_params)
        try:
            body = list_records(self.state, request.path_params["cls"], request.path_params["name"], params)
        except ListError as exc:
            return _error(exc.code, exc.message)
        return JSONResponse(body)

    async def _batch(self, request: Request) -> Response:
        cls, action = request.path_params["cls"], request.path_params["action"]
        if (cls, action) != (INTERFACE, "CreateUnreleased"):
            return _error("ActionNotFound", f"action {action} with batch does not exist on business class {cls}")
        try:
            body = json.loads(await request.body() or b"null")
        except json.JSONDecodeError as exc:
            return _error("InvalidRequest", f"the body is not JSON ({exc.msg})")
        try:
            return JSONResponse(create_unreleased(self.state, body, dict(request.query_params)))
        except FormError as exc:
            return _error(exc.code, exc.message)

    async def _form(self, request: Request) -> Response:
        cls, operation = request.path_params["cls"], request.path_params["operation"]
        handler = FORM_OPERATIONS.get(operation) if cls == INTERFACE else None
        if handler is None:
            return _error("OperationNotFound", f"form operation {operation} does not exist on {cls}")
        try:
            return JSONResponse(handler(self.state, dict(request.query_params)))
        except FormError as exc:
            return _error(exc.code, exc.message)

    # --- admin API (Python) ---
    def seed_accounts(self, accounts: Iterable[Any], replace: bool = False, group: str | None = None) -> int:
        """Chart accounts of `group` (default: the tenant's enterprise group)."""
        return self.state.seed(None, list(accounts), replace, group)

    def seed_dimension(
        self, name: str, values: Iterable[Any], replace: bool = False, group: str | None = None
    ) -> int:
        """Values of AccountingUnit or FinanceDimension1..10."""
        return self.state.seed(name, list(values), replace, group)

    def seed_cost_centers(self, values: Iterable[Any], replace: bool = False) -> int:
        """Cost centers into the configured cost-center dimension (AccountingUnit by default)."""
        return self.seed_dimension(self.config.cost_center_dimension, values, replace)

    def set_account_active(self, code: str, active: bool) -> None:
        self.state.set_active(None, code, active)

    def set_dimension_active(self, name: str, code: str, active: bool) -> None:
        self.state.set_active(name, code, active)

    def set_cost_center_active(self, code: str, active: bool) -> None:
        self.state.set_active(self.config.cost_center_dimension, code, active)

    def close_period(self, year: int, month: int, closed: bool = True) -> None:
        self.state.set_period_closed(year, month, closed)

    def complete_runs(self) -> int:
        """Finish every queued Interface Transactions run now."""
        return complete_runs(self.state)

    def hold_runs(self) -> int:
        """Keep every queued run queued (FSM's job has not picked it up) until `complete_runs`; returns how many."""
        with self.state.lock:
            queued = [r for r in self.state.runs if not r.done]
            for run in queued:
                run.polls_left = 10**9
        return len(queued)

    def staged(self) -> list[StagedRow]:
        with self.state.lock:
            return [StagedRow(dict(r.fields), r.error, r.interfaced) for _, r in sorted(self.state.staged.items())]

    def posted(self) -> list[PostedLine]:
        with self.state.lock:
            return list(self.state.posted)

    def results(self) -> list[dict[str, Any]]:
        with self.state.lock:
            return [asdict(run) for run in self.state.runs]

    # --- admin API (HTTP, under /_sandbox/fsm) ---
    def admin_routes(self) -> list[Route]:
        def seed(request: Request, body: Body) -> Any:
            kind, replace = request.path_params["kind"], bool(body.get("replace", False))
            if kind == "accounts":
                return {"seeded": self.seed_accounts(body["values"], replace, body.get("group"))}
            if kind == "cost_centers":
                return {"seeded": self.seed_cost_centers(body["values"], replace)}
            return {"seeded": self.seed_dimension(kind, body["values"], replace, body.get("group"))}

        def activate(request: Request, body: Body) -> Any:
            kind, code, active = request.path_params["kind"], request.path_params["code"], bool(body["active"])
            if kind == "accounts":
                self.set_account_active(code, active)
            elif kind == "cost_centers":
                self.set_cost_center_active(code, active)
            else:
                self.set_dimension_active(kind, code, active)
            return {"code": code, "active": active}

        def close(request: Request, body: Body) -> Any:
            closed = bool(body.get("closed", True))
            self.close_period(int(body["year"]), int(body["month"]), closed)
            return {"year": body["year"], "month": body["month"], "closed": closed}

        def staged(request: Request, body: Body) -> Any:
            return [{**r.fields, "ErrorMessage": r.error} for r in self.staged()]

        def posted(request: Request, body: Body) -> Any:
            return [{**asdict(p), "posting_date": p.posting_date.isoformat(), "amount": str(p.amount)}
                    for p in self.posted()]  # fmt: skip

        p = "/_sandbox/fsm"
        return [
            Route(p + "/{kind}", json_endpoint(seed), methods=["POST"]),
            Route(p + "/{kind}/{code}/active", json_endpoint(activate), methods=["POST"]),
            Route(p + "/periods/close", json_endpoint(close), methods=["POST"]),
            Route(
                p + "/runs/complete",
                json_endpoint(lambda r, b: {"completed": self.complete_runs()}),
                methods=["POST"],
            ),
            Route(p + "/staged", json_endpoint(staged), methods=["GET"]),
            Route(p + "/posted", json_endpoint(posted), methods=["GET"]),
            Route(p + "/results", json_endpoint(lambda r, b: self.results()), methods=["GET"]),
        ]
