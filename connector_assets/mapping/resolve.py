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

import polars as pl

from connector_assets.ledger import categories as c
from connector_assets.ledger.items import ITEM_SCHEMA
from connector_assets.mapping.attributes import ATTRIBUTE_SCHEMA
from connector_assets.mapping.credits import credit_legs
from connector_assets.mapping.model import MappingRules
from connector_assets.mapping.named import TaxDetail, debit_overrides
from connector_assets.mapping.periods import PART_SEPARATOR
from connector_assets.mapping.profiles import match_profiles, profile_columns, split_frame
from connector_assets.mapping.resolve_rows import RESOLVED_SCHEMA, resolve_rows
from connector_assets.mapping.shares import allocate_debit_shares

# Below this many items a loop over the rows beats the frame operations' fixed cost (measured: equal at ~5,000).
ROWS_IN_PYTHON = 4_000


def _employee_of_part(key: pl.Expr) -> pl.Expr:
    """The employee a part key belongs to (a key without a part is the employee itself)."""
    return key.str.split(PART_SEPARATOR).list.first()


def attribute_tables(attributes: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(primary, by_job): each employee's attributes for lines without a job, and per (employee, job)."""
    attrs = attributes.with_columns(
        pl.lit(None, dtype=t).alias(n) for n, t in ATTRIBUTE_SCHEMA.items() if n not in attributes.columns
    )
    if "primary_job" not in attributes.columns:
        attrs = attrs.with_columns(primary_job=pl.int_range(pl.len()).over("employee_uuid") == 0)
    # Most employees hold one job: with one row each, that row is the primary one and nothing repeats.
    single = attrs["employee_uuid"].n_unique() == attrs.height
    ranked = attrs.sort("primary_job", descending=True, maintain_order=True) if not single else attrs
    primary = (ranked if single else ranked.unique("employee_uuid", keep="first", maintain_order=True)).select(
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
    jobs = attrs.filter(pl.col("job_uuid").is_not_null())
    by_job = (
        jobs if single else jobs.unique(["employee_uuid", "job_uuid"], keep="first", maintain_order=True)
    ).select("employee_uuid", "job_uuid", j_title="job_title", j_rate="rate_cents")
    return primary, by_job


def _context(items: pl.DataFrame, attributes: pl.DataFrame, rules: MappingRules) -> pl.DataFrame:
    """Items joined with the employee's attributes and the job the line carries."""
    primary, by_job = attribute_tables(attributes)
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


def _debit_legs(ctx: pl.DataFrame, rules: MappingRules, taxes: TaxDetail) -> pl.DataFrame:
    """Debit legs with their rules' account, cost centre and dimensions, found once per match profile.

    Thousands of legs share a handful of profiles (what the rules look at), so candidates are found and
    ranked per profile and one join carries the result back to the legs. Accounts named
    per Gusto tax or benefit (``taxes.by_name``, ``benefits``) then replace the rule's account.
    """
    cols = profile_columns(rules)
    expense = [k for k, v in c.DEBIT_ROLE.items() if v and k not in c.ENTITY_DEBITS]
    legs = ctx.filter(pl.col("category").is_in(expense)).with_columns(**cols)
    profiles = legs.select(list(cols)).unique(maintain_order=True).with_row_index("_pid")
    matched = match_profiles(profiles, rules).drop("_pid")
    placed = legs.join(matched, on=list(cols), how="left", nulls_equal=True).drop(
        [n for n in cols if n != "mapping_key"]
    )
    account = debit_overrides(legs, placed.select("item_no", "account", "acc_rule"), rules, taxes)
    placed = placed.drop("account", "acc_rule").join(account, on="item_no", how="left")
    return allocate_debit_shares(placed, split_frame(rules))


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

    ``taxes`` is the connection's ``posting.taxes``: ``itemized`` places each tax by its Gusto name. A frame
    under ``ROWS_IN_PYTHON`` items resolves row by row (``resolve_rows``), with the same legs.
    """
    if items.height < ROWS_IN_PYTHON:
        legs = resolve_rows(items, attributes, rules, taxes)
        if legs is not None:
            return legs
    return _resolve_frames(items, attributes, rules, taxes)


def _resolve_frames(
    items: pl.DataFrame, attributes: pl.DataFrame, rules: MappingRules, taxes: TaxDetail = "consolidated"
) -> pl.DataFrame:
    """``resolve`` with frame operations: its fixed cost is repaid on large frames."""
    ctx = _context(items, attributes, rules)
    debits = _debit_output(_debit_legs(ctx, rules, taxes), rules)
    credits = credit_legs(ctx, rules, taxes)
    return (
        pl.concat([debits, credits], how="diagonal_relaxed")
        .with_columns(employee_uuid=_employee_of_part(pl.col("employee_uuid")))
        .select([pl.col(n).cast(t) for n, t in RESOLVED_SCHEMA.items()])
        .sort(["item_no", "side", "cost_center"], descending=[False, True, False], nulls_last=True)
    )
