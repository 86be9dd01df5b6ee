"""A rolling-window request limiter shared by every process that uses one grant (state in the store).

Gusto allows 200 requests per rolling minute per grant. Each process asks `reserve` before a request;
the grant's row lock serializes the count-then-record step, so N processes together stay under the limit.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete, func, insert, select

from connector_assets import clock as product_clock
from connector_assets.store._dialect import insert_ignoring_duplicates
from connector_assets.store.tables import rate_limit_grants, rate_limit_hits


class RollingWindowLimiter:
    """At most `limit` reservations per `window_s` seconds per grant key, across processes."""

    def __init__(
        self,
        engine: Engine,
        limit: int = 200,
        window_s: float = 60.0,
        clock: Callable[[], float] = lambda: product_clock.now().timestamp(),
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.engine, self.limit, self.window_s = engine, limit, window_s
        self._clock, self._sleep = clock, sleep

    def try_reserve(self, grant_key: str) -> float:
        """Record a request now if the window has room and return 0, else return seconds until it will."""
        now = datetime.fromtimestamp(self._clock(), UTC)
        start = now - timedelta(seconds=self.window_s)
        with self.engine.begin() as conn:
            insert_ignoring_duplicates(conn, rate_limit_grants, {"grant_key": grant_key})
            conn.execute(
                select(rate_limit_grants).where(rate_limit_grants.c.grant_key == grant_key).with_for_update()
            )
            conn.execute(
                delete(rate_limit_hits).where(
                    rate_limit_hits.c.grant_key == grant_key, rate_limit_hits.c.at <= start
                )
            )
            used, oldest = conn.execute(
                select(func.count(), func.min(rate_limit_hits.c.at)).where(
                    rate_limit_hits.c.grant_key == grant_key
                )
            ).one()
            if used < self.limit:
                conn.execute(insert(rate_limit_hits).values(grant_key=grant_key, at=now))
                return 0.0
        oldest = oldest if oldest.tzinfo else oldest.replace(tzinfo=UTC)
        return max((oldest - start).total_seconds(), 0.001)

    def reserve(self, grant_key: str) -> float:
        """Block until a slot is free; returns the seconds spent waiting."""
        waited = 0.0
        while (delay := self.try_reserve(grant_key)) > 0:
            self._sleep(delay)
            waited += delay
        return waited
