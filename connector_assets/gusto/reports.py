"""Gusto's general-ledger report of one payroll (gusto-api.md §6.4): request it, poll it, download it, parse it.

The report is asynchronous: `POST /v1/payrolls/{uuid}/reports/general_ledger` gives a request id, `GET
/v1/reports/{request_uuid}` says pending, succeeded or failed, and a succeeded report names presigned URLs.
A presigned URL is its own credential: it is fetched without the bearer token, so the token never reaches the
download host, and it never appears in an error (its query string is a credential too).

Account type codes beyond the documented few are UNVERIFIED, and column order may vary: rows are read by header
name and every code is kept as Gusto wrote it; deciding what a code means is `ledger.gl_report`'s job.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

import httpx

from connector_assets.gusto.errors import GustoApiError, GustoError
from connector_assets.gusto.http import GustoHttp

REPORT_SCOPES = ("company_reports:write", "company_reports:read")


@dataclass(frozen=True)
class PollBudget:
    """How long a report may stay pending: `polls` status reads, waiting `first_wait_s` doubling up to
    `max_wait_s` between them (about four minutes with the defaults)."""

    polls: int = 20
    first_wait_s: float = 1.0
    max_wait_s: float = 15.0

    def wait(self, poll: int) -> float:
        return min(self.first_wait_s * 2 ** (poll - 1), self.max_wait_s)


class GlReportError(GustoError):
    """Gusto's general-ledger report of a payroll could not be had; the message says why and what to do."""

    def __init__(self, payroll_uuid: str, reason: str) -> None:
        super().__init__(f"Gusto general-ledger report of payroll {payroll_uuid}: {reason}")
        self.payroll_uuid, self.reason = payroll_uuid, reason


class GlReportFailed(GlReportError):
    """Gusto answered `failed` for the report request."""


class GlReportNotReady(GlReportError):
    """The report was still pending when the poll budget was spent."""


class GlReportShapeError(GlReportError):
    """The downloaded report is not shaped as documented (no Debit/Credit column, amounts not money)."""


@dataclass(frozen=True)
class GlRow:
    """One report row: its account type code as Gusto wrote it, the other columns by header, and cents."""

    account_type: str
    description: str
    debit_cents: int
    credit_cents: int
    columns: Mapping[str, str | None]

    @property
    def signed_cents(self) -> int:
        """Debit positive, credit negative."""
        return self.debit_cents - self.credit_cents


@dataclass(frozen=True)
class GlBlock:
    headers: tuple[str, ...]
    rows: tuple[GlRow, ...]


@dataclass(frozen=True)
class GlReport:
    """A downloaded report; block 0 is company-level by account type (default aggregation)."""

    payroll_uuid: str
    company_name: str
    ledger_description: str
    check_date: str
    blocks: tuple[GlBlock, ...]

    @property
    def company_rows(self) -> tuple[GlRow, ...]:
        return self.blocks[0].rows if self.blocks else ()


def lacks_report_scope(exc: GustoApiError) -> bool:
    """Whether Gusto refused the report because the grant lacks a company_reports scope."""
    scopes = {str((e.metadata or {}).get("missing_scope_name")) for e in exc.errors}
    return exc.status == 403 and (exc.category == "missing_oauth_scopes" or bool(scopes & set(REPORT_SCOPES)))


def _norm(header: str) -> str:
    return "".join(ch for ch in header.lower() if ch.isalnum())


def _cents(value: Any, payroll_uuid: str, where: str) -> int:
    if value is None or value == "":
        return 0
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise GlReportShapeError(payroll_uuid, f"{where} is {value!r}, not an amount") from None
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise GlReportShapeError(payroll_uuid, f"{where} is {value!r}, not whole cents")
    return int(cents)


def _column(headers: Sequence[str], names: Sequence[str]) -> int | None:
    wanted = {_norm(n) for n in names}
    return next((i for i, h in enumerate(headers) if _norm(h) in wanted), None)


def parse_gl_report(payroll_uuid: str, body: Any) -> GlReport:
    """The report JSON as typed rows; Debit, Credit and Account Type are found by header name."""
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        raise GlReportShapeError(payroll_uuid, "the download is not an object with a `data` list")
    blocks = []
    for b, block in enumerate(body["data"]):
        headers = [str(h) for h in (block.get("headers") or [])] if isinstance(block, dict) else []
        debit, credit = _column(headers, ["Debit"]), _column(headers, ["Credit"])
        code = _column(headers, ["Account Type"])
        text = _column(headers, ["Account Description", "Description"])
        if debit is None or credit is None or code is None:
            raise GlReportShapeError(
                payroll_uuid, f"block {b} headers {headers} lack an Account Type, Debit or Credit column"
            )
        rows = []
        for r, row in enumerate(block.get("rows") or []):
            if not isinstance(row, list) or len(row) != len(headers):
                raise GlReportShapeError(
                    payroll_uuid, f"block {b} row {r} does not match its {len(headers)} headers"
                )
            rows.append(
                GlRow(
                    account_type=str(row[code]),
                    description=str(row[text] or "") if text is not None else "",
                    debit_cents=_cents(row[debit], payroll_uuid, f"block {b} row {r} Debit"),
                    credit_cents=_cents(row[credit], payroll_uuid, f"block {b} row {r} Credit"),
                    columns={h: (None if v is None else str(v)) for h, v in zip(headers, row, strict=True)},
                )
            )
        blocks.append(GlBlock(tuple(headers), tuple(rows)))
    return GlReport(
        payroll_uuid=payroll_uuid,
        company_name=str(body.get("company_name") or ""),
        ledger_description=str(body.get("ledger_description") or ""),
        check_date=str(body.get("check_date") or ""),
        blocks=tuple(blocks),
    )


def _host(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"  # never the query: it is the presigned credential


def download(client: httpx.Client, payroll_uuid: str, url: str) -> Any:
    """GET a presigned report URL with no Authorization header; errors name the host and path only."""
    where = _host(url)
    try:
        response = client.get(url, headers={"Accept": "application/json"})
    except httpx.TransportError as exc:
        raise GlReportError(payroll_uuid, f"download from {where} failed ({type(exc).__name__}); retry") from None
    if response.status_code != 200:
        raise GlReportError(
            payroll_uuid,
            f"download from {where} returned {response.status_code}; the presigned URL may have expired "
            "(about 10 minutes), request the report again",
        )
    try:
        return response.json()
    except ValueError:
        raise GlReportShapeError(payroll_uuid, f"download from {where} is not JSON") from None


def general_ledger_report(
    http: GustoHttp,
    downloader: httpx.Client,
    payroll_uuid: str,
    *,
    sleep: Callable[[float], None],
    budget: PollBudget | None = None,
) -> GlReport:
    """Request, poll (within `budget`, waiting through `sleep`), download and parse one payroll's report."""
    budget = budget or PollBudget()
    created = http.request(
        "POST", f"/v1/payrolls/{payroll_uuid}/reports/general_ledger",
        json={"aggregation": "default", "integration_type": None},
    ).json()  # fmt: skip
    request_uuid = str(created.get("request_uuid") or "") if isinstance(created, dict) else ""
    if not request_uuid:
        raise GlReportShapeError(payroll_uuid, "the report request returned no request_uuid")
    for poll in range(1, budget.polls + 1):
        status = http.get_json(f"/v1/reports/{request_uuid}")
        state = status.get("status") if isinstance(status, dict) else None
        if state == "succeeded":
            urls = status.get("report_urls") or []
            if not urls:
                raise GlReportShapeError(payroll_uuid, f"report {request_uuid} succeeded without a report URL")
            return parse_gl_report(payroll_uuid, download(downloader, payroll_uuid, str(urls[0])))
        if state == "failed":
            raise GlReportFailed(
                payroll_uuid, f"Gusto reports request {request_uuid} as failed; request the report again later"
            )
        if state != "pending":
            raise GlReportShapeError(payroll_uuid, f"report {request_uuid} has unknown status {state!r}")
        if poll < budget.polls:
            sleep(budget.wait(poll))
    raise GlReportNotReady(
        payroll_uuid,
        f"report {request_uuid} still pending after {budget.polls} polls; run the cross-check again later",
    )
