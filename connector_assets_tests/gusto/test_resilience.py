"""The request loop under fault injection: 429 storms, 5xx bursts, dropped connections, fail-fast 4xx."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from connector_assets.gusto.errors import GustoApiError, GustoUnavailable
from connector_assets.gusto.http import RetryPolicy
from connector_assets.sandbox.faults import FaultRule
from connector_assets.store.ratelimit import RollingWindowLimiter
from connector_assets_tests.fixtures.gusto_sandbox import GustoSandbox, SandboxFactory
from connector_assets_tests.gusto.conftest import ClientFactory, Recorder, free_port


def test_429_storm_is_survived_with_the_same_data(sandbox: GustoSandbox, make_client: ClientFactory) -> None:
    """Six 429s in a row are waited out per Retry-After; the employees read equal a fault-free read."""
    sleep = Recorder()
    client = make_client(sandbox, sleep=sleep)
    expected = client.list_employees()
    sandbox.sim.faults.add(FaultRule(path="/employees$", status=429, count=6, retry_after=7))
    assert client.list_employees() == expected
    assert client.counters.throttled == 6 and sleep.delays == [7.0] * 6


def test_5xx_burst_and_dropped_connections_are_retried_with_backoff(
    sandbox: GustoSandbox, make_client: ClientFactory
) -> None:
    """503s and connections dropped mid-response are retried with growing delays; data is unchanged."""
    sleep = Recorder()
    client = make_client(sandbox, sleep=sleep, policy=RetryPolicy(retry_delay=1.0, max_retries=5))
    expected = client.list_payrolls()
    sandbox.sim.faults.add(FaultRule(path="/payrolls$", status=503, count=2))
    sandbox.sim.faults.add(FaultRule(path="/payrolls$", drop=True, count=2))
    assert client.list_payrolls() == expected
    assert len(sleep.delays) == 4 and client.counters.retries == 4
    assert all(0.5 * 2**i <= d <= 2**i for i, d in enumerate(sleep.delays))


def test_retry_budget_spent_gives_one_clear_error(sandbox: GustoSandbox, make_client: ClientFactory) -> None:
    """A persistent 500 ends after max_retries + 1 attempts with GustoUnavailable naming the request."""
    client = make_client(sandbox, policy=RetryPolicy(max_retries=3))
    sandbox.sim.faults.add(FaultRule(path="/departments$", status=500, count=None))
    before = client.counters.requests
    with pytest.raises(GustoUnavailable, match="departments failed 4 time"):
        client.list_departments()
    assert client.counters.requests - before == 4


def test_other_4xx_fail_fast_with_gustos_errors(sandbox: GustoSandbox, make_client: ClientFactory) -> None:
    """A 422 is not retried; the exception carries error_key, category and message from the body."""
    client = make_client(sandbox)
    body = {"errors": [{"error_key": "start_date", "category": "invalid_parameter", "message": "Bad date"}]}
    sandbox.sim.faults.add(FaultRule(path="/payrolls$", status=422, body=body))
    before = client.counters.requests
    with pytest.raises(GustoApiError) as caught:
        client.list_payrolls()
    assert (caught.value.status, caught.value.error_key, caught.value.category) == (
        422, "start_date", "invalid_parameter",
    )  # fmt: skip
    assert "Bad date" in str(caught.value) and client.counters.requests - before == 1


def test_not_found_is_typed(sandbox: GustoSandbox, make_client: ClientFactory) -> None:
    """An unknown payroll is a 404 GustoApiError with Gusto's not_found category."""
    client = make_client(sandbox)
    with pytest.raises(GustoApiError) as caught:
        client.get_payroll("00000000-0000-0000-0000-000000000000")
    assert caught.value.status == 404 and caught.value.category == "not_found"


def test_version_header_is_pinned(sandbox: GustoSandbox, make_client: ClientFactory) -> None:
    """Every request sends the configured X-Gusto-API-Version (the sandbox echoes it back)."""
    client = make_client(sandbox)
    response = client.http.request("GET", "/v1/token_info")
    assert response.headers["X-Gusto-API-Version"] == "2026-06-15"


class FakeTime:
    """A clock that moves only when the limiter sleeps, and moves the simulator's clock with it."""

    def __init__(self, sandbox: GustoSandbox, start: float) -> None:
        self.now, self.sandbox, self.slept = start, sandbox, 0.0

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds
        self.slept += seconds
        self.sandbox.sim.clock.advance(seconds)


def test_limiter_keeps_a_burst_under_the_grant_limit(
    make_gusto_sandbox: SandboxFactory, make_client: ClientFactory, sqlite_store: Engine
) -> None:
    """51 requests against a 20-per-minute grant: never more than 20 in any minute, and no 429 at all."""
    sandbox = make_gusto_sandbox(redirect_uri=f"http://127.0.0.1:{free_port()}/cb", rate_limit_per_minute=20)
    fake = FakeTime(sandbox, sandbox.sim.clock.timestamp())
    sent: list[float] = []

    class RecordingLimiter(RollingWindowLimiter):
        def reserve(self, grant_key: str) -> float:
            waited = super().reserve(grant_key)
            sent.append(fake.now)
            return waited

    limiter = RecordingLimiter(sqlite_store, limit=20, window_s=60, clock=fake.time, sleep=fake.sleep)
    client = make_client(sandbox, limiter=limiter)
    for _ in range(50):
        client.get_company()
    assert len(sent) == 51 and client.counters.throttled == 0  # connect's token_info check, then 50
    assert sandbox.sim.counters_snapshot()["throttled"] == 0
    assert max(sum(1 for t in sent if s <= t < s + 60) for s in sent) == 20
    assert fake.slept >= 120  # two full windows had to pass for requests 21-50
