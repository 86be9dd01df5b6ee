"""Debit legs of a small item frame, row by row: rules per profile, by-name expense accounts, cost-centre
shares and held reasons, as ``resolve``'s frame steps (``profiles``, ``named``, ``shares``) give them."""

from __future__ import annotations

from operator import attrgetter
from typing import TYPE_CHECKING, Any

from connector_assets.ledger import categories as c
from connector_assets.mapping.model import MappingRules
from connector_assets.mapping.named import TaxDetail
from connector_assets.mapping.profiles import (
    MATCH_COLUMNS,
    Match,
    match_one,
    matched_values,
    per_mapping,
    rate_limits,
)
from connector_assets.mapping.share_rows import allocate_debits

if TYPE_CHECKING:
    from connector_assets.mapping.resolve_rows import ItemRow

EXPENSE = frozenset(k for k, v in c.DEBIT_ROLE.items() if v and k not in c.ENTITY_DEBITS)
Leg = tuple[Any, ...]


def _band(rate: int | None, limits: list[int]) -> int | None:
    """The largest rate limit not above ``rate`` (below them all: one under the lowest)."""
    if rate is None or not limits:
        return None
    for limit in reversed(limits):
        if rate >= limit:
            return limit
    return limits[0] - 1


def _no_matches(rules: MappingRules) -> dict[tuple[Any, ...], Match]:
    return {}


def _matches(legs: list[ItemRow], rules: MappingRules) -> list[Match]:
    """Each leg's rule match, found once per profile (and looked up once per distinct raw values)."""
    values = [(f, MATCH_COLUMNS[f], named) for f, named in matched_values(rules).items()]
    limits = rate_limits(rules)
    custom = bool(rules.cost_center_field)
    found: dict[tuple[Any, ...], Match] = per_mapping("matches", rules, _no_matches)
    raw = attrgetter("mapping_key", "rate_cents", "custom_cost_center", *(column for _, column, _ in values))
    by_raw: dict[tuple[Any, ...], Match] = {}
    out = []
    for leg in legs:
        key = raw(leg)
        hit = by_raw.get(key)
        if hit is None:
            seen = [(f, v if (v := getattr(leg, column)) in named else None) for f, column, named in values]
            band = _band(leg.rate_cents, limits)
            own = leg.custom_cost_center if custom else None
            profile = (leg.mapping_key, *seen, band, own)
            hit = found.get(profile)
            if hit is None:
                hit = found[profile] = match_one(rules, leg.mapping_key, seen, band, own)
            by_raw[key] = hit
        out.append(hit)
    return out


def _expense_by_name(rules: MappingRules, taxes: TaxDetail) -> dict[tuple[str, str], tuple[str, str]] | None:
    """(category, lower-cased name) → (expense account, rule label); None when two rules share a name."""
    rows = [
        (c.EMPLOYER_BENEFIT, n.lower(), a, f"{rules.benefit_labels.get(n, f'benefits.{n}')}.expense")
        for n, a in rules.benefit_expenses.items()
    ]
    if taxes == "itemized":
        rows += [
            (c.EMPLOYER_TAX, n.lower(), v.expense, f"taxes.by_name.{n}.expense")
            for n, v in rules.taxes.by_name.items()
            if v.expense
        ]
    table = {(cat, name): (acc, label) for cat, name, acc, label in rows}
    return table if len(table) == len(rows) else None


def _reason(leg: ItemRow, cost_center: str | None, follow: bool, account: str | None, source: str) -> str | None:
    """Why a debit leg is held, in the frame path's words; None when it posts."""
    key = leg.mapping_key
    if account is not None and cost_center is not None and leg.known and key != c.UNKNOWN_EARNING:
        return None
    dept = "-" if leg.department is None else leg.department
    title = "-" if leg.job_title is None else leg.job_title
    if not leg.known:
        return f"employee {leg.employee_uuid} is not in the Gusto employee snapshot; refresh gusto/employees and rerun"
    if key == c.UNKNOWN_EARNING:
        if leg.name is None:
            return None
        return f"unknown Gusto compensation '{leg.name}'; add it under earning_names in {source}"
    if account is None:
        if key is None:
            return None
        return (
            f"no account rule for '{key}' (department '{dept}', job '{title}'); add defaults.{key}.account or a "
            f"more specific rule to {source}"
        )
    if cost_center is None and follow:
        return "follows wages whose cost center is unresolved; fix the wage lines' cost center rule"
    if cost_center is None:
        if key is None:
            return None
        return (
            f"no cost center rule for '{key}' (department '{dept}', job '{title}'); add departments.{dept}.cost_center "
            f"or defaults.{key}.cost_center to {source}"
        )
    return None


def debit_rows(ctx: list[ItemRow], rules: MappingRules, taxes: TaxDetail) -> list[Leg] | None:
    """The debit legs (``RESOLVED_SCHEMA`` order) of the expense items; None for inputs left to the frames."""
    legs = [r for r in ctx if r.category in EXPENSE]
    by_name = _expense_by_name(rules, taxes)
    if by_name is None:
        return None
    default = rules.taxes.default.expense if taxes == "itemized" else None
    matches = _matches(legs, rules)
    accounts: list[tuple[str | None, str | None]] = []
    for leg, match in zip(legs, matches, strict=True):
        account, acc_rule = match[0], match[1]
        name = None if leg.name is None else leg.name.strip().lower()
        acc, label = by_name.get((leg.category, name), (None, None))  # type: ignore[arg-type]
        if default and leg.category == c.EMPLOYER_TAX:
            acc = default if acc is None else acc
            label = "taxes.default.expense" if label is None else label
        accounts.append((acc, label) if acc is not None else (account, acc_rule))
    shares = allocate_debits(legs, matches, rules)
    if shares is None:
        return None
    out = []
    for i, cents, cost_center, follow, follow_rule in shares:
        leg, match = legs[i], matches[i]
        account, acc_rule = accounts[i]
        cc_rule = follow_rule if follow else match[5]
        rule = f"account: {'none' if acc_rule is None else acc_rule}; cost center: {'none' if cc_rule is None else cc_rule}"
        out.append(
            (
                leg.item_no,
                leg.rule_employee,  # the employee, not the part
                leg.job_uuid,
                leg.category,
                leg.subtype,
                leg.name,
                "debit",
                c.DEBIT_ROLE[leg.category],  # type: ignore[index]
                cents,
                account,
                cost_center,
                "" if match[6] is None else match[6],
                rule,
                rules.version,
                _reason(leg, cost_center, follow, account, rules.source),
            )
        )
    return out
