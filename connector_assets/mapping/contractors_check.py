"""`connector mapping check` for the `contractors` section: accounts and cost centers against CloudSuite, and
every Gusto contractor without a rule (an active one holds its payments: an error; an inactive one: a warning)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from connector_assets.mapping.check import MappingProblem, _check_codes
from connector_assets.mapping.contractors import SECTION, ContractorMapping, contractor_name


def check_contractors(
    mapping: ContractorMapping,
    contractors: list[dict[str, Any]],
    accounts: pl.DataFrame,
    cost_centers: pl.DataFrame,
    departments_with_rules: set[str],
    posting_date: dt.date,
    source: str = "mapping.yaml",
) -> list[MappingProblem]:
    """Problems of the contractors section against CloudSuite master data and Gusto's contractors."""
    problems = _check_codes(mapping.accounts_used(), accounts, "account", "account", posting_date)
    problems += _check_codes(mapping.cost_centers_used(), cost_centers, "cost_center", "cost center", posting_date)
    for rule in mapping.rules:
        if rule.department is not None and rule.department not in departments_with_rules:
            problems.append(MappingProblem(
                f"{rule.label}.department", rule.department, "the department has no cost_center under departments",
                f"add departments.{rule.department} with a cost_center, or give the rule a cost_center"))  # fmt: skip
    if contractors and "wages" not in mapping.accounts and not all(r.accounts.get("wages") for r in mapping.rules):
        problems.append(MappingProblem(f"{SECTION}.accounts.wages", "", "no expense account for contractor wages",
                                       f"add {SECTION}.accounts.wages such as '6400' to {source}"))  # fmt: skip
    for c in sorted(contractors, key=contractor_name):
        uuid, name = str(c.get("uuid")), contractor_name(c)
        if mapping.rule_for(uuid, (name,)) is not None:
            continue
        active = c.get("is_active", True) is not False
        problems.append(MappingProblem(
            f"{SECTION}.rules", name or uuid,
            "Gusto contractor has no rule; its payments are held" if active
            else "inactive Gusto contractor has no rule; a payment to it would be held",
            f"add {SECTION}.rules.\"{name or uuid}\" with a cost_center or department to {source}",
            "error" if active else "warning"))  # fmt: skip
    return problems
