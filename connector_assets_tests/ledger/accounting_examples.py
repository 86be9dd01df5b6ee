"""The worked examples of docs/accounting.md as data, written from Gusto's spec (not from the sandbox).

Shapes: ``Payroll-Employee-Compensations-Base-Type`` (PTO as hours only, ``check_amount`` = net pay +
reimbursements), ``Payroll-Totals-Type`` and ``Payroll-Company-Taxes-Type``.
"""

from __future__ import annotations

from typing import Any

A = "aaaaaaaa-1111-4111-8111-111111111111"  # Engineering, salaried
B = "bbbbbbbb-2222-4222-8222-222222222222"  # Operations, hourly
C = "cccccccc-3333-4333-8333-333333333333"  # Engineering, paid by check
JA, JB, JC = (f"{x * 8}-0000-4000-8000-000000000001" for x in "def")

MAPPING_YAML = """
defaults:
  regular: {account: "6010", cost_center: "100"}
  pto: {account: "6017", cost_center: "100"}
  employer_tax: {account: "6100", cost_center: "100"}
  reimbursement: {account: "6310", cost_center: "100"}
credits:
  net_pay_direct_deposit: "1090"
  net_pay_check: "2010"
  taxes: "1091"
  benefits: "2300"
  deductions: "2410"
  reimbursement_clearing: "1092"
  deductions_by_name: {"Child Support": "1093"}
departments:
  Engineering: {cost_center: "200"}
  Operations: {cost_center: "300"}
"""


def employees() -> list[dict[str, Any]]:
    """Gusto employee JSON of A, B and C."""

    def emp(uuid: str, dept: str, job: str, rate: str, unit: str) -> dict[str, Any]:
        return {"uuid": uuid, "department": dept, "department_uuid": None,
                "jobs": [{"uuid": job, "title": "Staff", "primary": True, "rate": rate, "payment_unit": unit}]}  # fmt: skip

    return [emp(A, "Engineering", JA, "72000.00", "Year"), emp(B, "Operations", JB, "25.00", "Hour"),
            emp(C, "Engineering", JC, "52000.00", "Year")]  # fmt: skip


def _payroll(uuid: str, totals: dict[str, str], comps: list[dict[str, Any]], **more: Any) -> dict[str, Any]:
    return {"uuid": uuid, "payroll_uuid": uuid, "processed": True, "check_date": "2026-03-13",
            "off_cycle": False, "pay_period": {"start_date": "2026-03-01", "end_date": "2026-03-07"},
            "totals": totals, "employee_compensations": comps, **more}  # fmt: skip


def _comp(uuid: str, method: str, gross: str, net: str, check: str, **lists: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"employee_uuid": uuid, "excluded": False, "payment_method": method,
                            "gross_pay": gross, "net_pay": net, "check_amount": check, "fixed_compensations": [],
                            "hourly_compensations": [], "paid_time_off": [], "reimbursements": [], "taxes": [],
                            "benefits": [], "deductions": []}  # fmt: skip
    return base | lists


def pto_payroll() -> dict[str, Any]:
    """Example 1: B worked 60 h and took 20 h of vacation; Gusto prices the work, the vacation is hours only."""
    comp = _comp(
        B, "Direct Deposit", "2000.00", "1800.00", "1800.00",
        hourly_compensations=[{"name": "Regular Hours", "hours": "60.000", "amount": "1500.00", "job_uuid": JB,
                               "compensation_multiplier": 1.0, "flsa_status": "Nonexempt"}],
        paid_time_off=[{"name": "Vacation Hours", "hours": "20.000", "final_payout_unused_hours_input": None}],
        taxes=[{"name": "Federal Income Tax", "employer": False, "amount": 200.0},
               {"name": "Social Security", "employer": True, "amount": 124.0}],
    )  # fmt: skip
    totals = {"gross_pay": "2000.00", "net_pay": "1800.00", "employee_taxes": "200.00", "employer_taxes": "124.00",
              "tax_debit": "324.00", "net_pay_debit": "1800.00", "check_amount": "0.00",
              "reimbursement_debit": "0.00", "child_support_debit": "0.00", "company_debit": "2124.00"}  # fmt: skip
    return _payroll("p1-pto", totals, [comp])


PTO_LINES = [
    ("6010", "300", 150_000, 0),
    ("6017", "300", 50_000, 0),
    ("6100", "300", 12_400, 0),
    ("1090", None, 0, 180_000),
    ("1091", None, 0, 32_400),
]


def company_tax_payroll() -> dict[str, Any]:
    """Example 2: NY MCTMT and a negative MO adjustment on top of A's and B's own taxes."""
    a = _comp(A, "Direct Deposit", "3000.00", "2700.00", "2700.00",
              fixed_compensations=[{"name": "Regular", "amount": "3000.00", "job_uuid": JA}],
              taxes=[{"name": "Federal Income Tax", "employer": False, "amount": 300.0},
                     {"name": "Social Security", "employer": True, "amount": 186.0}])  # fmt: skip
    b = _comp(B, "Direct Deposit", "1000.00", "900.00", "900.00",
              hourly_compensations=[{"name": "Regular Hours", "hours": "40.000", "amount": "1000.00", "job_uuid": JB}],
              taxes=[{"name": "Federal Income Tax", "employer": False, "amount": 100.0},
                     {"name": "Social Security", "employer": True, "amount": 62.0}])  # fmt: skip
    totals = {"gross_pay": "4000.00", "net_pay": "3600.00", "employee_taxes": "400.00", "employer_taxes": "260.68",
              "tax_debit": "660.68", "net_pay_debit": "3600.00", "check_amount": "0.00",
              "reimbursement_debit": "0.00", "child_support_debit": "0.00", "company_debit": "4260.68"}  # fmt: skip
    taxes = [{"name": "NY MCTMT", "amount": "13.60", "employer": True},
             {"name": "MO Compensation Deduction", "amount": "-0.92", "employer": True}]  # fmt: skip
    return _payroll("p2-company-taxes", totals, [a, b], company_taxes=taxes)


COMPANY_TAX_LINES = [
    ("6010", "200", 300_000, 0),
    ("6010", "300", 100_000, 0),
    ("6100", "200", 19_551, 0),
    ("6100", "300", 6_517, 0),
    ("1090", None, 0, 360_000),
    ("1091", None, 0, 66_068),
]


def cash_payroll() -> dict[str, Any]:
    """Example 5: C is paid by check with a reimbursement on the check; A by direct deposit with child support."""
    c = _comp(C, "Check", "1000.00", "900.00", "950.00",
              fixed_compensations=[{"name": "Regular", "amount": "1000.00", "job_uuid": JC}],
              reimbursements=[{"amount": "50.00", "description": "Mileage"}],
              taxes=[{"name": "Federal Income Tax", "employer": False, "amount": 100.0},
                     {"name": "Social Security", "employer": True, "amount": 62.0}])  # fmt: skip
    a = _comp(A, "Direct Deposit", "2000.00", "1700.00", "1730.00",
              fixed_compensations=[{"name": "Regular", "amount": "2000.00", "job_uuid": JA}],
              reimbursements=[{"amount": "30.00", "description": None}],
              deductions=[{"name": "Child Support", "amount": 100.0}],
              taxes=[{"name": "Federal Income Tax", "employer": False, "amount": 200.0},
                     {"name": "Social Security", "employer": True, "amount": 124.0}])  # fmt: skip
    totals = {"gross_pay": "3000.00", "net_pay": "2600.00", "employee_taxes": "300.00", "employer_taxes": "186.00",
              "tax_debit": "486.00", "net_pay_debit": "1700.00", "check_amount": "950.00", "reimbursements": "80.00",
              "reimbursement_debit": "30.00", "child_support_debit": "100.00", "company_debit": "2316.00",
              "other_deductions": "100.00"}  # fmt: skip
    return _payroll("p5-cash", totals, [c, a])


CASH_LINES = [
    ("6010", "200", 300_000, 0),
    ("6100", "200", 18_600, 0),
    ("6310", "200", 8_000, 0),
    ("1090", None, 0, 170_000),
    ("2010", None, 0, 95_000),
    ("1091", None, 0, 48_600),
    ("1093", None, 0, 10_000),
    ("1092", None, 0, 3_000),
]
