"""Largest-remainder allocation: exact sums, §7 examples, determinism, vectorized agreement."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connector_assets.ledger import AllocationError, allocate_cents, allocate_frame


def test_thirds_of_one_hundred_give_the_extra_cent_to_the_first_line() -> None:
    """100.00 split 1/3 each is 33.34 / 33.33 / 33.33, not 99.99."""
    assert allocate_cents(10000, [1, 1, 1]) == [3334, 3333, 3333]


def test_odd_cent_split_fifty_fifty_sums_exactly() -> None:
    """100.01 split 50/50 is 50.01 / 50.00 (half-up would give 100.02)."""
    assert allocate_cents(10001, [Decimal("50"), Decimal("50")]) == [5001, 5000]


def test_negative_total_allocates_magnitude_and_restores_sign() -> None:
    """A reversal of 100.00 in thirds mirrors the positive split."""
    assert allocate_cents(-10000, [1, 1, 1]) == [-3334, -3333, -3333]


def test_tie_break_follows_the_stable_key_not_the_input_order() -> None:
    """Equal remainders go to the smallest tie key, so reordering the input gives the same shares per key."""
    first = allocate_cents(10000, [1, 1, 1], tie_keys=["300", "200", "400"])
    assert dict(zip(["300", "200", "400"], first, strict=True))["200"] == 3334


def test_largest_fraction_wins_the_remaining_cent() -> None:
    """Shares 0.6 / 0.4 of 1 cent: the 0.6 share gets it."""
    assert allocate_cents(1, [Fraction(3, 5), Fraction(2, 5)]) == [1, 0]


@pytest.mark.parametrize("weights", [[], [0, 0], [1, -1]])
def test_unusable_weights_raise_a_typed_error(weights: list[int]) -> None:
    """Empty, all-zero or negative weights cannot split an amount."""
    with pytest.raises(AllocationError):
        allocate_cents(100, weights)


TOTALS = st.integers(min_value=-(10**11), max_value=10**11)
WEIGHTS = st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=8).filter(any)


@settings(max_examples=300, deadline=None)
@given(total=TOTALS, weights=WEIGHTS)
def test_parts_always_sum_to_the_total_and_stay_within_a_cent(total: int, weights: list[int]) -> None:
    """Every allocation is exact and each part is within one cent of its exact share."""
    _assert_exact_split(total, weights)


@pytest.mark.chaos
@settings(max_examples=5000, deadline=None)
@given(total=TOTALS, weights=WEIGHTS)
def test_thousands_of_allocations_sum_to_the_total(total: int, weights: list[int]) -> None:
    """The same property over 5,000 generated splits (`make chaos`)."""
    _assert_exact_split(total, weights)


def _assert_exact_split(total: int, weights: list[int]) -> None:
    parts = allocate_cents(total, weights)
    assert sum(parts) == total
    whole = sum(weights)
    for part, weight in zip(parts, weights, strict=True):
        assert abs(Fraction(part) - Fraction(total * weight, whole)) < 1


@settings(max_examples=200, deadline=None)
@given(
    groups=st.lists(
        st.tuples(
            st.integers(min_value=-(10**9), max_value=10**9),
            st.lists(st.integers(min_value=1, max_value=10**6), min_size=1, max_size=5),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_vectorized_allocation_matches_the_scalar_one(groups: list[tuple[int, list[int]]]) -> None:
    """``allocate_frame`` gives the same shares as ``allocate_cents`` for every group."""
    rows = [
        (g, amount, w, f"cc{i:02d}") for g, (amount, weights) in enumerate(groups) for i, w in enumerate(weights)
    ]
    frame = pl.DataFrame(rows, schema=["g", "amount", "w", "cc"], orient="row")
    shares = allocate_frame(frame, by=["g"], amount="amount", weight="w", tie=["cc"]).sort("g", "cc")
    for g, (amount, weights) in enumerate(groups):
        got = shares.filter(pl.col("g") == g)["share_cents"].to_list()
        assert got == allocate_cents(amount, weights, tie_keys=[f"cc{i:02d}" for i in range(len(weights))])


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=3),
            st.sampled_from([-(10**12), -100, -1, 0, 1, 99, 10_001, 10**12]),
            st.integers(min_value=1, max_value=10**6),
            st.sampled_from([None, "a", "b", "c"]),
            st.integers(min_value=0, max_value=2),
        ),
        min_size=0,
        max_size=12,
    )
)
def test_small_frames_allocate_as_the_vectorized_plan_does(
    rows: list[tuple[int, int, int, str | None, int]],
) -> None:
    """A small frame allocated row by row equals the vectorized plan: same shares, same row order."""
    amounts: dict[int, int] = {}
    fixed = [(g, amounts.setdefault(g, a), w, cc, pos) for g, a, w, cc, pos in rows]  # one amount per group
    frame = pl.DataFrame(
        fixed,
        schema={"g": pl.Int64, "amount": pl.Int64, "w": pl.Int64, "cc": pl.String, "pos": pl.Int64},
        orient="row",
    )
    small = allocate_frame(frame, by=["g"], amount="amount", weight="w", tie=["cc", "pos"])
    vectorized = allocate_frame(frame, by=["g"], amount="amount", weight="w", tie=["cc", "pos"], rows_in_python=0)
    assert small.equals(vectorized)
    assert small["share_cents"].sum() == sum(amounts.get(g, 0) for g in {r[0] for r in fixed})
