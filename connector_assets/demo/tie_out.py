"""What the demo proves about the history it posted, read back from the simulated CloudSuite.

Per Gusto payroll family (original, reversals, corrections): GL wages = Gusto's gross pay, and each
clearing account carries exactly the bank figure it clears (net pay debit, checks, tax debit,
reimbursement debit, child support debit). And which of the payroll shapes that are easy to get wrong
the history holds: hours-only PTO, payroll-level company taxes, check-paid reimbursements, reversal
pairs, transfers inside a pay period.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal

from connector_assets.cloudsuite.fsm_gl import run_group
from connector_assets.cloudsuite.m3_gl import batch_key
from connector_assets.cloudsuite.syteline import journal_reference
from connector_assets.demo.environment import CREDITS, EARNING_ACCOUNTS, Tenant, itemized_sections
from connector_assets.sandbox.generator_payroll import company_taxes, payroll_pay, payroll_totals
from connector_assets.store.postings import POSTED, REVERSED, Postings
from connector_assets.workforce.assignments import Assignment

Line = tuple[str, str, int]
COST_CENTER_DIMENSION = 2  # the connections' default: M3 AIT2, SyteLine unit code 2
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


def figures(tenant: Tenant) -> dict[str, set[str]]:
    """The clearing accounts per Gusto figure for this tenant: itemized taxes clear on their own liabilities
    (and a refund or credit on the receivable, a debit, so it reduces what Gusto debits)."""
    if tenant.taxes != "itemized":
        return FIGURES
    taxes = itemized_sections(tenant.world)["taxes"]
    liabilities = {str(rule["liability"]) for rule in taxes["by_name"].values()}
    tax_accounts = liabilities | {
        str(taxes["default"]["liability"]),
        str(taxes["receivable"]),
        *FIGURES["tax_debit"],
    }
    return {**FIGURES, "tax_debit": tax_accounts}


def _cents(amount: Decimal) -> int:
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"amount {amount} is not whole cents")
    return int(cents)


def documents(tenant: Tenant) -> dict[str, list[Line]]:
    """Every posted document as `(account, cost center, signed cents)` lines, keyed by its ERP key (M3 KEY1,
    SyteLine Reference, FSM run group); debits positive, credits negative."""
    held: dict[str, list[Line]] = {}
    index = COST_CENTER_DIMENSION - 1
    if tenant.erp == "fsm":
        for posted in tenant.ion.fsm.posted():
            unit = posted.dimensions.get("AccountingUnit", "")
            held.setdefault(posted.run_group, []).append((posted.account, unit, _cents(posted.amount)))
    elif tenant.erp == "m3":
        for voucher in tenant.ion.vouchers():
            lines = [(ln.dims[0], ln.dims[index], _cents(ln.amount)) for ln in voucher.lines]
            held.setdefault(voucher.key1, []).extend(lines)
    else:
        for row in tenant.ion.journals():
            held.setdefault(row.reference, []).append((row.account, row.units[index], _cents(row.amount)))
    return held


def erp_key(tenant: Tenant, external_reference: str) -> str:
    """The key under which the ERP files a journal with this external reference."""
    if tenant.erp == "fsm":
        return run_group(external_reference)
    return batch_key(external_reference) if tenant.erp == "m3" else journal_reference(external_reference)


def family_differences(tenant: Tenant, postings: Postings, connection_id: str) -> list[str]:
    """Every (family, figure) where the GL differs from Gusto; empty when the history ties out."""
    world = tenant.world
    held = documents(tenant)
    clearing = figures(tenant)
    gusto: dict[str, Counter[str]] = defaultdict(Counter)
    ledger: dict[str, Counter[str]] = defaultdict(Counter)
    for payroll in world.payrolls:
        if not payroll.processed or not payroll.employee_uuids:
            continue
        family = payroll.reversal_of or payroll.uuid
        totals = payroll_totals(payroll_pay(world, payroll), company_taxes(world, payroll))
        for figure in clearing:
            gusto[family][figure] += totals[figure]
        for posting in postings.for_payroll(connection_id, payroll.uuid):
            if posting.state not in (POSTED, REVERSED):
                continue
            for account, _cc, cents in held.get(erp_key(tenant, posting.external_reference or ""), []):
                for figure, accounts in clearing.items():
                    if account in accounts:
                        ledger[family][figure] += cents if figure == "gross_pay" else -cents
    return [
        f"family {family} {figure}: Gusto {gusto[family][figure]}, GL {ledger[family][figure]}"
        for family in gusto
        for figure in clearing
        if gusto[family][figure] != ledger[family][figure]
    ]


def shapes_posted(
    tenant: Tenant, postings: Postings, connection_id: str, history: list[Assignment]
) -> dict[str, int]:
    """How many posted payrolls show each shape (transfers: moves that started inside a posted pay period)."""
    world = tenant.world
    posted = [
        p for p in world.payrolls
        if p.processed and any(r.state in (POSTED, REVERSED) for r in postings.for_payroll(connection_id, p.uuid))
    ]  # fmt: skip
    rows = {p.uuid: payroll_pay(world, p) for p in posted}
    first = {
        a.employee_uuid: a.effective_from for a in sorted(history, key=lambda a: a.effective_from, reverse=True)
    }
    moves = [a for a in history if a.effective_from > first[a.employee_uuid]]
    return {
        "hours-only PTO": sum(any(r.pto and r.pto_cents for r in rows[p.uuid]) for p in posted),
        "company taxes": sum(bool(company_taxes(world, p)) for p in posted),
        "check-paid reimbursements": sum(
            any(r.payment_method == "Check" and r.reimbursements for r in rows[p.uuid]) for p in posted
        ),
        "reversal pairs": sum(p.reversal_of is not None for p in posted),
        "transfers inside a pay period": sum(
            any(
                p.start_date < m.effective_from <= p.end_date and m.employee_uuid in p.employee_uuids
                for m in moves
            )
            for p in posted
            if not p.off_cycle
        ),
    }
