"""Cents to the ERPs' decimal strings and back, exactly."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connector_assets.cloudsuite.money import cents_to_decimal, decimal_to_cents


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_round_trip(cents: int) -> None:
    """Any cent amount survives formatting and parsing unchanged."""
    assert decimal_to_cents(cents_to_decimal(cents)) == cents


@pytest.mark.parametrize(
    ("cents", "text"),
    [(0, "0.00"), (5, "0.05"), (-5, "-0.05"), (123456, "1234.56"), (10**14 + 1, "1000000000000.01")],
)
def test_format(cents: int, text: str) -> None:
    """Two decimals, dot separator, sign in front."""
    assert cents_to_decimal(cents) == text


@pytest.mark.parametrize(
    ("text", "cents"), [("12", 1200), ("12.5", 1250), (" -0.10 ", -10), ("3.000", 300), (".5", 50)]
)
def test_parse(text: str, cents: int) -> None:
    """Padded, short or over-long-but-exact decimals parse to cents."""
    assert decimal_to_cents(text) == cents


@pytest.mark.parametrize("text", ["", "1,5", "1.005", "abc", "-", "1e3"])
def test_parse_rejects(text: str) -> None:
    """Fractions of a cent and non-decimals are errors, never rounded."""
    with pytest.raises(ValueError, match="amount"):
        decimal_to_cents(text)


def test_float_is_refused() -> None:
    """Floats never enter the money path."""
    with pytest.raises(TypeError, match="integer cents"):
        cents_to_decimal(12.5)  # type: ignore[arg-type]
