"""Domain types the ERP adapters take and return: plain frozen dataclasses, money in integer cents."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from connector_assets.cloudsuite.errors import PostingConflict


def _open_on(blocked: bool, valid_from: date | None, valid_to: date | None, day: date) -> bool:
    return not blocked and (valid_from is None or valid_from <= day) and (valid_to is None or day <= valid_to)


@dataclass(frozen=True)
class GlAccount:
    """A general-ledger account of the chart (M3 dimension 1, SyteLine `SLCharts`)."""

    account: str
    name: str
    blocked: bool = False
    valid_from: date | None = None
    valid_to: date | None = None

    def open_on(self, day: date) -> bool:
        """True when a posting dated `day` may use this account."""
        return _open_on(self.blocked, self.valid_from, self.valid_to, day)


@dataclass(frozen=True)
class CostCenter:
    """A value of the cost-center dimension (M3 `AITn`, SyteLine unit code n)."""

    code: str
    name: str
    blocked: bool = False
    valid_from: date | None = None
    valid_to: date | None = None

    def open_on(self, day: date) -> bool:
        """True when a posting dated `day` may use this cost center."""
        return _open_on(self.blocked, self.valid_from, self.valid_to, day)


@dataclass(frozen=True)
class JournalLine:
    """One journal line; exactly one of `debit_cents` / `credit_cents` is non-zero."""

    account: str
    cost_center: str | None
    dimensions: dict[str, str]
    debit_cents: int
    credit_cents: int
    currency: str
    text: str = ""

    def __post_init__(self) -> None:
        if self.debit_cents < 0 or self.credit_cents < 0 or bool(self.debit_cents) == bool(self.credit_cents):
            raise ValueError(
                f"journal line on account {self.account!r}: give exactly one positive amount "
                f"(debit_cents={self.debit_cents}, credit_cents={self.credit_cents})"
            )

    @property
    def signed_cents(self) -> int:
        """Debit positive, credit negative."""
        return self.debit_cents - self.credit_cents


@dataclass(frozen=True)
class Journal:
    """A balanced journal to post under a deterministic external reference."""

    external_reference: str
    posting_date: date
    description: str
    lines: tuple[JournalLine, ...]
    currency: str

    def __post_init__(self) -> None:
        if not self.external_reference:
            raise ValueError("journal: external_reference is empty; build it from the payroll and its version")
        if not self.lines:
            raise ValueError(f"journal {self.external_reference}: has no lines")
        if self.debit_cents != self.credit_cents:
            raise ValueError(
                f"journal {self.external_reference}: debits {self.debit_cents} != credits {self.credit_cents} "
                "(cents); rebuild it balanced before posting"
            )

    @property
    def debit_cents(self) -> int:
        return sum(line.debit_cents for line in self.lines)

    @property
    def credit_cents(self) -> int:
        return sum(line.credit_cents for line in self.lines)


@dataclass(frozen=True)
class PostedJournal:
    """A journal as the ERP holds it after posting (M3 voucher, SyteLine journal rows, FSM interfaced run).

    `lines` are the lines as read back from the ERP when the adapter can read them (compared with the frozen
    write-ahead content before a found document is recorded); `erp_key` is the ERP's own handle beside our
    reference (M3 batch KEY1, SyteLine journal id, FSM run group).
    """

    external_reference: str
    document_id: str
    posting_date: date | None
    line_count: int
    debit_cents: int
    credit_cents: int
    lines: tuple[JournalLine, ...] | None = None
    erp_key: str | None = None


@dataclass(frozen=True)
class SubmittedJournal:
    """The ERP accepted the journal but the document does not exist yet (M3 creates vouchers in the
    background after `UpdBatch`; FSM interfaces a run group asynchronously). A confirmation step later finds
    the document by reference; a submitted journal is never submitted again."""

    external_reference: str
    erp_key: str
    posting_date: date


@dataclass(frozen=True)
class ErpEmployee:
    """An employee as the ERP's employee master holds it (M3 CRS530MI, SyteLine `SLEmployees`)."""

    number: str
    first_name: str
    last_name: str
    department: str = ""
    cost_center: str = ""
    hire_date: date | None = None
    termination_date: date | None = None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


def require_same_totals(journal: Journal, posted: PostedJournal, document: str) -> None:
    """The document found under the journal's reference must carry its line count and totals; else the
    reference was reused for other content (`document` names it the ERP's way: voucher, FSM journal)."""
    expected = (len(journal.lines), journal.debit_cents, journal.credit_cents)
    actual = (posted.line_count, posted.debit_cents, posted.credit_cents)
    if expected != actual:
        raise PostingConflict(
            f"journal {journal.external_reference}: {document} {posted.document_id} holds {actual[0]} lines, "
            f"debit {actual[1]} / credit {actual[2]} cents, but the journal has {expected[0]} lines, "
            f"{expected[1]} / {expected[2]}; the reference was reused for other content: reverse the {document}"
        )
