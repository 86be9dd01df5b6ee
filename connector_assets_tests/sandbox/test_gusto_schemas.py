"""Every JSON shape the Gusto simulator serves validates against Gusto's OpenAPI spec."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from connector_assets_tests.fixtures.gusto_sandbox import GustoSandbox, GustoSchemas, SandboxFactory

CO = "/v1/companies/{company_id}"


def _get(client: httpx.Client, path: str) -> Any:
    response = client.get(path)
    assert response.status_code == 200, f"{path}: {response.status_code} {response.text[:300]}"
    return response.json()


def test_company_people_and_schedules_match_spec(gusto_sandbox: GustoSandbox, gusto_schemas: GustoSchemas) -> None:
    """Company, locations, departments, employees, jobs, compensations and pay schedules match the spec."""
    sb, v = gusto_sandbox, gusto_schemas
    cid = sb.company_uuid
    with sb.client() as c:
        v.validate_response("get", CO, 200, _get(c, f"/v1/companies/{cid}"))
        locations = _get(c, f"/v1/companies/{cid}/locations")
        v.validate_response("get", f"{CO}/locations", 200, locations)
        v.validate_response(
            "get", "/v1/locations/{location_id}", 200, _get(c, f"/v1/locations/{locations[0]['uuid']}")
        )
        departments = _get(c, f"/v1/companies/{cid}/departments")
        v.validate_response("get", "/v1/companies/{company_uuid}/departments", 200, departments)
        v.validate_response(
            "get", "/v1/departments/{department_uuid}", 200, _get(c, f"/v1/departments/{departments[0]['uuid']}")
        )
        employees = _get(c, f"/v1/companies/{cid}/employees?include=all_compensations,custom_fields")
        v.validate_response("get", f"{CO}/employees", 200, employees)
        terminated = next(e for e in employees if e["terminations"])
        with_fields = next(e for e in employees if e.get("custom_fields"))
        assert with_fields["custom_fields"][0]["name"] == "cost_center"
        v.validate_response(
            "get", "/v1/employees/{employee_id}", 200, _get(c, f"/v1/employees/{terminated['uuid']}")
        )
        v.validate_response(
            "get",
            "/v1/employees/{employee_id}/terminations",
            200,
            _get(c, f"/v1/employees/{terminated['uuid']}/terminations"),
        )
        v.validate_response(
            "get",
            "/v1/employees/{employee_id}/employment_history",
            200,
            _get(c, f"/v1/employees/{terminated['uuid']}/employment_history"),
        )
        v.validate("Employee-Work-Address", _get(c, f"/v1/employees/{terminated['uuid']}/work_addresses")[0])
        job = employees[0]["jobs"][0]
        v.validate("Job", job)
        comps = _get(c, f"/v1/jobs/{job['uuid']}/compensations?include=all_compensations")
        v.validate_response("get", "/v1/jobs/{job_id}/compensations", 200, comps)
        v.validate_response(
            "get", "/v1/compensations/{compensation_id}", 200, _get(c, f"/v1/compensations/{comps[0]['uuid']}")
        )
        schedules = _get(c, f"/v1/companies/{cid}/pay_schedules")
        v.validate_response("get", f"{CO}/pay_schedules", 200, schedules)
        v.validate_response(
            "get",
            f"{CO}/pay_schedules/{{pay_schedule_id}}",
            200,
            _get(c, f"/v1/companies/{cid}/pay_schedules/{schedules[0]['uuid']}"),
        )
        v.validate_response("get", f"{CO}/pay_periods", 200, _get(c, f"/v1/companies/{cid}/pay_periods"))
        v.validate_response("get", "/v1/token_info", 200, _get(c, "/v1/token_info"))


def test_payroll_list_and_show_match_spec(gusto_sandbox: GustoSandbox, gusto_schemas: GustoSchemas) -> None:
    """Payroll list (with every include) and a processed payroll with benefits and taxes match the spec."""
    sb, v = gusto_sandbox, gusto_schemas
    cid = sb.company_uuid
    with sb.client() as c:
        listing = _get(
            c,
            f"/v1/companies/{cid}/payrolls?include=totals,payroll_status_meta,taxes,reversals"
            "&processing_statuses=processed,unprocessed&payroll_types=regular,off_cycle&per=100"
            f"&end_date={sb.world.today + timedelta(days=45)}",
        )
        v.validate_response("get", f"{CO}/payrolls", 200, listing)
        assert {p["processed"] for p in listing} == {True, False}
        processed = [p for p in listing if p["processed"]]
        show = _get(
            c, f"/v1/companies/{cid}/payrolls/{processed[-1]['uuid']}?include=benefits,taxes,payroll_taxes"
        )
        v.validate_response("get", f"{CO}/payrolls/{{payroll_id}}", 200, show)
        assert show["employee_compensations"] and "taxes" in show["employee_compensations"][0]
        unprocessed = next(p for p in listing if not p["processed"])
        draft = _get(c, f"/v1/companies/{cid}/payrolls/{unprocessed['uuid']}")
        v.validate_response("get", f"{CO}/payrolls/{{payroll_id}}", 200, draft)
        assert "totals" not in draft and draft["employee_compensations"][0]["version"]


def test_number_money_mode_matches_the_published_spec(
    make_gusto_sandbox: SandboxFactory, gusto_schemas_strict: GustoSchemas
) -> None:
    """With payroll_money="number" a processed payroll validates against the unpatched spec."""
    sb = make_gusto_sandbox(payroll_money="number")
    with sb.client() as c:
        listing = _get(c, f"/v1/companies/{sb.company_uuid}/payrolls")
        show = c.get(f"/v1/companies/{sb.company_uuid}/payrolls/{listing[0]['uuid']}?include=benefits,taxes")
    gusto_schemas_strict.validate_response("get", f"{CO}/payrolls/{{payroll_id}}", 200, show.json())
    rows = show.json()["employee_compensations"]
    assert rows and all(isinstance(r["gross_pay"], int | float) for r in rows)
    assert isinstance(show.json()["totals"]["gross_pay"], str)  # totals stay strings in every mode


def test_events_webhooks_and_tokens_match_spec(gusto_sandbox: GustoSandbox, gusto_schemas: GustoSchemas) -> None:
    """Token responses, events, webhook subscriptions, verification resend and health check match the spec."""
    sb, v = gusto_sandbox, gusto_schemas
    company = sb.company_token()
    v.validate("Refresh-Token-Authentication", company)
    system = sb.system_token()
    v.validate("Create-Token-Authentication", system)
    assert system["refresh_token"] is None
    with sb.client(system) as c:
        v.validate_response("get", "/v1/token_info", 200, _get(c, "/v1/token_info"))
        events = _get(c, "/v1/events?limit=5")
        assert events, "the provisioning above must have produced an event"
        v.validate_response("get", "/v1/events", 200, events)
        created = c.post(
            "/v1/webhook_subscriptions",
            json={"url": "http://127.0.0.1:9/hook", "subscription_types": ["Payroll", "Employee"]},
        )
        assert created.status_code == 201
        v.validate_response("post", "/v1/webhook_subscriptions", 201, created.json())
        uuid = created.json()["uuid"]
        v.validate_response("get", "/v1/webhook_subscriptions", 200, _get(c, "/v1/webhook_subscriptions"))
        path = "/v1/webhook_subscriptions/{webhook_subscription_uuid}"
        v.validate_response("get", path, 200, _get(c, f"/v1/webhook_subscriptions/{uuid}"))
        v.validate_response(
            "get",
            f"{path}/request_verification_token",
            200,
            _get(c, f"/v1/webhook_subscriptions/{uuid}/request_verification_token"),
        )
        v.validate_response("get", "/v1/webhooks/health_check", 200, _get(c, "/v1/webhooks/health_check"))
    sb.sim.webhooks.stop()  # the subscriber URL is unreachable on purpose; no retries needed here


def test_company_benefits_and_supported_benefits_match_spec(
    gusto_sandbox: GustoSandbox, gusto_schemas: GustoSchemas
) -> None:
    """Each benefit name the generated payrolls carry is a company benefit with Gusto's benefit type id."""
    sb, v = gusto_sandbox, gusto_schemas
    cid = sb.company_uuid
    with sb.client() as c:
        listed = _get(c, f"/v1/companies/{cid}/company_benefits")
        v.validate_response("get", f"{CO}/company_benefits", 200, listed)
        assert {(b["description"], b["benefit_type"]) for b in listed} == {("Medical Insurance", 1), ("401K", 5)}
        assert [b["description"] for b in _get(c, f"/v1/companies/{cid}/company_benefits?benefit_type=5,105")] == [
            "401K"
        ]
        assert c.get(f"/v1/companies/{cid}/company_benefits?benefit_type=x").status_code == 422
        supported = _get(c, "/v1/benefits")
        v.validate_response("get", "/v1/benefits", 200, supported)
        assert {b["benefit_type"]: b["name"] for b in supported}[1] == "Medical Insurance"
