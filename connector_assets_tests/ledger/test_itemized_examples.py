"""docs/accounting.md §6-8, line for line: itemized taxes, refunds, deferred taxes, benefits, owner's draw."""

from __future__ import annotations

from typing import Any

import polars as pl

from connector_assets.ledger import JournalOptions, build_journal, payroll_items
from connector_assets.mapping import employee_attributes, parse_mapping, resolve
from connector_assets_tests.ledger import accounting_examples as x
from connector_assets_tests.ledger import itemized_examples as y
from connector_assets_tests.ledger.builders import line_tuples
from connector_assets_tests.ledger.payroll_strategy import negated


def _journal(payroll: dict[str, Any], mapping: str, taxes: str = "consolidated"):  # type: ignore[no-untyped-def]
    items = payroll_items(payroll)
    resolved = resolve(items, employee_attributes(x.employees()), parse_mapping(mapping), taxes)  # type: ignore[arg-type]
    return build_journal(payroll, items, resolved, JournalOptions(connection_id="acme"))


def test_itemized_taxes_post_each_tax_to_its_accounts() -> None:
    """Example 6: per-tax expense and liability, CA SUI on the default, the MO credit as a receivable."""
    journal = _journal(y.itemized_payroll(), y.ITEMIZED_YAML, "itemized")
    assert line_tuples(journal.lines) == y.ITEMIZED_LINES
    assert journal.postable, journal.proofs.problems()
    rules = dict(zip(journal.lines["account"], journal.lines["rule"], strict=True))
    assert rules["2140"] == "taxes.default.liability"
    assert rules["1200"] == "taxes.receivable"
    assert "taxes.default.expense" in rules["6140"]


def test_consolidated_taxes_are_the_default_and_ignore_the_by_name_rules() -> None:
    """The same payroll, consolidated: one expense per cost center and one tax debit, as before."""
    assert line_tuples(_journal(y.itemized_payroll(), x.MAPPING_YAML).lines) == y.CONSOLIDATED_LINES
    with_rules = _journal(y.itemized_payroll(), y.ITEMIZED_YAML.replace('  receivable: "1200"\n', ""))
    assert line_tuples(with_rules.lines) == y.CONSOLIDATED_LINES


def test_a_reversal_returns_the_credit_from_the_receivable() -> None:
    """On the reversal payroll the +0.92 runs against the (negative) pay: it credits the receivable back."""
    original = _journal(y.itemized_payroll(), y.ITEMIZED_YAML, "itemized")
    reversal = _journal(negated(y.itemized_payroll(), "p6-reversal"), y.ITEMIZED_YAML, "itemized")
    swapped = [(a, cc, cr, dr) for a, cc, dr, cr in line_tuples(original.lines)]
    assert line_tuples(reversal.lines) == swapped
    assert reversal.postable, reversal.proofs.problems()


def test_itemized_tax_without_any_rule_uses_the_consolidated_accounts() -> None:
    """No taxes section at all: itemized posting falls back to employer_tax and credits.taxes."""
    assert line_tuples(_journal(y.itemized_payroll(), x.MAPPING_YAML, "itemized").lines) == y.CONSOLIDATED_LINES


def test_deferred_payroll_taxes_are_a_liability_not_a_tax_debit() -> None:
    """Example 7: the tax debit credit is 486.00 (Gusto's tax_debit), 186.00 is owed on 2150."""
    journal = _journal(y.deferred_payroll(), y.ITEMIZED_YAML)
    assert line_tuples(journal.lines) == y.DEFERRED_LINES
    assert journal.postable, journal.proofs.problems()


def test_deferred_taxes_without_an_account_are_held_by_name() -> None:
    journal = _journal(y.deferred_payroll(), x.MAPPING_YAML)
    assert journal.proofs.balanced and not journal.postable
    reasons = journal.lines["unmapped_reason"].drop_nulls().to_list()
    assert reasons == ["Gusto deferred payroll taxes and the mapping has no account for them; add taxes.deferred "
                       "to mapping.yaml"]  # fmt: skip


def test_benefits_deductions_garnishments_and_owners_draw() -> None:
    """Example 8: per-benefit expense and liability, garnishment payable, owner's draw to equity, no cost center."""
    journal = _journal(y.benefits_payroll(), y.BENEFITS_YAML)
    assert line_tuples(journal.lines) == y.BENEFITS_LINES
    assert journal.postable, journal.proofs.problems()


def test_owners_draw_without_an_equity_account_is_held() -> None:
    journal = _journal(y.benefits_payroll(), y.BENEFITS_YAML.replace('  owners_draw: "3100"\n', ""))
    held = journal.lines.filter(pl.col("unmapped_reason").is_not_null())
    assert held["unmapped_reason"].to_list() == [
        "owner's draw needs an equity account; add credits.owners_draw to mapping.yaml"
    ]
    assert held["debit_cents"].to_list() == [200_000]


def test_owners_draw_stays_outside_the_wages_tie_out() -> None:
    """A gross_pay that counted the draw would not tie out: the draw is not wages."""
    payroll = y.benefits_payroll()
    payroll["totals"]["gross_pay"] = "5000.00"
    journal = _journal(payroll, y.BENEFITS_YAML)
    assert any("gross_pay: expected 5000.00, journal carries 3000.00" in p for p in journal.proofs.problems()), (
        journal.proofs.problems()
    )


def test_a_payroll_without_pay_and_its_reversal_net_to_zero() -> None:
    """No pay to give a direction: the taxes' total decides (a tax owed, not a refund), and the reversal's
    tax lands where the original's did."""
    comp = x._comp(x.A, "Direct Deposit", "0.00", "-0.01", "-0.01",
                   taxes=[{"name": "Federal Income Tax", "employer": False, "amount": "0.01"}])  # fmt: skip
    totals = {"gross_pay": "0.00", "net_pay": "-0.01", "employee_taxes": "0.01", "net_pay_debit": "-0.01",
              "tax_debit": "0.01", "company_debit": "0.00"}  # fmt: skip
    original = x._payroll("p9-zero", totals, [comp])
    for taxes in ("consolidated", "itemized"):
        pair = [_journal(p, y.ITEMIZED_YAML, taxes) for p in (original, negated(original, "p9-reversal"))]
        assert all(j.postable for j in pair), [j.proofs.problems() for j in pair]
        both = pl.concat([j.lines for j in pair])
        net = both.group_by("account").agg((pl.col("debit_cents") - pl.col("credit_cents")).sum())
        assert set(net["debit_cents"].to_list()) == {0}, both
        assert "1200" not in both["account"].to_list()
