"""Paging over Gusto lists (reference §7): `page`/`per` with `X-Total-Pages`, and the events cursor.

Paging metadata lives only in response headers. `X-Total-Pages` is trusted when present; without it a
full page means "maybe more" and a short or empty page ends the walk (as Gusto's own CLI does).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from connector_assets.gusto.http import GustoHttp

MAX_PER_PAGE = 100
"""The largest page size the reference confirms (payrolls, payroll employee compensations); others unverified."""
MAX_EVENTS_LIMIT = 100


def int_header(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def iter_pages(
    http: GustoHttp, path: str, params: Mapping[str, Any] | None = None, *, per: int = MAX_PER_PAGE
) -> Iterator[list[Any]]:
    """Yield each page's JSON array, page 1 onwards, until the last page."""
    page = 1
    while True:
        response = http.request("GET", path, params={**(params or {}), "page": page, "per": per})
        items = response.json()
        if not isinstance(items, list):
            raise ValueError(f"Gusto GET {path} page {page}: expected a JSON array, got {type(items).__name__}")
        yield items
        total_pages = int_header(response.headers.get("x-total-pages"))
        # A server that caps `per` below what was asked says so in X-Per-Page.
        served_per = int_header(response.headers.get("x-per-page")) or per
        if total_pages is not None:
            if page >= total_pages:
                return
        elif len(items) < served_per or not items:
            return
        page += 1


def iter_items(
    http: GustoHttp, path: str, params: Mapping[str, Any] | None = None, *, per: int = MAX_PER_PAGE
) -> Iterator[Any]:
    """Every item of a paged list."""
    for items in iter_pages(http, path, params, per=per):
        yield from items


def iter_cursor(
    http: GustoHttp,
    path: str,
    params: Mapping[str, Any] | None = None,
    *,
    starting_after_uuid: str | None = None,
    limit: int = MAX_EVENTS_LIMIT,
) -> Iterator[dict[str, Any]]:
    """Walk a `starting_after_uuid` cursor (`/v1/events`) until `X-Has-Next-Page` says false."""
    cursor = starting_after_uuid
    while True:
        query: dict[str, Any] = {**(params or {}), "limit": limit}
        if cursor:
            query["starting_after_uuid"] = cursor
        response = http.request("GET", path, params=query)
        items = response.json()
        if not isinstance(items, list):
            raise ValueError(f"Gusto GET {path}: expected a JSON array, got {type(items).__name__}")
        yield from items
        has_next = response.headers.get("x-has-next-page")
        more = has_next.strip().lower() == "true" if has_next is not None else len(items) >= limit
        if not items or not more:
            return
        last = items[-1].get("uuid") if isinstance(items[-1], dict) else None
        if not last or last == cursor:
            return
        cursor = last
