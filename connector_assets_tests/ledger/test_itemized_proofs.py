"""Under every tax and benefit option, generated payrolls balance, tie out, keep every cent and reverse exactly."""

from __future__ import annotations

import polars as pl
from hypothesis import HealthCheck, given, settings

from connector_assets.ledger import JournalOptions, build_journal, payroll_items
from connector_assets.ledger.journal import Detail
from connector_assets.mapping import employee_attributes, parse_mapping, resolve
from connector_assets_tests.ledger.payroll_strategy import Case, negated, payroll_cases


def _journal(case: Case, payroll: dict, detail: Detail = "summarized"):  # type: ignore[no-untyped-def, type-arg]
    items = payroll_items(payroll)
    resolved = resolve(items, employee_attributes(case.employees), parse_mapping(case.mapping_yaml), case.taxes)
    return items, build_journal(payroll, items, resolved, JournalOptions(detail=detail))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=payroll_cases(options=True))
def test_every_option_balances_ties_out_and_keeps_every_cent(case: Case) -> None:
    """Itemized or consolidated, refunds, deferrals, named benefits, garnishments, owner's draws: all proofs hold."""
    detail: Detail = "per_employee" if len(case.payroll["payroll_uuid"]) % 2 else "summarized"
    items, journal = _journal(case, case.payroll, detail)
    assert journal.proofs.ok, journal.proofs.problems()
    lines = journal.lines
    draw = items.filter(pl.col("category") == "owners_draw")["amount_cents"].sum()
    equity = lines.filter(pl.col("category") == "owners_draw")
    assert int((equity["debit_cents"] - equity["credit_cents"]).sum()) == draw
    assert equity["cost_center"].null_count() == equity.height
    receivable = lines.filter(pl.col("account") == "1200")
    assert receivable.is_empty() or (receivable["category"] == "taxes").all()
    if case.taxes == "consolidated":
        assert lines.filter(
            pl.col("account").str.starts_with("71") | pl.col("account").str.starts_with("72")
        ).is_empty()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=payroll_cases(max_employees=3, options=True))
def test_every_option_reverses_to_zero_in_every_account(case: Case) -> None:
    """Gusto's reversal of any such payroll posts, and the pair nets to zero account by account."""
    journals = [
        _journal(case, p)[1] for p in (case.payroll, negated(case.payroll, "r-" + case.payroll["payroll_uuid"]))
    ]
    for journal in journals:
        assert journal.proofs.ok, journal.proofs.problems()
    both = pl.concat([j.lines for j in journals])
    net = both.group_by("account", "cost_center").agg((pl.col("debit_cents") - pl.col("credit_cents")).sum())
    assert set(net["debit_cents"].to_list()) <= {0}
