"""The journal role of each item's credit leg, as one polars expression shared by mapping and proofs."""

from __future__ import annotations

import polars as pl

from connector_assets.ledger import categories as c

CREDIT_CATEGORIES = [k for k, v in c.CREDIT_ROLE.items() if v]


def credit_role() -> pl.Expr:
    """Credit role of an item row: net pay by payment method; a check-paid reimbursement is on the paper
    check (checks outstanding); child support is cleared by Gusto's child_support_debit."""
    category, subtype = pl.col("category"), pl.col("subtype")
    return (
        pl.when(category == c.NET_PAY)
        .then(pl.concat_str(pl.lit("net_pay_"), subtype))
        .when((category == c.REIMBURSEMENT) & (subtype == c.CHECK_REIMBURSEMENT))
        .then(pl.lit("net_pay_check"))
        .when((category == c.DEDUCTION) & (subtype == c.CHILD_SUPPORT))
        .then(pl.lit("child_support"))
        .otherwise(category.replace_strict(c.CREDIT_ROLE, default=None, return_dtype=pl.String))
    )


def credit_role_of(category: str | None, subtype: str | None) -> str | None:
    """``credit_role`` for one (category, subtype), in plain Python."""
    if category == c.NET_PAY:
        return None if subtype is None else f"net_pay_{subtype}"
    if category == c.REIMBURSEMENT and subtype == c.CHECK_REIMBURSEMENT:
        return "net_pay_check"
    if category == c.DEDUCTION and subtype == c.CHILD_SUPPORT:
        return "child_support"
    return c.CREDIT_ROLE.get(category) if category is not None else None
