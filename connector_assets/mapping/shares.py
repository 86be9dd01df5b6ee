"""Cost-centre shares of debit legs: percentage splits and fully loaded employer cost.

A split turns one leg into several shares by largest remainder. Employer taxes
and benefit contributions follow the employee's allocated wages (cash tips
included, as part of gross), per payroll-accounting §6; when the employee's
wages net to zero or mix signs there is no proportion, and those legs resolve
by their own rules instead.
"""

from __future__ import annotations

import polars as pl

from connector_assets.ledger import categories as c
from connector_assets.ledger.allocation import allocate_frame


def _weights(shares: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Wage weight per cost centre within ``by``; groups whose wages net to zero or mix signs drop out."""
    return (
        shares.filter(pl.col("category").is_in([c.EARNING, c.CASH_TIPS]))
        .group_by(*by, "cost_center")
        .agg(w=pl.col("share_cents").sum())
        .filter(pl.col("w") != 0)
        .with_columns(
            total=pl.col("w").sum().over(by or pl.lit(0)),
            mixed=(pl.col("w") > 0).any().over(by or pl.lit(0)) & (pl.col("w") < 0).any().over(by or pl.lit(0)),
        )
        # Weights must share one sign: a correction that nets wages to zero or flips sign has no proportion.
        .filter((pl.col("total") != 0) & ~pl.col("mixed"))
        # Most employees' wages sit on one cost centre: their costs follow without an allocation.
        .with_columns(centres=pl.len().over(by or pl.lit(0)))
        .select(*by, "centres", wage_cc="cost_center", weight=pl.col("w").abs())
    )


def _own_rules(alone: pl.DataFrame, split: pl.DataFrame) -> list[pl.DataFrame]:
    """Legs placed by their own rule: a single cost centre or a percentage split."""
    if alone.is_empty():
        return []
    single = alone.filter(~pl.col("split").fill_null(False)).with_columns(
        share_cents=pl.col("amount_cents"), cost_center=pl.col("cc")
    )
    parted = allocate_frame(
        alone.filter(pl.col("split").fill_null(False)).join(split, left_on="split_order", right_on="order"),
        by=["item_no"],
        amount="amount_cents",
        weight="weight",
        tie=["split_cc", "pos"],
    ).with_columns(cost_center=pl.col("split_cc"))
    return [single, parted]


def _follow(paired: pl.DataFrame, rule: str) -> list[pl.DataFrame]:
    """Legs paired with the wage cost centres they follow: one share per centre, cent-exact."""
    marks = {"cc_rule": pl.lit(rule), "follow": pl.lit(True)}
    one = paired.filter(pl.col("centres") == 1).with_columns(
        share_cents=pl.col("amount_cents"), cost_center=pl.col("wage_cc"), **marks
    )
    if one.height == paired.height:
        return [one]
    many = allocate_frame(
        paired.filter(pl.col("centres") > 1),
        by=["item_no"],
        amount="amount_cents",
        weight="weight",
        tie=["wage_cc"],
    ).with_columns(cost_center=pl.col("wage_cc"), **marks)
    return [one, many]


def _company_shares(company: pl.DataFrame, shares: pl.DataFrame, split: pl.DataFrame) -> list[pl.DataFrame]:
    """Payroll-level employer taxes: spread over the whole payroll's wages by cost centre, unless a
    ``company_tax`` rule names a cost centre; with no wages to follow, the leg's own rule places it."""
    if company.is_empty():
        return []
    named = (pl.col("mapping_key") == c.COMPANY_TAX) & (
        pl.col("cc").is_not_null() | pl.col("split").fill_null(False)
    )
    wages = _weights(shares, [])
    follow = company.filter(~named)
    if wages.height == 0:
        return _own_rules(company, split)
    followed = _follow(follow.join(wages, how="cross"), "follows the payroll's wages")
    return [*followed, *_own_rules(company.filter(named), split)]


def allocate_debit_shares(legs: pl.DataFrame, split: pl.DataFrame) -> pl.DataFrame:
    """Expand split legs into cost-centre shares; employer costs follow the employee's wage shares."""
    follows = pl.col("category").is_in(list(c.FOLLOWS_WAGES))
    company = follows & pl.col("employee_uuid").is_null()
    own = legs.filter(~follows)
    is_split = pl.col("split").fill_null(False)
    shares = own.filter(~is_split).with_columns(share_cents=pl.col("amount_cents"), cost_center=pl.col("cc"))
    # The sums of a summarized journal rarely split: the allocation's sort and windows run only when needed.
    to_split = own.filter(is_split)
    if not to_split.is_empty():
        parted = (
            allocate_frame(
                to_split.join(split, left_on="split_order", right_on="order"),
                by=["item_no"],
                amount="amount_cents",
                weight="weight",
                tie=["split_cc", "pos"],
            )
            .with_columns(cost_center=pl.col("split_cc"))
            .drop("split_cc", "weight", "pos")
        )
        shares = pl.concat([shares, parted], how="diagonal_relaxed")

    wages = _weights(shares, ["employee_uuid"])
    employer = legs.filter(follows & ~company)
    followed = _follow(employer.join(wages, on="employee_uuid", how="inner"), "follows wages")
    alone = employer.join(wages.select("employee_uuid").unique(), on="employee_uuid", how="anti")
    parts = [shares, *followed, *_own_rules(alone, split), *_company_shares(legs.filter(company), shares, split)]
    out = pl.concat(parts, how="diagonal_relaxed")
    if "follow" not in out.columns:
        return out.with_columns(follow=pl.lit(False))
    return out.with_columns(follow=pl.col("follow").fill_null(False))
