"""Entity-level legs (no cost centre): each item's clearing or liability credit, and the owner's draw debit."""

from __future__ import annotations

import polars as pl

from connector_assets.ledger import categories as c
from connector_assets.ledger.roles import CREDIT_CATEGORIES, credit_role
from connector_assets.mapping.model import MappingRules
from connector_assets.mapping.named import TaxDetail, expand_deferral, named_credit_account, payroll_direction


def named_liability_rows(rules: MappingRules) -> list[tuple[str, str, str, str]]:
    """(role, trimmed lower-cased Gusto name, account, rule label) of every by-name deduction and benefit."""
    rows = [
        ("deductions", n.strip().lower(), a, f"credits.deductions_by_name.{n}")
        for n, a in rules.deductions_by_name.items()
    ]
    return rows + [
        (
            "benefits",
            n.strip().lower(),
            a,
            f"{rules.benefit_labels[n]}.liability"
            if n in rules.benefit_labels
            else f"credits.benefits_by_name.{n}",
        )
        for n, a in rules.benefits_by_name.items()
    ]


def credit_legs(ctx: pl.DataFrame, rules: MappingRules, taxes: TaxDetail = "consolidated") -> pl.DataFrame:
    """Entity-level legs: clearing and liability accounts from ``credits:`` and ``taxes:``, the owner's draw."""
    legs = ctx.filter(pl.col("category").is_in([*CREDIT_CATEGORIES, *c.ENTITY_DEBITS]))
    by_name = pl.DataFrame(
        named_liability_rows(rules),
        schema={"role": pl.String, "_name": pl.String, "named_account": pl.String, "named_rule": pl.String},
        orient="row",
    )
    plain = pl.col("role").replace_strict(dict(rules.credits), default=None, return_dtype=pl.String)
    # Child support is a deduction by name: deductions_by_name first, then credits.child_support, then deductions.
    by_role = pl.when(pl.col("role") == "child_support").then(pl.lit("deductions")).otherwise("role")
    entity_role = pl.when(pl.col("category") == c.OWNERS_DRAW).then(pl.lit("owners_draw")).otherwise(credit_role())
    legs = expand_deferral(
        legs.with_columns(role=entity_role, _name=pl.col("name").str.strip_chars().str.to_lowercase())
    )
    legs = legs.with_columns(_by=by_role).join(by_name.rename({"role": "_by"}), on=["_by", "_name"], how="left")
    special, special_rule = named_credit_account(rules, taxes, payroll_direction(ctx))
    ordinary = pl.when(pl.col("role") != "deferred_payroll_taxes").then(plain)
    fallback = pl.when(pl.col("role") == "child_support").then(pl.lit(rules.credits.get("deductions")))
    legs = legs.with_columns(_special=special, _special_rule=special_rule)
    # By-name, receivable and deferred rules never overlap (taxes vs deductions/benefits); garnishments yield.
    account = pl.coalesce("_special", "named_account", ordinary, fallback)
    rule = (
        pl.when(pl.col("_special").is_not_null())
        .then("_special_rule")
        .when(pl.col("named_account").is_not_null())
        .then("named_rule")
        .otherwise(pl.concat_str(pl.lit("credits."), pl.col("role")))
    )
    reason = (
        pl.when(pl.col("role") == "net_pay_unknown")
        .then(pl.format("net pay with unknown payment method '{}'; check the employee's payment_method in Gusto",
                        pl.col("name")))
        .when(account.is_null() & (pl.col("role") == "deferred_payroll_taxes"))
        .then(pl.lit("Gusto deferred payroll taxes and the mapping has no account for them; add taxes.deferred to "
                     + rules.source))
        .when(account.is_null() & (pl.col("role") == "owners_draw"))
        .then(pl.lit("owner's draw needs an equity account; add credits.owners_draw to " + rules.source))
        .when(account.is_null())
        .then(pl.format("no credit account for '{}'; add credits.{} to " + rules.source, pl.col("role"),
                        pl.col("role")))
    )  # fmt: skip
    return legs.select(
        "item_no",
        "employee_uuid",
        "job_uuid",
        "category",
        "subtype",
        "name",
        side=pl.when(pl.col("category").is_in(list(c.ENTITY_DEBITS)))
        .then(pl.lit("debit"))
        .otherwise(pl.lit("credit")),
        role="role",
        amount_cents="amount_cents",
        account=account,
        cost_center=pl.lit(None, pl.String),
        dimensions=pl.lit(""),
        rule=rule,
        mapping_version=pl.lit(rules.version),
        unmapped_reason=reason,
    )
