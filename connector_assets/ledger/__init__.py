"""Payroll → journal: items, cent-exact allocation, the journal and its proofs (pure, polars)."""

from connector_assets.ledger.allocation import AllocationError, allocate_cents, allocate_frame
from connector_assets.ledger.items import PayrollShapeError, payroll_items
from connector_assets.ledger.journal import (
    Journal,
    JournalError,
    JournalHeader,
    JournalOptions,
    build_journal,
    journal_lines,
    posting_date,
    reverse_journal,
)
from connector_assets.ledger.money import MoneyError, format_cents, to_cents
from connector_assets.ledger.proofs import (
    Balance,
    Difference,
    JournalProofs,
    prove_balanced,
    prove_journal,
    prove_nothing_dropped,
    prove_tie_out,
)
from connector_assets.ledger.reference import external_reference, lines_content_hash

__all__ = [
    "AllocationError",
    "Balance",
    "Difference",
    "Journal",
    "JournalError",
    "JournalHeader",
    "JournalOptions",
    "JournalProofs",
    "MoneyError",
    "PayrollShapeError",
    "allocate_cents",
    "allocate_frame",
    "build_journal",
    "external_reference",
    "format_cents",
    "journal_lines",
    "lines_content_hash",
    "payroll_items",
    "posting_date",
    "prove_balanced",
    "prove_journal",
    "prove_nothing_dropped",
    "prove_tie_out",
    "reverse_journal",
    "to_cents",
]
