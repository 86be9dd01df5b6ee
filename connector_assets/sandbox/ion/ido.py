"""Mongoose IDO REST v2 endpoints (`/CSI/IDORequestService/ido/load|update|invoke|info/{IDO}`)."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from connector_assets.sandbox.ion.config import IonConfig
from connector_assets.sandbox.ion.ido_collections import (
    Change,
    ChartCollection,
    IdoCollection,
    IdoError,
    IdoPropertiesCollection,
    PeriodCollection,
    UnitCodeCollection,
)
from connector_assets.sandbox.ion.ido_employees import EmployeeCollection
from connector_assets.sandbox.ion.ido_filter import FilterError, compile_filter
from connector_assets.sandbox.ion.ido_journals import JournalCollection, LedgerCollection, next_journal_seq
from connector_assets.sandbox.ion.ido_paging import (
    Ordering,
    PagingError,
    make_bookmark,
    page,
    parse_orderby,
    record_cap,
)
from connector_assets.sandbox.ion.model import Clock
from connector_assets.sandbox.ion.state import IonState

# An IDO method takes the positional parameters and returns (parameters after the call, return value).
IdoMethod = Callable[[list[Any]], tuple[list[Any], str]]
CONFIG_HEADER = "x-infor-mongooseconfig"


def _fail(message: str, status: int = 200) -> Response:
    return JSONResponse({"Success": False, "Message": message}, status_code=status)


def _text(value: Any) -> str:
    return "" if value is None else (str(value).lower() if isinstance(value, bool) else str(value))


class IdoEndpoints:
    """Serves the SyteLine IDOs of one tenant."""

    def __init__(self, state: IonState, config: IonConfig, clock: Clock) -> None:
        self.state = state
        self.config = config
        self.collections: dict[str, IdoCollection] = {
            "SLCharts": ChartCollection(state, config),
            "SLPeriods": PeriodCollection(state, config, clock),
            "SLJournals": JournalCollection(state, config),
            "SLLedgers": LedgerCollection(state),
            "SLEmployees": EmployeeCollection(state, config, clock),
            **{f"SLUnitcd{n}s": UnitCodeCollection(state, config, n) for n in range(1, 5)},
        }
        self.collections["IdoProperties"] = IdoPropertiesCollection(self.collections)
        self.methods: dict[tuple[str, str], IdoMethod] = {
            ("SLJournals", "GetNextJournalSeqSp"): lambda params: next_journal_seq(state, params),
        }
        self._default_order = {
            "SLJournals": ["Seq"],
            "SLLedgers": ["TransNum"],
            "SLPeriods": ["FiscalYear", "Period"],
        }

    def _gate(self, request: Request) -> tuple[str, IdoCollection | None, Response | None]:
        """Check the configuration header and find the IDO; returns (name, collection, error response)."""
        self.state.count("ido_requests")
        name = request.path_params["ido"]
        config_name = request.headers.get(CONFIG_HEADER)
        if not config_name:
            return (
                name,
                None,
                _fail(
                    "The X-Infor-MongooseConfig header is required when calling Mongoose through ION; "
                    f"send the configuration name (e.g. {self.config.mongoose_config})",
                    self.config.missing_config_status,
                ),
            )
        if config_name != self.config.mongoose_config:
            return name, None, _fail(f"Configuration {config_name!r} does not exist in this tenant")
        return name, self.collections.get(name), None

    async def load(self, request: Request) -> Response:
        name, collection, error = self._gate(request)
        if error:
            return error
        if collection is None:
            return _fail(f"IDO {name} does not exist (or is not offered by this tenant)")
        query = {k.lower(): v for k, v in request.query_params.items()}  # recordcap and recordCap alike
        with self.state.lock:
            props = collection.properties()
            try:
                wanted = self._projection(query.get("properties", ""), props)
                keep = compile_filter(query.get("filter", ""), props)
                columns = parse_orderby(query.get("orderby", ""), props) or [
                    (p, False) for p in self._default_order.get(name, props[:1])
                ]
                ordering = Ordering(columns)
                entries = [e for e in collection.rows() if keep(e[1])]
                rows, more = page(ordering, entries, record_cap(query.get("recordcap")), query.get("loadtype", ""),
                                  query.get("bookmark", ""))  # fmt: skip
            except (FilterError, PagingError) as exc:
                return _fail(f"{name}: {exc}")
        items = [{**{p: row.get(p, "") for p in wanted}, "_ItemId": item_id} for item_id, row in rows]
        if query.get("distinct", "").lower() in ("true", "1"):
            items = list({json.dumps({k: v for k, v in i.items() if k != "_ItemId"}): i for i in items}.values())
        return JSONResponse({"Items": items, "Bookmark": make_bookmark(ordering, rows), "MoreRowsExist": more,
                             "Success": True, "Message": None})  # fmt: skip

    @staticmethod
    def _projection(text: str, props: list[str]) -> list[str]:
        if text.strip() in ("", "*"):
            return props
        known = {p.casefold(): p for p in props}
        wanted = [p.strip() for p in text.split(",") if p.strip()]
        unknown = [p for p in wanted if p.casefold() not in known]
        if unknown:
            raise PagingError(f"unknown properties {unknown}; known: {props}")
        return [known[p.casefold()] for p in wanted]

    async def update(self, request: Request) -> Response:
        name, collection, error = self._gate(request)
        if error:
            return error
        if collection is None:
            return _fail(f"IDO {name} does not exist (or is not offered by this tenant)")
        try:
            body = json.loads(await request.body() or b"{}", parse_float=Decimal)
            changes = [self._change(c) for c in body["Changes"]]
            # Only the first item(s) of a Changes array are processed; the rest are silently dropped (§12.9).
            changes = changes[: self.config.changes_per_request or len(changes)]
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            return _fail(f'{name}: body must be {{"Changes": [{{"Action", "ItemId", "Properties"}}]}}: {exc}')
        with self.state.lock:
            try:
                collection.update(changes)
            except IdoError as exc:
                self.state.count("ido_rejected")
                return _fail(str(exc))
        return JSONResponse({"Success": True, "Message": None})

    @staticmethod
    def _change(raw: dict[str, Any]) -> Change:
        props = raw.get("Properties") or []
        keys = {p["Name"]: "" if p.get("IsNull") else _text(p.get("Value")) for p in props}
        modified = {p["Name"]: keys[p["Name"]] for p in props if p.get("Modified", True)}
        return Change(action=int(raw["Action"]), item_id=str(raw.get("ItemId") or ""), properties=modified,
                      keys=keys, locking=bool(raw.get("UpdateLocking", 1)))  # fmt: skip

    async def invoke(self, request: Request) -> Response:
        name, _, error = self._gate(request)
        if error:
            return error
        method_name = request.query_params.get("method", "")
        method = self.methods.get((name, method_name))
        if method is None:
            return _fail(f"Method {method_name!r} does not exist on IDO {name}")
        try:
            params = json.loads(await request.body() or b"[]", parse_float=Decimal)
            if not isinstance(params, list):
                raise TypeError("the body must be a JSON array of positional parameters")
        except (ValueError, TypeError) as exc:
            return _fail(f"{name}.{method_name}: {exc}")
        with self.state.lock:
            try:
                out, returned = method(params)
            except IdoError as exc:
                return _fail(str(exc))
        return JSONResponse({"Message": None, "Success": True, "Parameters": [_text(p) for p in out],
                             "ReturnValue": returned})  # fmt: skip

    async def info(self, request: Request) -> Response:
        name, collection, error = self._gate(request)
        if error:
            return error
        if collection is None:
            return _fail(f"IDO {name} does not exist (or is not offered by this tenant)")
        if not self.config.ido_info_endpoint:
            return _fail(f"IDO metadata is not available through /info here; load IdoProperties for {name}", 404)
        methods = [{"Name": m, "Parameters": []} for (ido, m) in self.methods if ido == name]
        return JSONResponse({"Success": True, "Message": None, "Properties": collection.properties(),
                             "Methods": methods})  # fmt: skip
