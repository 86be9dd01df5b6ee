"""docs/accounting.md §6-8 as data: itemized taxes, deferred taxes, benefits, deductions and owner's draw.

Written from Gusto's spec (``Payroll-Employee-Compensations-Type`` taxes/benefits/deductions,
``Payroll-Totals-Type`` ``deferred_payroll_taxes`` and ``owners_draw``), not from the sandbox.
"""

from __future__ import annotations

from typing import Any

from connector_assets_tests.ledger.accounting_examples import JA, JB, MAPPING_YAML, A, B, _comp, _payroll

TAXES_YAML = """taxes:
  by_name:
    "Social Security": {expense: "6100", liability: "2120"}
    "Medicare": {expense: "6110", liability: "2120"}
    "FUTA": {expense: "6120", liability: "2130"}
    "Federal Income Tax": {liability: "2100"}
  default: {expense: "6140", liability: "2140"}
  receivable: "1200"
  deferred: "2150"
"""
ITEMIZED_YAML = MAPPING_YAML + TAXES_YAML
BENEFITS_YAML = (
    MAPPING_YAML.replace(
        '  deductions: "2410"\n', '  deductions: "2410"\n  garnishments: "2400"\n  owners_draw: "3100"\n'
    )
    + """benefits:
  "Medical Insurance": {expense: "6200", liability: "2300"}
  "401K": {expense: "6210", liability: "2310"}
"""
)


def _taxes(fit: float, wages: float, sui: float) -> list[dict[str, Any]]:
    ss, medicare, futa = round(wages * 0.062, 2), round(wages * 0.0145, 2), round(wages * 0.006, 2)
    return [{"name": "Federal Income Tax", "employer": False, "amount": fit},
            {"name": "Social Security", "employer": False, "amount": ss},
            {"name": "Medicare", "employer": False, "amount": medicare},
            {"name": "Social Security", "employer": True, "amount": ss},
            {"name": "Medicare", "employer": True, "amount": medicare},
            {"name": "FUTA", "employer": True, "amount": futa},
            {"name": "CA SUI", "employer": True, "amount": sui}]  # fmt: skip


def itemized_payroll() -> dict[str, Any]:
    """Example 6: A and B with federal, FICA, FUTA and CA SUI taxes, and a negative MO company tax."""
    a = _comp(A, "Direct Deposit", "3000.00", "2470.50", "2470.50",
              fixed_compensations=[{"name": "Regular", "amount": "3000.00", "job_uuid": JA}],
              taxes=_taxes(300.0, 3000.0, 102.0))  # fmt: skip
    b = _comp(B, "Direct Deposit", "1000.00", "823.50", "823.50",
              hourly_compensations=[{"name": "Regular Hours", "hours": "40.000", "amount": "1000.00", "job_uuid": JB}],
              taxes=_taxes(100.0, 1000.0, 34.0))  # fmt: skip
    totals = {"gross_pay": "4000.00", "net_pay": "3294.00", "employee_taxes": "706.00", "employer_taxes": "465.08",
              "tax_debit": "1171.08", "net_pay_debit": "3294.00", "check_amount": "0.00",
              "reimbursement_debit": "0.00", "child_support_debit": "0.00", "company_debit": "4465.08",
              "deferred_payroll_taxes": "0.00"}  # fmt: skip
    taxes = [{"name": "MO Compensation Deduction", "amount": "-0.92", "employer": True}]
    return _payroll("p6-itemized", totals, [a, b], company_taxes=taxes)


ITEMIZED_LINES = [
    ("6010", "200", 300_000, 0),
    ("6010", "300", 100_000, 0),
    ("6100", "200", 18_600, 0),
    ("6100", "300", 6_200, 0),
    ("6110", "200", 4_350, 0),
    ("6110", "300", 1_450, 0),
    ("6120", "200", 1_800, 0),
    ("6120", "300", 600, 0),
    ("6140", "200", 10_131, 0),
    ("6140", "300", 3_377, 0),
    ("1090", None, 0, 329_400),
    ("1200", None, 92, 0),
    ("2100", None, 0, 40_000),
    ("2120", None, 0, 61_200),
    ("2130", None, 0, 2_400),
    ("2140", None, 0, 13_600),
]
CONSOLIDATED_LINES = [
    ("6010", "200", 300_000, 0),
    ("6010", "300", 100_000, 0),
    ("6100", "200", 34_881, 0),
    ("6100", "300", 11_627, 0),
    ("1090", None, 0, 329_400),
    ("1091", None, 0, 117_108),
]


def deferred_payroll() -> dict[str, Any]:
    """Example 7: A's employer Social Security (186.00) is deferred: owed, not in the tax debit."""
    a = _comp(A, "Direct Deposit", "3000.00", "2514.00", "2514.00",
              fixed_compensations=[{"name": "Regular", "amount": "3000.00", "job_uuid": JA}],
              taxes=[{"name": "Federal Income Tax", "employer": False, "amount": 300.0},
                     {"name": "Social Security", "employer": False, "amount": 186.0},
                     {"name": "Social Security", "employer": True, "amount": 186.0}])  # fmt: skip
    totals = {"gross_pay": "3000.00", "net_pay": "2514.00", "employee_taxes": "486.00", "employer_taxes": "186.00",
              "deferred_payroll_taxes": "186.00", "tax_debit": "486.00", "net_pay_debit": "2514.00",
              "check_amount": "0.00", "reimbursement_debit": "0.00", "child_support_debit": "0.00",
              "company_debit": "3000.00"}  # fmt: skip
    return _payroll("p7-deferred", totals, [a])


DEFERRED_LINES = [
    ("6010", "200", 300_000, 0),
    ("6100", "200", 18_600, 0),
    ("1090", None, 0, 251_400),
    ("1091", None, 0, 48_600),
    ("2150", None, 0, 18_600),
]


def benefits_payroll() -> dict[str, Any]:
    """Example 8: A's two benefits, a charitable donation and a garnishment; B's owner's draw."""
    a = _comp(A, "Direct Deposit", "3000.00", "2225.00", "2225.00",
              fixed_compensations=[{"name": "Regular", "amount": "3000.00", "job_uuid": JA}],
              taxes=[{"name": "Federal Income Tax", "employer": False, "amount": 300.0}],
              benefits=[{"name": "Medical Insurance", "employee_deduction": "100.00", "company_contribution": "400.00",
                         "imputed": False},
                        {"name": "401K", "employee_deduction": "150.00", "company_contribution": "120.00",
                         "imputed": False}],
              deductions=[{"name": "Charitable Donation", "amount": 25.0},
                          {"name": "Student Loan Garnishment", "amount": 200.0}])  # fmt: skip
    b = _comp(B, "Direct Deposit", "0.00", "2000.00", "2000.00",
              fixed_compensations=[{"name": "Owner's Draw", "amount": "2000.00", "job_uuid": JB}])  # fmt: skip
    totals = {"gross_pay": "3000.00", "net_pay": "4225.00", "employee_taxes": "300.00", "employer_taxes": "0.00",
              "benefits": "520.00", "employee_benefits_deductions": "250.00", "owners_draw": "2000.00",
              "other_deductions": "225.00", "tax_debit": "300.00", "net_pay_debit": "4225.00",
              "check_amount": "0.00", "reimbursement_debit": "0.00", "child_support_debit": "0.00",
              "company_debit": "4525.00"}  # fmt: skip
    return _payroll("p8-benefits", totals, [a, b])


BENEFITS_LINES = [
    ("6010", "200", 300_000, 0),
    ("6200", "200", 40_000, 0),
    ("6210", "200", 12_000, 0),
    ("3100", None, 200_000, 0),
    ("1090", None, 0, 422_500),
    ("1091", None, 0, 30_000),
    ("2300", None, 0, 50_000),
    ("2310", None, 0, 27_000),
    ("2400", None, 0, 20_000),
    ("2410", None, 0, 2_500),
]
