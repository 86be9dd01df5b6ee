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


def lines_content_hash(lines: pl.DataFrame, posting_date: str, currency: str) -> str:
    """Short sha256 of what a posting carries (amounts, accounts, dimensions, date, currency)."""
    canonical = lines.select([pl.col(c).cast(pl.String).fill_null("") for c in HASHED_COLUMNS]).sort(
        list(HASHED_COLUMNS)
    )
    digest = hashlib.sha256(f"{posting_date}|{currency}\n".encode())
    digest.update(canonical.write_csv(include_header=True).encode())
    return digest.hexdigest()[:16]
