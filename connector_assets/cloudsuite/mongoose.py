"""Mongoose IDO REST v2 through ION (reference §7): LoadCollection with bookmark paging, UpdateCollection."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from typing import Any

import httpx

from connector_assets.cloudsuite.errors import IonRequestError, SyteLineError
from connector_assets.cloudsuite.transport import IonTransport

Item = dict[str, str]
CONTEXT = "CSI/IDORequestService/ido"
CONFIG_HEADER = "X-Infor-MongooseConfig"
INSERT, UPDATE, DELETE = 1, 2, 4


def quote(value: str) -> str:
    """A SQL string literal for a LoadCollection `filter`."""
    return "'" + value.replace("'", "''") + "'"


def parse_datetime(value: str | None) -> date | None:
    """Mongoose `YYYYMMDD HH:MM:SS.mmm` (or ISO `YYYY-MM-DD...`) to a date; empty means none."""
    text = (value or "").strip()
    if not text:
        return None
    if re.fullmatch(r"\d{8}( .*)?", text):
        return date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}.*", text):
        return date.fromisoformat(text[:10])
    raise ValueError(f"{text!r} is not a Mongoose date (YYYYMMDD HH:MM:SS.mmm)")


def item_date(item: Item, prop: str | None, what: str) -> date | None:
    """The date in `item[prop]` (None when the tenant has no such property), errors naming `what`."""
    if prop is None:
        return None
    try:
        return parse_datetime(item.get(prop))
    except ValueError as exc:
        raise ValueError(f"{what}: {prop} {exc}") from None


def format_datetime(value: date | None) -> str | None:
    return value.strftime("%Y%m%d 00:00:00.000") if value else None


def _has_mongoose_body(response: httpx.Response) -> bool:
    # Mongoose reports failures as Success: false; the HTTP status of such bodies is not documented.
    try:
        data = response.json()
    except ValueError:
        return False
    return isinstance(data, dict) and "Success" in data


def prop(name: str, value: str | None) -> dict[str, Any]:
    """One `Properties[]` entry of an UpdateCollection change."""
    return {"Name": name, "Value": value, "Modified": True, "IsNull": value is None}


class IdoClient:
    """LoadCollection / UpdateCollection calls for one Mongoose configuration."""

    def __init__(self, transport: IonTransport, *, configuration: str) -> None:
        self.transport = transport
        self.configuration = configuration
        self.base = transport.url(CONTEXT)

    def __repr__(self) -> str:
        return f"IdoClient(configuration={self.configuration!r})"

    def _call(
        self,
        method: str,
        path: str,
        ido: str,
        action: str,
        *,
        record: str,
        writes: bool,
        params: Mapping[str, str] | None = None,
        json: Any = None,
    ) -> dict[str, Any]:
        response = self.transport.request(
            method,
            f"{self.base}/{path}/{ido}",
            what=f"SyteLine {action} {ido}" + (f" for {record}" if record else ""),
            params=params,
            json=json,
            headers={CONFIG_HEADER: self.configuration},
            writes=writes,
            accept=_has_mongoose_body,
        )
        try:
            data = response.json()
        except ValueError:
            raise IonRequestError(
                f"SyteLine {action} {ido}: HTTP {response.status_code} without a JSON body; check that the "
                "tenant runs CloudSuite Industrial and the Mongoose configuration name",
                status=response.status_code,
            ) from None
        if not isinstance(data, dict) or data.get("Success") is not True:
            message = str(data.get("Message") if isinstance(data, dict) else data).strip()
            raise SyteLineError(ido, action, message or "Success is not true", record=record)
        return data

    def load(
        self,
        ido: str,
        properties: Sequence[str],
        *,
        filter: str = "",
        orderby: str = "",
        page_size: int = 1000,
        record: str = "",
    ) -> Iterator[Item]:
        """Every matching row, page by page (`recordcap`, then `loadtype=NEXT` with the bookmark)."""
        if page_size < 1:
            raise ValueError("page_size must be positive (recordcap 0 would ask for every row at once)")
        params: dict[str, str] = {"properties": ",".join(properties), "recordcap": str(page_size)}
        if filter:
            params["filter"] = filter
        if orderby:
            params["orderby"] = orderby
        while True:
            data = self._call("GET", "load", ido, "load", record=record, writes=False, params=params)
            items = data.get("Items") or []
            for item in items:
                yield {k: "" if v is None else str(v) for k, v in item.items()}
            if not data.get("MoreRowsExist"):
                return
            bookmark = data.get("Bookmark")
            if not bookmark or not items:
                raise SyteLineError(
                    ido, "load", "MoreRowsExist without a bookmark; cannot read further", record=record
                )
            params = {**params, "loadtype": "NEXT", "bookmark": str(bookmark)}

    def properties(self, ido: str) -> list[str]:
        """The IDO's property names: `/ido/info/{IDO}`, else the `IdoProperties` IDO (reference §12.12)."""
        try:
            data = self._call("GET", "info", ido, "info", record="", writes=False)
            raw = data.get("Properties") or []
            names = [str(p.get("Name") if isinstance(p, dict) else p) for p in raw]
            if names:
                return names
        except (SyteLineError, IonRequestError):
            pass  # not offered here: ask the metadata IDO
        rows = self.load(
            "IdoProperties", ["CollectionName", "PropertyName"], filter=f"CollectionName = {quote(ido)}"
        )
        return [r["PropertyName"] for r in rows if r.get("CollectionName", "").casefold() == ido.casefold()]

    def invoke(self, ido: str, method: str, parameters: list[str | None], *, record: str = "") -> list[str]:
        """InvokeIDOMethod; returns the parameters after the call (output parameters by position)."""
        data = self._call(
            "POST", "invoke", ido, f"invoke {method}", record=record, writes=True, params={"method": method},
            json=parameters,
        )  # fmt: skip
        return ["" if p is None else str(p) for p in data.get("Parameters") or []]

    def update(self, ido: str, changes: list[dict[str, Any]], *, record: str = "") -> None:
        """One UpdateCollection request (`Action` 1 insert, 2 update, 4 delete)."""
        self._call(
            "POST",
            "update",
            ido,
            "update",
            record=record,
            writes=True,
            params={"refresh": "true"},
            json={"Changes": changes},
        )


def change(action: int, properties: Mapping[str, str | None], item_id: str = "") -> dict[str, Any]:
    """An UpdateCollection change; with an `item_id` Mongoose checks that the row did not change meanwhile."""
    return {
        "Action": action,
        "ItemId": item_id,
        "UpdateLocking": 1,
        "Properties": [prop(name, value) for name, value in properties.items()],
    }
