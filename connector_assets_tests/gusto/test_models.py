"""Typed models parse Gusto's documented payloads exactly and keep the raw JSON."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from connector_assets.gusto.models import Employee, Event, PaySchedule, TokenInfo
from connector_assets.gusto.parsing import GustoParseError, cents, money
from connector_assets.gusto.payroll import Payroll

# Abridged from the reference (gusto-api.md §5.3, the spec's Employee example).
EMPLOYEE = {
    "uuid": "d7282d99-ab6b-42f5-ba45-f4a670e886a8", "first_name": "Boaty", "middle_initial": None,
    "last_name": "Koss", "company_uuid": "e904cc79-818a-4da8-9d37-0be0a86fdda8",
    "version": "a5cec1f1c0135feb3e76ca6ea3c46176", "current_employment_status": "full_time",
    "onboarding_status": "onboarding_completed", "onboarded": True, "department_uuid": None, "department": None,
    "employee_code": "46f036", "payment_method": "Direct Deposit", "terminated": False,
    "jobs": [{"uuid": "bc875f9d-adc5-40f6-99db-ed8470bda25f", "version": "863bcd01c51fcfa2468d604cffec7413",
              "employee_uuid": "d7282d99-ab6b-42f5-ba45-f4a670e886a8", "primary": True, "title": "",
              "hire_date": "2024-06-09", "current_compensation_uuid": "2ec164d0-808b-446c-8120-8cfb500945d0",
              "rate": "80000.00", "payment_unit": "Year",
              "compensations": [{"uuid": "2ec164d0-808b-446c-8120-8cfb500945d0",
                                 "version": "db7bfb49a4f0893432cb562311bfcad9",
                                 "job_uuid": "bc875f9d-adc5-40f6-99db-ed8470bda25f",
                                 "employee_uuid": "d7282d99-ab6b-42f5-ba45-f4a670e886a8", "rate": "80000.00",
                                 "payment_unit": "Year", "flsa_status": "Exempt", "effective_date": "2025-06-09",
                                 "adjust_for_minimum_wage": False, "minimum_wages": []}]}],
    "terminations": [{"uuid": "da441196-43a9-4d23-ad5d-f37ce6bb99c0",
                      "employee_uuid": "d7282d99-ab6b-42f5-ba45-f4a670e886a8",
                      "version": "d487dd0b55dfcacdd920ccbdaeafa351", "active": True, "cancelable": False,
                      "effective_date": "2024-01-15", "run_termination_payroll": False}],
    "custom_fields": [{"id": "ee515986-f3ca-49da-b576-2691b95262f9",
                       "company_custom_field_id": "ea7e5d57-6abb-47d7-b654-347c142886c0",
                       "name": "cost_center", "type": "text", "value": "200", "selection_options": None}],
    "garnishments": [], "eligible_paid_time_off": [], "ssn": "", "has_ssn": True,
}  # fmt: skip

# The spec's "Processed" payroll example, trimmed (gusto-api.md §6.2), with money as strings and numbers.
PAYROLL = {
    "payroll_uuid": "b50e611d-8f3d-4f24-b001-46675f7b5777", "company_uuid": "6bf7807c-a5a0-4f4d-b2e7-3fbb4b2299fb",
    "check_date": "2021-02-22", "payroll_deadline": "2021-02-18T22:00:00Z", "processed": True,
    "processed_date": "2021-02-18", "calculated_at": "2021-02-18T12:00:00Z", "off_cycle": False, "external": False,
    "pay_period": {"start_date": "2021-02-01", "end_date": "2021-02-15",
                   "pay_schedule_uuid": "00ebc4a4-ec88-4435-8f45-c505bb63e501"},
    "totals": {"company_debit": "121747.71", "net_pay_debit": "79283.80", "tax_debit": "42463.91",
               "gross_pay": "130635.89", "employer_taxes": "6917.19", "employee_taxes": "35546.72"},
    "employee_compensations": [{
        "employee_uuid": "187412e1-3dbe-491a-bb2f-2f40323a7067", "excluded": False, "gross_pay": 2791.25,
        "net_pay": "1953.31", "check_amount": "1953.31", "payment_method": "Direct Deposit",
        "fixed_compensations": [{"name": "Bonus", "amount": "100.00", "job_uuid": "94e0d15e"}],
        "hourly_compensations": [{"name": "Overtime", "hours": "15.000", "amount": "0.10", "job_uuid": "9d3760f0",
                                  "compensation_multiplier": 1.5, "flsa_status": "Nonexempt"}],
        "benefits": [{"name": "401K", "employee_deduction": "100.00", "company_contribution": "50.00",
                      "imputed": False}],
        "deductions": [{"name": "Child Support", "amount": "80.00"}],
        "taxes": [{"name": "Federal Income Tax", "employer": False, "amount": 646.69},
                  {"name": "Social Security", "employer": True, "amount": "191.25"}]}],
    "processing_request": {"status": "submit_success", "errors": []},
    "a_field_from_a_newer_version": {"kept": True},
}  # fmt: skip


def test_money_is_exact_from_strings_and_numbers() -> None:
    """Numbers typed as JSON floats parse to the decimal their text shows, never a binary float."""
    assert money(0.1) == Decimal("0.1")
    assert money("2791.25") == Decimal("2791.25")
    assert money(646.69) + money("0.31") == Decimal("647.00")  # type: ignore[operator]
    assert money(None) is None and money("") is None
    assert cents(money("1953.31")) == 195331


def test_money_rejects_nonsense_and_sub_cent_amounts() -> None:
    """A boolean, text or fraction of a cent is a parse error that names the field."""
    with pytest.raises(GustoParseError, match="gross_pay"):
        money(True, "gross_pay")
    with pytest.raises(GustoParseError, match="not a decimal"):
        money("12,50")
    with pytest.raises(GustoParseError, match="fractions of a cent"):
        cents(Decimal("0.005"))


def test_employee_with_jobs_compensations_terminations_and_custom_fields() -> None:
    """The spec's employee example yields typed jobs, compensations, terminations and custom fields."""
    employee = Employee.from_api(EMPLOYEE)
    job = employee.primary_job
    assert job is not None and job.rate == Decimal("80000.00") and job.hire_date == date(2024, 6, 9)
    assert job.compensations[0].flsa_status == "Exempt"
    assert job.compensations[0].effective_date == date(2025, 6, 9)
    assert employee.terminations[0].effective_date == date(2024, 1, 15)
    assert employee.custom_field("Cost_Center") == "200"
    assert employee.raw["has_ssn"] is True


def test_payroll_totals_and_employee_lines_parse_exactly() -> None:
    """Totals, earnings, benefits, deductions and taxes come out as Decimals, string or number in the JSON."""
    payroll = Payroll.from_api(PAYROLL)
    assert payroll.uuid == "b50e611d-8f3d-4f24-b001-46675f7b5777"
    assert payroll.totals is not None and payroll.totals.company_debit == Decimal("121747.71")
    assert payroll.totals.company_debit == payroll.totals.net_pay_debit + payroll.totals.tax_debit  # type: ignore[operator]
    row = payroll.employee_compensations[0]
    assert row.gross_pay == Decimal("2791.25")
    assert [(e.kind, e.name, e.amount) for e in row.earnings] == [
        ("fixed", "Bonus", Decimal("100.00")),
        ("hourly", "Overtime", Decimal("0.10")),
    ]
    assert row.earnings[1].compensation_multiplier == Decimal("1.5")
    assert row.benefits[0].company_contribution == Decimal("50.00")
    assert row.deductions[0].amount == Decimal("80.00")
    assert [(t.employer, t.amount) for t in row.taxes] == [(False, Decimal("646.69")), (True, Decimal("191.25"))]


def test_payroll_keeps_unknown_fields_in_raw() -> None:
    """Fields the model does not know survive in `raw` for the audit trail; `raw` is not in the repr."""
    payroll = Payroll.from_api(PAYROLL)
    assert payroll.raw["a_field_from_a_newer_version"] == {"kept": True}
    assert "a_field_from_a_newer_version" not in repr(payroll)


def test_off_cycle_payroll_without_pay_period() -> None:
    """An off-cycle bonus run without a pay period or totals parses, and says it is off-cycle."""
    payroll = Payroll.from_api({"uuid": "p1", "off_cycle": True, "off_cycle_reason": "Bonus", "processed": True,
                                "check_date": "2025-03-07", "totals": None})  # fmt: skip
    assert payroll.payroll_type == "off_cycle" and payroll.pay_period is None and payroll.totals is None


def test_pay_schedule_reads_auto_payroll_or_legacy_auto_pilot() -> None:
    """Versions before 2025-11-15 call the flag auto_pilot; both spellings are read."""
    assert PaySchedule.from_api({"uuid": "s", "auto_pilot": True}).auto_payroll is True
    assert PaySchedule.from_api({"uuid": "s", "auto_payroll": False, "auto_pilot": True}).auto_payroll is False


def test_event_and_token_info() -> None:
    """Thin events and token info parse per the spec's examples."""
    event = Event.from_api({"uuid": "f7397a24", "event_type": "payroll.processed", "resource_type": "Company",
                            "resource_uuid": "c1", "entity_type": "Payroll", "entity_uuid": "p1",
                            "timestamp": 1671058841})  # fmt: skip
    assert (event.entity_type, event.timestamp) == ("Payroll", 1671058841)
    info = TokenInfo.from_api({"scope": "companies:read public", "resource": {"type": "Company", "uuid": "c1"},
                               "resource_owner": {"type": "CompanyAdmin", "uuid": "a1"}})  # fmt: skip
    assert info.company_uuid == "c1"
    system = TokenInfo.from_api({"scope": "", "resource": {"type": "Oauth::Application", "uuid": "app"},
                                 "resource_owner": None})  # fmt: skip
    assert system.company_uuid is None
