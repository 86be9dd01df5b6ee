"""Gusto's general-ledger report against the connector's journal, per family, on payroll-accounting's worked
example (two employees, three cost centres): a hand-written report shaped as gusto-api.md §6.4, figures by hand."""

from __future__ import annotations

from typing import Any

import pytest

from connector_assets.gusto.reports import GlReportShapeError, parse_gl_report
from connector_assets.ledger.gl_report import (
    UNATTRIBUTED,
    FamilyFigure,
    compare_report,
    connector_families,
    report_table,
)

PAYROLL = "b50e611d-8f3d-4f24-b001-46675f7b5777"
HEADERS = ["Account Type", "Account Description", "Job", "Debit", "Credit"]
# Block 0 as Gusto writes it: strings, one of debit/credit null. Codes beyond the documented seven are
# Gusto-like guesses: OvertimeWages and BonusWages are wages by their suffix, Garnishment is not compared.
ROWS: list[list[Any]] = [
    ["RegularWages", "Regular Wages", None, "8500.00", None],
    ["OvertimeWages", "Overtime", None, "500.00", None],
    ["BonusWages", "Bonus", None, "1000.00", None],
    ["EmployerTax", "Employer taxes", None, "765.00", None],
    ["BenefitCompanyContribution", "Company benefit contributions", None, "400.00", None],
    ["Reimbursement", "Reimbursements", None, "150.00", None],
    ["DebitNetPay", "Net pay debit", None, None, "4500.00"],
    ["EmployeePaymentCheck", "Net pay by check", None, None, "2900.00"],
    ["DebitTax", "Tax debit", None, None, "2565.00"],
    ["BenefitLiability", "Benefit liabilities", None, None, "1000.00"],
    ["Garnishment", "Child support", None, None, "200.00"],
    ["DebitReimbursement", "Reimbursement debit", None, None, "150.00"],
]
# The worked example's journal (payroll-accounting §2): (account, cost centre, signed cents, role).
JOURNAL = [
    ("6010", "200", 500000, "wages"), ("6020", "200", 100000, "wages"), ("6010", "300", 210000, "wages"),
    ("6010", "400", 140000, "wages"), ("6015", "300", 30000, "wages"), ("6015", "400", 20000, "wages"),
    ("6100", "200", 45900, "employer_taxes"), ("6100", "300", 18360, "employer_taxes"),
    ("6100", "400", 12240, "employer_taxes"), ("6200", "200", 25000, "employer_benefits"),
    ("6200", "300", 9000, "employer_benefits"), ("6200", "400", 6000, "employer_benefits"),
    ("6300", "200", 15000, "reimbursements"), ("1090", "", -450000, "net_pay_direct_deposit"),
    ("2010", "", -290000, "net_pay_check"), ("1091", "", -256500, "taxes"), ("2300", "", -100000, "benefits"),
    ("1093", "", -20000, "child_support"), ("1092", "", -15000, "reimbursement_clearing"),
]  # fmt: skip
BY_HAND = {  # family: (Gusto's report, the journal), cents on the family's natural side
    "wages": (1000000, 1000000),  # 8,500 + 500 + 1,000 = 5,000 + 1,000 + 2,100 + 1,400 + 300 + 200
    "employer_taxes": (76500, 76500),  # 459.00 + 183.60 + 122.40
    "company_benefits": (40000, 40000),  # 250 + 90 + 60
    "benefit_liability": (100000, 100000),  # 600 employee deductions + 400 company
    "net_pay_debit": (450000, 450000),
    "tax_debit": (256500, 256500),  # 1,800 employee + 765 employer
    "reimbursements": (15000, 15000),
    "reimbursement_debit": (15000, 15000),
    "net_pay_check": (290000, 290000),
}


def _report(headers: list[str] = HEADERS, rows: list[list[Any]] = ROWS) -> dict[str, Any]:
    return {
        "company_name": "Dibbert - Schoen",
        "ledger_description": "Ledger for Regular Payroll Feb 8 – Feb 21",  # noqa: RUF001 (Gusto's en dash)
        "check_date": "2025-02-28",
        "data": [{"headers": headers, "rows": rows}],
    }


def _rows(body: dict[str, Any]) -> list[tuple[str, int]]:
    return [(r.account_type, r.signed_cents) for r in parse_gl_report(PAYROLL, body).company_rows]


def test_the_report_agrees_with_the_journal_family_by_family() -> None:
    rows = _rows(_report())
    assert sum(c for _, c in rows) == 0  # the report balances: 11,315.00 each side
    comparison = compare_report(
        PAYROLL, rows, connector_families(JOURNAL, [(a, cc, c) for a, cc, c, _ in JOURNAL])
    )
    assert {f.family: (f.gusto_cents, f.connector_cents) for f in comparison.figures} == BY_HAND
    assert not comparison.differences
    # Garnishment is not a code we know: shown with its amount, never compared, never a failure.
    assert [n.describe() for n in comparison.not_compared] == [
        f"payroll {PAYROLL} Garnishment (-200.00): account type not known: not compared"
    ]


def test_an_edited_line_in_cloudsuite_is_the_exact_difference_of_its_family() -> None:
    held = [(a, cc, c + 1234 if (a, cc) == ("6010", "300") else c) for a, cc, c, _ in JOURNAL]
    comparison = compare_report(PAYROLL, _rows(_report()), connector_families(JOURNAL, held))
    assert comparison.differences == [FamilyFigure(PAYROLL, "wages", 1000000, 1001234)]
    assert report_table(comparison.differences).splitlines()[2:] == [
        f"| {PAYROLL} | wages | 10000.00 | 10012.34 | 12.34 |"
    ]
    # A credit family: 2.00 less credited on the tax debit is 2.00 short of Gusto's figure.
    held = [(a, cc, c + 200 if a == "1091" else c) for a, cc, c, _ in JOURNAL]
    (tax,) = compare_report(PAYROLL, _rows(_report()), connector_families(JOURNAL, held)).differences
    assert (tax.family, tax.gusto_cents, tax.connector_cents, tax.difference_cents) == (
        "tax_debit", 256500, 256300, -200,
    )  # fmt: skip


def test_an_account_of_two_families_takes_no_guess() -> None:
    """Net pay and the reimbursement debit cleared on one account: its sum agrees; an edit is unattributed."""
    shared = [(("1090" if a == "1092" else a), cc, c, role) for a, cc, c, role in JOURNAL]
    untouched = [(a, cc, c) for a, cc, c, _ in shared]
    assert not compare_report(PAYROLL, _rows(_report()), connector_families(shared, untouched)).differences
    first = next(i for i, line in enumerate(untouched) if line[0] == "1090")
    held = [(a, cc, c - 500 if i == first else c) for i, (a, cc, c) in enumerate(untouched)]
    differences = compare_report(PAYROLL, _rows(_report()), connector_families(shared, held)).differences
    assert differences == [FamilyFigure(PAYROLL, UNATTRIBUTED, 0, -500)]


def test_columns_are_found_by_header_name_in_any_order() -> None:
    order = [4, 3, 0, 2, 1]  # Credit, Debit, Account Type, Job, Account Description
    body = _report([HEADERS[i] for i in order], [[row[i] for i in order] for row in ROWS])
    assert _rows(body) == _rows(_report())


def test_an_unverified_family_the_report_does_not_name_is_not_compared() -> None:
    rows = [r for r in ROWS if r[0] != "EmployeePaymentCheck"]
    comparison = compare_report(PAYROLL, _rows(_report(rows=rows)), connector_families(JOURNAL))
    assert "net_pay_check" not in {f.family for f in comparison.figures}
    assert not comparison.differences
    assert (
        f"payroll {PAYROLL} net_pay_check (2900.00): the report names no EmployeePaymentCheck: not compared"
        in [n.describe() for n in comparison.not_compared]
    )


@pytest.mark.parametrize(
    ("headers", "row", "message"),
    [
        (["Account Type", "Account Description", "Amount"], ["DebitTax", "Tax", "1.00"], "lack an Account Type"),
        (HEADERS, ["DebitTax", "Tax", None, None, "12.345"], "not whole cents"),
        (HEADERS, ["DebitTax", "Tax", None, None, "twelve"], "not an amount"),
    ],
)
def test_a_report_not_shaped_as_documented_is_a_typed_error(
    headers: list[str], row: list[Any], message: str
) -> None:
    with pytest.raises(GlReportShapeError, match=message):
        parse_gl_report(PAYROLL, _report(headers, [row]))
