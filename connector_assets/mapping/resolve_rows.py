"""Rule resolution of a small item frame in plain Python, leg for leg what ``resolve`` gives.

A frame operation costs a fixed fraction of a millisecond whatever its size, and the frame resolution
takes about a hundred of them; for a few hundred items (the sums a summarized journal resolves) a loop
over the rows is several times faster. The steps and texts are those of the frame resolution
(``resolve``, ``shares``, ``named``, ``credits``). Inputs the loop does not take as given (missing
columns, repeated or missing item numbers or amounts, ambiguous by-name rules) are declined with None,
and the frame resolution answers them.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import polars as pl

from connector_assets.ledger import categories as c
from connector_assets.ledger.items import ITEM_SCHEMA
from connector_assets.mapping.credit_rows import credit_rows
from connector_assets.mapping.debit_rows import debit_rows
from connector_assets.mapping.model import MappingRules
from connector_assets.mapping.named import TaxDetail
from connector_assets.mapping.periods import PART_SEPARATOR
from connector_assets.mapping.profiles import per_mapping

ITEM_COLUMNS = ("item_no", "employee_uuid", "job_uuid", "category", "subtype", "name", "amount_cents")
_PRIMARY = ("department_uuid", "department", "location_uuid", "custom_cost_center", "job_uuid", "job_title")
# Order of a primary_job flag when an employee has several rows: as the frame path sorts (nulls first).
_PRIMARY_RANK = {None: 0, True: 1, False: 2}
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


@dataclass(slots=True)
class ItemRow:
    """One item with the attributes the rules look at (the frame path's context row)."""

    item_no: int
    employee_uuid: str | None
    job_uuid: str | None
    category: str | None
    subtype: str | None
    name: str | None
    amount: int
    known: bool
    department_uuid: str | None
    department: str | None
    location_uuid: str | None
    custom_cost_center: str | None
    eff_job_uuid: str | None
    job_title: str | None
    rate_cents: int | None
    rule_employee: str | None
    mapping_key: str | None


def normalized(name: str | None) -> str | None:
    """A Gusto name as by-name rules compare it: trimmed and lower case."""
    return None if name is None else name.strip().lower()


def _attribute_rows(
    attributes: pl.DataFrame, employees: set[str]
) -> tuple[dict[str, tuple[Any, ...]], dict[tuple[str, str], tuple[Any, Any]]]:
    """(employee → primary row, (employee, job) → (title, rate)) for ``employees``, as ``attribute_tables``.

    Each employee's rows decide alone, so a large snapshot is cut to the employees the items name first.
    """
    if attributes.height > 2 * len(employees) + 64:
        attributes = attributes.filter(pl.col("employee_uuid").is_in(sorted(employees)))
    height = attributes.height
    wanted = ("employee_uuid", *_PRIMARY, "rate_cents", "primary_job")
    data = {n: attributes[n].to_list() if n in attributes.columns else [None] * height for n in wanted}
    flags = data["primary_job"] if "primary_job" in attributes.columns else [False] * height
    primary: dict[str, tuple[Any, ...]] = {}
    rank: dict[str, int] = {}
    by_job: dict[tuple[str, str], tuple[Any, Any]] = {}
    columns = [data[n] for n in (*_PRIMARY, "rate_cents")]
    for i, employee in enumerate(data["employee_uuid"]):
        if employee is None:
            continue
        mine = _PRIMARY_RANK[flags[i]]
        if employee not in rank or mine < rank[employee]:
            rank[employee] = mine
            primary[employee] = tuple(col[i] for col in columns)
        job = data["job_uuid"][i]
        if job is not None and (employee, job) not in by_job:
            by_job[employee, job] = (data["job_title"][i], data["rate_cents"][i])
    return primary, by_job


def _covered(rules: MappingRules) -> frozenset[str]:
    return frozenset(key for r in rules.rules for key in r.accounts)


def _context(items: dict[str, list[Any]], attributes: pl.DataFrame, rules: MappingRules) -> list[ItemRow]:
    """Items with their employee's attributes, the job's title and rate, and their debit key."""
    employees = {e for e in items["employee_uuid"] if e is not None}
    primary, by_job = _attribute_rows(attributes, employees)
    covered: frozenset[str] = per_mapping("covered", rules, _covered)
    pto_as_wages = "pto" not in covered
    company = c.COMPANY_TAX if c.COMPANY_TAX in covered else c.EMPLOYER_TAX
    names = rules.earning_names
    rows = []
    columns = [items[n] for n in ITEM_COLUMNS]
    for item_no, employee, job, category, subtype, name, amount in zip(*columns, strict=True):
        p = primary.get(employee) if employee is not None else None
        if category == c.EARNING:
            if subtype == c.UNKNOWN_EARNING:
                subtype = names.get(normalized(name), c.UNKNOWN_EARNING)  # type: ignore[arg-type]
            key = "regular" if pto_as_wages and subtype == "pto" else subtype
        elif category == c.EMPLOYER_TAX and subtype == c.COMPANY_TAX:
            key = company
        else:
            key = category
        if job is None:
            title, rate = (p[5], p[6]) if p else (None, None)
        else:
            title, rate = by_job.get((employee, job), (None, None))
        rows.append(
            ItemRow(
                item_no,
                employee,
                job,
                category,
                subtype,
                name,
                amount,
                p is not None or employee is None,
                p[0] if p else None,
                p[1] if p else None,
                p[2] if p else None,
                p[3] if p else None,
                job if job is not None else (p[4] if p else None),
                title,
                rate,
                None if employee is None else employee.split(PART_SEPARATOR)[0],
                key,
            )
        )
    return rows


@contextmanager
def _without_collection() -> Iterator[None]:
    """No cyclic garbage collection meanwhile: the thousands of small rows made here hold no cycles, and each
    collection they would trigger walks the whole process's heap (it doubled the time at 1,700 items)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _item_column(items: pl.DataFrame, name: str) -> list[Any]:
    """One item column as a list of its ledger type, cast only where the frame holds another type."""
    column, wanted = items[name], ITEM_SCHEMA[name]
    return (column if column.dtype == wanted else column.cast(wanted)).to_list()


def _sort_key(leg: tuple[Any, ...]) -> tuple[Any, ...]:
    """By item, debit before credit, cost centre with none last: the frame path's final order."""
    return leg[0], leg[6] != "debit", leg[10] is None, leg[10] or ""


def _legs_frame(
    typed: dict[str, list[Any]], attributes: pl.DataFrame, rules: MappingRules, taxes: TaxDetail
) -> pl.DataFrame | None:
    """The legs as a frame; every row object made on the way is freed on return, so none of them is left
    for the collector to walk once collection resumes."""
    ctx = _context(typed, attributes, rules)
    debits = debit_rows(ctx, rules, taxes)
    credits = credit_rows(ctx, rules, taxes)
    if debits is None or credits is None:
        return None
    legs = sorted(debits + credits, key=_sort_key)
    columns = zip(*legs, strict=True) if legs else ([] for _ in RESOLVED_SCHEMA)
    return pl.DataFrame(dict(zip(RESOLVED_SCHEMA, map(list, columns), strict=True)), schema=RESOLVED_SCHEMA)


def resolve_rows(
    items: pl.DataFrame, attributes: pl.DataFrame, rules: MappingRules, taxes: TaxDetail = "consolidated"
) -> pl.DataFrame | None:
    """``resolve``'s legs (``RESOLVED_SCHEMA``), computed row by row; None for inputs left to the frame
    resolution."""
    if not set(ITEM_COLUMNS) <= set(items.columns) or "employee_uuid" not in attributes.columns:
        return None
    if "{}" in rules.source:  # the frame path's texts are format strings around the source name
        return None
    typed = {n: _item_column(items, n) for n in ITEM_COLUMNS}
    numbers = typed["item_no"]
    if None in numbers or None in typed["amount_cents"] or len(set(numbers)) != len(numbers):
        return None
    with _without_collection():
        return _legs_frame(typed, attributes, rules, taxes)
