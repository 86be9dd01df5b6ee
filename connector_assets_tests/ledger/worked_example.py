"""The worked example of payroll-accounting.md §3 as data: payroll, employees, mapping, expected journal."""

from __future__ import annotations

from typing import Any

E1 = "11111111-1111-4111-8111-111111111111"
E2 = "22222222-2222-4222-8222-222222222222"
J1 = "aaaaaaaa-0000-4000-8000-000000000001"
J2 = "aaaaaaaa-0000-4000-8000-000000000002"
PAYROLL_UUID = "b50e611d-8f3d-4f24-b001-46675f7b5777"

MAPPING_YAML = f"""
defaults:
  regular: {{account: "6010"}}
  overtime: {{account: "6015"}}
  bonus: {{account: "6020"}}
  employer_tax: {{account: "6100"}}
  employer_benefit: {{account: "6200"}}
  reimbursement: {{account: "6300"}}
credits:
  net_pay_direct_deposit: "1090"
  net_pay_check: "2010"
  taxes: "1090"
  benefits: "2300"
  deductions: "2400"
  reimbursement_clearing: "1090"
  deductions_by_name: {{"Child Support": "1090"}}
departments:
  Engineering: {{cost_center: "200"}}
  Operations: {{cost_center: "300"}}
splits:
  - employee: {E2}
    cost_centers: {{"300": 60, "400": 40}}
"""


def payroll() -> dict[str, Any]:
    """E1 salaried in Engineering (direct deposit); E2 hourly, split 60/40, paid by check."""
    return {
        "payroll_uuid": PAYROLL_UUID,
        "uuid": PAYROLL_UUID,
        "company_uuid": "6bf7807c-a5a0-4f4d-b2e7-3fbb4b2299fb",
        "check_date": "2025-03-14",
        "processed": True,
        "off_cycle": False,
        "pay_period": {"start_date": "2025-03-01", "end_date": "2025-03-07", "pay_schedule_uuid": "ps"},
        "payroll_status_meta": {"expected_debit_time": "2025-03-12T23:00:00Z"},
        "totals": {
            "company_debit": "7415.00", "net_pay_debit": "4500.00", "tax_debit": "2565.00",
            "reimbursement_debit": "150.00", "child_support_debit": "200.00", "reimbursements": "150.00",
            "net_pay": "7400.00", "gross_pay": "10000.00", "employee_bonuses": "1000.00",
            "employee_commissions": "0.00", "employee_cash_tips": "0.00", "employee_paycheck_tips": "0.00",
            "check_amount": "2900.00", "employer_taxes": "765.00", "employee_taxes": "1800.00",
            "benefits": "400.00", "employee_benefits_deductions": "600.00", "imputed_pay": "0.00",
        },
        "employee_compensations": [
            {
                "employee_uuid": E1, "excluded": False, "gross_pay": "6000.00", "net_pay": "4500.00",
                "check_amount": "4650.00", "payment_method": "Direct Deposit",
                "fixed_compensations": [{"name": "Bonus", "amount": "1000.00", "job_uuid": J1}],
                "hourly_compensations": [{"name": "Regular Hours", "hours": "80.000", "amount": "5000.00",
                                          "job_uuid": J1, "compensation_multiplier": 1}],
                "paid_time_off": [],
                "reimbursements": [{"amount": "150.00", "description": "Travel"}],
                "taxes": [{"name": "Federal Income Tax", "employer": False, "amount": 1100.0},
                          {"name": "Social Security", "employer": True, "amount": "372.00"},
                          {"name": "Medicare", "employer": True, "amount": "87.00"}],
                "benefits": [{"name": "Medical", "employee_deduction": "400.00",
                              "company_contribution": "250.00", "imputed": False}],
                "deductions": [],
            },
            {
                "employee_uuid": E2, "excluded": False, "gross_pay": "4000.00", "net_pay": "2900.00",
                "check_amount": "2900.00", "payment_method": "Check",
                "fixed_compensations": [],
                "hourly_compensations": [
                    {"name": "Regular Hours", "hours": "140.000", "amount": "3500.00", "job_uuid": J2},
                    {"name": "Overtime", "hours": "13.333", "amount": "500.00", "job_uuid": J2},
                ],
                "reimbursements": [],
                "taxes": [{"name": "Federal Income Tax", "employer": False, "amount": "700.00"},
                          {"name": "Social Security", "employer": True, "amount": "248.00"},
                          {"name": "Medicare", "employer": True, "amount": "58.00"}],
                "benefits": [{"name": "Medical", "employee_deduction": "200.00",
                              "company_contribution": "150.00", "imputed": False}],
                "deductions": [{"name": "Child Support", "amount": 200}],
            },
        ],
    }  # fmt: skip


def employees() -> list[dict[str, Any]]:
    """Gusto employee JSON for E1 and E2."""
    return [
        {"uuid": E1, "first_name": "Ada", "last_name": "One", "department": "Engineering",
         "department_uuid": "d-eng", "payment_method": "Direct Deposit", "terminated": False,
         "jobs": [{"uuid": J1, "title": "Engineer", "primary": True, "rate": "120000.00", "payment_unit": "Year"}]},
        {"uuid": E2, "first_name": "Bo", "last_name": "Two", "department": "Operations",
         "department_uuid": "d-ops", "payment_method": "Check", "terminated": False,
         "jobs": [{"uuid": J2, "title": "Technician", "primary": True, "rate": "25.00", "payment_unit": "Hour"}]},
    ]  # fmt: skip


# (account, cost center, debit cents, credit cents) in journal line order.
EXPECTED_LINES = [
    ("6010", "200", 500000, 0),
    ("6010", "300", 210000, 0),
    ("6010", "400", 140000, 0),
    ("6015", "300", 30000, 0),
    ("6015", "400", 20000, 0),
    ("6020", "200", 100000, 0),
    ("6100", "200", 45900, 0),
    ("6100", "300", 18360, 0),
    ("6100", "400", 12240, 0),
    ("6200", "200", 25000, 0),
    ("6200", "300", 9000, 0),
    ("6200", "400", 6000, 0),
    ("6300", "200", 15000, 0),
    ("1090", None, 0, 450000),
    ("2010", None, 0, 290000),
    ("1090", None, 0, 256500),
    ("2300", None, 0, 100000),
    ("1090", None, 0, 20000),
    ("1090", None, 0, 15000),
]
