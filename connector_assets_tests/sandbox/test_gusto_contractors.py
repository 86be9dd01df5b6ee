"""The simulator's contractors and contractor payments: Gusto's shapes, required dates, scopes, rate limits
and the contractor_payment webhook events."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from connector_assets_tests.fixtures.gusto_sandbox import GustoSandbox, GustoSchemas, SandboxFactory

CO = "/v1/companies/{company_id}"
PAYMENTS = f"{CO}/contractor_payments"


def test_contractors_and_payments_match_spec(gusto_sandbox: GustoSandbox, gusto_schemas: GustoSchemas) -> None:
    """Contractors (list and one), payments grouped by contractor and by date, and one payment match the spec."""
    sb, v = gusto_sandbox, gusto_schemas
    cid = sb.company_uuid
    with sb.client() as c:
        contractors = c.get(f"/v1/companies/{cid}/contractors").json()
        v.validate_response("get", "/v1/companies/{company_uuid}/contractors", 200, contractors)
        assert {x["type"] for x in contractors} == {"Individual", "Business"}
        one = c.get(f"/v1/contractors/{contractors[0]['uuid']}").json()
        v.validate_response("get", "/v1/contractors/{contractor_uuid}", 200, one)
        window = {"start_date": "2025-01-01", "end_date": sb.world.today.isoformat()}
        by_contractor = c.get(f"/v1/companies/{cid}/contractor_payments", params=window).json()
        v.validate_response("get", PAYMENTS, 200, by_contractor)
        by_date = c.get(
            f"/v1/companies/{cid}/contractor_payments", params={**window, "group_by_date": "true"}
        ).json()
        v.validate_response("get", PAYMENTS, 200, by_date)
        payment = by_date["contractor_payments"][0]["payments"][0]
        v.validate("Contractor-Payment", payment)
        single = c.get(f"/v1/companies/{cid}/contractor_payments/{payment['uuid']}").json()
        v.validate_response("get", f"{PAYMENTS}/{{contractor_payment_id}}", 200, single)
    assert single == payment
    dates = [g["check_date"] for g in by_date["contractor_payments"]]
    assert dates == sorted(dates, reverse=True), "newest first"
    payments = [p for g in by_contractor["contractor_payments"] for p in g["payments"]]
    assert len(payments) == len(sb.world.contractor_payments) >= 2
    for p in payments:  # wage_total = hours x hourly_rate (to the cent) + wage + bonus
        hourly = (Decimal(p["hours"]) * Decimal(p["hourly_rate"])).quantize(
            Decimal("0.01"), rounding="ROUND_HALF_UP"
        )
        assert Decimal(p["wage_total"]) == hourly + Decimal(p["wage"]) + Decimal(p["bonus"])
        assert p["payment_method"] in ("Direct Deposit", "Check") and p["status"] == "Funded"
    assert Decimal(by_contractor["total"]["wages"]) == sum(Decimal(p["wage_total"]) for p in payments)
    assert Decimal(by_contractor["total"]["reimbursements"]) == sum(Decimal(p["reimbursement"]) for p in payments)


def test_payments_need_both_dates(gusto_sandbox: GustoSandbox) -> None:
    """start_date and end_date are required: without one the API answers 422."""
    with gusto_sandbox.client() as c:
        path = f"/v1/companies/{gusto_sandbox.company_uuid}/contractor_payments"
        missing = c.get(path, params={"start_date": "2026-01-01"})
        assert c.get(path, params={"start_date": "2026-01-01", "end_date": "2026-03-01"}).status_code == 200
    assert missing.status_code == 422 and missing.json()["errors"][0]["error_key"] == "end_date"


def test_contractors_need_their_scope_and_count_against_the_rate_limit(make_gusto_sandbox: SandboxFactory) -> None:
    """Without contractors:read the contractor list is 403; every contractor request counts against the grant."""
    narrow = make_gusto_sandbox(scopes="public companies:read payrolls:read")
    with narrow.client() as c:
        denied = c.get(f"/v1/companies/{narrow.company_uuid}/contractors")
    assert denied.status_code == 403
    assert denied.json()["errors"][0]["metadata"] == {"missing_scope_name": "contractors:read"}
    limited = make_gusto_sandbox(rate_limit_per_minute=2)
    with limited.client() as c:
        statuses = [c.get(f"/v1/companies/{limited.company_uuid}/contractors").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_paying_and_cancelling_emit_contractor_payment_events(gusto_sandbox: GustoSandbox) -> None:
    """Paying the contractors emits one contractor_payment.created per payment; a cancellation removes the
    payment from Gusto's lists and emits contractor_payment.cancelled."""
    sim, day = gusto_sandbox.sim, date(2026, 3, 13)
    made = sim.pay_contractors(check_date=day)
    assert len(made) == 2 and {p.date for p in made} == {day}
    created = [e for e in sim.events.events if e.event_type == "contractor_payment.created"]
    assert [(e.entity_type, e.entity_uuid) for e in created] == [("ContractorPayment", p.uuid) for p in made]
    sim.cancel_contractor_payment(made[0].uuid)
    assert sim.events.events[-1].event_type == "contractor_payment.cancelled"
    with gusto_sandbox.client() as c:
        gone = c.get(f"/v1/companies/{gusto_sandbox.company_uuid}/contractor_payments/{made[0].uuid}")
        kept = c.get(f"/v1/companies/{gusto_sandbox.company_uuid}/contractor_payments/{made[1].uuid}")
    assert gone.status_code == 404 and kept.status_code == 200
