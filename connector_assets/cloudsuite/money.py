"""Exact conversion between integer cents and the ERPs' decimal strings (`.` separator), never via float."""

from __future__ import annotations

import re
from decimal import Decimal

_DECIMAL = re.compile(r"^\s*([+-]?)(\d*)(?:\.(\d*))?\s*$")


def cents_to_decimal(cents: int) -> str:
    """`123456` -> `"1234.56"`, `-5` -> `"-0.05"`."""
    if isinstance(cents, bool) or not isinstance(cents, int):
        raise TypeError(f"amount must be integer cents, got {type(cents).__name__} {cents!r}")
    return f"{Decimal(cents).scaleb(-2):.2f}"


def decimal_to_cents(text: str, *, what: str = "amount") -> int:
    """`"1234.56"` -> `123456`; more than two non-zero decimals is an error (a cent cannot be split)."""
    match = _DECIMAL.match(text or "")
    if match is None or not (match.group(2) or match.group(3)):
        raise ValueError(f"{what} {text!r} is not a decimal number like 1234.56")
    sign, whole, frac = match.group(1), match.group(2) or "0", (match.group(3) or "").rstrip("0")
    if len(frac) > 2:
        raise ValueError(f"{what} {text!r} has fractions of a cent")
    cents = int(whole) * 100 + int(frac.ljust(2, "0"))
    return -cents if sign == "-" else cents
