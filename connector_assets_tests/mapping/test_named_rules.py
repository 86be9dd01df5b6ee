"""The taxes: and benefits: sections: parsing, errors with their fix, benefits by Gusto benefit type, and
`mapping check`'s unruled tax and benefit names."""

from __future__ import annotations

import re

import polars as pl
import pytest

from connector_assets.mapping import MappingError, employee_attributes, parse_mapping, resolve
from connector_assets.mapping.check import unruled_benefits, unruled_taxes
from connector_assets.mapping.model import NamedAccounts
from connector_assets.mapping.named import with_benefit_types
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


BENEFIT_TYPES = """benefits:
  "Medical Insurance": {expense: "6200", liability: "2310"}
  "Dental plans": {type: 2, expense: "6205", liability: "2305"}
  "Medical plans": {type: 1, expense: "6201", liability: "2301"}
"""
# Gusto's company benefits: description (the name payrolls carry) -> benefit type id.
COMPANY_BENEFITS = {"Medical Insurance": 1, "Kaiser Gold": 1, "Delta Dental": 2, "401K": 5}


def test_type_rules_parse_apart_from_name_rules_and_are_listed_as_used() -> None:
    rules = parse_mapping(BASE + BENEFIT_TYPES)
    assert rules.benefit_expenses == {"Medical Insurance": "6200"}
    assert dict(rules.benefit_types) == {
        2: ("Dental plans", NamedAccounts("6205", "2305")),
        1: ("Medical plans", NamedAccounts("6201", "2301")),
    }
    used = dict(rules.accounts_used())
    assert used["benefits.Dental plans.expense"] == "6205" and used["benefits.Medical plans.liability"] == "2301"


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ('benefits: {"X": {type: "dental", expense: "6205"}}', "benefits.X.type: 'dental' is not a Gusto benefit type id"),
        ('benefits: {"X": {type: 0, expense: "6205"}}', "benefits.X.type: 0 is not a Gusto benefit type id"),
        ('benefits: {"X": {type: 2}}', "benefits.X: empty; give an expense and/or a liability"),
        ('benefits: {"X": {type: 2, liability: "1"}, "Y": {type: 2, liability: "2"}}',
         "benefits.Y.type: benefits.X has type 2 too"),
        ('benefits: {"X": {kind: 2, liability: "1"}}', "benefits.X.kind: unknown key; use one of type, expense"),
        ('taxes: {by_name: {"FUTA": {type: 2, liability: "1"}}}', "taxes.by_name.FUTA.type: unknown key"),
    ],
)  # fmt: skip
def test_type_rule_errors_name_the_key_and_the_fix(section: str, message: str) -> None:
    with pytest.raises(MappingError, match=re.escape(message)):
        parse_mapping(BASE + section + "\n")


def test_a_name_rule_wins_over_a_type_rule_and_an_unknown_type_stays_on_the_defaults() -> None:
    rules = with_benefit_types(parse_mapping(BASE + BENEFIT_TYPES), COMPANY_BENEFITS)
    assert rules.benefit_expenses == {"Medical Insurance": "6200", "Kaiser Gold": "6201", "Delta Dental": "6205"}
    assert rules.benefits_by_name == {"Medical Insurance": "2310", "Kaiser Gold": "2301", "Delta Dental": "2305"}
    assert rules.benefit_labels == {"Kaiser Gold": "benefits.Medical plans(type 1)",
                                    "Delta Dental": "benefits.Dental plans(type 2)"}  # fmt: skip
    # Without type rules Gusto's types change nothing.
    plain = parse_mapping(BASE)
    assert with_benefit_types(plain, COMPANY_BENEFITS) is plain


def test_journal_lines_of_a_typed_benefit_take_its_type_rule() -> None:
    """Kaiser Gold (type 1) has no name rule: the type-1 rule places both sides; 401K (type 5) has none."""
    rules = with_benefit_types(parse_mapping(BASE + BENEFIT_TYPES), COMPANY_BENEFITS)
    items = pl.DataFrame(
        [(0, "e-1", None, "employer_benefit", "Kaiser Gold", "Kaiser Gold", 300_00, True),
         (1, "e-1", None, "employee_benefit", "Kaiser Gold", "Kaiser Gold", 120_00, False),
         (2, "e-1", None, "employer_benefit", "401K", "401K", 50_00, True),
         (3, "e-1", None, "employer_benefit", "Medical Insurance", "Medical Insurance", 80_00, True)],
        schema=["item_no", "employee_uuid", "job_uuid", "category", "subtype", "name", "amount_cents", "employer"],
        orient="row",
    )  # fmt: skip
    employees = [{"uuid": "e-1", "department": "Engineering", "department_uuid": "d-eng", "custom_fields": [],
                  "jobs": [{"uuid": "j-1", "title": "Tech", "primary": True, "rate": "30.00"}]}]  # fmt: skip
    lines = resolve(items, employee_attributes(employees), rules)
    placed = {(r["side"], r["name"]): (r["account"], r["rule"]) for r in lines.iter_rows(named=True)}
    assert placed[("debit", "Kaiser Gold")][0] == "6201"
    assert "account: benefits.Medical plans(type 1).expense;" in placed[("debit", "Kaiser Gold")][1]
    assert placed[("credit", "Kaiser Gold")] == ("2301", "benefits.Medical plans(type 1).liability")
    assert placed[("debit", "Medical Insurance")][0] == "6200"
    assert "account: benefits.Medical Insurance.expense;" in placed[("debit", "Medical Insurance")][1]
    # No rule by name or type: the ordinary employer_benefit rules apply (this mapping has none: held).
    assert placed[("debit", "401K")] == (None, "account: none; cost center: none")


def test_mapping_check_lists_benefits_without_a_rule_by_name_or_type() -> None:
    rules = parse_mapping(BASE + BENEFIT_TYPES)
    problems = unruled_benefits(rules, [(n, t) for n, t in COMPANY_BENEFITS.items()] + [("Old plan", None)])
    assert [(p.rule, p.value, p.severity) for p in problems] == [
        ("benefits", "401K (type 5)", "warning"),
        ("benefits", "Old plan", "warning"),
    ]
    assert 'add benefits."401K" or a rule with type: 5 to mapping.yaml' in problems[0].fix
