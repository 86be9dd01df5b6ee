"""Legs for a summarized journal, resolved per group of like items instead of per item.

A summarized journal line only needs the sum of the legs that share its account, cost centre and
dimensions. Items that every rule sees alike (same debit key, same matched attribute values, same rate
band, same custom cost centre, same sign) and whose employees' wages net the same way resolve to the same
legs, so they are summed first and resolved once, on pseudo-employees (``~<class>``) that carry exactly
the attribute values the rules look at. Only the items-sized work (one key lookup, one group-by) touches
every item; rule matching, shares and text run on the groups.

Summing before resolving is exact only where resolution is linear. A class falls back to its employees'
own items when any of its groups is held (the hold list names employees), splits over several cost
centres (largest remainder is per item) or its wages sit on more than one cost centre (employer costs
are then allocated per item); so do employees an employee rule names, employees with a line on a job
the snapshot lacks, and payroll-level items. The journal lines are those of ``resolve``'s per-item legs.
"""

from __future__ import annotations

import polars as pl

from connector_assets.ledger import categories as c
from connector_assets.ledger.items import ITEM_SCHEMA
from connector_assets.mapping.model import MappingRules
from connector_assets.mapping.named import TaxDetail
from connector_assets.mapping.periods import PART_SEPARATOR
from connector_assets.mapping.profiles import profile_columns
from connector_assets.mapping.resolve import attribute_tables, resolve

PSEUDO = "~"
# Profile columns that come from the employee (the rest come from the job the line carries).
EMPLOYEE_KEYS = ("_p_department_uuid", "_p_department", "_p_location_uuid", "_p_custom")
JOB_KEYS = ("_p_job_title", "_p_rate")
WAGES = [c.EARNING, c.CASH_TIPS]
# What a summed item is summed by: like items of one group, with one sign (refunds are placed by sign).
# Below this many items, grouping costs more than it saves (measured: equal at about 8,000 items).
SMALL_PAYROLL_ITEMS = 5_000
GROUP_KEYS = ["_gid", "category", "subtype", "_name", "employer", "_sign"]


def _named(frame: pl.DataFrame, rules: MappingRules, keys: tuple[str, ...]) -> pl.DataFrame:
    """``frame`` with the profile columns in ``keys`` that some rule looks at (null where none names the value)."""
    cols = {k: e for k, e in profile_columns(rules).items() if k in keys}
    return frame.with_columns(**cols)


def _classes(
    items: pl.DataFrame, attributes: pl.DataFrame, rules: MappingRules
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(lookup: employee or job uuid → group, groups with their pseudo-employee attributes)."""
    primary, by_job = attribute_tables(attributes)
    wage_sign = (
        items.lazy()
        .filter(pl.col("category").is_in(WAGES))
        .group_by("employee_uuid")
        .agg(_wage_sign=pl.col("amount_cents").sum().sign())
        .collect()
    )
    named_employees = sorted({r.match_value or "" for r in rules.rules if r.match_field == "employee_uuid"})
    emp = (
        primary.rename({"p_title": "job_title", "p_rate": "rate_cents"})
        .filter(~pl.col("employee_uuid").str.split(PART_SEPARATOR).list.first().is_in(named_employees))
        .join(wage_sign, on="employee_uuid", how="left")
        .with_columns(pl.col("_wage_sign").fill_null(0))
        .pipe(_named, rules, EMPLOYEE_KEYS + JOB_KEYS)
    )
    ekeys = [k for k in EMPLOYEE_KEYS if k in emp.columns] + ["_wage_sign"]
    jkeys = [k for k in JOB_KEYS if k in emp.columns]
    jobs = by_job.rename({"j_title": "job_title", "j_rate": "rate_cents"}).pipe(_named, rules, JOB_KEYS)
    if jkeys:
        # A job's kind: 0 for the primary row, 1.. for what the rules see of a job.
        jobs = jobs.with_columns(_kind=pl.struct(jkeys).rank("dense").cast(pl.Int64))
        if jobs["employee_uuid"].n_unique() < jobs.height:
            # Employees of a class hold the same kinds of jobs, so their wages are likely to land alike (a
            # class whose wages do not land on one cost centre falls back; the bit set keeps that rare).
            bit = (pl.lit(2.0) ** (pl.col("_kind") % 62)).cast(pl.Int64)  # powers of two are exact
            held = jobs.group_by("employee_uuid").agg(_jobs=bit.bitwise_or())
            emp = emp.join(held, on="employee_uuid", how="left")
            ekeys.append("_jobs")
    else:
        jobs = jobs.with_columns(_kind=pl.lit(1, pl.Int64))
    emp = emp.with_columns(_cid=pl.struct(ekeys + jkeys).rank("dense").cast(pl.Int64))
    width = int(jobs.select(pl.col("_kind").max().fill_null(0)).item()) + 1
    emp = emp.with_columns(_gid=pl.col("_cid") * width, _primary=pl.lit(True))
    jobs = jobs.join(emp.select("employee_uuid", "_cid", *ekeys), on="employee_uuid").with_columns(
        _gid=pl.col("_cid") * width + pl.col("_kind"), _primary=pl.lit(False)
    )
    cols = ["_gid", "_cid", "_primary", *ekeys, *jkeys]
    found = pl.concat([emp.unique("_gid").select(cols), jobs.unique("_gid").select(cols)])
    groups = found.select(
        "_gid",
        "_cid",
        "_primary",
        employee_uuid=pl.format(PSEUDO + "{}", "_cid"),
        job_uuid=pl.format(PSEUDO + "{}", "_gid"),
        department_uuid=_maybe(found, "_p_department_uuid"),
        department=_maybe(found, "_p_department"),
        location_uuid=_maybe(found, "_p_location_uuid"),
        job_title=_maybe(found, "_p_job_title"),
        rate_cents=_maybe(found, "_p_rate", pl.Int64()),
        custom_cost_center=_maybe(found, "_p_custom"),
    )
    lookup = pl.concat(
        [
            emp.select("employee_uuid", job_uuid=pl.lit(None, pl.String), _gid="_gid"),
            jobs.select("employee_uuid", "job_uuid", "_gid"),
        ]
    )
    return lookup, groups


def _keyed(items: pl.DataFrame, lookup: pl.DataFrame, alone: pl.Series, names: pl.Expr) -> pl.LazyFrame:
    """Items with their group (``_gid``, null: the item resolves as it is), sign and the name where a rule
    can read it, as a lazy plan."""
    lookup = lookup.filter(~pl.col("employee_uuid").is_in(alone.implode()))
    extra = [pl.col("amount_cents").sign().alias("_sign"), pl.when(names).then("name").alias("_name")]
    emp = lookup.filter(pl.col("job_uuid").is_null()).select("employee_uuid", "_gid")
    jobs = lookup.filter(pl.col("job_uuid").is_not_null())
    if jobs["employee_uuid"].is_unique().all():
        # One job at most per employee: one lookup by the employee, as the attributes join would do.
        table = emp.join(
            jobs.select("employee_uuid", _job="job_uuid", _jgid="_gid"), on="employee_uuid", how="left"
        )
        gid = (
            pl.when(pl.col("job_uuid").is_null())
            .then("_gid")
            .when(pl.col("job_uuid") == pl.col("_job"))
            .then("_jgid")
        )
        return (
            items.lazy().join(table.lazy(), on="employee_uuid", how="left").with_columns(gid.alias("_gid"), *extra)
        )
    on = ["employee_uuid", "job_uuid"]
    return items.lazy().join(lookup.lazy(), on=on, how="left", nulls_equal=True).with_columns(*extra)


def _name_matters(rules: MappingRules, taxes: TaxDetail) -> pl.Expr:
    """Items whose Gusto name some rule reads (by-name accounts, unknown pay types); others sum across names."""
    categories = []
    if taxes == "itemized":
        categories += [c.EMPLOYEE_TAX, c.EMPLOYER_TAX]
    if rules.benefit_expenses or rules.benefits_by_name:
        categories += [c.EMPLOYEE_BENEFIT, c.EMPLOYER_BENEFIT]
    if rules.deductions_by_name:
        categories.append(c.DEDUCTION)
    unknown = (pl.col("category") == c.EARNING) & (pl.col("subtype") == c.UNKNOWN_EARNING)
    return pl.col("category").is_in(categories) | unknown


def _maybe(frame: pl.DataFrame, name: str, dtype: pl.DataType = pl.String()) -> pl.Expr:
    return pl.col(name) if name in frame.columns else pl.lit(None, dtype)


def _pseudo(keyed: pl.LazyFrame, groups: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(summed pseudo-items, the items that resolve as they are), from one pass over the items."""
    own = pl.col("_gid").is_null()
    rows = (
        keyed.group_by(
            *GROUP_KEYS,
            # An item without a group is a group of its own.
            pl.when(own).then("item_no").alias("_item"),
            pl.when(own).then("employee_uuid").alias("_emp"),
            pl.when(own).then("job_uuid").alias("_job"),
        )
        .agg(pl.col("item_no").min(), pl.col("amount_cents").sum(), _real=pl.col("name").first())
        .collect()
    )
    summed = (
        rows.filter(pl.col("_gid").is_not_null())
        .join(groups.select("_gid", "_cid", "_primary", "employee_uuid", "job_uuid"), on="_gid")
        .with_columns(job_uuid=pl.when(pl.col("_primary")).then(None).otherwise("job_uuid"), name="_name")
    )
    alone = rows.filter(pl.col("_gid").is_null()).with_columns(employee_uuid="_emp", job_uuid="_job", name="_real")
    return summed, alone.sort("item_no")


def _attributes(groups: pl.DataFrame, attributes: pl.DataFrame, own: pl.DataFrame) -> pl.DataFrame:
    """Pseudo-employees' attributes (one job row per group) and the attributes of employees resolved as they are."""
    pseudo = groups.select(
        "employee_uuid",
        "department_uuid",
        "department",
        "location_uuid",
        "job_uuid",
        "job_title",
        "rate_cents",
        "custom_cost_center",
        primary_job="_primary",
    )
    mine = attributes.filter(pl.col("employee_uuid").is_in(own["employee_uuid"].drop_nulls().unique().implode()))
    return pl.concat([pseudo, mine], how="diagonal_relaxed")


def _nonlinear(legs: pl.DataFrame, summed: pl.DataFrame) -> tuple[list[int], pl.DataFrame]:
    """Where summed legs differ from the sum of the items' legs: (classes whose wages sit on several cost
    centres, summed items that are held or split over several legs)."""
    mine = legs.join(summed.select("item_no", "_cid"), on="item_no")
    wage_cc = pl.col("cost_center").filter((pl.col("side") == "debit") & pl.col("category").is_in(WAGES))
    classes = mine.group_by("_cid").agg(n=wage_cc.n_unique()).filter(pl.col("n") > 1)["_cid"].to_list()
    per_item = mine.group_by("item_no", "side").agg(n=pl.len(), held=pl.col("unmapped_reason").is_not_null().any())
    bad = per_item.filter((pl.col("n") > 1) | pl.col("held"))["item_no"].implode()
    return classes, summed.filter(pl.col("item_no").is_in(bad)).select(GROUP_KEYS)


def resolve_grouped(
    items: pl.DataFrame,
    attributes: pl.DataFrame,
    rules: MappingRules,
    taxes: TaxDetail = "consolidated",
    *,
    min_items: int = SMALL_PAYROLL_ITEMS,
) -> pl.DataFrame:
    """Legs (``RESOLVED_SCHEMA``) whose summarized journal lines equal those of ``resolve``'s per-item legs.

    A leg of a group carries the group's smallest ``item_no`` and no employee or job; held legs and those
    of employees that fall back are ``resolve``'s own.
    """
    # Jobs named by uuid: no pseudo-job can stand for them. A small payroll resolves faster item by item.
    if any(r.match_field == "job_uuid" for r in rules.rules) or items.height < max(min_items, 1):
        return resolve(items, attributes, rules, taxes)
    typed = items.with_columns(pl.col(n).cast(t) for n, t in ITEM_SCHEMA.items() if n in items.columns)
    lookup, groups = _classes(typed, attributes, rules)
    # An employee with a line on a job the snapshot lacks resolves item by item, all of it: its employer
    # costs follow all of its wages.
    known_jobs = lookup.lazy().filter(pl.col("job_uuid").is_not_null())
    on_jobs = typed.lazy().filter(pl.col("job_uuid").is_not_null())
    orphan = on_jobs.join(known_jobs, on=["employee_uuid", "job_uuid"], how="anti").select("employee_uuid")
    alone = orphan.unique().collect().to_series()
    names = _name_matters(rules, taxes)
    while True:
        summed, own = _pseudo(_keyed(typed, lookup, alone, names), groups)
        combined = pl.concat([summed.select(list(ITEM_SCHEMA)), own.select(list(ITEM_SCHEMA))])
        legs = resolve(combined, _attributes(groups, attributes, own), rules, taxes)
        classes, items_out = _nonlinear(legs, summed)
        if not classes and items_out.is_empty():
            break
        # Those employees resolve item by item; the other classes' legs do not depend on them.
        out = lookup.join(groups.filter(pl.col("_cid").is_in(classes)), on="_gid", how="semi")["employee_uuid"]
        if not items_out.is_empty():
            hit = _keyed(typed, lookup, alone, names).join(
                items_out.lazy(), on=GROUP_KEYS, how="semi", nulls_equal=True
            )
            out = pl.concat([out, hit.select("employee_uuid").collect().to_series()])
        alone = pl.concat([alone, out]).unique()
    grouped = pl.col("item_no").is_in(summed["item_no"].implode())
    return legs.with_columns(
        employee_uuid=pl.when(grouped).then(None).otherwise("employee_uuid"),
        job_uuid=pl.when(grouped).then(None).otherwise("job_uuid"),
    )
