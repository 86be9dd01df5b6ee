"""Amounts as an accountant reads them: integer cents → `1,234.56`."""

from __future__ import annotations


def money(cents: int) -> str:
    """Cents with a thousands separator and two decimals (`-123456` → `-1,234.56`)."""
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(int(cents)), 100)
    return f"{sign}{whole:,}.{frac:02d}"
