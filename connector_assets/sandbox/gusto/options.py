"""Simulator settings. Every behaviour the reference marks UNVERIFIED is a field here, so tests can flip it."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Literal

from connector_assets.sandbox import clock as sandbox_clock

DEFAULT_SCOPES = (
    "public companies:read employees:read employments:read compensations:read departments:read "
    "pay_schedules:read payrolls:read company_reports:read company_reports:write employee_benefits:read "
    "employees:write compensations:write contractors:read company_benefits:read benefits:read"
)
SYSTEM_SCOPES = "public webhook_subscriptions:read webhook_subscriptions:write events:read"


@dataclass
class SimulatorOptions:
    """Knobs of the Gusto simulator. Fields marked UNVERIFIED model behaviour Gusto does not document."""

    token_ttl_s: float = 7200.0
    code_ttl_s: float = 600.0
    rate_limit_per_minute: int = 200
    rate_limit_window_s: float = 60.0
    scopes: str = DEFAULT_SCOPES
    default_api_version: str = "2025-06-15"
    # How a spent refresh token is treated. "strict" (the default: the witness assumes the least): single use,
    # and presenting it again revokes the whole grant (reuse detection). "grace" (gusto-api.md §2.4): the
    # spent token keeps working until the new access token is first used; later it is just invalid_grant.
    refresh_rotation: Literal["strict", "grace"] = "strict"
    # UNVERIFIED: whether the previous access token keeps working after a refresh (§2.4).
    old_access_token_valid_after_refresh: bool = True
    # UNVERIFIED: absolute refresh-token lifetime; None = no limit.
    refresh_token_ttl_s: float | None = None
    # UNVERIFIED: form-encoded token requests (Gusto documents JSON bodies only).
    accept_form_token_requests: bool = True
    # UNVERIFIED: bodies of 401 and 429 responses.
    unauthorized_body: dict[str, object] = field(default_factory=lambda: {"error": "invalid_token"})
    rate_limited_body: dict[str, object] = field(
        default_factory=lambda: {
            "errors": [
                {
                    "error_key": "request",
                    "category": "rate_limit_exceeded",
                    "message": "Rate limit exceeded: too many requests for this grant; retry after Retry-After.",
                }
            ]
        }
    )
    # UNVERIFIED: the spec types per-employee payroll money as numbers, its examples show strings.
    payroll_money: Literal["string", "number"] = "string"
    # UNVERIFIED: global maximum of `per` on ordinary list endpoints (payrolls are capped at 100 regardless).
    max_per_page: int | None = None
    # Observed by Gusto's CLI, not documented: off-cycle runs are invisible under the pay-period filter.
    offcycle_hidden_by_pay_period_filter: bool = True
    # Single-payroll employee_compensations are paginated even without `page` (reference §7).
    payroll_show_forced_pagination: bool = True
    # UNVERIFIED: name of the effective-termination event (both spellings appear in Gusto's docs).
    termination_effective_event: str = "employee.terminated_effective"
    # Proxy chains sometimes stamp x-request-id twice ("abc,abc").
    duplicate_request_id: bool = False
    # Webhooks (schedule and timeout UNVERIFIED except the 10 s acknowledgement deadline and 16 retries).
    webhook_timeout_s: float = 10.0
    webhook_retry_base_s: float = 1.0
    webhook_max_attempts: int = 16
    webhook_duplicates: bool = False
    webhook_out_of_order: bool = False
    webhook_deactivate_after_exhaustion: bool = True
    # UNVERIFIED: whether the verification-token POST is signed (with the token itself).
    sign_verification_post: bool = True
    event_retention_days: int = 30
    # The GL report stays `pending` for this many polls before it succeeds.
    report_pending_polls: int = 1
    # Payrolls whose GL report request ends `failed` (the spec's third status) instead of succeeding.
    report_failed_payrolls: tuple[str, ...] = ()
    # UNVERIFIED codes: extra company-level rows `(code, description, debit, credit)` appended to block 0.
    report_extra_rows: tuple[tuple[str, str, str | None, str | None], ...] = ()


class SimClock:
    """Wall clock of the simulator: starts at `start` (default: now, on the world's calendar day, else on the
    sandbox's) and runs in real time; `advance()` jumps forward so tests can expire tokens and codes without
    sleeping."""

    def __init__(self, start: datetime | None = None, today: date | None = None) -> None:
        real = sandbox_clock.now()
        if start is None:
            start = real if today is None else datetime.combine(today, real.time(), UTC)
        self._start = start
        self._origin = time.monotonic()
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._start + timedelta(seconds=time.monotonic() - self._origin + self._offset)

    def timestamp(self) -> float:
        return self.now().timestamp()

    def today(self) -> date:
        return self.now().date()

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._offset += seconds
