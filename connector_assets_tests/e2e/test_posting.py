"""A connection's payroll history reaches CloudSuite once, line for line, and a re-run posts nothing new."""

from __future__ import annotations

from collections import Counter

from connector_assets.demo.environment import CREDITS, EARNING_ACCOUNTS
from connector_assets.ledger.money import to_cents
from connector_assets.store.postings import POSTED, REVERSED
from connector_assets_tests.e2e.deployment import Deployment
from connector_assets_tests.e2e.family_invariants import family_differences
from connector_assets_tests.e2e.ledger_view import asset_value, document, documents, journal_rows, net

NOT_WAGES = {"employer_tax", "employer_benefit", "reimbursement"}
GROSS_PAY_ACCOUNTS = {a for k, a in EARNING_ACCOUNTS.items() if k not in NOT_WAGES}
# Gusto's bank figures and the account that clears each (the demo mapping's credits).
CASH_ACCOUNTS = {
    "net_pay_debit": str(CREDITS["net_pay_direct_deposit"]),
    "check_amount": str(CREDITS["net_pay_check"]),
    "tax_debit": str(CREDITS["taxes"]),
    "reimbursement_debit": str(CREDITS["reimbursement_clearing"]),
    "child_support_debit": str(CREDITS["deductions_by_name"]["Child Support"]),  # type: ignore[index]
}


def _processed(deployment: Deployment, connection_id: str) -> list[str]:
    world = deployment.env.tenants[connection_id].world
    return [p.uuid for p in world.payrolls if p.processed]


def test_every_processed_payroll_is_posted_once_with_the_ledger_lines(
    deployment: Deployment, posted_connection: str
) -> None:
    """Each processed Gusto payroll has one posted CloudSuite document equal to its ledger journal."""
    tenant = deployment.env.tenants[posted_connection]
    processed = _processed(deployment, posted_connection)
    world = deployment.env.tenants[posted_connection].world
    kinds = {bool(p.off_cycle) for p in world.payrolls if p.processed}
    assert len(processed) >= 2 and kinds == {True, False}, "the history should hold regular and off-cycle payrolls"
    for uuid in processed:
        rows = [p for p in deployment.postings.for_payroll(posted_connection, uuid) if p.kind == "journal"]
        # An original reversed in Gusto before the first sync still posts; its reversal payroll offsets it.
        reversed_in_gusto = bool(world.payroll(uuid).reversal_payroll_uuids)  # type: ignore[union-attr]
        want = [REVERSED if reversed_in_gusto else POSTED]
        assert [p.state for p in rows] == want, f"payroll {uuid}: {[(p.state, p.reasons) for p in rows]}"
        posted = document(tenant, rows[0].external_reference)
        assert posted is not None, f"payroll {uuid}: no document {rows[0].external_reference} in CloudSuite"
        prepared = asset_value(
            ["ledger", "journal_lines"], deployment.key(posted_connection, uuid), deployment.instance
        )
        assert prepared.journal is not None and not prepared.held
        assert Counter(posted) == Counter(journal_rows(prepared.journal.lines)), f"payroll {uuid}"
        assert sum(cents for *_, cents in posted) == 0, f"payroll {uuid}: debits != credits"
        assert rows[0].debits_cents == sum(c for *_, c in posted if c > 0) == rows[0].credits_cents
    assert len(documents(tenant)) == len(processed), "CloudSuite holds a document no processed payroll explains"


def test_posted_documents_tie_out_to_gusto_totals(deployment: Deployment, posted_connection: str) -> None:
    """Per payroll (so per family): wage expense = Gusto's gross pay, and each clearing account's credit =
    the bank figure it clears (net pay debit, checks, tax, reimbursement and child support debits)."""
    tenant = deployment.env.tenants[posted_connection]
    for uuid in _processed(deployment, posted_connection):
        key = deployment.key(posted_connection, uuid)
        totals = asset_value(["gusto", "payrolls"], key, deployment.instance)["totals"]
        (row,) = [
            p
            for p in deployment.postings.for_payroll(posted_connection, uuid)
            if p.kind == "journal" and p.state in (POSTED, REVERSED)
        ]
        posted = document(tenant, row.external_reference) or []
        by_account = net(posted)
        wages = sum(v for (account, _), v in by_account.items() if account in GROSS_PAY_ACCOUNTS)
        assert wages == to_cents(totals["gross_pay"], "gross_pay"), f"payroll {uuid}"
        for figure, account in CASH_ACCOUNTS.items():
            credit = -sum(v for (a, _), v in by_account.items() if a == account)
            assert credit == to_cents(totals[figure], figure), f"payroll {uuid} {figure}"


def test_rerunning_a_posted_partition_posts_nothing_new(deployment: Deployment, posted_connection: str) -> None:
    """A replay of a posted payroll leaves CloudSuite unchanged and is audited as unchanged."""
    tenant = deployment.env.tenants[posted_connection]
    uuid = _processed(deployment, posted_connection)[-1]
    before = documents(tenant)
    outcome = deployment.run_ok(
        "payroll_job", deployment.key(posted_connection, uuid), {"connector/replay": "true"}
    )
    assert documents(tenant) == before
    actions = [e.action for e in deployment.audit.history("payroll", uuid) if e.run_id == outcome.run_id]
    assert "unchanged" in actions and "posted" not in actions, actions
    rows = deployment.postings.for_payroll(posted_connection, uuid)
    assert [p.state for p in rows] == [POSTED]


def test_every_payroll_family_nets_to_what_gusto_paid(deployment: Deployment, posted_connection: str) -> None:
    """Invariant 8 over the whole history (a reversal pair included): wages and each bank figure per family."""
    tenant = deployment.env.tenants[posted_connection]
    assert not family_differences(tenant, deployment.postings, posted_connection)
