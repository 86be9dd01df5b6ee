"""Validate a mapping against CloudSuite master data and the Gusto organisation before any posting.

Errors (severity ``error``) hold postings: an account or cost centre that does not
exist, is blocked, or is not valid on the posting date. Warnings name Gusto
departments (and, when the mapping has job rules, jobs) that no rule names, so
their lines silently use a default: the accountant confirms or adds a rule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import polars as pl

from connector_assets.mapping import model as m
from connector_assets.mapping.model import MappingRules


@dataclass(frozen=True)
class MappingProblem:
    """One problem: the rule (key path), the value it names, what is wrong, and the fix."""

    rule: str
    value: str
    problem: str
    fix: str
    severity: Literal["error", "warning"] = "error"

    def describe(self) -> str:
        """One line for reports and asset-check metadata."""
        return f"{self.rule} = {self.value!r}: {self.problem}; {self.fix}"


def _check_codes(
    used: list[tuple[str, str]], master: pl.DataFrame, column: str, kind: str, on: dt.date
) -> list[MappingProblem]:
    if not used:
        return []
    frame = pl.DataFrame(used, schema={"rule": pl.String, column: pl.String}, orient="row")
    known = master.select(
        pl.col(column).cast(pl.String),
        pl.col("blocked").cast(pl.Boolean).fill_null(False),
        pl.col("valid_from").cast(pl.Date),
        pl.col("valid_to").cast(pl.Date),
        found=pl.lit(True),
    ).unique(column, keep="first")
    joined = frame.join(known, on=column, how="left").with_columns(pl.col("found").fill_null(False))
    problems = []
    for rule, code, blocked, start, end, found in joined.iter_rows():
        if not found:
            problems.append(
                MappingProblem(
                    rule,
                    code,
                    f"{kind} does not exist in CloudSuite",
                    f"create {kind} {code} in CloudSuite or change the rule",
                )
            )
        elif blocked:
            problems.append(
                MappingProblem(
                    rule, code, f"{kind} is blocked in CloudSuite", f"unblock {kind} {code} or map to an open one"
                )
            )
        elif (start is not None and start > on) or (end is not None and end < on):
            problems.append(
                MappingProblem(
                    rule,
                    code,
                    f"{kind} is not valid on {on.isoformat()} (valid {start or '...'} to {end or '...'})",
                    f"extend the validity of {kind} {code} or map to one valid on the posting date",
                )
            )
    return problems


def check_mapping(
    rules: MappingRules,
    accounts: pl.DataFrame,
    cost_centers: pl.DataFrame,
    departments: pl.DataFrame | None,
    jobs: pl.DataFrame | None,
    posting_date: dt.date,
    tax_names: Iterable[str] | None = None,
    benefits: Iterable[tuple[str, int | None]] | None = None,
) -> list[MappingProblem]:
    """Problems of ``rules`` against accounts (``account, name, blocked, valid_from, valid_to``), cost centres
    (``cost_center, ...``), Gusto departments (``department_uuid, department``) and jobs (``job_uuid, job_title``),
    for itemized taxes, the tax names Gusto's payrolls carry (``tax_names``), and the company's benefits
    (``benefits``: name and Gusto benefit type id)."""
    problems = _check_codes(rules.accounts_used(), accounts, "account", "account", posting_date)
    problems += _check_codes(rules.cost_centers_used(), cost_centers, "cost_center", "cost center", posting_date)
    named = {(r.match_field, r.match_value) for r in rules.rules}
    if departments is not None:
        for uuid, title in (
            departments.select("department_uuid", "department").unique().sort("department").iter_rows()
        ):
            if ("department_uuid", uuid) not in named and ("department", title) not in named:
                problems.append(
                    MappingProblem(
                        "departments",
                        str(title or uuid),
                        "Gusto department has no rule; its lines use the defaults",
                        f"add departments.{title or uuid} to {rules.source} or confirm the defaults",
                        "warning",
                    )
                )
    if jobs is not None and any(r.level == m.JOB for r in rules.rules):
        for uuid, title in jobs.select("job_uuid", "job_title").unique().sort("job_title").iter_rows():
            if ("job_uuid", uuid) not in named and ("job_title", title) not in named:
                problems.append(
                    MappingProblem(
                        "jobs",
                        str(title or uuid),
                        "Gusto job has no rule; its lines fall through to department rules",
                        f"add jobs.{title or uuid} to {rules.source} or confirm the fall-through",
                        "warning",
                    )
                )
    return problems + unruled_taxes(rules, tax_names or ()) + unruled_benefits(rules, benefits or ())


def unruled_taxes(rules: MappingRules, tax_names: Iterable[str]) -> list[MappingProblem]:
    """A warning per Gusto tax name no ``taxes.by_name`` rule names: itemized, it posts to the default."""
    default = rules.taxes.default
    where = (
        f"taxes.default ({default.expense or 'employer_tax rules'} / {default.liability or 'credits.taxes'})"
        if default.expense or default.liability
        else "the consolidated accounts (employer_tax rules, credits.taxes)"
    )
    names = sorted({n.strip() for n in tax_names if n and n.strip()}, key=str.lower)
    return [
        MappingProblem(
            "taxes.by_name",
            name,
            f"Gusto tax has no rule; itemized, it posts to {where}",
            f'add taxes.by_name."{name}" with its expense and liability accounts to {rules.source} '
            "or confirm the default",
            "warning",
        )
        for name in names
        if not rules.taxes.covers(name)
    ]


def unruled_benefits(rules: MappingRules, benefits: Iterable[tuple[str, int | None]]) -> list[MappingProblem]:
    """A warning per Gusto benefit that neither a name rule nor a type rule of ``benefits:`` matches: its
    employer share posts by the ``employer_benefit`` rules and its liability to ``credits.benefits``."""
    seen = sorted(
        {(n.strip(), t) for n, t in benefits if n and n.strip()}, key=lambda b: (b[0].lower(), b[1] or 0)
    )
    return [
        MappingProblem(
            "benefits",
            f"{name} (type {kind})" if kind is not None else name,
            "Gusto benefit has no rule by name or type; it posts to the employer_benefit rules and credits.benefits",
            f'add benefits."{name}" or a rule with type: {kind if kind is not None else "<id>"} to {rules.source} '
            "or confirm the defaults",
            "warning",
        )
        for name, kind in seen
        if not rules.benefit_covered(name) and (kind is None or kind not in rules.benefit_types)
    ]
