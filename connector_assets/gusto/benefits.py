"""The company's benefits as Gusto lists them (`GET /v1/companies/{company_id}/company_benefits`).

A payroll's `benefits[]` carry only a name (the company benefit's `description`); the company benefit adds
Gusto's `benefit_type` id (1 Medical Insurance, 5 401(k) ... as `GET /v1/benefits` lists them), which
`benefits:` rules with `type:` match on. Read once per client, so once per run.
"""

from __future__ import annotations

from typing import Any
from weakref import WeakKeyDictionary

from connector_assets.gusto.client import GustoClient

_READ: WeakKeyDictionary[GustoClient, list[dict[str, Any]]] = WeakKeyDictionary()


def company_benefits(client: GustoClient) -> list[dict[str, Any]]:
    """Every company benefit, active or not (a payroll being replayed may name a benefit ended since)."""
    if client not in _READ:
        body = client.http.get_json(f"/v1/companies/{client.settings.company_uuid}/company_benefits")
        if not isinstance(body, list):
            raise ValueError(f"Gusto company_benefits: expected a list, got {type(body).__name__}")
        _READ[client] = [b for b in body if isinstance(b, dict)]
    return _READ[client]


def benefit_types(client: GustoClient) -> dict[str, int]:
    """Benefit name (description, as payrolls carry it) -> Gusto benefit type id."""
    return {
        str(b["description"]).strip(): int(b["benefit_type"])
        for b in company_benefits(client)
        if b.get("description") and isinstance(b.get("benefit_type"), int)
    }
