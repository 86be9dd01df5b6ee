"""Itemized taxes, per-benefit accounts and the garnishment payable end to end: Gusto sandbox → Dagster jobs → M3 and SyteLine on PostgreSQL.

Each posted document is compared, account by account, with what the payroll Gusto sent says each tax and
benefit owes under the connection's mapping; `connector mapping check` lists the tax names with no rule.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal
from typing import Any

import dagster as dg
import pytest
import yaml
from typer.testing import CliRunner

from connector_assets.defs.partitions import period_key
from connector_assets.demo.environment import itemized_sections
from connector_assets.ledger.accrual import Period
from connector_assets.ledger.money import format_cents, to_cents
from connector_assets.operations.mapping_cli import app
from connector_assets.sandbox.generator_payroll import company_taxes, payroll_pay, payroll_totals
from connector_assets.store.postings import POSTED, REVERSED
from connector_assets_tests.e2e.deployment import Deployment
from connector_assets_tests.e2e.ledger_view import asset_value, document, erp_key, journal_rows

RECEIVABLE, CONSOLIDATED_TAX_CREDIT, GARNISHMENTS = "1200", "1091", "2400"
REPORT_CHECK = "matches_gusto_gl_report"


@pytest.fixture(scope="module", params=["m3", "syteline"])
def itemized_connection(request: pytest.FixtureRequest, deployment: Deployment) -> str:
    """A connection posting taxes itemized, with its short payroll history onboarded."""
    connection_id = f"itemized-{request.param}"
    deployment.add_tenant(connection_id, request.param, history_months=0, taxes="itemized")
    failed = [o for o in deployment.onboard(connection_id) if not o.success]
    assert not failed, f"onboarding {connection_id}: {[(o.partition_key, o.error) for o in failed]}"
    return connection_id


def _expected(payroll: dict[str, Any], sections: dict[str, Any]) -> Counter[str]:
    """Signed cents per tax and benefit account, straight from Gusto's payroll and the mapping's by-name rules."""
    taxes, benefits = sections["taxes"], sections["benefits"]

    def account(name: str, side: str) -> str:
        return str(taxes["by_name"].get(name, {}).get(side) or taxes["default"][side])

    comps = payroll["employee_compensations"]
    pay = sum(to_cents(c.get("gross_pay"), "gross_pay") for c in comps)
    direction = -1 if pay < 0 else 1
    rows = [(t["name"], bool(t["employer"]), to_cents(t["amount"], "tax")) for c in comps for t in c["taxes"]]
    rows += [(t["name"], True, to_cents(t["amount"], "company tax")) for t in payroll.get("company_taxes") or []]
    want: Counter[str] = Counter()
    for name, employer, cents in rows:
        if employer:
            want[account(name, "expense")] += cents
        want[RECEIVABLE if cents * direction < 0 else account(name, "liability")] -= cents
    for b in (b for c in comps for b in c.get("benefits") or []):
        plan = benefits[b["name"]]
        er, ee = to_cents(b["company_contribution"], "er"), to_cents(b["employee_deduction"], "ee")
        want[plan["expense"]] += er
        want[plan["liability"]] -= er + ee
    for d in (d for c in comps for d in c.get("deductions") or []):
        if "garnishment" in d["name"].lower():
            want[GARNISHMENTS] -= to_cents(d["amount"], "garnishment")
    return Counter({k: v for k, v in want.items() if v})


def test_each_tax_and_benefit_posts_to_its_own_accounts(deployment: Deployment, itemized_connection: str) -> None:
    """Per payroll: the document equals the journal, balances, and every tax/benefit account holds exactly
    what Gusto's payroll says; nothing lands on the consolidated tax credit."""
    tenant = deployment.env.tenants[itemized_connection]
    sections = itemized_sections(tenant.world)
    named = {a for v in sections["taxes"]["by_name"].values() for a in v.values()}
    named |= {*sections["taxes"]["default"].values(), RECEIVABLE}
    named |= {a for v in sections["benefits"].values() for a in v.values()} | {GARNISHMENTS}
    processed = [p.uuid for p in tenant.world.payrolls if p.processed]
    assert processed
    seen: set[str] = set()
    for uuid in processed:
        key = deployment.key(itemized_connection, uuid)
        (row,) = [p for p in deployment.postings.for_payroll(itemized_connection, uuid)
                  if p.kind == "journal" and p.state in (POSTED, REVERSED)]  # fmt: skip
        posted = document(tenant, row.external_reference)
        assert posted is not None, f"payroll {uuid}: no document in CloudSuite"
        prepared = asset_value(["ledger", "journal_lines"], key, deployment.instance)
        assert Counter(posted) == Counter(journal_rows(prepared.journal.lines)), f"payroll {uuid}"
        assert sum(c for *_, c in posted) == 0, f"payroll {uuid}: debits != credits"
        by_account: Counter[str] = Counter()
        for account, _, cents in posted:
            by_account[account] += cents
        payroll = asset_value(["gusto", "payrolls"], key, deployment.instance)
        got = Counter({a: c for a, c in by_account.items() if a in named and c})
        assert got == _expected(payroll, sections), f"payroll {uuid}"
        assert CONSOLIDATED_TAX_CREDIT not in by_account, f"payroll {uuid}: taxes on the consolidated credit"
        taxes_credited = -sum(c for a, c in by_account.items() if a == RECEIVABLE or a.startswith("21"))
        assert taxes_credited == to_cents(payroll["totals"]["tax_debit"], "tax_debit"), f"payroll {uuid}"
        seen |= set(got)
    assert {"6100", "6110", "6120", "2100", "2120", "2130", GARNISHMENTS} <= seen, (
        f"itemized accounts posted: {sorted(seen)}"
    )


def test_mapping_check_lists_gusto_tax_names_without_a_rule(
    deployment: Deployment, itemized_connection: str
) -> None:
    """Drop the FUTA rule: the check names FUTA (seen on Gusto's payrolls) and where it would post."""
    tenant = deployment.env.tenants[itemized_connection]
    original = tenant.mapping_path.read_text()
    mapping = yaml.safe_load(original)
    del mapping["taxes"]["by_name"]["FUTA"]
    tenant.mapping_path.write_text(yaml.safe_dump(mapping, sort_keys=False))
    try:
        deployment.activate()
        result = CliRunner().invoke(app, ["check", itemized_connection], env=deployment.env.env())
    finally:
        tenant.mapping_path.write_text(original)
    assert result.exit_code == 0, result.output
    assert (
        "WARNING taxes.by_name = 'FUTA': Gusto tax has no rule; itemized, it posts to taxes.default (6140 / 2140)"
        in result.output
    )
    assert "'Social Security'" not in result.output


def test_gusto_gl_report_agrees_then_names_an_edited_tax_liability(
    deployment: Deployment, itemized_connection: str
) -> None:
    """Itemized taxes clear on many liabilities; Gusto's report still sees one tax debit, and an edited
    liability line shows as exactly that much less tax debit (runs last: it edits CloudSuite)."""
    tenant = deployment.env.tenants[itemized_connection]
    rows = sorted(
        (p for uuid in {p.uuid for p in tenant.world.payrolls if p.processed}
         for p in deployment.postings.for_payroll(itemized_connection, uuid)
         if p.kind == "journal" and p.state == POSTED and p.posting_date is not None),
        key=lambda p: p.posting_date or date.min, reverse=True,
    )  # fmt: skip
    target, (account, cost_center, cents) = next(
        (r, line) for r in rows for line in document(tenant, r.external_reference) or [] if line[0] == "2120"
    )
    assert target.posting_date is not None
    key = period_key(itemized_connection, str(Period(target.posting_date.year, target.posting_date.month)))
    first = deployment.run_ok("crosscheck_job", key)
    checks = _checks(deployment, first.run_id)
    assert checks[REPORT_CHECK].passed, checks[REPORT_CHECK].description
    assert checks["posted_matches_gusto"].passed, checks["posted_matches_gusto"].description
    assert checks[REPORT_CHECK].metadata["reports_read"].value >= 1

    tenant.ion.alter_posted_line(erp_key(tenant, target.external_reference), account,
                                 Decimal(cents + 1234) / 100, cost_center)  # fmt: skip
    failed = _checks(deployment, deployment.run_ok("crosscheck_job", key).run_id)[REPORT_CHECK]
    assert not failed.passed
    payroll = tenant.world.payroll(target.payroll_uuid)
    assert payroll is not None
    tax_debit = payroll_totals(payroll_pay(tenant.world, payroll), company_taxes(tenant.world, payroll))[
        "tax_debit"
    ]
    row = (
        f"| {target.payroll_uuid} | tax_debit | {format_cents(tax_debit)} | {format_cents(tax_debit - 1234)} "
        "| -12.34 |"
    )
    assert failed.metadata["differences"].value.splitlines()[2:] == [row]


def _checks(deployment: Deployment, run_id: str) -> dict[str, Any]:
    logs = deployment.instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)
    found = [e.dagster_event.event_specific_data for e in logs]
    return {e.check_name: e for e in found}
