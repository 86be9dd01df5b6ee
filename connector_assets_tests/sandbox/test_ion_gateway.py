"""The simulated gateway: spike arrest 429s, request counters, fault rules via the admin API."""

from __future__ import annotations

from collections.abc import Callable

from connector_assets.sandbox.ion import SpikeArrest
from connector_assets_tests.fixtures.ion_sandbox import IonSandbox

ACCOUNTS = "/M3/m3api-rest/v2/execute/CRS630MI/LstAccountID"


def test_spike_arrest_rejects_with_429_and_no_retry_after(make_ion_sandbox: Callable[..., IonSandbox]) -> None:
    """Above N requests per period the gateway answers 429 without Retry-After (Infor documents none)."""
    sb = make_ion_sandbox(spike_arrest=SpikeArrest(max_requests=3, period_s=3600))
    client = sb.client()
    statuses = [client.get(ACCOUNTS, params={"AITP": "1"}).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    throttled = client.get(ACCOUNTS, params={"AITP": "1"})
    assert "retry-after" not in throttled.headers
    assert sb.sim.counters()["status_429"] == 2


def test_spike_arrest_sends_retry_after_when_configured(make_ion_sandbox: Callable[..., IonSandbox]) -> None:
    """With retry_after_s set, the 429 carries that Retry-After value."""
    sb = make_ion_sandbox(spike_arrest=SpikeArrest(max_requests=1, period_s=3600, retry_after_s=7))
    client = sb.client()
    assert client.get(ACCOUNTS, params={"AITP": "1"}).status_code == 200
    throttled = client.get(ACCOUNTS, params={"AITP": "1"})
    assert throttled.status_code == 429 and throttled.headers["retry-after"] == "7"


def test_spike_arrest_window_passes_with_the_clock(make_ion_sandbox: Callable[..., IonSandbox]) -> None:
    """Once the period has passed, requests are let through again."""
    sb = make_ion_sandbox(spike_arrest=SpikeArrest(max_requests=1, period_s=60))
    client = sb.client()
    assert client.get(ACCOUNTS, params={"AITP": "1"}).status_code == 200
    assert client.get(ACCOUNTS, params={"AITP": "1"}).status_code == 429
    sb.sim.advance_clock(60)
    assert client.get(ACCOUNTS, params={"AITP": "1"}).status_code == 200


def test_spike_arrest_can_be_set_and_cleared_through_the_admin_api(ion_sandbox: IonSandbox) -> None:
    """POST /_sandbox/spike_arrest turns the policy on; an empty body turns it off."""
    client, admin = ion_sandbox.client(), ion_sandbox.http
    admin.post(f"{ion_sandbox.url}/_sandbox/spike_arrest", json={"max_requests": 1}).raise_for_status()
    assert [client.get(ACCOUNTS, params={"AITP": "1"}).status_code for _ in range(2)] == [200, 429]
    admin.post(f"{ion_sandbox.url}/_sandbox/spike_arrest", json={}).raise_for_status()
    assert client.get(ACCOUNTS, params={"AITP": "1"}).status_code == 200


def test_fault_rules_from_the_admin_api_apply_to_the_next_matching_calls(ion_sandbox: IonSandbox) -> None:
    """A fault rule posted to /_sandbox/faults fails the next matching call once; admin calls are never faulted."""
    client, admin = ion_sandbox.client(), ion_sandbox.http
    rule = {"path": "LstAccountID", "status": 503, "count": 1}
    admin.post(f"{ion_sandbox.url}/_sandbox/faults", json=rule).raise_for_status()
    assert client.get(ACCOUNTS, params={"AITP": "1"}).status_code == 503
    assert client.get(ACCOUNTS, params={"AITP": "1"}).status_code == 200
    snapshot = admin.get(f"{ion_sandbox.url}/_sandbox/faults").json()
    assert snapshot[0]["hits"] == 1
    bad = admin.post(f"{ion_sandbox.url}/_sandbox/faults", json={"bogus": 1})
    assert bad.status_code == 400 and "bogus" in bad.json()["error"]


def test_counters_track_requests_statuses_and_authentications(ion_sandbox: IonSandbox) -> None:
    """The counters report requests, 401s and authentications, and reset on request."""
    client = ion_sandbox.client()
    client.get(ACCOUNTS, params={"AITP": "1"})
    ion_sandbox.http.get(f"{ion_sandbox.url}/{ion_sandbox.tenant}{ACCOUNTS}")
    counters = ion_sandbox.http.get(f"{ion_sandbox.url}/_sandbox/counters").json()
    assert counters["requests"] == 3  # token + two gateway calls; admin calls are not counted
    assert counters["status_401"] == 1 and counters["authentications"] == 1
    reset = ion_sandbox.http.post(f"{ion_sandbox.url}/_sandbox/counters/reset").json()
    assert reset == {}
