"""Exact, tolerant readers for Gusto JSON values: money as Decimal, dates, booleans.

Gusto documents money as decimal strings but its spec types some amounts as numbers; `Decimal(str(v))`
keeps the digits the JSON text shows, never a binary float.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

# Larger amounts are no payroll and would overflow 64-bit cents (or Decimal's exponent range).
MAX_AMOUNT = Decimal("1e15")


class GustoParseError(ValueError):
    """A Gusto field held a value of the wrong shape; the message names the record and field."""


def money(value: Any, where: str = "amount") -> Decimal | None:
    """`"2791.25"`, `2791.25` or `None` → `Decimal("2791.25")` or `None`; never through a float."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise GustoParseError(f"{where}: {value!r} is a boolean, expected a decimal amount")
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise GustoParseError(f"{where}: {value!r} is not a decimal amount") from None
    if not amount.is_finite() or amount.copy_abs() >= MAX_AMOUNT:
        raise GustoParseError(f"{where}: {value!r} is not a finite amount in range")
    return amount


def cents(amount: Decimal | None, where: str = "amount") -> int:
    """A Decimal amount as integer cents; sub-cent amounts are an error, `None` is 0."""
    if amount is None:
        return 0
    scaled = amount * 100
    if scaled != scaled.to_integral_value():
        raise GustoParseError(f"{where}: {amount} has fractions of a cent")
    return int(scaled)


def day(value: Any) -> date | None:
    """`YYYY-MM-DD` (or a timestamp, whose date is taken) → date."""
    if not value:
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    text = str(value)
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise GustoParseError(f"{text!r} is not a YYYY-MM-DD date") from None


def timestamp(value: Any) -> datetime | None:
    """ISO-8601 timestamp (`Z` accepted) → aware datetime."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise GustoParseError(f"{value!r} is not an ISO-8601 timestamp") from None


def text(value: Any) -> str | None:
    return None if value is None else str(value)


def flag(value: Any) -> bool | None:
    return None if value is None else bool(value)


def record(value: Any, what: str) -> dict[str, Any]:
    """A JSON object Gusto sent as `what`, or GustoParseError when it is another JSON type."""
    if not isinstance(value, dict):
        raise GustoParseError(f"{what}: expected a JSON object, got {type(value).__name__}; check the API version")
    return value


def obj(value: Any) -> dict[str, Any]:
    """A nested JSON object, tolerantly: anything else (absent, null, wrong type) is empty."""
    return value if isinstance(value, dict) else {}


def items(value: Any) -> list[Any]:
    """A nested JSON array, tolerantly: anything else (absent, null, wrong type) is empty."""
    return value if isinstance(value, list) else []


def dicts(value: Any) -> list[dict[str, Any]]:
    """A JSON array of objects (absent or null is empty)."""
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []
