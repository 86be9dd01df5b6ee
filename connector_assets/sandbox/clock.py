"""The simulators' calendar: the day the sandbox believes it is, and the instant on that day.

`CONNECTOR_TODAY=YYYY-MM-DD` pins the day for the whole deployment, the connector and its sandbox alike, so a
demo or a test run sees the same calendar on both sides of the wire. The sandbox reads the setting itself
instead of importing the connector's clock: the simulators are an independent witness of the clients.
Unset, the real date is used. A pinned day keeps the real time of day, so durations stay real.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta

SETTING = "CONNECTOR_TODAY"


def today() -> date:
    """The sandbox's today (UTC): the pinned day, or the real one."""
    return now().date()


def now() -> datetime:
    """The current instant (UTC), moved by whole days onto the pinned day when one is set."""
    real = datetime.now(UTC)
    pinned = os.environ.get(SETTING, "").strip()
    if not pinned:
        return real
    try:
        day = date.fromisoformat(pinned)
    except ValueError as exc:
        raise ValueError(f"{SETTING}={pinned!r} is not a date; give YYYY-MM-DD or unset it") from exc
    return real + timedelta(days=(day - real.date()).days)
