"""Contractors and contractor payments of a connection's company, as Gusto sends them (raw JSON kept).

`GET /v1/companies/{company_uuid}/contractor_payments` needs both `start_date` and `end_date`; its answer is
an object (`total` and `contractor_payments` grouped by contractor), paged by the group when asked.
"""

from __future__ import annotations

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


def payments_on(client: GustoClient, day: date) -> Raw:
    """The company's contractor payments dated `day`: `{"total": {...}, "payments": [...]}`, every page read."""
    path = f"/v1/companies/{client.settings.company_uuid}/contractor_payments"
    params: dict[str, Any] = {"start_date": day.isoformat(), "end_date": day.isoformat()}
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
                p for p in group.get("payments") or [] if str(p.get("date") or "")[:10] == day.isoformat()
            )
        pages = int_header(response.headers.get("x-total-pages"))
        if (pages is not None and page >= pages) or (pages is None and len(groups) < client.page_size):
            break
        page += 1
    return {
        "date": day.isoformat(),
        "total": total,
        "payments": sorted(payments, key=lambda p: str(p.get("uuid"))),
    }


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
