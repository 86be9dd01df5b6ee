"""`GustoClient`: the Gusto API of one connection, with methods named like the API.

Company data goes through the company grant (rate-limited per grant as `gusto:<connection_id>`); webhook
subscriptions and events through the application's system token (`gusto-system:<connection_id>`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime, timedelta
from typing import Any

import httpx

from connector_assets.gusto import reports, webhooks
from connector_assets.gusto.errors import GustoApiError
from connector_assets.gusto.http import GustoHttp, RequestCounters, RetryPolicy
from connector_assets.gusto.models import (
    Company,
    Department,
    Employee,
    Event,
    Location,
    PaySchedule,
    Rehire,
    Termination,
    TokenInfo,
    WebhookSubscription,
)
from connector_assets.gusto.oauth import OAuthClient
from connector_assets.gusto.paging import MAX_PER_PAGE, int_header, iter_cursor, iter_items, iter_pages
from connector_assets.gusto.payroll import Payroll
from connector_assets.gusto.tokens import CompanyTokens, SystemTokens
from connector_assets.http_clients import new_client
from connector_assets.settings import GustoSettings
from connector_assets.store.ratelimit import RollingWindowLimiter
from connector_assets.store.vault import TokenVault, utcnow

PAYROLL_LIST_INCLUDE = ("totals",)
PAYROLL_INCLUDE = ("benefits", "deductions", "taxes", "totals", "payroll_taxes", "reversals")
EMPLOYEE_INCLUDE = ("all_compensations", "custom_fields")
MAX_WINDOW_DAYS = 360
"""`start_date` and `end_date` of one payroll listing may be at most a year apart; a few days' slack keeps
servers that count "a year" by calendar months (with month-end clamping) from refusing a window."""
LOOKAHEAD_DAYS = 31
"""Processed payrolls carry check dates a little ahead; Gusto allows `end_date` up to 3 months ahead."""
DEFAULT_LOOKBACK_DAYS = 365


def grant_key(connection_id: str) -> str:
    """The rate-limiter key of a connection's company grant."""
    return f"gusto:{connection_id}"


def payroll_windows(start: date, end: date, max_days: int = MAX_WINDOW_DAYS) -> list[tuple[date, date]]:
    """Split [start, end] into windows of at most `max_days`, newest first (walking back to `start`)."""
    windows: list[tuple[date, date]] = []
    upper = end
    while upper >= start:
        lower = max(start, upper - timedelta(days=max_days))
        windows.append((lower, upper))
        upper = lower - timedelta(days=1)
    return windows


class GustoClient:
    """The Gusto API for one connection (one company grant)."""

    def __init__(
        self,
        settings: GustoSettings,
        connection_id: str,
        vault: TokenVault,
        limiter: RollingWindowLimiter | None,
        *,
        http_client: httpx.Client | None = None,
        policy: RetryPolicy | None = None,
        page_size: int = MAX_PER_PAGE,
        credentials: tuple[str, str] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.settings, self.connection_id = settings, connection_id
        self.page_size, self._clock, self._sleep = page_size, clock, sleep
        self.counters = RequestCounters()
        self.oauth_counters = RequestCounters()
        self._owned = http_client is None
        self._http_client = http_client or new_client((policy or RetryPolicy()).timeout)
        common: dict[str, Any] = {
            "api_version": settings.api_version,
            "policy": policy,
            "client": self._http_client,
            "sleep": sleep,
        }
        oauth_http = GustoHttp(
            base_url=settings.oauth_url,
            auth=None,
            limiter=None,
            grant_key="",
            counters=self.oauth_counters,
            **common,
        )
        self.oauth = OAuthClient(settings, connection_id, oauth_http, credentials=credentials, clock=clock)
        margin = timedelta(seconds=settings.refresh_margin_s)
        self.tokens = CompanyTokens(connection_id, vault, self.oauth, margin=margin, clock=clock)
        self.http = GustoHttp(
            base_url=settings.api_base_url, auth=self.tokens, limiter=limiter,
            grant_key=grant_key(connection_id), counters=self.counters, **common,
        )  # fmt: skip
        self.system_tokens = SystemTokens(connection_id, vault, self.oauth, margin=margin, clock=clock)
        self.system_http = GustoHttp(
            base_url=settings.api_base_url, auth=self.system_tokens, limiter=limiter,
            grant_key=f"gusto-system:{connection_id}", counters=self.counters, **common,
        )  # fmt: skip

    def close(self) -> None:
        if self._owned:
            self._http_client.close()

    def __enter__(self) -> GustoClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def _company(self) -> str:
        return f"/v1/companies/{self.settings.company_uuid}"

    # -- company and organisation ------------------------------------------------------------------------
    def get_token_info(self) -> TokenInfo:
        return TokenInfo.from_api(self.http.get_json("/v1/token_info"))

    def get_company(self) -> Company:
        return Company.from_api(self.http.get_json(self._company))

    def list_locations(self) -> list[Location]:
        return [
            Location.from_api(x) for x in iter_items(self.http, f"{self._company}/locations", per=self.page_size)
        ]

    def list_departments(self) -> list[Department]:
        """Departments (the endpoint is not paginated); there are no department webhooks, so poll this."""
        return [Department.from_api(x) for x in self.http.get_json(f"{self._company}/departments")]

    def list_pay_schedules(self) -> list[PaySchedule]:
        path = f"{self._company}/pay_schedules"
        return [PaySchedule.from_api(x) for x in iter_items(self.http, path, per=self.page_size)]

    # -- people ------------------------------------------------------------------------------------------
    def iter_employees(
        self, terminated: bool | None = None, include: Sequence[str] = EMPLOYEE_INCLUDE
    ) -> Iterator[Employee]:
        """Onboarding, active and terminated employees with jobs, compensations and custom fields."""
        params: dict[str, Any] = {"include": ",".join(include)} if include else {}
        if terminated is not None:
            params["terminated"] = "true" if terminated else "false"
        for item in iter_items(self.http, f"{self._company}/employees", params, per=self.page_size):
            yield Employee.from_api(item)

    def list_employees(
        self, terminated: bool | None = None, include: Sequence[str] = EMPLOYEE_INCLUDE
    ) -> list[Employee]:
        return list(self.iter_employees(terminated, include))

    def get_employee(self, employee_uuid: str, include: Sequence[str] = EMPLOYEE_INCLUDE) -> Employee:
        params = {"include": ",".join(include)} if include else None
        return Employee.from_api(self.http.get_json(f"/v1/employees/{employee_uuid}", params))

    def list_terminations(self, employee_uuid: str) -> list[Termination]:
        return [Termination.from_api(x) for x in self.http.get_json(f"/v1/employees/{employee_uuid}/terminations")]

    def get_rehire(self, employee_uuid: str) -> Rehire | None:
        """The employee's rehire, or None when there is none (Gusto answers 404)."""
        try:
            return Rehire.from_api(self.http.get_json(f"/v1/employees/{employee_uuid}/rehire"))
        except GustoApiError as exc:
            if exc.status == 404:
                return None
            raise

    # -- payrolls ----------------------------------------------------------------------------------------
    def list_payrolls(
        self,
        start: date | None = None,
        end: date | None = None,
        *,
        processing_statuses: Sequence[str] = ("processed",),
        payroll_types: Sequence[str] = ("regular", "off_cycle"),
        include: Sequence[str] = PAYROLL_LIST_INCLUDE,
    ) -> list[Payroll]:
        """Every payroll from `start` (default: the connection's start_date) to `end`, off-cycle included.

        Gusto's defaults hide off-cycle runs and anything older than 6 months, so the filters are explicit
        and the range is walked back in windows of at most a year. Processed payrolls are filtered by check
        date (a bonus run has no regular pay period).
        """
        today = self._clock().date()
        start = start or self.settings.start_date or today - timedelta(days=DEFAULT_LOOKBACK_DAYS)
        end = end or today + timedelta(days=LOOKAHEAD_DAYS)
        base: dict[str, Any] = {
            "processing_statuses": ",".join(processing_statuses),
            "payroll_types": ",".join(payroll_types),
            "sort_order": "asc",
        }
        if include:
            base["include"] = ",".join(include)
        if tuple(processing_statuses) == ("processed",):
            base["date_filter_by"] = "check_date"
        seen: dict[str, Payroll] = {}
        for lower, upper in payroll_windows(start, end):
            params = {**base, "start_date": lower.isoformat(), "end_date": upper.isoformat()}
            for item in iter_items(self.http, f"{self._company}/payrolls", params, per=min(self.page_size, 100)):
                payroll = Payroll.from_api(item)
                seen.setdefault(payroll.uuid, payroll)
        return list(seen.values())

    def get_payroll(self, payroll_uuid: str, include: Sequence[str] = PAYROLL_INCLUDE) -> Payroll:
        """One payroll with all its `employee_compensations` (paged by Gusto, merged here into `raw`)."""
        params = {"include": ",".join(include)} if include else {}
        raw: dict[str, Any] | None = None
        compensations: list[Any] = []
        path = f"{self._company}/payrolls/{payroll_uuid}"
        for page in self._payroll_pages(path, params):
            if raw is None:
                raw = dict(page)
            compensations.extend(page.get("employee_compensations") or [])
        if raw is None:  # unreachable: the walk always yields the first page
            raise ValueError(f"Gusto GET {path} returned no page")
        if "employee_compensations" in raw or compensations:
            raw["employee_compensations"] = compensations
        return Payroll.from_api(raw)

    def _payroll_pages(self, path: str, params: dict[str, Any]) -> Iterator[dict[str, Any]]:
        per = min(self.page_size, 100)
        page = 1
        while True:
            response = self.http.request("GET", path, params={**params, "page": page, "per": per})
            body = response.json()
            yield body
            total = int_header(response.headers.get("x-total-pages"))
            count = len(body.get("employee_compensations") or [])
            if page >= total if total is not None else count < per:
                return
            page += 1

    def general_ledger_report(
        self, payroll_uuid: str, budget: reports.PollBudget | None = None
    ) -> reports.GlReport:
        """Gusto's general-ledger report of one processed payroll (default aggregation), polled within `budget`;
        raises `GlReportError` when it fails or stays pending, `GustoApiError` 403 without company_reports."""
        return reports.general_ledger_report(
            self.http, self._http_client, payroll_uuid, sleep=self._sleep, budget=budget
        )

    # -- events and webhooks (system token) ----------------------------------------------------------------
    def list_events(
        self, starting_after_uuid: str | None = None, *, event_type: str | None = None
    ) -> Iterator[Event]:
        """Events of this company after the cursor (exclusive), oldest first, up to Gusto's 30 days."""
        params: dict[str, Any] = {"resource_uuid": self.settings.company_uuid, "sort_order": "asc"}
        if event_type:
            params["event_type"] = event_type
        for item in iter_cursor(self.system_http, "/v1/events", params, starting_after_uuid=starting_after_uuid):
            yield Event.from_api(item)

    def list_webhook_subscriptions(self) -> list[WebhookSubscription]:
        return webhooks.list_subscriptions(self.system_http)

    def create_webhook_subscription(
        self, url: str, subscription_types: Sequence[str] = webhooks.SUBSCRIPTION_TYPES
    ) -> WebhookSubscription:
        return webhooks.create_subscription(self.system_http, url, subscription_types)

    def verify_webhook_subscription(self, subscription_uuid: str, verification_token: str) -> WebhookSubscription:
        return webhooks.verify_subscription(self.system_http, subscription_uuid, verification_token)

    def request_verification_token(self, subscription_uuid: str) -> None:
        webhooks.request_verification_token(self.system_http, subscription_uuid)

    def delete_webhook_subscription(self, subscription_uuid: str) -> None:
        webhooks.delete_subscription(self.system_http, subscription_uuid)

    def iter_pages(self, path: str, params: dict[str, Any] | None = None) -> Iterator[list[Any]]:
        """Raw pages of any company-grant list endpoint (for endpoints without a method here)."""
        return iter_pages(self.http, path, params, per=self.page_size)
