"""Exact money parsing: Gusto decimal strings or JSON numbers → integer cents."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

MAX_AMOUNT = Decimal("1e15")


class MoneyError(ValueError):
    """An amount is not a whole number of cents or not a number at all."""


def to_cents(value: object, where: str) -> int:
    """Parse a Gusto amount (``"1234.50"``, ``1234.5`` or ``None``) to integer cents, exactly.

    ``where`` names the record for the error message. ``None`` and ``""`` are 0.
    """
    if value is None or value == "":
        return 0
    if isinstance(value, bool):
        raise MoneyError(f"{where}: amount {value!r} is a boolean; expected a decimal amount such as '12.34'")
    try:
        # str() first: a JSON float like 191.25 becomes the exact decimal its text shows.
        amount = Decimal(str(value))
    except InvalidOperation as exc:
        raise MoneyError(f"{where}: amount {value!r} is not a number; expected a decimal such as '12.34'") from exc
    if not amount.is_finite():
        raise MoneyError(f"{where}: amount {value!r} is not finite; expected a decimal such as '12.34'")
    if amount.copy_abs() >= MAX_AMOUNT:
        # Beyond this the cents overflow the store's 64-bit columns (or Decimal's exponent range).
        raise MoneyError(f"{where}: amount {value!r} is out of range; expected a payroll amount such as '12.34'")
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise MoneyError(f"{where}: amount {value!r} has fractions of a cent; Gusto amounts must be whole cents")
    return int(cents)


def format_cents(cents: int) -> str:
    """Render cents as a plain decimal string (``-1234`` → ``"-12.34"``)."""
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    return f"{sign}{whole}.{frac:02d}"
