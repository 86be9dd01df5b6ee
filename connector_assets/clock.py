"""The one clock of the product: every "today" and "now" comes from here.

`CONNECTOR_TODAY=YYYY-MM-DD` pins the date (tests, demos, replays of a past day); unset, the real date is used.
A pinned clock keeps running: it is the real clock shifted by a whole number of days, so durations (token
lifetimes, leases, timeouts) stay real while the calendar reads the pinned day.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta

ENV = "CONNECTOR_TODAY"


def _offset() -> timedelta:
    pinned = os.environ.get(ENV, "").strip()
    if not pinned:
        return timedelta(0)
    try:
        day = date.fromisoformat(pinned)
    except ValueError as exc:
        raise ValueError(f"{ENV}={pinned!r}: give a date as YYYY-MM-DD, or unset it for the real date") from exc
    return timedelta(days=(day - datetime.now(UTC).date()).days)


def now() -> datetime:
    """The current instant (UTC, timezone-aware), shifted to the pinned day when `CONNECTOR_TODAY` is set."""
    return datetime.now(UTC) + _offset()


def today() -> date:
    """Today's date (UTC) by the product's clock."""
    return now().date()
