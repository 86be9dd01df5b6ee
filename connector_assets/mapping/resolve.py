"""Vectorized rule resolution: payroll items → journal legs with account, cost centre and reason.

Each item yields a debit leg (expenses: earnings, cash tips, employer taxes and
benefits, reimbursements) and/or a credit leg (entity-level clearing and
liability accounts). Debit legs find their account and cost centre separately,
most specific rule first; a percentage split turns one leg into several shares
by largest remainder; employer taxes and benefits follow the employee's
allocated wages. A leg nothing covers keeps ``unmapped_reason`` and is held. An employee transferred
inside a prorated pay period comes in parts (``<employee>#<from>``, see ``periods``): each part resolves by
its own assignment, employee rules match the employee, and the legs name the employee, not the part.
"""

from __future__ import annotations

from fractions import Fraction
from math import lcm

import polars as pl

from connector_assets.ledger import categories as c
from connector_assets.ledger.items import ITEM_SCHEMA
from connector_assets.mapping import model as m
from connector_assets.mapping.attributes import ATTRIBUTE_SCHEMA
from connector_assets.mapping.credits import credit_legs
from connector_assets.mapping.model import MappingRules
from connector_assets.mapping.named import TaxDetail, debit_overrides
from connector_assets.mapping.periods import PART_SEPARATOR
from connector_assets.mapping.shares import allocate_debit_shares

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
    "employee_uuid": "rule_employee",
    "job_uuid": "eff_job_uuid",
    "job_title": "job_title",
    "department_uuid": "department_uuid",
    "department": "department",
    "location_uuid": "location_uuid",
}
_KEYS = ["item_no", "mapping_key", "rate_cents"]


def _rule_frames(rules: MappingRules) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
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
    return head, accounts, split


def _employee_of_part(key: pl.Expr) -> pl.Expr:
    """The employee a part key belongs to (a key without a part is the employee itself)."""
    return key.str.split(PART_SEPARATOR).list.first()


def _context(items: pl.DataFrame, attributes: pl.DataFrame, rules: MappingRules) -> pl.DataFrame:
    """Items joined with the employee's attributes and the job the line carries."""
    attrs = attributes.with_columns(
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
    typed = items.with_columns(pl.col(n).cast(t) for n, t in ITEM_SCHEMA.items() if n in items.columns)
    return (
        typed.join(primary, on="employee_uuid", how="left")
        .join(by_job, on=["employee_uuid", "job_uuid"], how="left")
        .with_columns(
            eff_job_uuid=pl.coalesce("job_uuid", "p_job"),
            job_title=pl.when(no_job).then("p_title").otherwise("j_title"),
            rate_cents=pl.when(no_job).then("p_rate").otherwise("j_rate"),
            # Payroll-level items (company taxes) belong to no employee.
            known=pl.col("known").fill_null(pl.col("employee_uuid").is_null()),
            subtype=subtype,
            rule_employee=_employee_of_part(pl.col("employee_uuid")),
        )
        .with_columns(mapping_key=_mapping_key(rules))
    )


def _mapping_key(rules: MappingRules) -> pl.Expr:
    """The debit key an item's rules are looked up by: its earning type or its category.

    PTO falls back to wages (``regular``) when no rule names a ``pto`` account; company taxes use
    ``company_tax`` rules when there are any, else the ``employer_tax`` ones.
    """
    covered = {key for r in rules.rules for key in r.accounts}
    earning = pl.col("subtype")
    if "pto" not in covered:
        earning = pl.when(earning == "pto").then(pl.lit("regular")).otherwise(earning)
    company = c.COMPANY_TAX if c.COMPANY_TAX in covered else c.EMPLOYER_TAX
    return (
        pl.when(pl.col("category") == c.EARNING)
        .then(earning)
        .when((pl.col("category") == c.EMPLOYER_TAX) & (pl.col("subtype") == c.COMPANY_TAX))
        .then(pl.lit(company))
        .otherwise("category")
    )


def _first(frame: pl.DataFrame, *cols: str, **named: str) -> pl.DataFrame:
    """The most specific candidate per item (lowest level, then file order)."""
    ranked = frame.sort(["item_no", "level", "order"]).unique("item_no", keep="first", maintain_order=True)
    return ranked.select("item_no", *cols, **{k: pl.col(v) for k, v in named.items()})


def _debit_legs(ctx: pl.DataFrame, rules: MappingRules, taxes: TaxDetail) -> pl.DataFrame:
    head, accounts, split = _rule_frames(rules)
    expense = [k for k, v in c.DEBIT_ROLE.items() if v and k not in c.ENTITY_DEBITS]
    legs = ctx.filter(pl.col("category").is_in(expense))
    parts = []
    for field, column in MATCH_COLUMNS.items():
        subset = head.filter(pl.col("match_field") == field)
        if subset.height:
            parts.append(legs.select(*_KEYS, _v=pl.col(column)).join(subset, left_on="_v", right_on="match_value"))
    defaults = head.filter(pl.col("match_field").is_null())
    parts.append(
        legs.select(*_KEYS)
        .join(defaults, left_on="mapping_key", right_on="scope")
        .with_columns(scope=pl.col("mapping_key"))
    )
    cand = pl.concat(parts, how="diagonal_relaxed").filter(
        (pl.col("scope").is_null() | (pl.col("scope") == pl.col("mapping_key")))
        & (pl.col("min_rate").is_null() | (pl.col("rate_cents") >= pl.col("min_rate")))
        & (pl.col("max_rate").is_null() | (pl.col("rate_cents") < pl.col("max_rate")))
    )
    account = _first(cand.join(accounts, on=["order", "mapping_key"]), "account", acc_rule="label")
    account = debit_overrides(legs, account, rules, taxes)
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
    return allocate_debit_shares(legs, split)


def _debit_output(legs: pl.DataFrame, rules: MappingRules) -> pl.DataFrame:
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


def resolve(
    items: pl.DataFrame, attributes: pl.DataFrame, rules: MappingRules, taxes: TaxDetail = "consolidated"
) -> pl.DataFrame:
    """Journal legs (``RESOLVED_SCHEMA``) for ``items``: one per side and cost-centre share of each item.

    ``taxes`` is the connection's ``posting.taxes``: ``itemized`` places each tax by its Gusto name.
    """
    ctx = _context(items, attributes, rules)
    debits = _debit_output(_debit_legs(ctx, rules, taxes), rules)
    credits = credit_legs(ctx, rules, taxes)
    return (
        pl.concat([debits, credits], how="diagonal_relaxed")
        .with_columns(employee_uuid=_employee_of_part(pl.col("employee_uuid")))
        .select([pl.col(n).cast(t) for n, t in RESOLVED_SCHEMA.items()])
        .sort(["item_no", "side", "cost_center"], descending=[False, True, False], nulls_last=True)
    )
