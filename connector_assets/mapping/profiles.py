"""Rule matching on match profiles: the few distinct combinations of what rules look at, not every leg.

A debit leg's account, cost centre and dimensions depend only on its debit key, on the values of the
fields some rule matches on (kept only when some rule names that value), on the rate band the rules'
rate limits cut, and on a custom cost-centre value. Thousands of employees share a handful of such
profiles, so candidates are found and ranked per profile and joined back to the legs once.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from math import lcm
from typing import Any

import polars as pl

from connector_assets.mapping import model as m
from connector_assets.mapping.model import MappingRules

# Rule match field → context column it compares with.
MATCH_COLUMNS = {
    "employee_uuid": "rule_employee",  # a prorated part matches its employee's rules
    "job_uuid": "eff_job_uuid",
    "job_title": "job_title",
    "department_uuid": "department_uuid",
    "department": "department",
    "location_uuid": "location_uuid",
}
RATE, CUSTOM = "_p_rate", "_p_custom"
# The last few mappings' split tables, rule indexes and profile columns: a payroll run resolves with one mapping many times.
_MEMO: dict[tuple[str, int], tuple[MappingRules, Any]] = {}
_MEMO_SIZE = 64


def per_mapping(kind: str, rules: MappingRules, compute: Callable[[MappingRules], Any]) -> Any:
    """``compute(rules)``, once per mapping object (kept alive by the entry, so its id is not reused)."""
    key = (kind, id(rules))
    hit = _MEMO.get(key)
    if hit is not None and hit[0] is rules:
        return hit[1]
    if len(_MEMO) >= _MEMO_SIZE:
        _MEMO.clear()
    value = compute(rules)
    _MEMO[key] = (rules, value)
    return value


def split_frame(rules: MappingRules) -> pl.DataFrame:
    """The rules' percentage splits: (rule order, cost centre, integer weight, position)."""
    frame: pl.DataFrame = per_mapping("split", rules, _split_frame)
    return frame


def _split_frame(rules: MappingRules) -> pl.DataFrame:
    shares = [
        (order, cc, weight, pos) for order, parts in split_weights(rules).items() for cc, weight, pos in parts
    ]
    return pl.DataFrame(
        shares,
        schema={"order": pl.Int64, "split_cc": pl.String, "weight": pl.Int64, "pos": pl.Int64},
        orient="row",
    )


def split_weights(rules: MappingRules) -> dict[int, list[tuple[str, int, int]]]:
    """Split rule order → its (cost centre, integer weight, position) shares."""
    weights: dict[int, list[tuple[str, int, int]]] = per_mapping("weights", rules, _split_weights)
    return weights


def _split_weights(rules: MappingRules) -> dict[int, list[tuple[str, int, int]]]:
    out: dict[int, list[tuple[str, int, int]]] = {}
    for r in rules.rules:
        if r.split:
            scale = lcm(*(Fraction(p).denominator for _, p in r.split))
            out.setdefault(r.order, []).extend(
                (cc, int(Fraction(p) * scale), i) for i, (cc, p) in enumerate(r.split)
            )
    return out


def rate_limits(rules: MappingRules) -> list[int]:
    """Every rate limit some rule names, ascending."""
    limits: list[int] = per_mapping("limits", rules, _rate_limits)
    return limits


def _rate_limits(rules: MappingRules) -> list[int]:
    return sorted(
        {r.min_rate_cents for r in rules.rules if r.min_rate_cents is not None}
        | {r.max_rate_cents for r in rules.rules if r.max_rate_cents is not None}
    )


def matched_values(rules: MappingRules) -> dict[str, frozenset[str]]:
    """Match field → the values some rule names for it (fields no rule names are absent)."""
    values: dict[str, frozenset[str]] = per_mapping("values", rules, _matched_values)
    return values


def _matched_values(rules: MappingRules) -> dict[str, frozenset[str]]:
    named = {
        f: frozenset(r.match_value for r in rules.rules if r.match_field == f and r.match_value)
        for f in MATCH_COLUMNS
    }
    return {f: v for f, v in named.items() if v}


def _rate_band(rules: MappingRules) -> pl.Expr | None:
    """The rate as the largest rate limit not above it: every ``>= min`` and ``< max`` test answers the same."""
    limits = rate_limits(rules)
    if not limits:
        return None
    rate = pl.col("rate_cents")
    band: Any = pl.when(rate.is_null()).then(pl.lit(None, pl.Int64))  # Then/ChainedThen
    for limit in reversed(limits):
        band = band.when(rate >= limit).then(pl.lit(limit, pl.Int64))
    out: pl.Expr = band.otherwise(pl.lit(limits[0] - 1, pl.Int64))
    return out


def profile_columns(rules: MappingRules) -> dict[str, pl.Expr]:
    """Profile column name → expression on the context; only what some rule can look at."""
    cols: dict[str, pl.Expr] = per_mapping("columns", rules, _profile_columns)
    return dict(cols)


def _profile_columns(rules: MappingRules) -> dict[str, pl.Expr]:
    cols: dict[str, pl.Expr] = {"mapping_key": pl.col("mapping_key")}
    for field, values in matched_values(rules).items():
        column = MATCH_COLUMNS[field]
        cols[f"_p_{field}"] = pl.when(pl.col(column).is_in(sorted(values))).then(pl.col(column))
    band = _rate_band(rules)
    if band is not None:
        cols[RATE] = band
    if rules.cost_center_field:
        cols[CUSTOM] = pl.col("custom_cost_center")
    return cols


def _index(
    rules: MappingRules,
) -> tuple[dict[tuple[str, str], list[m.Rule]], dict[str, list[m.Rule]], dict[int, str]]:
    """(rules by matched field and value, default rules by debit key, dimensions text by rule id)."""
    by_value: dict[tuple[str, str], list[m.Rule]] = {}
    defaults: dict[str, list[m.Rule]] = {}
    for r in rules.rules:
        if r.match_field is None:
            if r.scope is not None:
                defaults.setdefault(r.scope, []).append(r)
        elif r.match_value:
            by_value.setdefault((r.match_field, r.match_value), []).append(r)
    return by_value, defaults, {id(r): r.dimensions_text for r in rules.rules}


def _applies(r: m.Rule, key: str | None, rate: int | None) -> bool:
    """The rule covers this debit key and rate band (a rate limit never covers an unknown rate)."""
    if r.scope is not None and r.scope != key:
        return False
    if r.min_rate_cents is not None and (rate is None or rate < r.min_rate_cents):
        return False
    return r.max_rate_cents is None or (rate is not None and rate < r.max_rate_cents)


def _rank(r: m.Rule) -> tuple[int, int]:
    return r.level, r.order


Match = tuple[str | None, str | None, str | None, bool | None, int | None, str | None, str | None]
MATCH_FIELDS = ("account", "acc_rule", "cc", "split", "split_order", "cc_rule", "dims")


def match_one(
    rules: MappingRules,
    key: str | None,
    values: list[tuple[str, str | None]],
    rate: int | None,
    custom: str | None,
) -> Match:
    """One profile's (account, its rule, cost centre, split?, split rule order, cost-centre rule, dimensions).

    ``values`` are (match field, the profile's value of it); ``rate`` is the rate band. The most specific
    candidate wins (lowest level, then file order).
    """
    by_value, defaults, texts = per_mapping("index", rules, _index)
    found: list[m.Rule] = []
    for field, value in values:
        if value is not None:
            found += by_value.get((field, value), ())
    found += defaults.get(key, ()) if key is not None else ()
    cand = sorted((r for r in found if _applies(r, key, rate)), key=_rank)
    acc = next((r for r in cand if key in r.accounts), None)
    cost = next((r for r in cand if r.cost_center is not None or r.split), None)
    cc: tuple[str | None, bool | None, int | None, str | None]
    if custom is not None and (cost is None or cost.level > m.CUSTOM_FIELD):
        cc = (custom, False, 0, f"custom field {rules.cost_center_field}")
    elif cost is not None:
        cc = (cost.cost_center, bool(cost.split), cost.order, cost.label)
    else:
        cc = (None, None, None, None)
    account = acc.accounts[key] if acc and key is not None else None
    dims = next((texts[id(r)] for r in cand if texts[id(r)]), None)
    return (account, acc.label if acc else None, *cc, dims)


def match_profiles(profiles: pl.DataFrame, rules: MappingRules) -> pl.DataFrame:
    """Per distinct profile (``_pid``): account, cost centre or split, dimensions and the rules that set them.

    Profiles are few (a few hundred at most), so plain lookups in the rules' index beat a chain of small
    frame operations.
    """
    data = profiles.to_dict(as_series=False)
    keys = data["mapping_key"]
    rates = data.get(RATE, [None] * len(keys))
    fields = [(f, data[f"_p_{f}"]) for f in MATCH_COLUMNS if f"_p_{f}" in data]
    customs = data.get(CUSTOM) if rules.cost_center_field else None
    found = [
        match_one(
            rules, key, [(f, v[i]) for f, v in fields], rates[i], customs[i] if customs is not None else None
        )
        for i, key in enumerate(keys)
    ]
    types = {"account": pl.String, "acc_rule": pl.String, "cc": pl.String, "split": pl.Boolean,
             "split_order": pl.Int64, "cc_rule": pl.String, "dims": pl.String}  # fmt: skip
    columns = list(zip(*found, strict=True)) if found else [()] * len(MATCH_FIELDS)
    return profiles.with_columns(
        pl.Series(n, list(v), dtype=types[n]) for n, v in zip(MATCH_FIELDS, columns, strict=True)
    )
