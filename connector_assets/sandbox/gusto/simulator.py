"""The Gusto API simulator: in-memory state over a generated World, served as an ASGI app (Starlette).

Build one with `GustoSimulator(world, token_ttl_s=..., rate_limit_per_minute=...)`, serve `.asgi_app`
(wrapped in the fault injector, `.faults`), drive it with the admin methods (also under `/_sandbox`).
"""

from __future__ import annotations

import dataclasses
import threading
from datetime import UTC, datetime, time, timedelta
from typing import Any

from starlette.applications import Starlette

from connector_assets.sandbox.faults import FaultInjector
from connector_assets.sandbox.generator_models import World
from connector_assets.sandbox.gusto import (
    routes_admin,
    routes_benefits,
    routes_company,
    routes_contractors,
    routes_oauth,
    routes_payroll,
    routes_webhooks,
)
from connector_assets.sandbox.gusto.admin import AdminActions
from connector_assets.sandbox.gusto.admin_contractors import ContractorActions
from connector_assets.sandbox.gusto.admin_payroll import PayrollActions
from connector_assets.sandbox.gusto.events import ALWAYS_DELIVERED, Event, EventLog, subscription_type
from connector_assets.sandbox.gusto.oauth import OAuthState
from connector_assets.sandbox.gusto.options import SimClock, SimulatorOptions
from connector_assets.sandbox.gusto.ratelimit import Counters, RateLimiter
from connector_assets.sandbox.gusto.routes_payroll import ReportRequest
from connector_assets.sandbox.gusto.webhooks import WebhookDispatcher


class GustoSimulator(AdminActions, PayrollActions, ContractorActions):
    """Gusto's App Integrations API over one company. Thread-safe: all state changes hold `lock`."""

    def __init__(
        self,
        world: World,
        *,
        options: SimulatorOptions | None = None,
        clock: SimClock | None = None,
        now: datetime | None = None,
        **option_overrides: Any,
    ) -> None:
        """`option_overrides` are SimulatorOptions fields, e.g. `token_ttl_s=5, rate_limit_per_minute=10`."""
        base = options or SimulatorOptions()
        unknown = set(option_overrides) - {f.name for f in dataclasses.fields(SimulatorOptions)}
        if unknown:
            raise TypeError(f"unknown simulator options {sorted(unknown)}; see SimulatorOptions for the fields")
        self.options = dataclasses.replace(base, **option_overrides)
        self.world = world
        self.clock = clock or SimClock(start=now, today=world.today)
        self.lock = threading.RLock()
        app = world.app
        self.oauth = OAuthState(app.client_id, app.client_secret, app.redirect_uri, self.options, self.clock)
        self.limiter = RateLimiter(
            self.clock, self.options.rate_limit_per_minute, self.options.rate_limit_window_s
        )
        self.counters = Counters()
        self.events = EventLog()
        self.webhooks = WebhookDispatcher(self.options)
        self.reports: dict[str, ReportRequest] = {}
        self._record_history_events()
        starlette = Starlette(
            routes=[
                *routes_oauth.routes(self),
                *routes_company.routes(self),
                *routes_payroll.routes(self),
                *routes_contractors.routes(self),
                *routes_benefits.routes(self),
                *routes_webhooks.routes(self),
                *routes_admin.routes(self),
            ]
        )
        self.faults = FaultInjector(starlette)
        self.asgi_app = self.faults

    def __repr__(self) -> str:
        return f"GustoSimulator(company={self.world.company.uuid}, employees={len(self.world.employees)})"

    @property
    def company_uuid(self) -> str:
        return self.world.company.uuid

    def emit(
        self,
        event_type: str,
        entity_type: str,
        entity_uuid: str,
        references: dict[str, str] | None = None,
        timestamp: int | None = None,
    ) -> Event:
        """Record an event for `/v1/events` and queue it for matching verified webhook subscriptions."""
        with self.lock:
            ts = int(self.clock.timestamp()) if timestamp is None else timestamp
            event = self.events.record(
                event_type, self.world.company.uuid, entity_type, entity_uuid, ts, references
            )
        self.webhooks.publish(
            event.to_json(), subscription_type(event_type), always=event_type in ALWAYS_DELIVERED
        )
        return event

    def _record_history_events(self) -> None:
        """Events Gusto would still hold for the generated past (30-day retention); never sent as webhooks."""
        oldest = self.world.today - timedelta(days=self.options.event_retention_days)
        past: list[tuple[int, str, str, str, dict[str, str]]] = []
        for emp in self.world.employees:
            if emp.hired_at >= oldest:
                past.append((_ts(emp.hired_at, 15), "employee.created", "Employee", emp.uuid, {}))
            for term in emp.terminations:
                if term.effective_date >= oldest:
                    past.append((_ts(term.effective_date, 16), "employee.terminated", "Employee", emp.uuid, {}))
        for payroll in self.world.payrolls:
            if payroll.processed_date and oldest <= payroll.processed_date <= self.world.today:
                past.append((_ts(payroll.processed_date, 23), "payroll.processed", "Payroll", payroll.uuid, {}))
        for ts, event_type, entity_type, entity_uuid, refs in sorted(past):
            self.events.record(event_type, self.world.company.uuid, entity_type, entity_uuid, ts, refs)

    def counters_snapshot(self) -> dict[str, object]:
        """Requests served, 429s, and both per grant; also faults injected."""
        with self.lock:
            snap = self.counters.snapshot()
        snap["faults_injected"] = self.faults.injected
        return snap

    def close(self) -> None:
        """Stop the webhook worker (the HTTP server is stopped by whoever started it)."""
        self.webhooks.stop()


def _ts(day: Any, hour: int) -> int:
    return int(datetime.combine(day, time(hour), UTC).timestamp())
