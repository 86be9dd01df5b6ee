"""Cent-exact allocation by the largest-remainder (Hamilton) method, payroll-accounting §7.

Each share gets the floor of its exact part; the cents left over go to the
shares with the largest fractional parts, ties broken by a stable key (cost
centre, then position), so reruns are identical and the parts always sum to
the total. Negative totals are allocated by magnitude and the sign restored.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any, TypeVar

import polars as pl

Frame = TypeVar("Frame", pl.DataFrame, pl.LazyFrame)
# Below this many rows a loop over the rows beats the vectorized plan (its sort and windows cost ~1 ms).
ROWS_IN_PYTHON = 2_000


class AllocationError(ValueError):
    """Weights that cannot split an amount (empty, negative or all zero)."""


def allocate_cents(
    total_cents: int,
    weights: Sequence[int | Decimal | Fraction],
    tie_keys: Sequence[str] | None = None,
) -> list[int]:
    """Split ``total_cents`` in proportion to ``weights``; the parts sum exactly to the total."""
    if not weights:
        raise AllocationError(f"cannot allocate {total_cents} cents over no weights; give at least one weight")
    exact = [Fraction(w) for w in weights]
    if any(w < 0 for w in exact):
        raise AllocationError(f"negative weight in {list(weights)}; weights must be zero or positive")
    whole = sum(exact, Fraction(0))
    if whole == 0:
        raise AllocationError(f"weights {list(weights)} sum to zero; give at least one positive weight")
    if tie_keys is not None and len(tie_keys) != len(exact):
        raise AllocationError("tie_keys must have one key per weight")
    magnitude = abs(total_cents)
    shares = [magnitude * w / whole for w in exact]
    floors = [s.numerator // s.denominator for s in shares]
    left = magnitude - sum(floors)
    keys = tie_keys if tie_keys is not None else [""] * len(exact)
    order = sorted(range(len(exact)), key=lambda i: (-(shares[i] - floors[i]), keys[i], i))
    for i in order[:left]:
        floors[i] += 1
    sign = -1 if total_cents < 0 else 1
    return [sign * f for f in floors]


def allocate_frame(
    frame: Frame,
    *,
    by: Sequence[str],
    amount: str,
    weight: str,
    tie: Sequence[str],
    out: str = "share_cents",
    rows_in_python: int = ROWS_IN_PYTHON,
) -> Frame:
    """Vectorized largest remainder: rows sharing ``by`` split their common ``amount`` by ``weight``.

    ``amount`` is the same on every row of a group (the source amount); ``weight``
    is a non-negative integer whose group sum is positive. Adds column ``out``; rows come sorted by
    ``by``, then the largest remainder first, then ``tie``. A frame under ``rows_in_python`` rows is
    allocated by a plain loop, with the same result.
    """
    keys: list[str] = list(by)
    if isinstance(frame, pl.DataFrame) and frame.height < rows_in_python:
        small = _allocate_rows(frame, keys, amount, weight, list(tie), out)
        if small is not None:
            return small
    magnitude = pl.col(amount).abs().cast(pl.Int128)
    exact = magnitude * pl.col(weight).cast(pl.Int128)
    whole = pl.col(weight).cast(pl.Int128).sum().over(keys)
    staged = frame.with_columns(_floor=exact // whole, _rem=exact % whole).sort(
        [*keys, "_rem", *tie], descending=[False] * len(keys) + [True] + [False] * len(tie), maintain_order=True
    )
    left = magnitude.first().over(keys) - pl.col("_floor").sum().over(keys)
    rank = pl.int_range(pl.len()).over(keys)
    share = (pl.col("_floor") + (rank < left).cast(pl.Int128)).cast(pl.Int64)
    signed = pl.when(pl.col(amount) < 0).then(-share).otherwise(share)
    return staged.with_columns(signed.alias(out)).drop("_floor", "_rem")


def _ordered(value: Any) -> tuple[Any, ...]:
    """A sort key that puts nulls first, as polars does."""
    return (0,) if value is None else (1, value)


def _allocate_rows(
    frame: pl.DataFrame, keys: list[str], amount: str, weight: str, tie: list[str], out: str
) -> pl.DataFrame | None:
    """``allocate_frame`` on a small frame, row by row; None where a group's weights sum to zero."""
    n = len(keys)
    rows = frame.select(*keys, amount, weight, *tie).rows()
    groups: dict[tuple[Any, ...], list[int]] = {}
    for i, row in enumerate(rows):
        groups.setdefault(row[:n], []).append(i)
    order: list[int] = []
    shares: list[int] = []
    for key in sorted(groups, key=lambda k: tuple(map(_ordered, k))):
        members = groups[key]
        whole = sum(rows[i][n + 1] for i in members)
        if not whole:
            return None
        exact = {i: abs(rows[i][n]) * rows[i][n + 1] for i in members}
        ranked = sorted(members, key=lambda i: (-(exact[i] % whole), *(_ordered(v) for v in rows[i][n + 2 :])))
        floors = [exact[i] // whole for i in ranked]
        left = abs(rows[ranked[0]][n]) - sum(floors)
        for rank, (i, floor) in enumerate(zip(ranked, floors, strict=True)):
            share = floor + (rank < left)
            shares.append(-share if rows[i][n] < 0 else share)
        order += ranked
    picked = frame.select(pl.all().gather(pl.Series(order, dtype=pl.UInt32)))
    return picked.with_columns(pl.Series(out, shares, dtype=pl.Int64))
