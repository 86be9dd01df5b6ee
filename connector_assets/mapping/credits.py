"""Credit legs: each item's clearing or liability account, at entity level (no cost centre)."""

from __future__ import annotations

import polars as pl

from connector_assets.ledger.roles import CREDIT_CATEGORIES, credit_role
from connector_assets.mapping.model import MappingRules


def credit_legs(ctx: pl.DataFrame, rules: MappingRules) -> pl.DataFrame:
    """Entity-level credit legs: clearing and liability accounts from the ``credits:`` section."""
    legs = ctx.filter(pl.col("category").is_in(CREDIT_CATEGORIES))
    by_name = pl.DataFrame(
        [
            ("deductions", n.strip().lower(), a, f"credits.deductions_by_name.{n}")
            for n, a in rules.deductions_by_name.items()
        ]
        + [
            ("benefits", n.strip().lower(), a, f"credits.benefits_by_name.{n}")
            for n, a in rules.benefits_by_name.items()
        ],
        schema={"role": pl.String, "_name": pl.String, "named_account": pl.String, "named_rule": pl.String},
        orient="row",
    )
    plain = pl.col("role").replace_strict(dict(rules.credits), default=None, return_dtype=pl.String)
    # Child support is a deduction by name: deductions_by_name first, then credits.child_support, then deductions.
    by_role = pl.when(pl.col("role") == "child_support").then(pl.lit("deductions")).otherwise("role")
    legs = (
        legs.with_columns(role=credit_role(), _name=pl.col("name").str.strip_chars().str.to_lowercase())
        .with_columns(_by=by_role)
        .join(by_name.rename({"role": "_by"}), on=["_by", "_name"], how="left")
    )
    fallback = pl.when(pl.col("role") == "child_support").then(pl.lit(rules.credits.get("deductions")))
    account = pl.coalesce("named_account", plain, fallback)
    rule = (
        pl.when(pl.col("named_account").is_not_null())
        .then("named_rule")
        .otherwise(pl.concat_str(pl.lit("credits."), pl.col("role")))
    )
    reason = (
        pl.when(pl.col("role") == "net_pay_unknown")
        .then(pl.format("net pay with unknown payment method '{}'; check the employee's payment_method in Gusto",
                        pl.col("name")))
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
        side=pl.lit("credit"),
        role="role",
        amount_cents="amount_cents",
        account=account,
        cost_center=pl.lit(None, pl.String),
        dimensions=pl.lit(""),
        rule=rule,
        mapping_version=pl.lit(rules.version),
        unmapped_reason=reason,
    )
