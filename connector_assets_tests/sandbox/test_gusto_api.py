"""Cross-cutting API behaviour: version header, paging headers, rate limiting, versioned PUTs, scopes, faults."""

from __future__ import annotations

from connector_assets_tests.fixtures.gusto_sandbox import GustoSandbox, SandboxFactory


def test_version_header_is_echoed_and_malformed_is_406(gusto_sandbox: GustoSandbox) -> None:
    """A valid version is echoed; a malformed one gets 406 invalid_api_version."""
    sb = gusto_sandbox
    with sb.client() as c:
        ok = c.get(f"/v1/companies/{sb.company_uuid}", headers={"X-Gusto-API-Version": "2026-02-01"})
        assert ok.headers["X-Gusto-API-Version"] == "2026-02-01"
        bad = c.get(f"/v1/companies/{sb.company_uuid}", headers={"X-Gusto-API-Version": "2023"})
    assert bad.status_code == 406
    error = bad.json()["errors"][0]
    assert error["category"] == "invalid_api_version" and "2023" in error["message"]


def test_lists_page_only_when_asked_and_headers_describe_pages(gusto_sandbox: GustoSandbox) -> None:
    """Without page/per the whole list comes back bare; with them the X-* headers describe the pages."""
    sb = gusto_sandbox
    path = f"/v1/companies/{sb.company_uuid}/employees"
    with sb.client() as c:
        everything = c.get(path)
        assert len(everything.json()) == 30 and "X-Total-Count" not in everything.headers
        pages = [c.get(path, params={"page": n, "per": 7}) for n in (1, 5, 6)]
        walked = [e["uuid"] for p in range(1, 6) for e in c.get(path, params={"page": p, "per": 7}).json()]
    first, last, beyond = pages
    assert first.headers["X-Page"] == "1" and first.headers["X-Per-Page"] == "7"
    assert first.headers["X-Total-Count"] == "30" and first.headers["X-Total-Pages"] == "5"
    assert len(first.json()) == 7 and len(last.json()) == 2 and beyond.json() == []
    assert walked == [e["uuid"] for e in everything.json()]


def test_rate_limit_per_grant_with_retry_after(make_gusto_sandbox: SandboxFactory) -> None:
    """Past the per-grant limit the API answers 429 with Retry-After; another grant is unaffected."""
    sb = make_gusto_sandbox(rate_limit_per_minute=5)
    path = f"/v1/companies/{sb.company_uuid}"
    first_grant, second_grant = sb.company_token(), sb.company_token()
    with sb.client(first_grant) as c:
        statuses = [c.get(path).status_code for _ in range(7)]
        limited = c.get(path)
    assert statuses == [200] * 5 + [429] * 2
    assert limited.status_code == 429 and 1 <= int(limited.headers["Retry-After"]) <= 60
    assert limited.headers["X-RateLimit-Limit"] == "5" and limited.headers["X-RateLimit-Remaining"] == "0"
    assert limited.json()["errors"][0]["category"] == "rate_limit_exceeded"
    with sb.client(second_grant) as c:
        assert c.get(path).status_code == 200
    sb.sim.clock.advance(61)  # the rolling window has passed
    with sb.client(first_grant) as c:
        assert c.get(path).status_code == 200
    counters = sb.sim.counters_snapshot()
    assert counters["throttled"] == 3
    per_grant = counters["per_grant"]
    assert isinstance(per_grant, dict) and sorted(g["throttled"] for g in per_grant.values()) == [0, 3]


def test_rate_limit_headers_count_down(gusto_sandbox: GustoSandbox) -> None:
    """X-RateLimit-Remaining decreases per request and X-RateLimit-Reset is a datetime string."""
    sb = gusto_sandbox
    with sb.client() as c:
        a, b = (c.get(f"/v1/companies/{sb.company_uuid}") for _ in range(2))
    assert int(a.headers["X-RateLimit-Remaining"]) - int(b.headers["X-RateLimit-Remaining"]) == 1
    assert a.headers["X-RateLimit-Reset"].endswith("+0000") and "-" in a.headers["X-RateLimit-Reset"]


def test_versioned_put_employee_conflicts_on_stale_version(gusto_sandbox: GustoSandbox) -> None:
    """PUT with the current version succeeds and changes it; a stale or missing version is 409."""
    sb = gusto_sandbox
    emp_uuid = sb.world.employees[0].uuid
    with sb.client() as c:
        current = c.get(f"/v1/employees/{emp_uuid}").json()
        ok = c.put(f"/v1/employees/{emp_uuid}", json={"version": current["version"], "last_name": "Renamed"})
        assert ok.status_code == 200 and ok.json()["last_name"] == "Renamed"
        assert ok.json()["version"] != current["version"]
        stale = c.put(f"/v1/employees/{emp_uuid}", json={"version": current["version"], "last_name": "Again"})
        missing = c.put(f"/v1/employees/{emp_uuid}", json={"last_name": "Again"})
    for response in (stale, missing):
        assert response.status_code == 409
        assert response.json()["errors"][0] == {
            "error_key": "base",
            "category": "invalid_resource_version",
            "message": "You are attempting to update a resource using an out-of-date version.",
        }
    assert sb.world.employees[0].last_name == "Renamed"


def test_versioned_put_compensation(gusto_sandbox: GustoSandbox) -> None:
    """A compensation PUT with its version updates the rate; replaying that version is 409."""
    sb = gusto_sandbox
    comp = sb.world.employees[0].jobs[0].compensations[-1]
    with sb.client() as c:
        body = c.get(f"/v1/compensations/{comp.uuid}").json()
        ok = c.put(f"/v1/compensations/{comp.uuid}", json={"version": body["version"], "rate": "31.50"})
        replay = c.put(f"/v1/compensations/{comp.uuid}", json={"version": body["version"], "rate": "99.00"})
    assert ok.status_code == 200 and ok.json()["rate"] == "31.50" and comp.rate_cents == 3150
    assert replay.status_code == 409


def test_missing_scope_is_403(make_gusto_sandbox: SandboxFactory) -> None:
    """A grant without payrolls:read cannot list payrolls (403 missing_oauth_scopes) but reads the company."""
    sb = make_gusto_sandbox(scopes="public companies:read employees:read")
    with sb.client() as c:
        assert c.get(f"/v1/companies/{sb.company_uuid}").status_code == 200
        denied = c.get(f"/v1/companies/{sb.company_uuid}/payrolls")
    assert denied.status_code == 403
    assert denied.json()["errors"][0]["metadata"] == {"missing_scope_name": "payrolls:read"}


def test_unknown_resource_is_404_in_error_envelope(gusto_sandbox: GustoSandbox) -> None:
    """An unknown employee gets 404 with category not_found."""
    with gusto_sandbox.client() as c:
        response = c.get("/v1/employees/00000000-0000-4000-8000-000000000000")
    assert response.status_code == 404 and response.json()["errors"][0]["category"] == "not_found"


def test_faults_via_admin_api_hit_the_api_but_never_admin(gusto_sandbox: GustoSandbox) -> None:
    """A fault rule from /_sandbox/faults hits the next matching call only; admin paths stay clean."""
    sb = gusto_sandbox
    rule = {"path": "/employees$", "status": 503, "count": 1, "retry_after": 2}
    assert sb.http.post("/_sandbox/faults", json=rule).status_code == 200
    with sb.client() as c:
        faulted = c.get(f"/v1/companies/{sb.company_uuid}/employees")
        healthy = c.get(f"/v1/companies/{sb.company_uuid}/employees")
    assert faulted.status_code == 503 and faulted.headers["retry-after"] == "2"
    assert healthy.status_code == 200
    assert sb.http.get("/_sandbox/faults").json()["injected"] == 1
    assert sb.http.delete("/_sandbox/faults").json() == {"rules": []}


def test_duplicated_request_id_option(make_gusto_sandbox: SandboxFactory) -> None:
    """With duplicate_request_id the x-request-id header arrives as 'abc,abc', as through Gusto's proxies."""
    sb = make_gusto_sandbox(duplicate_request_id=True)
    with sb.client() as c:
        rid = c.get(f"/v1/companies/{sb.company_uuid}").headers["x-request-id"]
    first, second = rid.split(",")
    assert first == second


def test_responses_never_contain_the_client_secret(gusto_sandbox: GustoSandbox) -> None:
    """Neither the admin summary nor the simulator's reprs reveal the client secret."""
    sb = gusto_sandbox
    summary = sb.http.get("/_sandbox/world")
    assert summary.json()["client_id"] == sb.client_id
    assert sb.client_secret not in summary.text
    assert sb.client_secret not in repr(sb.world.app) + repr(sb.sim.oauth) + repr(sb.world)
