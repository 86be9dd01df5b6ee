"""Deterministic references and content hashes, so a payroll posts at most once per content."""

from __future__ import annotations

import base64
import hashlib
import re

import polars as pl

REFERENCE_RE = re.compile(r"^[A-Z0-9-]{1,30}$")
HASHED_COLUMNS = (
    "account",
    "cost_center",
    "dimensions",
    "debit_cents",
    "credit_cents",
    "employee_uuid",
    "category",
    "unmapped_reason",
)


def external_reference(connection_id: str, payroll_uuid: str, version: int, *, reversal: bool = False) -> str:
    """Stable ERP reference for (connection, payroll, revision): ``GP-<18 base32>-<version>``, ≤ 30 chars.

    A reversal of that revision gets prefix ``RV`` instead of ``GP``.
    """
    if not 0 <= version <= 999_999:
        raise ValueError(f"payroll {payroll_uuid}: revision {version} is outside 0..999999; use a small counter")
    digest = hashlib.sha256(f"{connection_id}\x1f{payroll_uuid}".encode()).digest()
    token = base64.b32encode(digest).decode()[:18]
    return f"{'RV' if reversal else 'GP'}-{token}-{version}"


# Column types whose text a plain ``str`` gives exactly as a cast to string does.
_PLAIN_TYPES = (pl.String, pl.Int64, pl.Int32)


def _csv_field(text: str) -> str:
    """A field as the CSV writer (polars, RFC 4180) writes it: quoted when empty or holding a separator,
    a quote or a line break."""
    if text and "," not in text and '"' not in text and "\n" not in text and "\r" not in text:
        return text
    return '"' + text.replace('"', '""') + '"'


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _canonical_csv(lines: pl.DataFrame) -> str:
    """The hashed columns as text, nulls empty, rows sorted, written as CSV with a header."""
    if not all(lines.schema[name] in _PLAIN_TYPES for name in HASHED_COLUMNS):
        canonical = lines.select([pl.col(c).cast(pl.String).fill_null("") for c in HASHED_COLUMNS])
        return canonical.sort(list(HASHED_COLUMNS)).write_csv(include_header=True)
    # A journal has a hundred lines or so: plain Python writes them sooner than a frame would.
    columns = [map(_text, lines[name].to_list()) for name in HASHED_COLUMNS]
    rows = sorted(zip(*columns, strict=True))
    text = [",".join(HASHED_COLUMNS), *(",".join(map(_csv_field, row)) for row in rows)]
    return "\n".join(text) + "\n"


def lines_content_hash(lines: pl.DataFrame, posting_date: str, currency: str) -> str:
    """Short sha256 of what a posting carries (amounts, accounts, dimensions, date, currency)."""
    digest = hashlib.sha256(f"{posting_date}|{currency}\n".encode())
    digest.update(_canonical_csv(lines).encode())
    return digest.hexdigest()[:16]
