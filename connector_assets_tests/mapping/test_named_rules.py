"""The taxes: and benefits: sections: parsing, errors with their fix, and `mapping check`'s unruled tax names."""

from __future__ import annotations

import re

import pytest

from connector_assets.mapping import MappingError, parse_mapping
from connector_assets.mapping.check import unruled_taxes
from connector_assets.mapping.model import NamedAccounts
from connector_assets_tests.mapping.test_rules import BASE

TAXES = """taxes:
  by_name:
    "Social Security": {expense: "6100", liability: "2120"}
    "Federal Income Tax": {liability: "2100"}
  default: {expense: "6140", liability: "2140"}
  receivable: "1200"
  deferred: "2150"
benefits:
  "Medical Insurance": {expense: "6200", liability: "2310"}
"""


def test_sections_parse_into_named_accounts_and_are_listed_as_used() -> None:
    rules = parse_mapping(BASE + TAXES)
    assert rules.taxes.by_name["Social Security"] == NamedAccounts("6100", "2120")
    assert rules.taxes.by_name["Federal Income Tax"] == NamedAccounts(None, "2100")
    assert (rules.taxes.default, rules.taxes.receivable, rules.taxes.deferred) == (
        NamedAccounts("6140", "2140"), "1200", "2150"
    )  # fmt: skip
    assert rules.benefit_expenses == {"Medical Insurance": "6200"}
    assert rules.benefits_by_name == {"Medical Insurance": "2310"}
    used = dict(rules.accounts_used())
    assert used["taxes.by_name.Social Security.expense"] == "6100"
    assert used["taxes.default.liability"] == "2140"
    assert used["taxes.receivable"] == "1200"
    assert used["benefits.Medical Insurance.expense"] == "6200"


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ('taxes: {by_name: {"FUTA": {}}}', "taxes.by_name.FUTA: empty; give an expense and/or a liability"),
        ('taxes: {by_name: {"FUTA": {asset: "1"}}}', "taxes.by_name.FUTA.asset: unknown key; use one of expense"),
        ("taxes: {receivable: 1200}", "taxes.receivable: 1200 is a number; quote it as '1200'"),
        ('taxes: {payable: "2"}', "taxes.payable: unknown key; use one of by_name, default, receivable, deferred"),
        ('taxes: {by_name: {"FUTA": {liability: "1"}, "futa": {liability: "2"}}}', "a tax is named twice"),
    ],
)
def test_section_errors_name_the_key_and_the_fix(section: str, message: str) -> None:
    with pytest.raises(MappingError, match=re.escape(message)):
        parse_mapping(BASE + section + "\n")


def test_a_benefit_liability_may_not_contradict_benefits_by_name() -> None:
    text = BASE.replace('  benefits: "2300"\n', '  benefits: "2300"\n  benefits_by_name: {"401K": "2320"}\n')
    with pytest.raises(
        MappingError, match=re.escape("benefits.401K.liability: credits.benefits_by_name.401K names 2320")
    ):
        parse_mapping(text + 'benefits: {"401K": {liability: "2310"}}\n')


def test_mapping_check_lists_every_gusto_tax_name_without_a_rule() -> None:
    """Names are compared case- and space-insensitively; each unruled one is a warning naming where it posts."""
    rules = parse_mapping(BASE + TAXES)
    problems = unruled_taxes(rules, ["Social Security", " federal income tax", "NY MCTMT", "CA SUI", "CA SUI", ""])
    assert [(p.rule, p.value, p.severity) for p in problems] == [
        ("taxes.by_name", "CA SUI", "warning"),
        ("taxes.by_name", "NY MCTMT", "warning"),
    ]
    assert problems[0].problem == "Gusto tax has no rule; itemized, it posts to taxes.default (6140 / 2140)"
    bare = unruled_taxes(parse_mapping(BASE), ["FUTA"])
    assert bare[0].problem == (
        "Gusto tax has no rule; itemized, it posts to the consolidated accounts (employer_tax rules, credits.taxes)"
    )
