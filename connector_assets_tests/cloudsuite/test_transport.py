"""The one request path: 429/5xx bursts survived, Retry-After honoured, writes not repeated blindly, a concurrency cap."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from connector_assets.cloudsuite.erp import Erp, ion_session
from connector_assets.cloudsuite.errors import IonRequestError, RateLimited
from connector_assets.cloudsuite.m3 import M3Erp
from connector_assets.cloudsuite.retry import RetryPolicy
from connector_assets.cloudsuite.transport import IonTransport
from connector_assets.sandbox.faults import FaultRule
from connector_assets.store.vault import TokenVault
from connector_assets_tests.cloudsuite.conftest import FAST_RETRY, make_connection
from connector_assets_tests.cloudsuite.journals import payroll_journal
from connector_assets_tests.fixtures.ion_sandbox import IonSandbox

MakeErp = Callable[..., Erp]


@pytest.mark.parametrize("flavour", ["m3", "syteline"])
def test_429_and_5xx_bursts_are_survived(ion_sandbox: IonSandbox, make_erp: MakeErp, flavour: str) -> None:
    """Three 429s, then a 502, a 503 and a 500: the listing still completes."""
    path = "LstAccountID" if flavour == "m3" else "/load/SLCharts"
    for status, count in ((429, 3), (502, 1), (503, 1), (500, 1)):
        ion_sandbox.sim.faults.add(FaultRule(path=path, status=status, count=count))
    accounts = make_erp(
        ion_sandbox, flavour, retry=RetryPolicy(max_retries=6, backoff_base_s=0.001)
    ).list_gl_accounts()
    assert len(accounts) == 41
    counters = ion_sandbox.sim.counters()
    assert (counters["status_429"], counters["status_502"], counters["status_503"], counters["status_500"]) == (
        3,
        1,
        1,
        1,
    )


def test_retry_after_is_honoured(ion_sandbox: IonSandbox, vault: TokenVault) -> None:
    """A Retry-After on 429 sets the wait; without one, backoff applies."""
    waits: list[float] = []
    transport = ion_session(make_connection(ion_sandbox), vault, retry=FAST_RETRY)
    transport = IonTransport(
        transport.tokens, transport.http, retry=FAST_RETRY, sleep=waits.append, owns_http=True
    )
    ion_sandbox.sim.faults.add(FaultRule(path="GetUserInfo", status=429, retry_after=7, count=1))
    ion_sandbox.sim.faults.add(FaultRule(path="GetUserInfo", status=429, count=1))
    url = transport.url("M3/m3api-rest/v2/execute/CRS630MI/GetUserInfo")
    assert transport.request("GET", url, what="GetUserInfo").status_code == 200
    transport.close()
    assert waits[0] == 7.0
    assert 0 < waits[1] <= FAST_RETRY.backoff_base_s * 2


def test_persistent_throttling_raises_rate_limited(ion_sandbox: IonSandbox, make_erp: MakeErp) -> None:
    """When 429 never stops, RateLimited says what to do after max_retries + 1 attempts."""
    ion_sandbox.sim.faults.add(FaultRule(path="LstAccountID", status=429, count=None))
    with pytest.raises(RateLimited, match=r"lower cloudsuite\.max_concurrency"):
        make_erp(ion_sandbox).list_gl_accounts()
    assert ion_sandbox.sim.counters()["status_429"] == FAST_RETRY.max_retries + 1


def test_client_errors_are_not_retried(ion_sandbox: IonSandbox, vault: TokenVault) -> None:
    """A 404 fails at once with the status and an excerpt of the body."""
    transport = ion_session(make_connection(ion_sandbox), vault, retry=FAST_RETRY)
    with pytest.raises(IonRequestError) as err:
        transport.request("GET", transport.url("NOPE/api"), what="probe")
    transport.close()
    assert err.value.status == 404 and "probe: HTTP 404 after 1 attempt" in str(err.value)


def test_writes_are_not_repeated_after_an_ambiguous_500(ion_sandbox: IonSandbox, make_erp: MakeErp) -> None:
    """A 500 on a posting step may have been applied: it fails the call instead of being sent again."""
    ion_sandbox.sim.faults.add(FaultRule(path="AddBatchHead", status=500, count=1))
    with pytest.raises(IonRequestError) as err:
        make_erp(ion_sandbox).post_journal(payroll_journal())
    assert err.value.status == 500 and err.value.retryable
    assert ion_sandbox.sim.counters()["status_500"] == 1


def test_writes_are_retried_when_the_gateway_refused_them(ion_sandbox: IonSandbox, make_erp: MakeErp) -> None:
    """429 and 503 mean the call never reached M3, so a posting step is sent again and succeeds."""
    ion_sandbox.sim.faults.add(FaultRule(path="AddBatchLineFld", status=429, count=2))
    ion_sandbox.sim.faults.add(FaultRule(path="UpdBatch", status=503, count=1))
    make_erp(ion_sandbox).post_journal(payroll_journal())
    assert len(ion_sandbox.sim.vouchers()) == 1


class _InFlight(httpx.HTTPTransport):
    """A real HTTP transport that records the most requests it ever had in flight."""

    def __init__(self) -> None:
        super().__init__()
        self.lock = threading.Lock()
        self.now = self.peak = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with self.lock:
            self.now += 1
            self.peak = max(self.peak, self.now)
        try:
            response = super().handle_request(request)
            response.read()
            return response
        finally:
            with self.lock:
                self.now -= 1


def test_concurrency_is_capped_per_tenant(make_ion_sandbox: Callable[..., IonSandbox], make_erp: MakeErp) -> None:
    """Eight threads over two clients of one tenant never exceed max_concurrency; one token serves all."""
    sandbox = make_ion_sandbox(tenant="CAP_TST")
    recorder = _InFlight()
    http = httpx.Client(transport=recorder)
    sandbox.sim.faults.add(FaultRule(path="LstAccountID", latency_s=0.02, count=None))
    erps = [make_erp(sandbox, http=http, cloudsuite={"max_concurrency": 2}) for _ in range(2)]
    errors: list[Any] = []

    def work(erp: Erp) -> None:
        try:
            assert len(erp.list_gl_accounts()) == 41
        except Exception as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(erps[i % 2],)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    http.close()
    assert errors == []
    assert recorder.peak <= 2
    assert sandbox.sim.counters()["authentications"] == 1
    assert all(isinstance(e, M3Erp) for e in erps)
