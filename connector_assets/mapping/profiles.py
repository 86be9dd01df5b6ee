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
# The last few mappings' rule frames and profile columns: a payroll run resolves with one mapping many times.
_MEMO: dict[tuple[str, int], tuple[MappingRules, Any]] = {}
_MEMO_SIZE = 16


def _memo(kind: str, rules: MappingRules, compute: Callable[[MappingRules], Any]) -> Any:
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


def rule_frames(rules: MappingRules) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Rules, their accounts and their split shares as three small frames."""
    frames: tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame] = _memo("frames", rules, _rule_frames)
    return frames


def _rule_frames(rules: MappingRules) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    head = pl.DataFrame(
        [
            (r.order, r.level, r.label, r.match_field, r.match_value, r.scope, r.cost_center, bool(r.split),
             r.dimensions_text, r.min_rate_cents, r.max_rate_cents)
            for r in rules.rules
        ],
        schema={
            "order": pl.Int64, "level": pl.Int64, "label": pl.String, "match_field": pl.String,
            "match_value": pl.String, "scope": pl.String, "cc": pl.String, "split": pl.Boolean, "dims": pl.String,
            "min_rate": pl.Int64, "max_rate": pl.Int64,
        },
        orient="row",
    )  # fmt: skip
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


def _rate_band(rules: MappingRules) -> pl.Expr | None:
    """The rate as the largest rate limit not above it: every ``>= min`` and ``< max`` test answers the same."""
    limits = sorted(
        {r.min_rate_cents for r in rules.rules if r.min_rate_cents is not None}
        | {r.max_rate_cents for r in rules.rules if r.max_rate_cents is not None}
    )
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
    cols: dict[str, pl.Expr] = _memo("columns", rules, _profile_columns)
    return dict(cols)


def _profile_columns(rules: MappingRules) -> dict[str, pl.Expr]:
    cols: dict[str, pl.Expr] = {"mapping_key": pl.col("mapping_key")}
    for field, column in MATCH_COLUMNS.items():
        values = sorted({r.match_value for r in rules.rules if r.match_field == field and r.match_value})
        if values:
            cols[f"_p_{field}"] = pl.when(pl.col(column).is_in(values)).then(pl.col(column))
    band = _rate_band(rules)
    if band is not None:
        cols[RATE] = band
    if rules.cost_center_field:
        cols[CUSTOM] = pl.col("custom_cost_center")
    return cols


def _first(frame: pl.DataFrame, *cols: str, **named: str) -> pl.DataFrame:
    """The most specific candidate per profile (lowest level, then file order)."""
    ranked = frame.sort(["_pid", "level", "order"]).unique("_pid", keep="first", maintain_order=True)
    return ranked.select("_pid", *cols, **{k: pl.col(v) for k, v in named.items()})


def match_profiles(
    profiles: pl.DataFrame,
    rules: MappingRules,
    frames: tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame] | None = None,
) -> pl.DataFrame:
    """Per distinct profile (``_pid``): account, cost centre or split, dimensions and the rules that set them.

    ``frames`` are ``rule_frames(rules)`` when the caller has them already.
    """
    head, accounts, _ = frames or rule_frames(rules)
    rate = pl.col(RATE) if RATE in profiles.columns else pl.lit(None, pl.Int64)
    keyed = profiles.select("_pid", "mapping_key", _rate=rate)
    parts = []
    for field in MATCH_COLUMNS:
        subset = head.filter(pl.col("match_field") == field)
        if subset.height:
            values = profiles.select("_pid", "mapping_key", _rate=rate, _v=pl.col(f"_p_{field}"))
            parts.append(values.join(subset, left_on="_v", right_on="match_value"))
    defaults = head.filter(pl.col("match_field").is_null())
    parts.append(
        keyed.join(defaults, left_on="mapping_key", right_on="scope").with_columns(scope=pl.col("mapping_key"))
    )
    cand = pl.concat(parts, how="diagonal_relaxed").filter(
        (pl.col("scope").is_null() | (pl.col("scope") == pl.col("mapping_key")))
        & (pl.col("min_rate").is_null() | (pl.col("_rate") >= pl.col("min_rate")))
        & (pl.col("max_rate").is_null() | (pl.col("_rate") < pl.col("max_rate")))
    )
    account = _first(cand.join(accounts, on=["order", "mapping_key"]), "account", acc_rule="label")
    cc_cand = cand.filter(pl.col("cc").is_not_null() | pl.col("split")).select(
        "_pid", "level", "order", "cc", "split", "label"
    )
    if rules.cost_center_field:
        custom = profiles.filter(pl.col(CUSTOM).is_not_null()).select(
            "_pid",
            level=pl.lit(m.CUSTOM_FIELD, pl.Int64),
            order=pl.lit(0, pl.Int64),
            cc=CUSTOM,
            split=pl.lit(False),
            label=pl.lit(f"custom field {rules.cost_center_field}"),
        )
        cc_cand = pl.concat([cc_cand, custom])
    cost = _first(cc_cand, "cc", "split", split_order="order", cc_rule="label")
    dims = _first(cand.filter(pl.col("dims") != ""), "dims")
    return (
        profiles.join(account, on="_pid", how="left")
        .join(cost, on="_pid", how="left")
        .join(dims, on="_pid", how="left")
    )
