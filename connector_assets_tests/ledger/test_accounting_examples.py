"""docs/accounting.md's worked examples, line for line: PTO, company taxes, reversal pairs, the cash side."""

from __future__ import annotations

from typing import Any

import polars as pl

from connector_assets.ledger import JournalOptions
from connector_assets.ledger.validation import CASH_TIES_OUT, validate_journal
from connector_assets_tests.ledger import accounting_examples as x
from connector_assets_tests.ledger.builders import journal_for, line_tuples
from connector_assets_tests.ledger.payroll_strategy import negated


def _journal(payroll: dict[str, Any], **options: Any):  # type: ignore[no-untyped-def]
    return journal_for(payroll, x.employees(), x.MAPPING_YAML, JournalOptions(connection_id="acme", **options))


def test_hours_only_pto_is_booked_from_gross_pay() -> None:
    """Example 1: the 500.00 of gross_pay no line itemizes is PTO wages on the employee's cost center."""
    journal = _journal(x.pto_payroll())
    assert line_tuples(journal.lines) == x.PTO_LINES
    assert journal.postable, journal.proofs.problems()
    assert "500.00 of gross_pay booked as PTO (Vacation Hours 20.000 h)" in " ".join(journal.proofs.notes)


def test_unexplained_gross_without_pto_hours_is_held_beyond_the_tolerance() -> None:
    """Pay in gross_pay with no PTO hours and above the tolerance holds; within it, it posts as PTO."""
    payroll = x.pto_payroll()
    payroll["employee_compensations"][0]["paid_time_off"] = []
    held = _journal(payroll)
    assert held.proofs.balanced and not held.postable
    assert any("no earning line and no PTO hours explain" in p for p in held.proofs.problems())
    assert _journal(payroll, unitemized_tolerance_cents=50_000).postable


def test_gross_below_itemized_earnings_is_held() -> None:
    """A negative remainder is never booked silently."""
    payroll = x.pto_payroll()
    payroll["employee_compensations"][0]["hourly_compensations"][0]["amount"] = "2100.00"
    assert any("itemized earnings exceed gross_pay by 100.00" in p for p in _journal(payroll).proofs.problems())


def test_company_taxes_follow_the_payrolls_wages() -> None:
    """Example 2: 13.60 and -0.92 split 75/25 by wages, inside employer taxes and the tax debit."""
    journal = _journal(x.company_tax_payroll())
    assert line_tuples(journal.lines) == x.COMPANY_TAX_LINES
    assert journal.postable, journal.proofs.problems()


def test_company_taxes_go_to_a_configured_cost_center() -> None:
    """A company_tax default with a cost center takes them there instead."""
    mapping = x.MAPPING_YAML.replace(
        "defaults:\n", 'defaults:\n  company_tax: {account: "6105", cost_center: "900"}\n'
    )
    journal = journal_for(x.company_tax_payroll(), x.employees(), mapping)
    company = journal.lines.filter(pl.col("account") == "6105")
    assert line_tuples(company) == [("6105", "900", 1_268, 0)]
    assert journal.postable


def test_reversal_pair_nets_to_zero_in_every_account() -> None:
    """Example 3: the reversal payroll's own journal is the exact negation of the original's."""
    original, reversal = x.pto_payroll(), negated(x.pto_payroll(), "p3-reversal")
    lines = pl.concat([_journal(original).lines, _journal(reversal).lines])
    assert _journal(reversal).postable
    net = lines.group_by("account", "cost_center").agg((pl.col("debit_cents") - pl.col("credit_cents")).sum())
    assert net["debit_cents"].to_list() == [0] * net.height


def test_check_paid_reimbursement_is_on_the_check_and_cash_ties_out() -> None:
    """Example 5: 950.00 to checks outstanding; clearing credits equal each of Gusto's bank figures."""
    journal = _journal(x.cash_payroll())
    assert line_tuples(journal.lines) == x.CASH_LINES
    assert journal.postable, journal.proofs.problems()


def test_a_bank_figure_difference_is_a_blocking_check_with_the_exact_difference() -> None:
    """company_debit off by a cent holds the payroll under the cash check, naming both figures."""
    payroll = x.cash_payroll()
    payroll["totals"]["company_debit"] = "2316.01"
    journal = _journal(payroll)
    empty = pl.DataFrame(schema={"account": pl.String, "blocked": pl.Boolean, "valid_from": pl.Date,
                                 "valid_to": pl.Date})  # fmt: skip
    problems = validate_journal(journal, empty, empty.rename({"account": "cost_center"}))
    cash = problems.filter(pl.col("check") == CASH_TIES_OUT)
    assert cash.select("value", "reason").rows() == [
        (
            "company_debit",
            "cash_tie_out company_debit: expected 2316.01, journal carries 2316.00 (difference -0.01)",
        )
    ]
