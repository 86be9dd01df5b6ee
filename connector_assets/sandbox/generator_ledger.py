"""CloudSuite master data matching the generated company: a payroll chart of accounts and cost centers."""

from __future__ import annotations

from collections.abc import Sequence

from connector_assets.sandbox.generator_models import CostCenter, Department, GLAccount

# (account, name, type, role). Roles name the payroll amount the account is meant for, so tests and the
# demo mapping file can find "the overtime account" without hard-coding numbers.
CHART: tuple[tuple[str, str, str, str], ...] = (
    ("1090", "Payroll clearing - net pay debit", "asset", "clearing:net_pay_debit"),
    ("1091", "Payroll clearing - tax debit", "asset", "clearing:tax_debit"),
    ("1092", "Payroll clearing - reimbursement debit", "asset", "clearing:reimbursement_debit"),
    ("1093", "Payroll clearing - child support debit", "asset", "clearing:child_support_debit"),
    ("1200", "Payroll taxes receivable", "asset", "asset:taxes_receivable"),
    ("2010", "Payroll checks outstanding", "liability", "liability:check_amount"),
    ("2100", "Federal income tax withheld", "liability", "liability:federal_income_tax"),
    ("2110", "State income tax withheld", "liability", "liability:state_income_tax"),
    ("2120", "FICA payable", "liability", "liability:fica"),
    ("2130", "Employer payroll taxes payable", "liability", "liability:employer_taxes"),
    ("2140", "Local taxes payable", "liability", "liability:taxes_payable"),
    ("2300", "Medical insurance payable", "liability", "liability:benefit:Medical Insurance"),
    ("2310", "401(k) contributions payable", "liability", "liability:benefit:401K"),
    ("2320", "Other benefits payable", "liability", "liability:benefit:other"),
    ("2400", "Garnishments payable", "liability", "liability:deduction:Child Support"),
    ("2410", "Employee deductions payable", "liability", "liability:deduction:other"),
    ("2500", "Accrued wages", "liability", "liability:accrued_wages"),
    ("2510", "Accrued payroll taxes", "liability", "liability:accrued_payroll_taxes"),
    ("3100", "Owner's draw", "equity", "equity:owners_draw"),
    ("6010", "Salaries and wages - regular", "expense", "wages:Regular Hours"),
    ("6015", "Wages - overtime", "expense", "wages:Overtime"),
    ("6016", "Wages - double overtime", "expense", "wages:Double overtime"),
    ("6017", "Wages - paid time off", "expense", "wages:Paid Time Off"),
    ("6018", "Wages - holiday", "expense", "wages:Holiday Hours"),
    ("6020", "Bonus", "expense", "wages:Bonus"),
    ("6025", "Commission", "expense", "wages:Commission"),
    ("6030", "Paycheck tips", "expense", "wages:Paycheck Tips"),
    ("6031", "Cash tips", "expense", "wages:Cash Tips"),
    ("6035", "Correction payments", "expense", "wages:Correction Payment"),
    ("6040", "Severance", "expense", "wages:Severance"),
    ("6100", "Employer Social Security", "expense", "employer_tax:Social Security"),
    ("6110", "Employer Medicare", "expense", "employer_tax:Medicare"),
    ("6120", "Federal unemployment (FUTA)", "expense", "employer_tax:FUTA"),
    ("6130", "State unemployment (SUI)", "expense", "employer_tax:SUI"),
    ("6140", "Other employer taxes", "expense", "employer_tax:other"),
    ("6200", "Employer medical insurance", "expense", "benefit:Medical Insurance"),
    ("6210", "Employer 401(k) match", "expense", "benefit:401K"),
    ("6220", "Other employer benefits", "expense", "benefit:other"),
    ("6300", "Reimbursed travel", "expense", "reimbursement:Travel"),
    ("6310", "Reimbursed expenses - other", "expense", "reimbursement:other"),
    ("6400", "Contractor payments", "expense", "contractor:payments"),
)


def build_gl_accounts(count: int | None = None) -> list[GLAccount]:
    """The payroll chart (41 accounts); with `count`, trimmed or padded with filler expense accounts to N."""
    accounts = [GLAccount(a, n, t, r) for a, n, t, r in CHART]
    if count is None:
        return accounts
    if count < len(accounts):
        return accounts[:count]
    filler = [
        GLAccount(f"{7000 + i}", f"Operating expense {i:05d}", "expense", f"filler:{i}")
        for i in range(count - len(accounts))
    ]
    return accounts + filler


def build_cost_centers(departments: Sequence[Department], missing: Sequence[str] = ()) -> list[CostCenter]:
    """One cost center per department, leaving out the codes in `missing`; plus the general CC100."""
    centers = [CostCenter("CC100", "General and administrative")]
    centers += [CostCenter(d.cost_center, d.title) for d in departments]
    return [c for c in centers if c.code not in set(missing)]
