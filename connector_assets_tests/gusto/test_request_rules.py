"""Pure rules of the client: payroll windows, Retry-After, backoff, error messages, secrets kept out of reprs."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

from connector_assets.gusto.client import payroll_windows
from connector_assets.gusto.errors import GrantRevoked, GustoApiError, parse_error_details
from connector_assets.gusto.http import Credential, GustoHttp, RetryPolicy, retry_after_seconds
from connector_assets.gusto.oauth import parse_token_response


def test_payroll_windows_cover_the_range_in_year_slices_newest_first() -> None:
    """Windows are at most a year apart, contiguous, newest first, and reach back exactly to the start."""
    windows = payroll_windows(date(2022, 3, 1), date(2025, 6, 30))
    assert windows[0][1] == date(2025, 6, 30) and windows[-1][0] == date(2022, 3, 1)
    for (lower, _), (_, older_upper) in itertools.pairwise(windows):
        assert older_upper == lower - timedelta(days=1)
    assert all((upper - lower).days <= 360 for lower, upper in windows)
    assert payroll_windows(date(2025, 1, 1), date(2025, 1, 1)) == [(date(2025, 1, 1), date(2025, 1, 1))]


def test_retry_after_seconds_and_http_dates() -> None:
    """Retry-After is read as seconds or as an HTTP date; garbage gives None."""
    assert retry_after_seconds("30") == 30.0
    now = datetime(2025, 7, 8, 22, 35, 10, tzinfo=UTC).timestamp()
    assert retry_after_seconds("Tue, 08 Jul 2025 22:35:40 GMT", now=lambda: now) == 30.0
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


def test_backoff_grows_exponentially_with_jitter_and_a_cap() -> None:
    """Delay n lies in [50 %, 100 %] of retry_delay * 2**(n-1), never above max_retry_delay."""
    policy = RetryPolicy(retry_delay=1.0, max_retry_delay=5.0)
    low = GustoHttp(base_url="http://x", api_version="2026-06-15", auth=None, limiter=None, grant_key="",
                    policy=policy, jitter=lambda: 0.0)  # fmt: skip
    high = GustoHttp(base_url="http://x", api_version="2026-06-15", auth=None, limiter=None, grant_key="",
                     policy=policy, jitter=lambda: 1.0)  # fmt: skip
    assert [low.backoff(n) for n in (1, 2, 3, 4)] == [0.5, 1.0, 2.0, 2.5]
    assert [high.backoff(n) for n in (1, 2, 3, 4)] == [1.0, 2.0, 4.0, 5.0]


def test_api_error_carries_gusto_errors_and_a_next_step() -> None:
    """A 4xx becomes GustoApiError with status, error_key, category and message from the envelope."""
    body = {"errors": [{"error_key": "request", "category": "invalid_api_version",
                        "message": "Invalid API Version `2023`. Expected format: YYYY-MM-DD"}]}  # fmt: skip
    err = GustoApiError(406, "GET", "/v1/token_info", parse_error_details(body), "abc")
    assert (err.status, err.error_key, err.category) == (406, "request", "invalid_api_version")
    assert "Invalid API Version" in str(err) and "api_version" in str(err) and "abc" in str(err)


def test_grant_revoked_tells_the_operator_to_reconnect() -> None:
    """The revoked-grant message names the connection and the exact command to run."""
    assert "connector gusto connect acme" in str(GrantRevoked("acme"))


def test_tokens_never_appear_in_reprs() -> None:
    """Token-bearing values show no secret in repr."""
    grant = parse_token_response(
        {
            "access_token": "SECRET-A",
            "refresh_token": "SECRET-R",
            "token_type": "Bearer",
            "expires_in": 7200,
            "created_at": 1732033824,
        },
        datetime(2025, 1, 1, tzinfo=UTC),
    )
    assert grant.expires_at == datetime(2025, 1, 1, 2, tzinfo=UTC)
    assert "SECRET" not in repr(grant) and "SECRET" not in repr(grant.to_stored())
    assert "SECRET" not in repr(Credential("SECRET-A", 3))
