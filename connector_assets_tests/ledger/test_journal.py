"""build_journal: the §3 worked example line by line, detail modes, dates, odd payrolls, reversal."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from connector_assets.ledger import JournalError, JournalOptions, external_reference, reverse_journal
from connector_assets.ledger import journal as journal_module
from connector_assets_tests.ledger import accounting_examples as x
from connector_assets_tests.ledger import worked_example as w
from connector_assets_tests.ledger.builders import compensation, journal_for, line_tuples


def test_worked_example_produces_exactly_the_reference_journal() -> None:
    """payroll-accounting §3: the 19 summarized lines, 11,315.00 on each side."""
    journal = journal_for(w.payroll())
    assert line_tuples(journal.lines) == w.EXPECTED_LINES
    assert journal.proofs.balance.debit_cents == journal.proofs.balance.credit_cents == 1_131_500
    assert journal.postable, journal.proofs.problems()


def test_worked_example_lines_carry_rule_text_and_no_employee_in_summary() -> None:
    """Summarized lines hide the employee and say which rule placed them."""
    lines = journal_for(w.payroll()).lines
    assert lines["employee_uuid"].null_count() == lines.height
    first = lines.row(0, named=True)
    assert first["text"] == "Gross wages"
    assert first["rule"] == "account: defaults.regular; cost center: departments.Engineering"


def test_per_employee_detail_keeps_each_employee_and_still_balances() -> None:
    """Detail mode splits the E1/E2 lines and keeps employee uuids on every line."""
    journal = journal_for(w.payroll(), options=JournalOptions(detail="per_employee"))
    assert journal.lines["employee_uuid"].null_count() == 0
    assert set(journal.lines["employee_uuid"]) == {w.E1, w.E2}
    assert journal.proofs.balanced and journal.proofs.tied_out
    taxes = journal.lines.filter(pl.col("category") == "taxes")
    assert sorted(taxes["credit_cents"].to_list()) == [100_600, 155_900]


@pytest.mark.parametrize(
    ("basis", "expected"),
    [("check_date", "2025-03-14"), ("period_end", "2025-03-07"), ("debit_date", "2025-03-12")],
)
def test_posting_date_follows_the_configured_basis(basis: str, expected: str) -> None:
    """Check date, pay-period end and debit date are all available."""
    journal = journal_for(w.payroll(), options=JournalOptions(date_basis=basis))  # type: ignore[arg-type]
    assert journal.header.posting_date == dt.date.fromisoformat(expected)


def test_off_cycle_without_pay_period_falls_back_to_check_date() -> None:
    """An off-cycle bonus run has no period end: the check date is used and recorded."""
    payroll = w.payroll() | {"off_cycle": True, "off_cycle_reason": "Bonus", "pay_period": None}
    journal = journal_for(payroll, options=JournalOptions(date_basis="period_end"))
    assert journal.header.posting_date == dt.date(2025, 3, 14)
    assert journal.header.date_basis == "check_date"
    assert "off-cycle Bonus" in journal.header.description


def test_unknown_options_are_rejected_with_the_choices() -> None:
    """A misspelt detail mode names the valid ones."""
    with pytest.raises(JournalError, match="summarized or per_employee"):
        journal_for(w.payroll(), options=JournalOptions(detail="detailed"))  # type: ignore[arg-type]


def _bonus_only() -> dict[str, object]:
    return {
        "payroll_uuid": "p-bonus", "check_date": "2025-04-01", "off_cycle": True, "off_cycle_reason": "Bonus",
        "totals": {"gross_pay": "1000.00", "net_pay": "700.00", "net_pay_debit": "700.00", "employee_taxes": "300.00",
                   "employer_taxes": "76.50", "tax_debit": "376.50", "employee_bonuses": "1000.00"},
        "employee_compensations": [compensation(
            w.E1, "700.00", fixed_compensations=[{"name": "Bonus", "amount": "1000.00", "job_uuid": w.J1}],
            taxes=[{"name": "FIT", "employer": False, "amount": "300.00"},
                   {"name": "Medicare", "employer": True, "amount": "76.50"}])],
    }  # fmt: skip


def test_bonus_only_off_cycle_payroll_balances_and_ties_out() -> None:
    """A bonus run posts bonus expense, employer taxes and the two clearing credits."""
    journal = journal_for(_bonus_only())
    assert line_tuples(journal.lines) == [
        ("6020", "200", 100_000, 0), ("6100", "200", 7_650, 0), ("1090", None, 0, 70_000), ("1090", None, 0, 37_650),
    ]  # fmt: skip
    assert journal.postable, journal.proofs.problems()


def test_negative_correction_payroll_posts_on_the_opposite_sides() -> None:
    """A negative correction credits the expense and debits the clearing account, still balanced."""
    payroll = {
        "payroll_uuid": "p-corr", "check_date": "2025-04-02", "off_cycle": True, "off_cycle_reason": "Correction",
        "totals": {"gross_pay": "-200.00", "net_pay": "-150.00", "net_pay_debit": "-150.00",
                   "employee_taxes": "-50.00", "employer_taxes": "0.00", "tax_debit": "-50.00"},
        "employee_compensations": [compensation(
            w.E1, "-150.00", fixed_compensations=[{"name": "Correction Payment", "amount": "-200.00"}],
            taxes=[{"name": "FIT", "employer": False, "amount": "-50.00"}])],
    }  # fmt: skip
    mapping = w.MAPPING_YAML.replace(
        '  bonus: {account: "6020"}', '  bonus: {account: "6020"}\n  correction: {account: "6030"}'
    )
    journal = journal_for(payroll, mapping_yaml=mapping)
    assert line_tuples(journal.lines) == [
        ("6030", "200", 0, 20_000),
        ("1090", None, 15_000, 0),
        ("1090", None, 5_000, 0),
    ]
    assert journal.postable, journal.proofs.problems()


def test_zero_net_payroll_keeps_its_lines_and_balances() -> None:
    """Net pay of zero (all withheld) still books gross against the withholdings."""
    payroll = {
        "payroll_uuid": "p-zero", "check_date": "2025-04-03",
        "totals": {"gross_pay": "100.00", "net_pay": "0.00", "employee_benefits_deductions": "100.00"},
        "employee_compensations": [compensation(
            w.E1, "0.00", fixed_compensations=[{"name": "Bonus", "amount": "100.00"}],
            benefits=[{"name": "401K", "employee_deduction": "100.00", "company_contribution": "0.00"}])],
    }  # fmt: skip
    journal = journal_for(payroll)
    assert line_tuples(journal.lines) == [("6020", "200", 10_000, 0), ("2300", None, 0, 10_000)]
    assert journal.postable, journal.proofs.problems()


def test_unknown_compensation_name_is_held_not_dropped() -> None:
    """A new Gusto earning name becomes a held line naming the compensation and the fix."""
    payroll = w.payroll()
    payroll["employee_compensations"][0]["fixed_compensations"].append({"name": "Spot Award", "amount": "10.00"})
    payroll["employee_compensations"][0] |= {"net_pay": "4510.00", "gross_pay": "6010.00"}
    journal = journal_for(payroll)
    held = journal.lines.filter(pl.col("unmapped_reason").is_not_null())
    assert held.height == 1
    assert held["debit_cents"].to_list() == [1_000]
    assert "unknown Gusto compensation 'Spot Award'" in held["unmapped_reason"][0]
    assert held["employee_uuid"].to_list() == [w.E1]
    assert journal.proofs.balanced and journal.proofs.nothing_dropped and not journal.postable


def test_cash_tips_post_with_an_offset_and_imputed_pay_stays_memo() -> None:
    """Cash tips: expense against the offset account; imputed pay: no line, a note."""
    payroll = _bonus_only()
    comp = payroll["employee_compensations"][0]  # type: ignore[index]
    comp["fixed_compensations"] += [
        {"name": "Cash Tips", "amount": "40.00"},
        {"name": "Group Term Life", "amount": "5.00"},
    ]
    payroll["totals"] |= {"gross_pay": "1040.00", "employee_cash_tips": "40.00", "imputed_pay": "5.00"}  # type: ignore[operator]
    mapping = w.MAPPING_YAML.replace("credits:\n", 'credits:\n  cash_tips_offset: "2450"\n').replace(
        "defaults:\n", 'defaults:\n  cash_tips: {account: "6040"}\n'
    )
    journal = journal_for(payroll, mapping_yaml=mapping)
    assert ("6040", "200", 4_000, 0) in line_tuples(journal.lines)
    assert ("2450", None, 0, 4_000) in line_tuples(journal.lines)
    assert journal.postable, journal.proofs.problems()
    assert journal.proofs.notes == ("imputed pay 5.00 kept out of the journal (non-cash memo)",)


def test_reverse_journal_swaps_sides_and_points_at_the_original() -> None:
    """The reversal mirrors every line and names the original reference."""
    original = journal_for(w.payroll())
    ref = external_reference("acme", w.PAYROLL_UUID, 1, reversal=True)
    reversal = reverse_journal(original, ref)
    assert reversal.header.reverses == original.header.external_reference
    assert reversal.header.external_reference == ref
    assert reversal.lines["debit_cents"].to_list() == original.lines["credit_cents"].to_list()
    assert reversal.lines["credit_cents"].to_list() == original.lines["debit_cents"].to_list()
    assert reversal.proofs.balanced and reversal.header.content_hash != original.header.content_hash


def test_external_reference_is_stable_short_and_distinct() -> None:
    """Same inputs, same reference; ≤ 30 uppercase characters; revision and connection change it."""
    ref = external_reference("acme", w.PAYROLL_UUID, 1)
    assert ref == external_reference("acme", w.PAYROLL_UUID, 1)
    assert len(ref) <= 30 and ref == ref.upper() and ref.replace("-", "").isalnum()
    assert ref != external_reference("acme", w.PAYROLL_UUID, 2)
    assert ref != external_reference("other", w.PAYROLL_UUID, 1)


def test_content_hash_changes_with_amounts_not_with_rebuilds() -> None:
    """Rebuilding gives the same hash; a one-cent change gives another."""
    first, again = journal_for(w.payroll()), journal_for(w.payroll())
    assert first.header.content_hash == again.header.content_hash
    changed = w.payroll()
    changed["employee_compensations"][0]["reimbursements"][0]["amount"] = "150.01"
    assert journal_for(changed).header.content_hash != first.header.content_hash


@pytest.mark.parametrize("detail", ["summarized", "per_employee"])
def test_few_lines_finished_in_python_equal_the_frame_path(monkeypatch: pytest.MonkeyPatch, detail: str) -> None:
    """The loop that finishes a journal of few lines and the frame path give the same lines, held ones
    included."""
    held = w.payroll()
    held["employee_compensations"][0]["fixed_compensations"].append({"name": "Spot Award", "amount": "10.00"})
    held["employee_compensations"][0] |= {"net_pay": "4510.00", "gross_pay": "6010.00"}
    cases = [(w.payroll(), w.employees(), w.MAPPING_YAML), (held, w.employees(), w.MAPPING_YAML),
             (x.pto_payroll(), x.employees(), x.MAPPING_YAML), (x.cash_payroll(), x.employees(), x.MAPPING_YAML)]  # fmt: skip
    options = JournalOptions(detail=detail)  # type: ignore[arg-type]
    for payroll, employees, mapping in cases:
        looped = journal_for(payroll, employees, mapping, options).lines
        monkeypatch.setattr(journal_module, "FEW_LINES", 0)
        framed = journal_for(payroll, employees, mapping, options).lines
        monkeypatch.undo()
        assert looped.to_dicts() == framed.to_dicts()
        assert looped.schema == framed.schema
