"""Proofs: generated payrolls always balance, tie out and keep every cent; tampering is caught."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings

from connector_assets.ledger import JournalOptions, build_journal, payroll_items, prove_balanced
from connector_assets.ledger.journal import Detail, Journal
from connector_assets.mapping import employee_attributes, parse_mapping, resolve
from connector_assets.mapping.periods import attributes_for_period, split_items_by_days
from connector_assets.workforce.assignments import period_shares
from connector_assets_tests.ledger import worked_example as w
from connector_assets_tests.ledger.builders import compensation, journal_for
from connector_assets_tests.ledger.payroll_strategy import Case, negated, payroll_cases


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=payroll_cases())
def test_generated_payrolls_balance_tie_out_and_split_exactly(case: Case) -> None:
    """For any consistent payroll and split set: balanced, tied out, nothing dropped, exact splits."""
    _assert_proofs_hold(case)


@pytest.mark.chaos
@pytest.mark.timeout(1200)
@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=payroll_cases())
def test_thousands_of_generated_payrolls_balance_and_tie_out(case: Case) -> None:
    """The same property over 3,000 generated payrolls (`make chaos`; several minutes)."""
    _assert_proofs_hold(case)


def _journal_for_period(
    case: Case, payroll: dict[str, Any] | None = None
) -> tuple[pl.DataFrame, pl.DataFrame, Journal]:
    """Items, resolved legs and journal as the posting path builds them: attributes as assigned in the pay
    period (at its end or prorated by days), the items of an employee moved inside it split by days."""
    start, end = case.period
    shares = {e["uuid"]: s for e in case.employees
              if (s := period_shares(case.history, e["uuid"], start, end, case.basis))}  # fmt: skip
    attributes, parts = attributes_for_period(employee_attributes(case.employees), shares)
    payroll = payroll or case.payroll
    items = split_items_by_days(payroll_items(payroll), parts)
    resolved = resolve(items, attributes, parse_mapping(case.mapping_yaml))
    detail: Detail = "per_employee" if len(case.payroll["payroll_uuid"]) % 2 else "summarized"
    return items, resolved, build_journal(payroll, items, resolved, JournalOptions(detail=detail))


def _assert_proofs_hold(case: Case) -> None:
    items, resolved, journal = _journal_for_period(case)
    assert journal.proofs.ok, journal.proofs.problems()
    _assert_figures_tie(case, resolved, journal)
    debit_items = items.filter(pl.col("category").is_in(["earning", "cash_tips", "employer_tax",
                                                         "employer_benefit", "reimbursement"]))  # fmt: skip
    sums = resolved.filter(pl.col("side") == "debit").group_by("item_no").agg(pl.col("amount_cents").sum())
    assert (
        debit_items.join(sums, on="item_no", how="left", suffix="_legs")
        .filter(pl.col("amount_cents") != pl.col("amount_cents_legs"))
        .is_empty()
    )
    wages = resolved.filter((pl.col("category") == "earning") & pl.col("employee_uuid").is_in(list(case.splits)))
    amounts = dict(items.select("item_no", "amount_cents").iter_rows())
    for item_no, uuid, cc, share in wages.select(
        "item_no", "employee_uuid", "cost_center", "amount_cents"
    ).iter_rows():
        exact = Fraction(amounts[item_no]) * Fraction(case.splits[uuid][cc]) / 100
        assert abs(share - exact) < 1


def _assert_figures_tie(case: Case, resolved: pl.DataFrame, journal: Journal) -> None:
    """Wages = gross pay, per employee too (a transfer moves cost, never creates or loses it); net pay
    credits = net pay; each clearing account's credits = the bank figure it clears."""
    totals = {k: round(Decimal(v) * 100) for k, v in case.payroll["totals"].items()}
    wages = resolved.filter((pl.col("side") == "debit") & pl.col("category").is_in(["earning", "cash_tips"]))
    assert wages["amount_cents"].sum() == totals["gross_pay"]
    by_employee = dict(wages.group_by("employee_uuid").agg(pl.col("amount_cents").sum()).iter_rows())
    for comp in case.payroll["employee_compensations"]:
        gross = round(Decimal(str(comp["gross_pay"])) * 100)
        assert by_employee.get(comp["employee_uuid"], 0) == gross
    credits = dict(
        journal.lines.group_by("account").agg((pl.col("credit_cents") - pl.col("debit_cents")).sum()).iter_rows()
    )
    on_checks = sum(round(Decimal(r["amount"]) * 100) for comp in case.payroll["employee_compensations"]
                    if comp["payment_method"] == "Check" for r in comp["reimbursements"])  # fmt: skip
    assert (
        credits.get(CLEARING["net_pay_debit"], 0) + credits.get(CLEARING["check_amount"], 0) - on_checks
        == (totals["net_pay"])
    )
    for figure, account in CLEARING.items():
        assert credits.get(account, 0) == totals.get(figure, 0), figure


# Gusto's bank figure → the clearing account the generated mapping credits it to.
CLEARING = {"net_pay_debit": "2000", "check_amount": "2001", "tax_debit": "2002", "reimbursement_debit": "2005",
            "child_support_debit": "2007"}  # fmt: skip


def test_tampered_total_is_reported_as_a_blocking_difference() -> None:
    """A gross total off by one cent holds the journal and names the field and both figures."""
    payroll = w.payroll()
    payroll["totals"]["gross_pay"] = "10000.01"
    proofs = journal_for(payroll).proofs
    assert proofs.balanced and not proofs.tied_out and not proofs.ok
    assert [d.describe() for d in proofs.differences] == [
        "tie_out gross_pay: expected 10000.01, journal carries 10000.00 (difference -0.01)"
    ]


def test_unexplained_totals_differences_do_not_block() -> None:
    """other_deductions is unexplained in Gusto's own sample: a mismatch is reported, not blocking."""
    payroll = w.payroll()
    payroll["totals"]["other_deductions"] = "240.00"
    proofs = journal_for(payroll).proofs
    assert proofs.ok
    assert [(d.name, d.blocking) for d in proofs.differences] == [("other_deductions", False)]


def test_bank_figure_difference_blocks_with_the_exact_difference() -> None:
    """A check_amount the journal does not carry holds the payroll, naming the figure and the cents."""
    payroll = w.payroll()
    payroll["totals"]["check_amount"] = "2900.01"
    proofs = journal_for(payroll).proofs
    assert not proofs.ok and not proofs.cash_tied_out and proofs.tied_out
    assert [d.describe() for d in proofs.differences] == [
        "cash_tie_out check_amount: expected 2900.01, journal carries 2900.00 (difference -0.01)"
    ]


def test_inconsistent_net_pay_leaves_the_journal_unbalanced_without_a_plug() -> None:
    """A net pay that does not match gross minus withholdings is never forced to balance."""
    payroll = w.payroll()
    payroll["employee_compensations"][0]["net_pay"] = "4499.99"
    journal = journal_for(payroll)
    assert not journal.proofs.balanced
    assert journal.proofs.balance.debit_cents - journal.proofs.balance.credit_cents == 1
    assert "plug" not in " ".join(journal.lines["text"].to_list()).lower()
    assert any(p.startswith("unbalanced") for p in journal.proofs.problems())


def test_payroll_without_totals_cannot_tie_out() -> None:
    """An unprocessed payroll (no totals) is held with that reason."""
    payroll = w.payroll() | {"totals": None}
    proofs = journal_for(payroll).proofs
    assert not proofs.tied_out
    assert "payroll has no totals; only processed payrolls can be posted" in proofs.problems()


def test_dropped_leg_is_caught_by_nothing_dropped() -> None:
    """Removing one resolved leg before building shows up per line category."""
    payroll = w.payroll()
    items = payroll_items(payroll)
    resolved = resolve(items, employee_attributes(w.employees()), parse_mapping(w.MAPPING_YAML))
    journal = build_journal(payroll, items, resolved.filter(pl.col("category") != "deduction"))
    assert not journal.proofs.nothing_dropped
    assert [(d.name, d.expected_cents, d.actual_cents) for d in journal.proofs.differences
            if d.proof == "nothing_dropped"] == [("child_support", 20_000, 0)]  # fmt: skip


def test_prove_balanced_sums_both_columns() -> None:
    """The balance proof is the column sums, to the cent."""
    lines = pl.DataFrame({"debit_cents": [100, 0, 1], "credit_cents": [0, 100, 0]})
    balance = prove_balanced(lines)
    assert (balance.debit_cents, balance.credit_cents, balance.balanced) == (101, 100, False)


def test_unknown_employee_on_payroll_is_held_by_name() -> None:
    """An employee missing from the snapshot is held, not posted to the defaults."""
    payroll = w.payroll()
    payroll["employee_compensations"].append(compensation(
        "33333333-3333-4333-8333-333333333333", "0.00", fixed_compensations=[{"name": "Bonus", "amount": "0.01"}],
        taxes=[{"name": "FIT", "employer": False, "amount": "0.01"}]))  # fmt: skip
    held = journal_for(payroll).lines.filter(pl.col("unmapped_reason").is_not_null())
    assert held["unmapped_reason"].to_list() == [
        "employee 33333333-3333-4333-8333-333333333333 is not in the Gusto employee snapshot; "
        "refresh gusto/employees and rerun"
    ]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=payroll_cases(max_employees=3))
def test_a_reversal_payroll_journal_is_the_exact_negation(case: Case) -> None:
    """Gusto's reversal of any payroll (PTO, company taxes, check reimbursements, transfers) posts; the pair nets
    to zero."""
    _assert_pair_nets_to_zero(case)


def _assert_pair_nets_to_zero(case: Case) -> None:
    reversal = negated(case.payroll, "r-" + case.payroll["payroll_uuid"])
    journals = []
    for payroll in (case.payroll, reversal):  # the reversal keeps the original's pay period and assignments
        *_, journal = _journal_for_period(case, payroll)
        assert journal.proofs.ok, journal.proofs.problems()
        journals.append(journal)
    both = pl.concat([j.lines for j in journals])
    net = both.group_by("account", "cost_center").agg((pl.col("debit_cents") - pl.col("credit_cents")).sum())
    assert set(net["debit_cents"].to_list()) <= {0}


@pytest.mark.chaos
@pytest.mark.timeout(1200)
@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=payroll_cases())
def test_thousands_of_reversal_pairs_net_to_zero(case: Case) -> None:
    """The reversal property over 1,000 generated payrolls (`make chaos`)."""
    _assert_pair_nets_to_zero(case)
