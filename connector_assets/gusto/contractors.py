"""Contractors and contractor payments of a connection's company, as Gusto sends them (raw JSON kept).

`GET /v1/companies/{company_uuid}/contractor_payments` needs both `start_date` and `end_date`; its answer is
an object (`total` and `contractor_payments` grouped by contractor), paged by the group when asked. A
payment Gusto cancelled is no longer listed (and its own URL answers 404).
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any

from connector_assets.gusto.client import GustoClient
from connector_assets.gusto.errors import GustoApiError
from connector_assets.gusto.paging import int_header, iter_items

Raw = dict[str, Any]


def list_contractors(client: GustoClient) -> list[Raw]:
    """Every contractor of the company, active and inactive, individual and business."""
    path = f"/v1/companies/{client.settings.company_uuid}/contractors"
    return list(iter_items(client.http, path, per=client.page_size))


def _payments_between(client: GustoClient, start: date, end: date) -> tuple[Raw, list[Raw]]:
    """Gusto's `total` and every payment dated `start`..`end`, every page read."""
    path = f"/v1/companies/{client.settings.company_uuid}/contractor_payments"
    params: dict[str, Any] = {"start_date": start.isoformat(), "end_date": end.isoformat()}
    total: Raw = {}
    payments: list[Raw] = []
    page = 1
    while True:
        response = client.http.request("GET", path, params={**params, "page": page, "per": client.page_size})
        body = response.json()
        if not isinstance(body, dict):
            raise ValueError(f"Gusto GET {path}: expected an object, got {type(body).__name__}")
        total = body.get("total") or total
        groups = body.get("contractor_payments") or []
        for group in groups:
            payments.extend(
                p
                for p in group.get("payments") or []
                if start.isoformat() <= str(p.get("date") or "")[:10] <= end.isoformat()
            )
        pages = int_header(response.headers.get("x-total-pages"))
        if (pages is not None and page >= pages) or (pages is None and len(groups) < client.page_size):
            break
        page += 1
    return total, sorted(payments, key=lambda p: str(p.get("uuid")))


def payments_on(client: GustoClient, day: date) -> Raw:
    """The company's contractor payments dated `day`: `{"total": {...}, "payments": [...]}`, every page read."""
    total, payments = _payments_between(client, day, day)
    return {"date": day.isoformat(), "total": total, "payments": payments}


def payments_by_day(client: GustoClient, start: date, end: date) -> dict[str, list[Raw]]:
    """The company's contractor payments dated `start`..`end`, per payment date (`YYYY-MM-DD`)."""
    days: dict[str, list[Raw]] = {}
    for payment in _payments_between(client, start, end)[1]:
        days.setdefault(str(payment.get("date"))[:10], []).append(payment)
    return days


# What a day's content is for the fallback poll: which payments, their amounts and their status.
CONTENT_FIELDS = ("uuid", "contractor_uuid", "status", "wage", "hours", "hourly_rate", "bonus", "reimbursement",
                  "wage_total", "payment_method")  # fmt: skip


def day_content(payments: list[Raw]) -> str:
    """A short digest of a day's payments (uuids, amounts, status), equal for equal content in any order."""
    rows = sorted(json.dumps([str(p.get(f) or "") for f in CONTENT_FIELDS]) for p in payments)
    return hashlib.sha256("\n".join(rows).encode()).hexdigest()[:16]


def get_payment(client: GustoClient, payment_uuid: str) -> Raw | None:
    """One contractor payment, or None when Gusto no longer has it (cancelled)."""
    path = f"/v1/companies/{client.settings.company_uuid}/contractor_payments/{payment_uuid}"
    try:
        body = client.http.get_json(path)
    except GustoApiError as exc:
        if exc.status == 404:
            return None
        raise
    return body if isinstance(body, dict) else None
