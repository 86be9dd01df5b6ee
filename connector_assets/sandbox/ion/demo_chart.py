"""A small payroll chart of accounts and cost centres for tests and the demo (about 40 accounts)."""

from __future__ import annotations

from typing import Any

_ACCOUNTS = [
    ("1000", "Operating Cash", "A"), ("1010", "Payroll Cash", "A"), ("1200", "Employee Advances", "A"),
    ("1300", "Prepaid Benefits", "A"),
    ("2100", "Net Pay Clearing", "L"), ("2110", "Federal Income Tax Withheld", "L"),
    ("2120", "State Income Tax Withheld", "L"), ("2130", "Local Income Tax Withheld", "L"),
    ("2140", "Social Security Payable", "L"), ("2150", "Medicare Payable", "L"),
    ("2160", "FUTA Payable", "L"), ("2170", "SUTA Payable", "L"), ("2180", "401k Employee Deferral Payable", "L"),
    ("2185", "401k Employer Match Payable", "L"), ("2190", "Health Insurance Payable", "L"),
    ("2195", "Dental Insurance Payable", "L"), ("2200", "Vision Insurance Payable", "L"),
    ("2210", "HSA Contributions Payable", "L"), ("2220", "FSA Contributions Payable", "L"),
    ("2230", "Garnishments Payable", "L"), ("2240", "Child Support Payable", "L"),
    ("2250", "Accrued Wages", "L"), ("2260", "Accrued PTO", "L"), ("2270", "Reimbursements Payable", "L"),
    ("6000", "Wages Regular", "E"), ("6010", "Wages Overtime", "E"), ("6020", "Wages Double Overtime", "E"),
    ("6030", "Bonus", "E"), ("6040", "Commission", "E"), ("6050", "Paid Time Off", "E"),
    ("6060", "Holiday Pay", "E"), ("6070", "Sick Pay", "E"), ("6100", "Employer Social Security", "E"),
    ("6110", "Employer Medicare", "E"), ("6120", "Employer FUTA", "E"), ("6130", "Employer SUTA", "E"),
    ("6200", "Employer Health Insurance", "E"), ("6210", "Employer Dental Insurance", "E"),
    ("6220", "Employer 401k Match", "E"), ("6300", "Expense Reimbursements", "E"),
    ("6900", "Payroll Suspense (blocked)", "E"),
]  # fmt: skip

_COST_CENTERS = [
    ("CC100", "Administration"),
    ("CC200", "Engineering"),
    ("CC300", "Sales"),
    ("CC400", "Operations"),
    ("CC500", "Customer Support"),
]


def default_accounts() -> list[dict[str, Any]]:
    """The demo chart; 6900 is blocked so tests can see a blocked account."""
    return [
        {"code": code, "name": name, "type": kind, "group": "PAYROLL", "blocked": code == "6900"}
        for code, name, kind in _ACCOUNTS
    ]


def default_cost_centers() -> list[dict[str, Any]]:
    """Cost centres CC100..CC500."""
    return [{"code": code, "name": name} for code, name in _COST_CENTERS]
