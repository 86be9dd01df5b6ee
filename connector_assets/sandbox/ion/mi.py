"""M3 MI REST v2: transaction registry, input checks, the `BulkResponse` shape, GET and bulk POST endpoints."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from connector_assets.sandbox.ion.config import IonConfig
from connector_assets.sandbox.ion.model import Clock
from connector_assets.sandbox.ion.state import IonState

Record = dict[str, str]
CONTEXT_PARAMS = frozenset(
    {"cono", "divi", "lanc", "locale", "timeZone", "maxrecs", "dateformat", "excludeempty", "righttrim",
     "returncols", "format", "extendedresult"}
)  # fmt: skip
# Output widths used when the caller asks for untrimmed (space padded) values with righttrim=false.
OUTPUT_WIDTHS = {"AITM": 10, "AICL": 8, "TX40": 40, "TX15": 15, "EMNM": 36, "DEPT": 8, "TACC": 10, "TMCC": 10,
                 "VTXT": 40, "USID": 10, "EMNO": 10, "DIVI": 3, "CONO": 3, "VDSC": 40, "TDSC": 40}  # fmt: skip


class MiError(Exception):
    """A failed MI transaction: reported (HTTP 400 by default) with errorMessage/errorCode/errorField/errorType."""

    def __init__(self, message: str, code: str = "", field: str = "", type: str = "ServerReturnedNOK") -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field
        self.type = type


@dataclass
class MiContext:
    """What a transaction handler needs: state, settings, clock and the call's context parameters."""

    state: IonState
    config: IonConfig
    clock: Clock
    cono: str
    divi: str
    maxrecs: int | None  # None: unlimited

    def limit(self, records: Iterable[Record]) -> list[Record]:
        return list(records if self.maxrecs is None else islice(records, self.maxrecs))


Handler = Callable[[MiContext, Record], Iterable[Record]]


@dataclass(frozen=True)
class MiTransaction:
    """One registered program/transaction with its input fields (name -> max length) and mandatory inputs."""

    program: str
    name: str
    handler: Handler
    fields: dict[str, int]
    required: tuple[str, ...] = ()


@dataclass
class MiRegistry:
    """All transactions the simulator implements, keyed by (program, transaction)."""

    transactions: dict[tuple[str, str], MiTransaction] = field(default_factory=dict)

    def add(self, program: str, name: str, handler: Handler, fields: dict[str, int], required: Iterable[str] = ()):
        self.transactions[(program, name)] = MiTransaction(program, name, handler, fields, tuple(required))
        if (program, "GetUserInfo") not in self.transactions:
            self.transactions[(program, "GetUserInfo")] = MiTransaction(program, "GetUserInfo", _user_info, {})


def _user_info(ctx: MiContext, inputs: Record) -> Iterator[Record]:
    yield {"ZZUSID": "SVC_ACCOUNT", "ZDCONO": ctx.config.company, "ZDDIVI": ctx.config.division,
           "ZDFACI": "", "ZDLANC": "GB", "ZDDTFM": "YMD"}  # fmt: skip


def execute(registry: MiRegistry, ctx: MiContext, program: str, name: str, inputs: Record, opts: Record) -> dict:
    """Run one transaction and return its `results[]` entry (errors are reported, never raised)."""
    result: dict[str, Any] = {"transaction": name}
    if opts.get("extendedresult", "false").lower() == "true":
        result["parameters"] = dict(inputs)
    try:
        tx = registry.transactions.get((program, name))
        if tx is None:
            raise MiError(f"Transaction {program}/{name} does not exist", "", "", "TransactionNotFound")
        records = ctx.limit(tx.handler(ctx, _checked_inputs(tx, ctx, inputs)))
    except MiError as exc:
        result.update(errorMessage=exc.message, errorCode=exc.code, errorField=exc.field,
                      errorType=exc.type, errorCfg="", records=[])  # fmt: skip
        return result
    result["records"] = [_shape(r, opts) for r in records]
    return result


def _checked_inputs(tx: MiTransaction, ctx: MiContext, inputs: Record) -> Record:
    checked = {k: v.strip() for k, v in inputs.items()}
    for key in ("CONO", "DIVI"):
        if key in tx.fields and not checked.get(key):
            checked[key] = ctx.cono if key == "CONO" else ctx.divi
    if checked.get("CONO", ctx.cono) != ctx.config.company:
        raise MiError(f"Not authorized for company {checked.get('CONO')}", "XAU0008", "CONO")
    for name in tx.required:
        if not checked.get(name):
            raise MiError(f"Input field {name} is mandatory", "", name, "MandatoryInputFieldNotFound")
    for name, value in checked.items():
        width = tx.fields.get(name)
        if width is not None and len(value) > width:
            raise MiError(
                f"Input field {name} is too long: {len(value)} characters, at most {width}",
                "", name, "InputFieldTooLong",
            )  # fmt: skip
    return checked


def _shape(record: Record, opts: Record) -> Record:
    columns = [c for c in opts.get("returncols", "").split(",") if c]
    if columns:
        record = {k: v for k, v in record.items() if k in columns}
    if opts.get("excludeempty", "false").lower() == "true":
        record = {k: v for k, v in record.items() if v.strip()}
    if opts.get("righttrim", "true").lower() == "false":
        record = {k: v.ljust(OUTPUT_WIDTHS.get(k, 0)) for k, v in record.items()}
    return record


def bulk_response(results: list[dict[str, Any]], terminated: bool = False) -> dict[str, Any]:
    failed = sum(1 for r in results if "errorMessage" in r)
    not_processed = sum(1 for r in results if r.get("notProcessed"))
    return {
        "results": results,
        "wasTerminated": terminated,
        "nrOfSuccessfullTransactions": len(results) - failed - not_processed,
        "nrOfFailedTransactions": failed,
        "nrOfNotProcessedTransactions": not_processed,
    }


class MiEndpoints:
    """Starlette endpoints for `/v2/execute/{PGM}/{TRN}` (GET) and `/v2/execute` (bulk POST)."""

    def __init__(self, registry: MiRegistry, state: IonState, config: IonConfig, clock: Clock) -> None:
        self.registry = registry
        self.state = state
        self.config = config
        self.clock = clock

    def _context(self, opts: dict[str, Any]) -> MiContext:
        raw = str(opts.get("maxrecs", self.config.mi_default_maxrecs))
        if not raw.isdigit():
            raise MiError(f"maxrecs {raw!r} must be a whole number (0 = all)", "", "maxrecs")
        maxrecs = int(raw) or None
        cap = self.config.mi_page_cap
        if cap is not None:  # the server's own cap wins over a larger (or unlimited) maxrecs
            maxrecs = min(maxrecs or cap, cap)
        cono = str(opts.get("cono") or self.config.company)
        divi = str(opts.get("divi") or self.config.division)
        return MiContext(self.state, self.config, self.clock, cono, divi, maxrecs)

    def _respond(self, body: dict[str, Any]) -> Response:
        if not body["nrOfFailedTransactions"]:
            return JSONResponse(body)
        if self.config.mi_error_shape == "top_level":
            # Only the termination fields, no results: the message carries the code and field (§12.1).
            failed = next(r for r in body["results"] if "errorMessage" in r)
            detail = " ".join(
                filter(None, (failed["errorCode"], failed["errorField"] and f"({failed['errorField']})"))
            )
            body = {"wasTerminated": True, "terminationReason": f"{failed['errorMessage']} {detail}".strip(),
                    "terminationErrorType": failed["errorType"], "nrOfSuccessfullTransactions": 0,
                    "nrOfFailedTransactions": body["nrOfFailedTransactions"]}  # fmt: skip
        return JSONResponse(body, status_code=self.config.mi_error_http_status)

    async def get(self, request: Request) -> Response:
        program, name = request.path_params["program"], request.path_params["transaction"]
        query = dict(request.query_params)
        opts = {k: v for k, v in query.items() if k in CONTEXT_PARAMS}
        inputs = {k: v for k, v in query.items() if k not in CONTEXT_PARAMS}
        self.state.count("mi_transactions")
        with self.state.lock:
            try:
                ctx = self._context(opts)
            except MiError as exc:
                return self._respond(bulk_response([_error_result(name, exc)]))
            return self._respond(bulk_response([execute(self.registry, ctx, program, name, inputs, opts)]))

    async def bulk(self, request: Request) -> Response:
        try:
            body = json.loads(await request.body() or b"{}")
            transactions = body["transactions"]
            program = str(body["program"])
            if not isinstance(transactions, list) or not all(isinstance(t, dict) for t in transactions):
                raise TypeError("transactions must be a list of objects")
        except (ValueError, KeyError, TypeError) as exc:
            return JSONResponse({"error": f"bulk body must be JSON with program and transactions: {exc}"}, 400)
        opts = {k: str(v) for k, v in request.query_params.items() if k in CONTEXT_PARAMS}
        for key, opt in (("maxReturnedRecords", "maxrecs"), ("cono", "cono"), ("divi", "divi"),
                         ("excludeEmptyValues", "excludeempty"), ("rightTrim", "righttrim"),
                         ("extendedResult", "extendedresult"), ("dateFormat", "dateformat"), ("lanc", "lanc"),
                         ("locale", "locale"), ("timeZone", "timeZone")):  # fmt: skip
            if key in body:
                opts[opt] = str(body[key]).lower() if isinstance(body[key], bool) else str(body[key])
        results: list[dict[str, Any]] = []
        terminated = False
        with self.state.lock:
            try:
                ctx = self._context(opts)
            except MiError as exc:
                return self._respond(bulk_response([_error_result("", exc)]))
            for item in transactions:
                name = str(item.get("transaction", ""))
                if terminated:
                    results.append({"transaction": name, "notProcessed": True, "records": []})
                    continue
                self.state.count("mi_transactions")
                record = {k: str(v) for k, v in (item.get("record") or {}).items()}
                cols = ",".join(item.get("selectedColumns") or [])
                tx_opts = {**opts, "returncols": cols} if cols else opts
                result = execute(self.registry, ctx, program, name, record, tx_opts)
                results.append(result)
                terminated = "errorMessage" in result and self.config.bulk_stop_on_error
        return self._respond(bulk_response(results, terminated))


def _error_result(name: str, exc: MiError) -> dict[str, Any]:
    return {"transaction": name, "errorMessage": exc.message, "errorCode": exc.code, "errorField": exc.field,
            "errorType": exc.type, "errorCfg": "", "records": []}  # fmt: skip
