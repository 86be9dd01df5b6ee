"""Invariant 8 read from what CloudSuite holds: per Gusto payroll family (original, reversals, corrections), the
GL wages equal Gusto's gross pay and each clearing account carries exactly the bank figure it clears."""

from __future__ import annotations

from collections import defaultdict

from connector_assets.demo.environment import CREDITS, EARNING_ACCOUNTS, Tenant
from connector_assets.sandbox.generator_payroll import company_taxes, payroll_pay, payroll_totals
from connector_assets.store.postings import POSTED, REVERSED, Postings
from connector_assets_tests.e2e.ledger_view import document

WAGE_ACCOUNTS = {
    a for k, a in EARNING_ACCOUNTS.items() if k not in {"employer_tax", "employer_benefit", "reimbursement"}
}
# Gusto's figure → the account that clears it in the demo mapping; credits are negative in the ERP.
FIGURES = {
    "gross_pay": WAGE_ACCOUNTS,
    "net_pay_debit": {str(CREDITS["net_pay_direct_deposit"])},
    "check_amount": {str(CREDITS["net_pay_check"])},
    "tax_debit": {str(CREDITS["taxes"])},
    "reimbursement_debit": {str(CREDITS["reimbursement_clearing"])},
    "child_support_debit": {str(CREDITS["deductions_by_name"]["Child Support"])},  # type: ignore[index]
}


def family_differences(tenant: Tenant, postings: Postings, connection_id: str) -> list[str]:
    """Every (family, figure) where the GL differs from Gusto; empty when invariant 8 holds."""
    world = tenant.world
    gusto: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    ledger: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for payroll in world.payrolls:
        if not payroll.processed or not payroll.employee_uuids:
            continue
        family = payroll.reversal_of or payroll.uuid
        totals = payroll_totals(payroll_pay(world, payroll), company_taxes(world, payroll))
        for figure in FIGURES:
            gusto[family][figure] += totals[figure]
        for posting in postings.for_payroll(connection_id, payroll.uuid):
            if posting.state not in (POSTED, REVERSED):
                continue
            for account, _cc, cents in document(tenant, posting.external_reference) or []:
                for figure, accounts in FIGURES.items():
                    if account in accounts:
                        ledger[family][figure] += cents if figure == "gross_pay" else -cents
    return [
        f"family {family} {figure}: Gusto {gusto[family][figure]}, GL {ledger[family][figure]}"
        for family in gusto
        for figure in FIGURES
        if gusto[family][figure] != ledger[family][figure]
    ]
