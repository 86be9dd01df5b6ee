"""The vocabulary of payroll money items and the journal roles they post to.

Every item from a Gusto payroll gets a ``category`` (what kind of money) and a
``subtype`` (which earning, tax, benefit, deduction or payment method). The
tables below say which side of the journal each category lands on and under
which role the lines are grouped, so mapping, journal and proofs agree.
"""

from __future__ import annotations

from typing import Final

EARNING: Final = "earning"
CASH_TIPS: Final = "cash_tips"
EMPLOYEE_TAX: Final = "employee_tax"
EMPLOYER_TAX: Final = "employer_tax"
EMPLOYEE_BENEFIT: Final = "employee_benefit"
EMPLOYER_BENEFIT: Final = "employer_benefit"
DEDUCTION: Final = "deduction"
REIMBURSEMENT: Final = "reimbursement"
NET_PAY: Final = "net_pay"
IMPUTED_PAY: Final = "imputed_pay"
OWNERS_DRAW: Final = "owners_draw"  # equity, entity level, outside wages and gross_pay
DEFERRED_TAX: Final = "deferred_tax"  # totals.deferred_payroll_taxes: taxes owed but not debited by Gusto

CATEGORIES: Final = (
    EARNING,
    CASH_TIPS,
    EMPLOYEE_TAX,
    EMPLOYER_TAX,
    EMPLOYEE_BENEFIT,
    EMPLOYER_BENEFIT,
    DEDUCTION,
    REIMBURSEMENT,
    NET_PAY,
    IMPUTED_PAY,
    OWNERS_DRAW,
    DEFERRED_TAX,
)

# Earning subtypes a mapping can name; UNKNOWN_EARNING is never mapped by a default.
EARNING_SUBTYPES: Final = (
    "regular",
    "overtime",
    "double_overtime",
    "pto",
    "holiday",
    "bonus",
    "commission",
    "paycheck_tips",
    "correction",
    "severance",
    "owners_draw",
)
UNKNOWN_EARNING: Final = "unknown"

# Gusto compensation names (lower-cased) → earning subtype.
EARNING_NAMES: Final[dict[str, str]] = {
    "regular": "regular",
    "regular hours": "regular",
    "overtime": "overtime",
    "overtime hours": "overtime",
    "double overtime": "double_overtime",
    "double overtime hours": "double_overtime",
    "vacation hours": "pto",
    "sick hours": "pto",
    "paid time off": "pto",
    "pto": "pto",
    "holiday hours": "holiday",
    "holiday": "holiday",
    "bonus": "bonus",
    "commission": "commission",
    "paycheck tips": "paycheck_tips",
    "correction payment": "correction",
    "severance": "severance",
    "owner's draw": "owners_draw",
    "owners draw": "owners_draw",
}
# Subtypes with their own journal treatment.
COMPANY_TAX: Final = "company_tax"  # payroll-level company_taxes: employer tax with no employee
CHECK_REIMBURSEMENT: Final = "paid_by_check"  # reimbursement on a paper check: checks outstanding
CHILD_SUPPORT: Final = "child_support"  # garnishment Gusto remits: cleared by child_support_debit
CHILD_SUPPORT_NAMES: Final = frozenset({"child support"})
CASH_TIPS_NAMES: Final = frozenset({"cash tips"})
REIMBURSEMENT_NAMES: Final = frozenset({"reimbursement"})
IMPUTED_NAMES: Final = frozenset({"imputed income", "imputed pay", "group term life"})
OWNERS_DRAW_NAMES: Final = frozenset({"owner's draw", "owners draw"})
# Post-tax deductions Gusto names as garnishments (its garnishment types); they post to credits.garnishments.
GARNISHMENT: Final = "garnishment"
GARNISHMENT_WORDS: Final = ("garnish", "levy", "lien", "student loan", "federal loan", "bankruptcy")
# Entity-level categories: their legs take a fixed account, never a cost centre or an expense rule.
ENTITY_DEBITS: Final = frozenset({OWNERS_DRAW})

# Expense keys a mapping's defaults and rules are keyed by (debit side).
DEBIT_KEYS: Final = (*EARNING_SUBTYPES, CASH_TIPS, EMPLOYER_TAX, EMPLOYER_BENEFIT, REIMBURSEMENT, COMPANY_TAX)
# Debit lines of these categories follow the employee's allocated wages (fully loaded cost).
FOLLOWS_WAGES: Final = frozenset({EMPLOYER_TAX, EMPLOYER_BENEFIT})

# Category → journal role of its debit leg (None: no debit leg).
DEBIT_ROLE: Final[dict[str, str | None]] = {
    EARNING: "wages",
    CASH_TIPS: "cash_tips",
    EMPLOYER_TAX: "employer_taxes",
    EMPLOYER_BENEFIT: "employer_benefits",
    REIMBURSEMENT: "reimbursements",
    OWNERS_DRAW: "owners_draw",
    DEFERRED_TAX: None,
    EMPLOYEE_TAX: None,
    EMPLOYEE_BENEFIT: None,
    DEDUCTION: None,
    NET_PAY: None,
    IMPUTED_PAY: None,
}
# Category → journal role of its credit leg; net pay's role depends on the payment method.
CREDIT_ROLE: Final[dict[str, str | None]] = {
    EARNING: None,
    CASH_TIPS: "cash_tips_offset",
    EMPLOYEE_TAX: "taxes",
    EMPLOYER_TAX: "taxes",
    EMPLOYEE_BENEFIT: "benefits",
    EMPLOYER_BENEFIT: "benefits",
    DEDUCTION: "deductions",
    REIMBURSEMENT: "reimbursement_clearing",
    NET_PAY: "net_pay",
    IMPUTED_PAY: None,
    OWNERS_DRAW: None,
    DEFERRED_TAX: "deferred_payroll_taxes",
}
NET_PAY_METHODS: Final[dict[str, str]] = {
    "Direct Deposit": "direct_deposit",
    "Check": "check",
    "Historical": "historical",
}
# Credit accounts a mapping's ``credits:`` section names; the first six are required.
CREDIT_KEYS: Final = (
    "net_pay_direct_deposit",
    "net_pay_check",
    "taxes",
    "benefits",
    "deductions",
    "reimbursement_clearing",
    "net_pay_historical",
    "cash_tips_offset",
    "child_support",
    "garnishments",
    "owners_draw",
)
REQUIRED_CREDIT_KEYS: Final = CREDIT_KEYS[:6]

ROLE_TEXT: Final[dict[str, str]] = {
    "wages": "Gross wages",
    "cash_tips": "Cash tips",
    "employer_taxes": "Employer payroll taxes",
    "employer_benefits": "Employer benefit contributions",
    "reimbursements": "Reimbursed expenses",
    "owners_draw": "Owner's draw",
    "net_pay_direct_deposit": "Net pay - direct deposit",
    "net_pay_check": "Net pay - paper checks",
    "net_pay_historical": "Net pay - historical",
    "taxes": "Payroll taxes - Gusto debit",
    "benefits": "Benefit liabilities",
    "deductions": "Deductions withheld",
    "child_support": "Child support - Gusto debit",
    "reimbursement_clearing": "Reimbursements - Gusto debit",
    "cash_tips_offset": "Cash tips offset",
    "deferred_payroll_taxes": "Deferred payroll taxes",
}
ROLE_ORDER: Final[dict[str, int]] = {role: i for i, role in enumerate(ROLE_TEXT)}
