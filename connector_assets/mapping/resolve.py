"""Vectorized rule resolution: payroll items → journal legs with account, cost centre and reason.

Each item yields a debit leg (expenses: earnings, cash tips, employer taxes and
benefits, reimbursements) and/or a credit leg (entity-level clearing and
liability accounts). Debit legs find their account and cost centre separately,
most specific rule first; a percentage split turns one leg into several shares
by largest remainder; employer taxes and benefits follow the employee's
allocated wages. A leg nothing covers keeps ``unmapped_reason`` and is held.
"""

from __future__ import annotations

from fractions import Fraction
from math import lcm

import polars as pl

from connector_assets.ledger import categories as c
from connector_assets.ledger.allocation import allocate_frame
from connector_assets.mapping import model as m
from connector_assets.mapping.attributes import ATTRIBUTE_SCHEMA
from connector_assets.mapping.model import MappingRules

RESOLVED_SCHEMA: dict[str, pl.DataType] = {
    "item_no": pl.Int64(),
    "employee_uuid": pl.String(),
    "job_uuid": pl.String(),
    "category": pl.String(),
    "subtype": pl.String(),
    "name": pl.String(),
    "side": pl.String(),
    "role": pl.String(),
    "amount_cents": pl.Int64(),
    "account": pl.String(),
    "cost_center": pl.String(),
    "dimensions": pl.String(),
    "rule": pl.String(),
    "mapping_version": pl.String(),
    "unmapped_reason": pl.String(),
}
# Rule match field → context column it compares with.
MATCH_COLUMNS = {
    "employee_uuid": "employee_uuid",
    "job_uuid": "eff_job_uuid",
    "job_title": "job_title",
    "department_uuid": "department_uuid",
    "department": "department",
    "location_uuid": "location_uuid",
}
_KEYS = ["item_no", "mapping_key", "rate_cents"]


def _rule_frames(rules: MappingRules) -> tuple[pl.DataFrame, pl.LazyFrame, pl.LazyFrame]:
    """Rules, their accounts and their split shares as three small frames."""
    head = pl.DataFrame(
        [
            (
                r.order,
                r.level,
                r.label,
                r.match_field,
                r.match_value,
                r.scope,
                r.cost_center,
                bool(r.split),
                r.dimensions_text,
                r.min_rate_cents,
                r.max_rate_cents,
            )
            for r in rules.rules
        ],
        schema={
            "order": pl.Int64,
            "level": pl.Int64,
            "label": pl.String,
            "match_field": pl.String,
            "match_value": pl.String,
            "scope": pl.String,
            "cc": pl.String,
            "split": pl.Boolean,
            "dims": pl.String,
            "min_rate": pl.Int64,
            "max_rate": pl.Int64,
        },
        orient="row",
    )
    accounts = pl.DataFrame(
        [(r.order, k, a) for r in rules.rules for k, a in r.accounts.items()],
        schema={"order": pl.Int64, "mapping_key": pl.String, "account": pl.String},
        orient="row",
    )
    shares = []
    for r in rules.rules:
        if r.split:
            scale = lcm(*(Fraction(p).denominator for _, p in r.split))
            shares += [(r.order, cc, int(Fraction(p) * scale), i) for i, (cc, p) in enumerate(r.split)]
    split = pl.DataFrame(
        shares,
        schema={"order": pl.Int64, "split_cc": pl.String, "weight": pl.Int64, "pos": pl.Int64},
        orient="row",
    )
    return head, accounts.lazy(), split.lazy()


def _context(items: pl.DataFrame, attributes: pl.DataFrame, rules: MappingRules) -> pl.LazyFrame:
    """Items joined with the employee's attributes and the job the line carries."""
    attrs = attributes.lazy().with_columns(
        pl.lit(None, dtype=t).alias(n) for n, t in ATTRIBUTE_SCHEMA.items() if n not in attributes.columns
    )
    if "primary_job" not in attributes.columns:
        attrs = attrs.with_columns(primary_job=pl.int_range(pl.len()).over("employee_uuid") == 0)
    primary = (
        attrs.sort("primary_job", descending=True, maintain_order=True)
        .unique("employee_uuid", keep="first", maintain_order=True)
        .select(
            "employee_uuid",
            "department_uuid",
            "department",
            "location_uuid",
            "custom_cost_center",
            p_job="job_uuid",
            p_title="job_title",
            p_rate="rate_cents",
            known=pl.lit(True),
        )
    )
    by_job = (
        attrs.filter(pl.col("job_uuid").is_not_null())
        .unique(["employee_uuid", "job_uuid"], keep="first", maintain_order=True)
        .select("employee_uuid", "job_uuid", j_title="job_title", j_rate="rate_cents")
    )
    no_job = pl.col("job_uuid").is_null()
    renamed = (
        pl.col("name")
        .str.strip_chars()
        .str.to_lowercase()
        .replace_strict(dict(rules.earning_names), default=c.UNKNOWN_EARNING, return_dtype=pl.String)
    )
    subtype = (
        pl.when((pl.col("category") == c.EARNING) & (pl.col("subtype") == c.UNKNOWN_EARNING))
        .then(renamed)
        .otherwise(pl.col("subtype"))
    )
    return (
        items.lazy()
        .join(primary, on="employee_uuid", how="left")
        .join(by_job, on=["employee_uuid", "job_uuid"], how="left")
        .with_columns(
            eff_job_uuid=pl.coalesce("job_uuid", "p_job"),
            job_title=pl.when(no_job).then("p_title").otherwise("j_title"),
            rate_cents=pl.when(no_job).then("p_rate").otherwise("j_rate"),
            known=pl.col("known").fill_null(False),
            subtype=subtype,
        )
        .with_columns(mapping_key=pl.when(pl.col("category") == c.EARNING).then("subtype").otherwise("category"))
    )


def _first(frame: pl.LazyFrame, *cols: str, **named: str) -> pl.LazyFrame:
    """The most specific candidate per item (lowest level, then file order)."""
    ranked = frame.sort(["item_no", "level", "order"]).unique("item_no", keep="first", maintain_order=True)
    return ranked.select("item_no", *cols, **{k: pl.col(v) for k, v in named.items()})


def _debit_legs(ctx: pl.LazyFrame, rules: MappingRules) -> pl.LazyFrame:
    head, accounts, split = _rule_frames(rules)
    legs = ctx.filter(pl.col("category").is_in([k for k, v in c.DEBIT_ROLE.items() if v]))
    parts = []
    for field, column in MATCH_COLUMNS.items():
        subset = head.filter(pl.col("match_field") == field)
        if subset.height:
            parts.append(
                legs.select(*_KEYS, _v=pl.col(column)).join(subset.lazy(), left_on="_v", right_on="match_value")
            )
    defaults = head.filter(pl.col("match_field").is_null())
    parts.append(
        legs.select(*_KEYS)
        .join(defaults.lazy(), left_on="mapping_key", right_on="scope")
        .with_columns(scope=pl.col("mapping_key"))
    )
    cand = pl.concat(parts, how="diagonal_relaxed").filter(
        (pl.col("scope").is_null() | (pl.col("scope") == pl.col("mapping_key")))
        & (pl.col("min_rate").is_null() | (pl.col("rate_cents") >= pl.col("min_rate")))
        & (pl.col("max_rate").is_null() | (pl.col("rate_cents") < pl.col("max_rate")))
    )
    account = _first(cand.join(accounts, on=["order", "mapping_key"]), "account", acc_rule="label")
    custom = (
        legs.filter(pl.col("custom_cost_center").is_not_null()).select(
            "item_no",
            level=pl.lit(m.CUSTOM_FIELD, pl.Int64),
            order=pl.lit(0, pl.Int64),
            cc="custom_cost_center",
            split=pl.lit(False),
            label=pl.lit(f"custom field {rules.cost_center_field}"),
        )
        if rules.cost_center_field
        else None
    )
    cc_cand = cand.filter(pl.col("cc").is_not_null() | pl.col("split")).select(
        "item_no", "level", "order", "cc", "split", "label"
    )
    if custom is not None:
        cc_cand = pl.concat([cc_cand, custom])
    cost = _first(cc_cand, "cc", "split", split_order="order", cc_rule="label")
    dims = _first(cand.filter(pl.col("dims") != ""), "dims")
    legs = (
        legs.join(account, on="item_no", how="left")
        .join(cost, on="item_no", how="left")
        .join(dims, on="item_no", how="left")
    )
    return _allocate_debits(legs, split)


def _allocate_debits(legs: pl.LazyFrame, split: pl.LazyFrame) -> pl.LazyFrame:
    """Expand split legs into cost-centre shares; employer costs follow the employee's wage shares."""
    follows = pl.col("category").is_in(list(c.FOLLOWS_WAGES))
    own = legs.filter(~follows)
    single = own.filter(~pl.col("split").fill_null(False)).with_columns(
        share_cents=pl.col("amount_cents"), cost_center=pl.col("cc")
    )
    parted = (
        allocate_frame(
            own.filter(pl.col("split").fill_null(False)).join(split, left_on="split_order", right_on="order"),
            by=["item_no"],
            amount="amount_cents",
            weight="weight",
            tie=["split_cc", "pos"],
        )
        .with_columns(cost_center=pl.col("split_cc"))
        .drop("split_cc", "weight", "pos")
    )
    shares = pl.concat([single, parted], how="diagonal_relaxed")

    wages = (
        shares.filter(pl.col("category").is_in([c.EARNING, c.CASH_TIPS]))
        .group_by("employee_uuid", "cost_center")
        .agg(w=pl.col("share_cents").sum())
        .filter(pl.col("w") != 0)
        .with_columns(
            total=pl.col("w").sum().over("employee_uuid"),
            mixed=(pl.col("w") > 0).any().over("employee_uuid") & (pl.col("w") < 0).any().over("employee_uuid"),
        )
        # Weights must share one sign: a correction that nets wages to zero or flips sign has no proportion.
        .filter((pl.col("total") != 0) & ~pl.col("mixed"))
        .select("employee_uuid", wage_cc="cost_center", weight=pl.col("w").abs())
    )
    employer = legs.filter(follows)
    with_wages = employer.join(wages, on="employee_uuid", how="inner")
    followed = allocate_frame(
        with_wages, by=["item_no"], amount="amount_cents", weight="weight", tie=["wage_cc"]
    ).with_columns(cost_center=pl.col("wage_cc"), cc_rule=pl.lit("follows wages"), follow=pl.lit(True))
    alone = employer.join(wages.select("employee_uuid").unique(), on="employee_uuid", how="anti")
    alone_single = alone.filter(~pl.col("split").fill_null(False)).with_columns(
        share_cents=pl.col("amount_cents"), cost_center=pl.col("cc")
    )
    alone_parted = allocate_frame(
        alone.filter(pl.col("split").fill_null(False)).join(split, left_on="split_order", right_on="order"),
        by=["item_no"],
        amount="amount_cents",
        weight="weight",
        tie=["split_cc", "pos"],
    ).with_columns(cost_center=pl.col("split_cc"))
    return pl.concat([shares, followed, alone_single, alone_parted], how="diagonal_relaxed").with_columns(
        follow=pl.col("follow").fill_null(False)
    )


def _debit_output(legs: pl.LazyFrame, rules: MappingRules) -> pl.LazyFrame:
    key, dept, title = (
        pl.col("mapping_key"),
        pl.col("department").fill_null("-"),
        pl.col("job_title").fill_null("-"),
    )
    reason = (
        pl.when(~pl.col("known"))
        .then(
            pl.format(
                "employee {} is not in the Gusto employee snapshot; refresh gusto/employees and rerun",
                pl.col("employee_uuid"),
            )
        )
        .when(key == c.UNKNOWN_EARNING)
        .then(
            pl.format(
                "unknown Gusto compensation '{}'; add it under earning_names in " + rules.source, pl.col("name")
            )
        )
        .when(pl.col("account").is_null())
        .then(
            pl.format(
                "no account rule for '{}' (department '{}', job '{}'); add defaults.{}.account or a "
                "more specific rule to " + rules.source,
                key,
                dept,
                title,
                key,
            )
        )
        .when(pl.col("cost_center").is_null() & pl.col("follow"))
        .then(pl.lit("follows wages whose cost center is unresolved; fix the wage lines' cost center rule"))
        .when(pl.col("cost_center").is_null())
        .then(
            pl.format(
                "no cost center rule for '{}' (department '{}', job '{}'); add departments.{}.cost_center "
                "or defaults.{}.cost_center to " + rules.source,
                key,
                dept,
                title,
                dept,
                key,
            )
        )
    )
    rule = pl.format(
        "account: {}; cost center: {}", pl.col("acc_rule").fill_null("none"), pl.col("cc_rule").fill_null("none")
    )
    return legs.select(
        "item_no",
        "employee_uuid",
        "job_uuid",
        "category",
        "subtype",
        "name",
        side=pl.lit("debit"),
        role=pl.col("category").replace_strict(c.DEBIT_ROLE, return_dtype=pl.String),
        amount_cents="share_cents",
        account="account",
        cost_center="cost_center",
        dimensions=pl.col("dims").fill_null(""),
        rule=rule,
        mapping_version=pl.lit(rules.version),
        unmapped_reason=reason,
    )


def _credit_output(ctx: pl.LazyFrame, rules: MappingRules) -> pl.LazyFrame:
    legs = ctx.filter(pl.col("category").is_in([k for k, v in c.CREDIT_ROLE.items() if v]))
    role = (
        pl.when(pl.col("category") == c.NET_PAY)
        .then(pl.concat_str(pl.lit("net_pay_"), pl.col("subtype")))
        .otherwise(pl.col("category").replace_strict(c.CREDIT_ROLE, default=None, return_dtype=pl.String))
    )
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
    legs = legs.with_columns(role=role, _name=pl.col("name").str.strip_chars().str.to_lowercase()).join(
        by_name.lazy(), on=["role", "_name"], how="left"
    )
    account = pl.coalesce("named_account", plain)
    rule = (
        pl.when(pl.col("named_account").is_not_null())
        .then("named_rule")
        .otherwise(pl.concat_str(pl.lit("credits."), pl.col("role")))
    )
    reason = pl.when(account.is_null()).then(
        pl.format("no credit account for '{}'; add credits.{} to " + rules.source, pl.col("role"), pl.col("role"))
    )
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


def resolve(items: pl.DataFrame, attributes: pl.DataFrame, rules: MappingRules) -> pl.DataFrame:
    """Journal legs (``RESOLVED_SCHEMA``) for ``items``: one per side and cost-centre share of each item."""
    ctx = _context(items, attributes, rules)
    debits = _debit_output(_debit_legs(ctx, rules), rules)
    credits = _credit_output(ctx, rules)
    return (
        pl.concat([debits, credits], how="diagonal_relaxed")
        .select([pl.col(n).cast(t) for n, t in RESOLVED_SCHEMA.items()])
        .sort(["item_no", "side", "cost_center"], descending=[False, True, False], nulls_last=True)
        .collect()
    )
