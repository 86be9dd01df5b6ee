"""Landmark REST (FSM) through the ION gateway: list reads that survive the tenant's quirks, batch staging, forms.

Reads tolerate what public evidence reports (reference §13.1): the first array element is metadata, keys may
carry stray spaces, a page may be shorter than `_limit` (server cap), and later pages may ignore
`_lplFilter`. So every read filters again on the client, de-duplicates by key, and checks itself against
`_recordCountOnly`; when filtered paging falls short of the count it reads the whole list instead.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import httpx

from connector_assets.cloudsuite.errors import FsmError
from connector_assets.cloudsuite.transport import IonTransport

log = logging.getLogger(__name__)
Row = dict[str, str]


def _quote(value: str) -> str:
    if '"' in value:
        raise ValueError(f"value {value!r}: a Landmark filter value cannot contain a double quote")
    return f'"{value}"'


def lpl_filter(where: Mapping[str, str]) -> str:
    """`A = "x" and B = "y"`."""
    return " and ".join(f"{name} = {_quote(value)}" for name, value in where.items())


def _is_landmark_error(response: httpx.Response) -> bool:
    if response.status_code != 400:
        return False
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and "message" in body


class LandmarkClient:
    """Calls under `{iu}/{ti}/{context path}` for one FSM tenant."""

    def __init__(
        self, transport: IonTransport, *, context_path: str = "FSM/fsm/soap", page_size: int = 100
    ) -> None:
        self.transport = transport
        self.base = transport.url(context_path.strip("/"))
        self.page_size = page_size

    def __repr__(self) -> str:
        return f"LandmarkClient({self.base!r})"

    def _call(self, method: str, path: str, what: str, *, params: Mapping[str, str], json: Any = None,
              writes: bool = False) -> Any:  # fmt: skip
        response = self.transport.request(
            method, f"{self.base}/{path}", what=f"FSM {what}", params=params, json=json, writes=writes,
            accept=_is_landmark_error,
        )  # fmt: skip
        try:
            body = response.json()
        except ValueError:
            raise FsmError(
                what, f"answered HTTP {response.status_code} without JSON; check the context path"
            ) from None
        if response.status_code == 400:
            raise FsmError(what, str(body.get("message", "")).strip(), code=str(body.get("code", "")))
        return body

    # --- lists ---
    def page(self, business_class: str, fields: Sequence[str], *, offset: int, limit: int,
             where: Mapping[str, str] | None = None, list_name: str = "_generic") -> list[Row]:  # fmt: skip
        """One page of a list, metadata dropped, keys stripped, values as strings."""
        params = {"_fields": ",".join(fields), "_limit": str(limit), "_offset": str(offset), "_out": "JSON",
                  "_links": "false", "_flatten": "false"}  # fmt: skip
        if where:
            params["_lplFilter"] = lpl_filter(where)
        body = self._call("GET", f"classes/{business_class}/lists/{list_name}", f"{business_class} list",
                          params=params)  # fmt: skip
        if not isinstance(body, list):
            raise FsmError(f"{business_class} list", f"expected a JSON array, got {type(body).__name__}")
        return [_row(item["_fields"]) for item in body if isinstance(item, dict) and "_fields" in item]

    def count(self, business_class: str, where: Mapping[str, str], list_name: str = "_generic") -> int:
        """`_recordCountOnly=true`: the number of records matching `where` (answered as `{"_count": N}`)."""
        params = {"_recordCountOnly": "true", **({"_lplFilter": lpl_filter(where)} if where else {})}
        body = self._call("GET", f"classes/{business_class}/lists/{list_name}", f"{business_class} count",
                          params=params)  # fmt: skip
        if isinstance(body, list):  # a tenant answering the usual array: metadata first
            body = body[0] if body else {}
        try:
            return int(body["_count"])
        except (KeyError, TypeError, ValueError):
            raise FsmError(f"{business_class} count", f"no _count in the answer ({str(body)[:200]})") from None

    def select(self, business_class: str, fields: Sequence[str], where: Mapping[str, str], key: Sequence[str],
               list_name: str = "_generic") -> list[Row]:  # fmt: skip
        """Every record matching `where` (equality on string values), once each, in the tenant's order."""
        wanted = list(dict.fromkeys([*fields, *where, *key]))
        expected = self.count(business_class, where, list_name)
        if expected == 0:
            return []
        found = self._collect(business_class, wanted, where, key, list_name, filtered=True, expected=expected)
        if len(found) < expected:
            log.info("%s: filtered paging returned %d of %d records; reading the whole list",
                     business_class, len(found), expected)  # fmt: skip
            found = self._collect(business_class, wanted, where, key, list_name, filtered=False, expected=None)
        return list(found.values())

    def _collect(self, business_class: str, fields: list[str], where: Mapping[str, str], key: Sequence[str],
                 list_name: str, *, filtered: bool, expected: int | None) -> dict[tuple[str, ...], Row]:  # fmt: skip
        found: dict[tuple[str, ...], Row] = {}
        for rows in self._pages(business_class, fields, where if filtered else None, list_name):
            for row in rows:
                if all(row.get(k) == v for k, v in where.items()):
                    found.setdefault(tuple(row.get(k, "") for k in key), row)
            if expected is not None and len(found) >= expected:
                break
        return found

    def _pages(self, business_class: str, fields: list[str], where: Mapping[str, str] | None,
               list_name: str) -> Iterator[list[Row]]:  # fmt: skip
        offset = 0
        while True:
            rows = self.page(business_class, fields, offset=offset, limit=self.page_size, where=where,
                             list_name=list_name)  # fmt: skip
            if not rows:  # only an empty page ends a list: a short one may just be the server's cap
                return
            yield rows
            offset += len(rows)

    # --- writes ---
    def create_unreleased(self, business_class: str, records: Sequence[Row]) -> list[dict[str, Any]]:
        """`actions/CreateUnreleased/batch` with every failure reported (`_maxFailures=-1`); one answer per record."""
        body = {"_records": [{"message": "BatchImport", "_fields": dict(r)} for r in records]}
        answer = self._call("POST", f"classes/{business_class}/actions/CreateUnreleased/batch",
                            f"{business_class} CreateUnreleased", params={"_maxFailures": "-1"}, json=body,
                            writes=True)  # fmt: skip
        items = answer.get("_records") if isinstance(answer, dict) else answer
        if not isinstance(items, list) or len(items) != len(records):
            raise FsmError(f"{business_class} CreateUnreleased",
                           f"expected {len(records)} record answers, got {str(answer)[:200]}")  # fmt: skip
        return [item if isinstance(item, dict) else {} for item in items]

    def form_operation(self, business_class: str, operation: str, params: Mapping[str, str]) -> Any:
        """An `ldrest` form operation (it changes data: never retried after an ambiguous failure)."""
        return self._call("GET", f"ldrest/{business_class}/{operation}", f"{business_class} {operation.split('_')[0]}",
                          params={**params, "_cmAll": "true"}, writes=True)  # fmt: skip


def _row(fields: Any) -> Row:
    """Keys stripped (a real sample carried `" ErrorMessage"`), values as strings."""
    if not isinstance(fields, dict):
        return {}
    return {str(k).strip(): "" if v is None else str(v) for k, v in fields.items()}
