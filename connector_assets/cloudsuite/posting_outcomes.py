"""What one call of the posting service did, as typed values: every branch shows in one `match` and in the
metadata the Dagster UI shows beside `cloudsuite/journal_postings`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any


def money(cents: int, currency: str) -> str:
    """`12,345.67 USD`: an amount as a reader of the UI expects it (from integer cents, no float)."""
    return f"{Decimal(cents).scaleb(-2):,.2f} {currency}".strip()


class PostingMismatch(RuntimeError):
    """CloudSuite holds a document under our reference whose lines differ from the frozen write-ahead content."""


@dataclass(frozen=True)
class Reversed:
    """A posted journal taken out of the ledger by a reversing entry (or by a Gusto reversal payroll)."""

    original_reference: str
    original_document_id: str | None
    reversal_reference: str | None = None
    document_id: str | None = None
    erp_key: str | None = None
    debit_cents: int = 0
    currency: str = ""
    submitted: bool = False

    state = "reversed"

    def metadata(self) -> dict[str, Any]:
        return {"state": self.state, **self.fields()}

    def fields(self) -> dict[str, Any]:
        return {
            "reversed_reference": self.original_reference,
            "reversed_document_id": self.original_document_id or "",
            "reversal_reference": self.reversal_reference or "",
            "reversal_document_id": self.document_id or ("(submitted)" if self.submitted else ""),
            "reversal_erp_key": self.erp_key or "",
            "reversal_amount": money(self.debit_cents, self.currency) if self.currency else "",
        }


def _reversals(reversals: tuple[Reversed, ...]) -> dict[str, Any]:
    if not reversals:
        return {}
    return {
        "reversal_documents": ", ".join(r.document_id or f"{r.reversal_reference} (submitted)" for r in reversals),
        "reversed_references": ", ".join(r.original_reference for r in reversals),
    }


@dataclass(frozen=True)
class Posted:
    """CloudSuite holds the journal under `reference` as `document_id`, its lines equal to the written-ahead ones."""

    reference: str
    document_id: str
    erp_key: str | None
    posting_date: date
    line_count: int
    debit_cents: int
    credit_cents: int
    currency: str
    reversals: tuple[Reversed, ...] = ()
    confirmed: bool = False  # found by the confirmation step after an asynchronous submit

    state = "posted"

    def metadata(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "reference": self.reference,
            "document_id": self.document_id,
            "erp_key": self.erp_key or "",
            "posting_date": self.posting_date.isoformat(),
            "lines": self.line_count,
            "debits": money(self.debit_cents, self.currency),
            "credits": money(self.credit_cents, self.currency),
            **_reversals(self.reversals),
        }


@dataclass(frozen=True)
class Submitted:
    """CloudSuite accepted the journal; its document is confirmed later by reference, never submitted again."""

    reference: str
    erp_key: str | None
    posting_date: date
    debit_cents: int
    currency: str
    age_s: float = 0.0
    overdue_reason: str | None = None
    reversals: tuple[Reversed, ...] = ()

    state = "submitted"

    def metadata(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "reference": self.reference,
            "erp_key": self.erp_key or "",
            "posting_date": self.posting_date.isoformat(),
            "debits": money(self.debit_cents, self.currency),
            "waiting_s": round(self.age_s),
            **({"overdue": self.overdue_reason} if self.overdue_reason else {}),
            **_reversals(self.reversals),
        }


@dataclass(frozen=True)
class Unchanged:
    """Nothing new reached CloudSuite: the content is posted already, or there is nothing to post."""

    reason: str
    reference: str | None = None
    document_id: str | None = None
    reversals: tuple[Reversed, ...] = ()

    state = "unchanged"

    def metadata(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "detail": self.reason,
            "reference": self.reference or "",
            "document_id": self.document_id or "",
            **_reversals(self.reversals),
        }


@dataclass(frozen=True)
class Held:
    """The journal did not go to CloudSuite: it waits for the reasons listed (an approval, a failed check)."""

    reference: str | None
    reasons: tuple[dict[str, Any], ...]
    release: str

    state = "held"

    def metadata(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "reference": self.reference or "",
            "reasons": "; ".join(str(r.get("reason")) for r in self.reasons),
            "release": self.release,
        }


Outcome = Posted | Submitted | Unchanged | Held | Reversed
