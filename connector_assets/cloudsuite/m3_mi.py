"""M3 MI REST v2 calls (reference §5, §12): one transaction per GET, start-key paging, bulk POST.

An MI error may arrive as HTTP 400 or 200, inside `results[0]` or only as a top-level `terminationReason`
(whose text may carry the code and field); every shape becomes `M3ApiError`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx

from connector_assets.cloudsuite.errors import IonRequestError, M3ApiError
from connector_assets.cloudsuite.transport import IonTransport

Record = dict[str, str]
CONTEXT = "M3/m3api-rest/v2/execute"
# Transactions per bulk POST: a third-party client sends 150 (reference §5.4); 100 keeps bodies small.
BULK_CHUNK = 100


@dataclass(frozen=True)
class MiCall:
    """One transaction of a bulk POST; `group` keeps calls of one record (an employee) in the same chunk."""

    transaction: str
    inputs: Mapping[str, str]
    group: str = ""


# A bulk call's outcome: its records, its own error, or None when the server did not run it (a batch that
# stopped at an earlier error) or did not say (an error reported only at the top level).
BulkOutcome = list[Record] | M3ApiError | None


def parse_ymd8(value: str | None) -> date | None:
    """M3 `YMD8` date (`20250131`); empty or `0` mean no date."""
    text = (value or "").strip()
    if text in ("", "0", "00000000"):
        return None
    if len(text) != 8 or not text.isdigit():
        raise ValueError(f"{text!r} is not a YMD8 date (yyyyMMdd)")
    return date(int(text[:4]), int(text[4:6]), int(text[6:]))


def ymd8(value: date | None) -> str:
    """A date as M3 `YMD8`; `0` when absent, as M3 stores an empty date."""
    return value.strftime("%Y%m%d") if value else "0"


def _has_mi_body(response: httpx.Response) -> bool:
    # The HTTP status of an MI error is not documented (reference §5.3): read any body that has MI results.
    try:
        data = response.json()
    except ValueError:
        return False
    return isinstance(data, dict) and bool(
        {"results", "@type", "terminationReason", "nrOfFailedTransactions"} & set(data)
    )


class MiClient:
    """Runs MI transactions of one company/division; every value in and out is a string."""

    def __init__(self, transport: IonTransport, *, company: str, division: str) -> None:
        self.transport = transport
        self.company = company
        self.division = division
        self.base = transport.url(CONTEXT)

    def __repr__(self) -> str:
        return f"MiClient(company={self.company!r}, division={self.division!r})"

    def execute(
        self,
        program: str,
        transaction: str,
        inputs: Mapping[str, str] | None = None,
        *,
        maxrecs: int | None = None,
        writes: bool = False,
        record: str = "",
    ) -> list[Record]:
        """Run one transaction and return its records; an MI error becomes `M3ApiError` naming `record`."""
        params: dict[str, str] = {
            "cono": self.company,
            "divi": self.division,
            "dateformat": "YMD8",
            "righttrim": "true",
            "excludeempty": "false",
        }
        if maxrecs is not None:
            params["maxrecs"] = str(maxrecs)
        params.update({k: v for k, v in (inputs or {}).items() if v is not None})
        response = self.transport.request(
            "GET",
            f"{self.base}/{program}/{transaction}",
            what=f"M3 {program}/{transaction}" + (f" for {record}" if record else ""),
            params=params,
            writes=writes,
            accept=_has_mi_body,
        )
        return _records(program, transaction, response, record)

    def execute_bulk(
        self,
        program: str,
        calls: Sequence[MiCall],
        *,
        writes: bool = False,
        maxrecs: int | None = None,
        chunk: int = BULK_CHUNK,
    ) -> list[BulkOutcome]:
        """Run `calls` through `POST /v2/execute`, `chunk` transactions a request; one outcome per call, in order."""
        outcomes: list[BulkOutcome] = []
        for batch in _chunks(calls, chunk):
            body: dict[str, Any] = {
                "program": program,
                "cono": self.company,
                "divi": self.division,
                "dateFormat": "YMD8",
                "rightTrim": True,
                "excludeEmptyValues": False,
                "transactions": [
                    {"transaction": c.transaction, "record": {k: v for k, v in c.inputs.items() if v is not None},
                     "selectedColumns": []}
                    for c in batch
                ],
            }  # fmt: skip
            if maxrecs is not None:
                body["maxReturnedRecords"] = maxrecs
            response = self.transport.request(
                "POST",
                self.base,
                what=f"M3 {program} bulk of {len(batch)} transaction(s)",
                params={"dateformat": "YMD8"},
                json=body,
                writes=writes,
                accept=_has_mi_body,
            )
            outcomes.extend(_bulk_outcomes(program, batch, response))
        return outcomes

    def list_from(
        self,
        program: str,
        transaction: str,
        inputs: Mapping[str, str],
        *,
        key: str,
        output_key: str | None = None,
        page_size: int = 1000,
    ) -> Iterator[Record]:
        """Every record of a list transaction, paging with input `key` as the start key (MI has no cursor).

        `output_key` is the record field holding that key when it is named differently (FEMN -> EMNO).
        Whether the start key itself is returned again is not documented, so keys already seen are skipped.
        A short page does not mean the end: the server may cap pages below `maxrecs`, so the listing stops
        only on an empty page or a page with nothing new after the last key.
        """
        field = output_key or key
        if page_size < 2:
            raise ValueError("page_size must be at least 2 so each page can make progress")
        seen: set[str] = set()
        start = inputs.get(key, "")
        while True:
            page = self.execute(
                program, transaction, {**inputs, key: start} if start else inputs, maxrecs=page_size
            )
            fresh = [r for r in page if r.get(field, "") not in seen]
            for rec in fresh:
                seen.add(rec.get(field, ""))
                yield rec
            if not page or not fresh:
                return
            start = fresh[-1].get(field, "")

    def list_many(
        self,
        program: str,
        transaction: str,
        listings: Sequence[Mapping[str, str]],
        *,
        key: str,
        names: Sequence[str],
        page_size: int = 1000,
    ) -> list[list[Record]]:
        """Several listings of one list transaction, paged side by side: each bulk POST carries the next page
        of every listing not yet complete, so N listings of P pages cost P requests, not N * P.

        Each listing pages as in `list_from` (keys already seen are skipped; it ends on an empty page or one with
        nothing new). A listing's own MI error is raised naming it (`names[i]`); a page the server did not run
        or did not report on is read again with a single GET."""
        if page_size < 2:
            raise ValueError("page_size must be at least 2 so each page can make progress")
        found: list[list[Record]] = [[] for _ in listings]
        seen: list[set[str]] = [set() for _ in listings]
        starts = [inputs.get(key, "") for inputs in listings]
        pending = list(range(len(listings)))
        while pending:
            calls = [
                MiCall(transaction, {**listings[i], key: starts[i]} if starts[i] else listings[i], names[i])
                for i in pending
            ]
            still = []
            for i, call, page in zip(pending, calls, self.execute_bulk(program, calls, maxrecs=page_size),
                                     strict=True):  # fmt: skip
                if isinstance(page, M3ApiError):
                    raise page
                if page is None:
                    page = self.execute(program, transaction, call.inputs, maxrecs=page_size, record=names[i])
                fresh = 0
                for rec in page:
                    if rec.get(key, "") not in seen[i]:
                        seen[i].add(rec.get(key, ""))
                        found[i].append(rec)
                        fresh += 1
                if fresh:
                    starts[i] = found[i][-1].get(key, "")
                    still.append(i)
            pending = still
        return found


def _records(program: str, transaction: str, response: httpx.Response, record: str) -> list[Record]:
    try:
        data: Any = response.json()
    except ValueError:
        raise IonRequestError(
            f"M3 {program}/{transaction}: HTTP {response.status_code} without a JSON body; "
            "check that the tenant runs M3 and the service account may call MI programs",
            status=response.status_code,
        ) from None
    if not isinstance(data, dict):
        raise IonRequestError(f"M3 {program}/{transaction}: unexpected response shape {type(data).__name__}")
    if "@type" in data and "results" not in data:  # v1-style whole-call error
        raise M3ApiError(
            program,
            transaction,
            str(data.get("Message", "")).strip(),
            code=str(data.get("@code") or ""),
            field=str(data.get("@field") or ""),
            error_type=str(data.get("@type") or ""),
            record=record,
        )
    results = data.get("results") or []
    for result in results:
        if result.get("errorMessage") or result.get("errorType") or result.get("errorCode"):
            raise M3ApiError(
                program,
                str(result.get("transaction") or transaction),
                str(result.get("errorMessage") or "").strip() or "transaction failed without a message",
                code=str(result.get("errorCode") or "").strip(),
                field=str(result.get("errorField") or "").strip(),
                error_type=str(result.get("errorType") or "").strip(),
                record=record,
            )
    failed = int(data.get("nrOfFailedTransactions") or 0)
    if failed or data.get("wasTerminated"):
        reason = str(data.get("terminationReason") or "").strip() or f"{failed} transaction(s) failed"
        code, field = _code_and_field(reason)
        raise M3ApiError(
            program,
            transaction,
            reason,
            code=code,
            field=field,
            error_type=str(data.get("terminationErrorType") or ""),
            record=record,
        )
    if not results:
        raise IonRequestError(
            f"M3 {program}/{transaction}: response has no results; the gateway path may be wrong"
        )
    return [{k: str(v).strip() for k, v in rec.items()} for rec in results[0].get("records") or []]


def _chunks(calls: Sequence[MiCall], size: int) -> Iterator[list[MiCall]]:
    """Consecutive chunks of at most `size` calls (more when one group is larger), groups never split."""
    batch: list[MiCall] = []
    for i, call in enumerate(calls):
        starts_group = i == 0 or call.group != calls[i - 1].group or not call.group
        if batch and starts_group and len(batch) >= size:
            yield batch
            batch = []
        batch.append(call)
    if batch:
        yield batch


def _bulk_outcomes(program: str, batch: list[MiCall], response: httpx.Response) -> list[BulkOutcome]:
    try:
        data: Any = response.json()
    except ValueError:
        raise IonRequestError(
            f"M3 {program} bulk: HTTP {response.status_code} without a JSON body", status=response.status_code
        ) from None
    results = data.get("results") if isinstance(data, dict) else None
    if not isinstance(results, list) or len(results) != len(batch):
        if isinstance(data, dict) and (data.get("nrOfFailedTransactions") or data.get("wasTerminated")):
            return [None] * len(batch)  # failed without saying which: the caller redoes these one by one
        raise IonRequestError(
            f"M3 {program} bulk: {len(results) if isinstance(results, list) else 'no'} result(s) "
            f"for {len(batch)} transaction(s); the gateway path may be wrong"
        )
    outcomes: list[BulkOutcome] = []
    for call, result in zip(batch, results, strict=True):
        if not isinstance(result, dict) or result.get("notProcessed"):
            outcomes.append(None)
        elif result.get("errorMessage") or result.get("errorType") or result.get("errorCode"):
            outcomes.append(
                M3ApiError(
                    program,
                    str(result.get("transaction") or call.transaction),
                    str(result.get("errorMessage") or "").strip() or "transaction failed without a message",
                    code=str(result.get("errorCode") or "").strip(),
                    field=str(result.get("errorField") or "").strip(),
                    error_type=str(result.get("errorType") or "").strip(),
                    record=call.group,
                )
            )
        else:
            outcomes.append([{k: str(v).strip() for k, v in r.items()} for r in result.get("records") or []])
    return outcomes


_CODE = re.compile(r"\b([A-Z]{3}\d{4})\b")
_FIELD = re.compile(r"\(([A-Z][A-Z0-9]{3})\)|(?i:\bfield)\s+([A-Z][A-Z0-9]{3})\b")


def _code_and_field(message: str) -> tuple[str, str]:
    """The message code (`XRE0103`) and field (`(KEY1)`, `field KEY1`) a top-level reason may embed."""
    code, field = _CODE.search(message), _FIELD.search(message)
    return (code.group(1) if code else "", (field.group(1) or field.group(2)) if field else "")
