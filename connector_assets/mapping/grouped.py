"""Legs for a summarized journal, resolved per group of like items instead of per item.

A summarized journal line only needs the sum of the legs that share its account, cost centre and
dimensions. Items that every rule sees alike (same debit key, same matched attribute values, same rate
band, same custom cost centre, same sign) and whose employees' wages net the same way resolve to the same
legs, so they are summed first and resolved once, on pseudo-employees (``~<class>``) that carry exactly
the attribute values the rules look at. Only one join (each item's row in ``classes``) and one group-by
touch every item; classes, rule matching, shares and text run on employees and groups.

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
from connector_assets.mapping.classes import (
    PSEUDO,
    WAGES,
    class_ids,
    employee_classes,
    item_rows,
    pseudo_attributes,
    row_groups,
    wage_signs,
)
from connector_assets.mapping.model import MappingRules
from connector_assets.mapping.named import TaxDetail
from connector_assets.mapping.resolve import ROWS_IN_PYTHON, resolve

# Below this many items, grouping costs more than it saves: while `resolve` works row by row (measured on the
# journal_build payroll: 13.5 vs 18.1 ms at 2,782 items, 17.2 vs 18.5 ms at 3,879; above that its polars path
# took 29.1 vs 19.6 ms at 4,385 items).
SMALL_PAYROLL_ITEMS = ROWS_IN_PYTHON
# What a summed item is summed by: like items of one group, with one sign (refunds are placed by sign).
GROUP_KEYS = ["_gid", "category", "subtype", "_name", "employer", "_sign"]


def _name_matters(rules: MappingRules, taxes: TaxDetail) -> pl.Expr:
    """Items whose Gusto name some rule reads (by-name accounts, unknown pay types); others sum across names."""
    categories = []
    if taxes == "itemized":
        categories += [c.EMPLOYEE_TAX, c.EMPLOYER_TAX]
    if rules.benefit_expenses or rules.benefits_by_name:
        categories += [c.EMPLOYEE_BENEFIT, c.EMPLOYER_BENEFIT]
    if rules.deductions_by_name:
        categories.append(c.DEDUCTION)
    unknown = (pl.col("subtype") == c.UNKNOWN_EARNING) & (pl.col("category") == c.EARNING)
    return (pl.col("category").is_in(categories) | unknown) if categories else unknown


def _pseudo(keyed: pl.DataFrame, width: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(summed pseudo-items, the items that resolve as they are), from one group-by over the items."""
    # Items without a group (``_gid`` null) are grouped too and their sums dropped: filtering the few
    # own items out costs less than copying every other item into a frame of its own.
    # No item's name is read by a rule (the common case): the name is no key, since a null key costs as much.
    named = keyed["_name"].null_count() < keyed.height
    keys = GROUP_KEYS if named else [k for k in GROUP_KEYS if k != "_name"]
    rows = (
        keyed.lazy()
        .group_by(keys)
        .agg(pl.col("item_no").min(), pl.col("amount_cents").sum(), _rep=pl.col("_r").first())
        .filter(pl.col("_gid").is_not_null())
        .collect()
    )
    primary = pl.col("_gid") % width == 0
    summed = rows.with_columns(
        _cid=pl.col("_gid") // width,
        employee_uuid=pl.format(PSEUDO + "{}", pl.col("_gid") // width),
        job_uuid=pl.when(primary).then(None).otherwise(pl.format(PSEUDO + "{}", "_gid")),
        name=pl.col("_name") if named else pl.lit(None, pl.String),
        _name=pl.col("_name") if named else pl.lit(None, pl.String),
    )
    own = keyed.filter(pl.col("_gid").is_null()).sort("item_no")
    return summed, own


def _attributes(pseudo: pl.DataFrame, attributes: pl.DataFrame, own: pl.DataFrame) -> pl.DataFrame:
    """Pseudo-employees' attributes and the attributes of employees resolved as they are."""
    mine = attributes.filter(pl.col("employee_uuid").is_in(own["employee_uuid"].drop_nulls().unique().implode()))
    return pl.concat([pseudo, mine], how="diagonal_relaxed")


def _nonlinear(legs: pl.DataFrame, summed: pl.DataFrame) -> tuple[list[int], pl.DataFrame]:
    """Where summed legs differ from the sum of the items' legs: (classes whose wages sit on several cost
    centres, summed items that are held or split over several legs)."""
    # A few thousand legs and a few hundred summed items: a loop reads them sooner than joins and group-bys.
    class_of = dict(zip(summed["item_no"].to_list(), summed["_cid"].to_list(), strict=True))
    wage_centres: dict[int, set[str | None]] = {}
    per_side: dict[tuple[int, str], int] = {}
    bad: set[int] = set()
    columns = (legs[n].to_list() for n in ("item_no", "side", "category", "cost_center", "unmapped_reason"))
    for item, side, category, centre, reason in zip(*columns, strict=True):
        cid = class_of.get(item)
        if cid is None:
            continue
        if side == "debit" and category in WAGES:
            wage_centres.setdefault(cid, set()).add(centre)
        per_side[item, side] = per_side.get((item, side), 0) + 1
        if reason is not None or per_side[item, side] > 1:
            bad.add(item)
    classes = [cid for cid, centres in wage_centres.items() if len(centres) > 1]
    return classes, summed.filter(pl.col("item_no").is_in(sorted(bad))).select(GROUP_KEYS)


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
    typed = items.select(pl.col(n).cast(t) for n, t in ITEM_SCHEMA.items())
    classes = employee_classes(attributes, rules)
    rows, orphans = item_rows(typed, classes)
    keyed = rows.with_columns(
        _sign=pl.col("amount_cents").sign(), _name=pl.when(_name_matters(rules, taxes)).then("name")
    )
    cid = class_ids(classes, wage_signs(keyed, classes.size))
    # Employees an employee rule names resolve item by item; so does an employee with a line on a job the
    # snapshot lacks, all of it: its employer costs follow all of its wages.
    alone = classes.employees["_named"].clone().scatter(orphans, True)
    while True:
        gids = row_groups(classes, cid, alone)
        keyed = keyed.with_columns(_gid=gids.gather(keyed["_r"]))
        summed, own = _pseudo(keyed, classes.width)
        combined = pl.concat([summed.select(list(ITEM_SCHEMA)), own.select(list(ITEM_SCHEMA))])
        pseudo = pseudo_attributes(classes, gids, summed["_rep"])
        legs = resolve(combined, _attributes(pseudo, attributes, own), rules, taxes)
        failed, items_out = _nonlinear(legs, summed)
        if not failed and items_out.is_empty():
            break
        # Those employees resolve item by item; the other classes' legs do not depend on them.
        alone = alone | cid.is_in(failed)
        if not items_out.is_empty():
            # A summed item's name is null where no rule reads it: null keys must match here.
            hit = keyed.join(items_out, on=GROUP_KEYS, how="semi", nulls_equal=True)["_e"]
            alone = alone.scatter(hit, True)
    grouped = pl.col("item_no").is_in(summed["item_no"].implode())
    return legs.with_columns(
        employee_uuid=pl.when(grouped).then(None).otherwise("employee_uuid"),
        job_uuid=pl.when(grouped).then(None).otherwise("job_uuid"),
    )
