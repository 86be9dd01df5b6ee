"""Accounts by Gusto name: itemized taxes, per-benefit expenses, refunds, deferred taxes, garnishments.

Debit side: an employer tax (itemized) or a benefit contribution whose Gusto name has a rule takes that
expense account (a benefit no name rule names takes its Gusto benefit type's rule, see ``with_benefit_types``); an itemized tax no rule names takes ``taxes.default.expense`` when given; otherwise the
``employer_tax`` / ``employer_benefit`` rules apply as in the consolidated journal. Cost centres still
follow the employee's wages.

Credit side, most specific first: a tax that runs against the payroll (a refund or credit: negative on a
payroll, positive on its reversal) → ``taxes.receivable``; an itemized tax → ``taxes.by_name.<name>.liability``
→ ``taxes.default.liability``; a garnishment → ``deductions_by_name`` → ``credits.garnishments``; then the
consolidated accounts. ``totals.deferred_payroll_taxes`` moves its amount from the tax debit
(``credits.taxes``) to ``taxes.deferred``. An owner's draw debits ``credits.owners_draw`` (equity) with no
cost centre.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Literal

import polars as pl

from connector_assets.ledger import categories as c
from connector_assets.mapping.model import MappingRules

TaxDetail = Literal["consolidated", "itemized"]
TAX_CATEGORIES = (c.EMPLOYEE_TAX, c.EMPLOYER_TAX)
_NAME = pl.col("name").str.strip_chars().str.to_lowercase()


def _by_name(rows: list[tuple[str, str, str, str]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={"category": pl.String, "_name": pl.String, "_acc": pl.String, "_rule": pl.String},
        orient="row",
    )


def debit_overrides(
    legs: pl.DataFrame, account: pl.DataFrame, rules: MappingRules, taxes: TaxDetail
) -> pl.DataFrame:
    """``account`` (item_no, account, acc_rule) with the by-name expense accounts applied."""
    itemized = taxes == "itemized"
    rows = [
        (c.EMPLOYER_BENEFIT, n.lower(), a, f"{rules.benefit_labels.get(n, f'benefits.{n}')}.expense")
        for n, a in rules.benefit_expenses.items()
    ]
    if itemized:
        rows += [
            (c.EMPLOYER_TAX, n.lower(), v.expense, f"taxes.by_name.{n}.expense")
            for n, v in rules.taxes.by_name.items()
            if v.expense
        ]
    if not rows and not (itemized and rules.taxes.default.expense):
        return account
    named = legs.select("item_no", "category", _name=_NAME).join(
        _by_name(rows), on=["category", "_name"], how="left"
    )
    if itemized and (default := rules.taxes.default.expense):
        is_tax = pl.col("category") == c.EMPLOYER_TAX
        named = named.with_columns(
            _acc=pl.when(is_tax).then(pl.coalesce("_acc", pl.lit(default))).otherwise("_acc"),
            _rule=pl.when(is_tax).then(pl.coalesce("_rule", pl.lit("taxes.default.expense"))).otherwise("_rule"),
        )
    found = named.filter(pl.col("_acc").is_not_null()).select("item_no", account="_acc", acc_rule="_rule")
    return pl.concat([account.join(found, on="item_no", how="anti"), found], how="diagonal_relaxed")


def with_benefit_types(rules: MappingRules, types: Mapping[str, int]) -> MappingRules:
    """The rules with each type rule applied to the benefit names Gusto files under that type.

    ``types`` is Gusto's company benefits, description (the name payrolls carry) -> benefit type id. A name
    with its own rule keeps it (name wins over type); a name whose type has no rule stays on the defaults.
    """
    if not rules.benefit_types:
        return rules
    expenses, liabilities, labels = dict(rules.benefit_expenses), dict(rules.benefits_by_name), {}
    for name, kind in sorted(types.items()):
        rule = rules.benefit_types.get(kind)
        if rule is None or rules.benefit_covered(name):
            continue
        key, accounts = rule
        labels[name] = f"benefits.{key}(type {kind})"
        if accounts.expense:
            expenses[name] = accounts.expense
        if accounts.liability:
            liabilities[name] = accounts.liability
    return replace(rules, benefit_expenses=expenses, benefits_by_name=liabilities, benefit_labels=labels)


def payroll_direction(ctx: pl.DataFrame) -> int:
    """-1 when the payroll runs negative (a reversal), else 1: a tax against it is a refund or credit.

    Pay decides; a payroll without pay falls back to its taxes' total, its net pay, then its first item, so
    a reversal (every amount negated) always has the opposite direction of its original.
    """
    category = pl.col("category")
    for cond in (category.is_in([c.EARNING, c.CASH_TIPS]), category.is_in(TAX_CATEGORIES), category == c.NET_PAY):
        total = ctx.filter(cond)["amount_cents"].sum() or 0
        if total:
            return -1 if total < 0 else 1
    first = ctx.sort("item_no")["amount_cents"].head(1).to_list()
    return -1 if first and first[0] < 0 else 1


def expand_deferral(legs: pl.DataFrame) -> pl.DataFrame:
    """A deferred-tax item becomes two credit legs: +amount deferred liability, -amount off the tax debit."""
    deferred = pl.col("category") == c.DEFERRED_TAX
    offset = legs.filter(deferred).with_columns(role=pl.lit("taxes"), amount_cents=-pl.col("amount_cents"))
    return pl.concat([legs, offset])


def named_credit_account(rules: MappingRules, taxes: TaxDetail, direction: int) -> tuple[pl.Expr, pl.Expr]:
    """(account, rule label) for credit legs a by-name, receivable or deferred rule places; null otherwise."""
    t = rules.taxes
    is_tax = pl.col("category").is_in(TAX_CATEGORIES)
    picks: list[tuple[pl.Expr, pl.Expr, pl.Expr]] = []
    if t.receivable:
        against = is_tax & ((pl.col("amount_cents") * direction) < 0)
        picks.append((against, pl.lit(t.receivable), pl.lit("taxes.receivable")))
    picks.append(((pl.col("role") == "deferred_payroll_taxes"), pl.lit(t.deferred), pl.lit("taxes.deferred")))
    if taxes == "itemized":
        lookup = {n.strip().lower(): v.liability for n, v in t.by_name.items() if v.liability}
        labels = {n.strip().lower(): f"taxes.by_name.{n}.liability" for n, v in t.by_name.items() if v.liability}
        if lookup:
            hit = _NAME.replace_strict(lookup, default=None, return_dtype=pl.String)
            label = _NAME.replace_strict(labels, default=None, return_dtype=pl.String)
            picks.append((is_tax & hit.is_not_null(), hit, label))
        if t.default.liability:
            taxes_role = is_tax | (pl.col("category") == c.DEFERRED_TAX) & (pl.col("role") == "taxes")
            picks.append((taxes_role, pl.lit(t.default.liability), pl.lit("taxes.default.liability")))
    garnish = (pl.col("subtype") == c.GARNISHMENT) & pl.col("named_account").is_null()
    if "garnishments" in rules.credits:
        picks.append((garnish, pl.lit(rules.credits["garnishments"]), pl.lit("credits.garnishments")))
    account: pl.Expr = pl.lit(None, pl.String)
    rule: pl.Expr = pl.lit(None, pl.String)
    for cond, acc, lab in reversed(picks):
        account = pl.when(cond).then(acc).otherwise(account)
        rule = pl.when(cond).then(lab).otherwise(rule)
    return account, rule
