"""Payroll list filters, single-payroll paging, totals identities, GL report and reversals."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connector_assets.sandbox.generator import generate_world
from connector_assets.sandbox.generator_payroll import payroll_pay
from connector_assets.sandbox.gusto.serialize_payroll import employee_compensation_json, payroll_json
from connector_assets_tests.fixtures.gusto_sandbox import GustoSandbox, SandboxFactory

D = Decimal


def _payrolls(c: httpx.Client, sb: GustoSandbox, **params: Any) -> httpx.Response:
    return c.get(f"/v1/companies/{sb.company_uuid}/payrolls", params={"per": 100, **params})


def check_identities(payroll: dict[str, Any], rows: list[dict[str, Any]]) -> None:
    """payroll-accounting.md §3: I1-I4 on the totals and I5 (rows sum to totals), all in Decimal."""
    t = {k: D(v) for k, v in payroll["totals"].items()}
    assert t["tax_debit"] == t["employee_taxes"] + t["employer_taxes"]  # I1
    debits = t["net_pay_debit"] + t["tax_debit"] + t["reimbursement_debit"] + t["child_support_debit"]
    assert t["company_debit"] == debits  # I2
    on_checks = sum(
        (D(x["amount"]) for r in rows if r["payment_method"] == "Check" for x in r["reimbursements"]), D(0)
    )
    assert t["net_pay"] + on_checks == t["net_pay_debit"] + t["check_amount"]  # I3, check = net + reimbursements
    assert t["gross_pay"] == (
        t["net_pay"] + t["employee_taxes"] + t["employee_benefits_deductions"] + t["other_deductions"]
    )  # I4 (no cash tips generated)

    def total(fn: Any) -> Decimal:
        return sum((D(str(x)) for r in rows for x in fn(r)), D(0))

    assert total(lambda r: [r["gross_pay"]]) == t["gross_pay"]  # I5, per category
    assert total(lambda r: [r["net_pay"]]) == t["net_pay"]
    assert total(lambda r: [x["amount"] for x in r["taxes"] if not x["employer"]]) == t["employee_taxes"]
    company = sum((D(x["amount"]) for x in payroll.get("company_taxes") or []), D(0))
    assert total(lambda r: [x["amount"] for x in r["taxes"] if x["employer"]]) + company == t["employer_taxes"]
    assert total(lambda r: [b["employee_deduction"] for b in r["benefits"]]) == t["employee_benefits_deductions"]
    assert total(lambda r: [b["company_contribution"] for b in r["benefits"]]) == t["benefits"]
    assert total(lambda r: [d["amount"] for d in r["deductions"]]) == t["other_deductions"]
    assert total(lambda r: [x["amount"] for x in r["reimbursements"]]) == t["reimbursements"]
    for r in rows:  # PTO comes as hours only: its pay is the part of gross no compensation line itemizes
        earned = sum((D(x["amount"]) for x in r["hourly_compensations"] + r["fixed_compensations"]), D(0))
        unitemized = D(str(r["gross_pay"])) - earned
        assert unitemized == 0 or (unitemized * D(str(r["gross_pay"])) > 0 and r["paid_time_off"])
        assert all("amount" not in x for x in r["paid_time_off"])
    for r in rows:  # per employee: net = gross - employee taxes - benefit deductions - deductions
        ee = sum((D(str(x["amount"])) for x in r["taxes"] if not x["employer"]), D(0))
        ben = sum((D(str(b["employee_deduction"])) for b in r["benefits"]), D(0))
        ded = sum((D(str(d["amount"])) for d in r["deductions"]), D(0))
        assert D(str(r["net_pay"])) == D(str(r["gross_pay"])) - ee - ben - ded
        reimbursed = sum((D(x["amount"]) for x in r["reimbursements"]), D(0))
        assert D(str(r["check_amount"])) == D(str(r["net_pay"])) + reimbursed


def test_default_list_is_processed_regular_last_six_months(gusto_sandbox: GustoSandbox) -> None:
    """Defaults hide unprocessed, off-cycle and older-than-6-months payrolls; explicit filters find them."""
    sb = gusto_sandbox
    today = sb.world.today
    with sb.client() as c:
        default = _payrolls(c, sb).json()
        wide = _payrolls(c, sb, start_date=str(today - timedelta(days=250)), end_date=str(today)).json()
        by_check = _payrolls(
            c, sb, payroll_types="regular,off_cycle", date_filter_by="check_date", processing_statuses="processed"
        ).json()
        offcycle_by_period = _payrolls(c, sb, payroll_types="regular,off_cycle").json()
    assert default and all(p["processed"] and not p["off_cycle"] for p in default)
    assert min(p["pay_period"]["start_date"] for p in default) >= str(today - timedelta(days=186))
    assert len(wide) > len(default)  # history goes back further than six months
    bonus = [p for p in by_check if p["off_cycle"]]
    assert len(bonus) == 1 and bonus[0]["off_cycle_reason"] == "Bonus"
    assert not any(p["off_cycle"] for p in offcycle_by_period)  # hidden under the pay-period filter


def test_list_rejects_bad_ranges_and_empties_unknown_enums(gusto_sandbox: GustoSandbox) -> None:
    """Range over a year, end_date too far ahead, check-date filter on unprocessed: 422; unknown enum: []."""
    sb = gusto_sandbox
    today = sb.world.today
    with sb.client() as c:
        too_long = _payrolls(c, sb, start_date=str(today - timedelta(days=400)), end_date=str(today))
        too_far = _payrolls(c, sb, end_date=str(today + timedelta(days=120)))
        unprocessed_by_check = _payrolls(c, sb, date_filter_by="check_date", processing_statuses="unprocessed")
        unknown = _payrolls(c, sb, payroll_types="weekly")
    for response in (too_long, too_far, unprocessed_by_check):
        assert response.status_code == 422 and response.json()["errors"][0]["category"] == "invalid_parameter"
    assert unknown.status_code == 200 and unknown.json() == []


def test_payroll_list_is_always_paged_and_capped_at_100(gusto_sandbox: GustoSandbox) -> None:
    """Payroll lists carry page headers even without page, and per is capped at 100."""
    sb = gusto_sandbox
    with sb.client() as c:
        plain = c.get(f"/v1/companies/{sb.company_uuid}/payrolls")
        big = c.get(f"/v1/companies/{sb.company_uuid}/payrolls", params={"per": 500})
    assert plain.headers["X-Per-Page"] == "25" and plain.headers["X-Page"] == "1"
    assert big.headers["X-Per-Page"] == "100"


def test_single_payroll_pages_compensations_and_totals_tie_out(make_gusto_sandbox: SandboxFactory) -> None:
    """employee_compensations are paged (default 25); walking all pages gives rows that sum to the totals."""
    sb = make_gusto_sandbox(employees=90)
    with sb.client() as c:
        latest = _payrolls(c, sb).json()[-1]
        path = f"/v1/companies/{sb.company_uuid}/payrolls/{latest['uuid']}"
        first = c.get(path, params={"include": "benefits,taxes"})
        pages = int(first.headers["X-Total-Pages"])
        rows = [
            r
            for n in range(1, pages + 1)
            for r in c.get(path, params={"include": "benefits,taxes", "page": n}).json()["employee_compensations"]
        ]
    assert first.headers["X-Per-Page"] == "25" and len(first.json()["employee_compensations"]) == 25
    assert pages >= 2 and len(rows) == int(first.headers["X-Total-Count"])
    check_identities(first.json(), rows)
    jobs = {x["job_uuid"] for r in rows for x in r["hourly_compensations"]}
    known = {j.uuid for e in sb.world.employees for j in e.jobs}
    assert jobs <= known  # every earning line names a real job, so wages can be split by job


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(min_value=0, max_value=10_000), which=st.integers(min_value=0, max_value=40))
def test_totals_identities_hold_for_any_seed(seed: int, which: int) -> None:
    """For any seed and any processed payroll, the JSON totals and rows satisfy I1-I5 to the cent."""
    world = generate_world(seed=seed, employees=15, history_months=4)
    processed = [p for p in world.payrolls if p.processed]
    payroll = processed[which % len(processed)]
    body = payroll_json(world, payroll, {"taxes"}, show=True)
    rows = [
        employee_compensation_json(payroll, r, {"benefits", "taxes"}, "string")
        for r in payroll_pay(world, payroll)
    ]
    check_identities(body, rows)


def test_general_ledger_report_is_pending_then_balanced(gusto_sandbox: GustoSandbox) -> None:
    """POST returns a request_uuid; the report is pending once, then its download balances and ties out."""
    sb = gusto_sandbox
    with sb.client() as c:
        payroll = _payrolls(c, sb, include="totals").json()[-1]
        bad = c.post(f"/v1/payrolls/{payroll['uuid']}/reports/general_ledger", json={"aggregation": "integration"})
        assert bad.status_code == 422
        made = c.post(f"/v1/payrolls/{payroll['uuid']}/reports/general_ledger", json={"aggregation": "default"})
        request_uuid = made.json()["request_uuid"]
        assert made.json()["payroll_uuid"] == payroll["uuid"]
        first = c.get(f"/v1/reports/{request_uuid}").json()
        second = c.get(f"/v1/reports/{request_uuid}").json()
    assert first["status"] == "pending" and second["status"] == "succeeded"
    report = httpx.get(second["report_urls"][0]).json()  # presigned: no bearer token needed
    rows = report["data"][0]["rows"]
    debit = sum(D(r[2]) for r in rows if r[2] is not None)
    credit = sum(D(r[3]) for r in rows if r[3] is not None)
    assert debit == credit and debit > 0
    by_code = {r[0]: D(r[3] or r[2]) for r in rows}
    cash = by_code.get("DebitNetPay", D(0)) + by_code["DebitTax"] + by_code.get("DebitReimbursement", D(0))
    cash += by_code.get("Garnishment", D(0))
    assert cash == D(payroll["totals"]["company_debit"])
    assert httpx.get(second["report_urls"][0].split("?")[0] + "?key=wrong").status_code == 403


def test_reversal_negates_the_payroll_and_links_it(gusto_sandbox: GustoSandbox) -> None:
    """Reversing a payroll makes an off-cycle 'Reversal' run with negated totals, linked via include=reversals."""
    sb = gusto_sandbox
    original = next(p for p in reversed(sb.world.payrolls) if p.processed and not p.off_cycle)
    reversal = sb.sim.reverse_payroll(original.uuid)
    with sb.client() as c:
        path = f"/v1/companies/{sb.company_uuid}/payrolls"
        orig = c.get(f"{path}/{original.uuid}", params={"include": "reversals"}).json()
        rev = c.get(f"{path}/{reversal.uuid}").json()
    assert orig["reversal_payroll_uuids"] == [reversal.uuid]
    assert rev["off_cycle"] and rev["off_cycle_reason"] == "Reversal"
    for key, value in orig["totals"].items():
        assert D(rev["totals"][key]) == -D(value), key
