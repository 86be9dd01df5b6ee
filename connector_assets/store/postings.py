"""The postings ledger: one row per journal sent (or held) to CloudSuite, written before the ERP call.

States: pending → submitted → posted | held | superseded; posted → reversed. A crash after `begin` leaves a
pending row whose external reference is looked up in CloudSuite on the next run, never posted blindly again.
Once pending, a row's content (hash, journal, posting date) is frozen: other content gets another reference.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine, insert, select, update

from connector_assets.store.tables import postings
from connector_assets.store.vault import utcnow

PENDING, POSTED, HELD, REVERSED = "pending", "posted", "held", "reversed"
SUBMITTED, SUPERSEDED = "submitted", "superseded"
# Rows whose content may already be in CloudSuite: never rewritten.
FROZEN = (PENDING, SUBMITTED, POSTED, REVERSED, SUPERSEDED)


class PostingConflict(RuntimeError):
    """A reference is already written ahead or posted with different content: settle it, then post a reversal
    and a new entry under the next revision instead of editing it."""


@dataclass(frozen=True)
class Posting:
    """One row of the postings ledger."""

    id: int
    connection_id: str
    payroll_uuid: str
    payroll_version: str
    external_reference: str
    content_hash: str
    kind: str
    reverses_reference: str | None
    state: str
    document_id: str | None
    reasons: list[Any] | None
    debits_cents: int | None
    credits_cents: int | None
    line_count: int | None
    run_id: str | None
    created_at: datetime
    updated_at: datetime
    journal: dict[str, Any] | None = None
    posting_date: date | None = None
    erp_key: str | None = None
    submitted_at: datetime | None = None
    confirmed_at: datetime | None = None

    @property
    def revision(self) -> int:
        """The revision number the reference ends with (``GP-…-3`` → 3)."""
        return int(self.external_reference.rsplit("-", 1)[1])


class Postings:
    """Repository for `postings`."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def begin(
        self,
        *,
        connection_id: str,
        payroll_uuid: str,
        payroll_version: str,
        external_reference: str,
        content_hash: str,
        kind: str = "journal",
        reverses_reference: str | None = None,
        debits_cents: int | None = None,
        credits_cents: int | None = None,
        line_count: int | None = None,
        run_id: str | None = None,
        state: str = PENDING,
        reasons: list[Any] | None = None,
        journal: dict[str, Any] | None = None,
        posting_date: date | None = None,
    ) -> Posting:
        """Write-ahead: record the intent (pending or held) before any ERP call; idempotent per reference.

        A held row (never sent) is brought up to date. A row that may be in CloudSuite (pending, submitted,
        posted, reversed, superseded) is frozen: returned unchanged when the content matches, refused with
        `PostingConflict` when it does not.
        """
        now = utcnow()
        values = {
            "connection_id": connection_id,
            "payroll_uuid": payroll_uuid,
            "payroll_version": payroll_version,
            "content_hash": content_hash,
            "kind": kind,
            "reverses_reference": reverses_reference,
            "debits_cents": debits_cents,
            "credits_cents": credits_cents,
            "line_count": line_count,
            "run_id": run_id,
            "state": state,
            "reasons": reasons,
            "journal": journal,
            "posting_date": posting_date,
            "updated_at": now,
        }
        with self.engine.begin() as conn:
            row = (
                conn.execute(
                    select(postings).where(postings.c.external_reference == external_reference).with_for_update()
                )
                .mappings()
                .first()
            )
            if row is None:
                conn.execute(
                    insert(postings).values(external_reference=external_reference, created_at=now, **values)
                )
            elif row["state"] in FROZEN:
                if row["content_hash"] != content_hash:  # the hash covers the posting date too
                    raise PostingConflict(
                        f"posting {external_reference} is already {row['state']} with other content "
                        f"(hash {row['content_hash']}, not {content_hash}); its content is frozen: settle it, "
                        "then post its reversal and the new content under the next revision"
                    )
                return Posting(**row)
            else:
                conn.execute(
                    update(postings).where(postings.c.external_reference == external_reference).values(**values)
                )
        found = self.get(external_reference)
        assert found is not None
        return found

    def get(self, external_reference: str) -> Posting | None:
        with self.engine.connect() as conn:
            row = (
                conn.execute(select(postings).where(postings.c.external_reference == external_reference))
                .mappings()
                .first()
            )
            return Posting(**row) if row else None

    def mark_posted(self, external_reference: str, document_id: str, erp_key: str | None = None) -> None:
        """The ERP holds the document: record its id (and the ERP's own key)."""
        extra = {"erp_key": erp_key} if erp_key else {}
        self._set(external_reference, state=POSTED, document_id=document_id, reasons=None,
                  confirmed_at=utcnow(), **extra)  # fmt: skip

    def mark_submitted(self, external_reference: str, erp_key: str, *, at: datetime) -> None:
        """The ERP accepted the journal at `at`; its document appears later and is confirmed by reference."""
        self._set(external_reference, state=SUBMITTED, erp_key=erp_key, submitted_at=at)

    def mark_superseded(self, external_reference: str, reasons: list[Any]) -> None:
        """An attempt CloudSuite never received is retired; its content is posted under another reference."""
        self._set(external_reference, state=SUPERSEDED, reasons=reasons)

    def mark_held(self, external_reference: str, reasons: list[Any]) -> None:
        self._set(external_reference, state=HELD, reasons=reasons)

    def mark_reversed(self, external_reference: str) -> None:
        self._set(external_reference, state=REVERSED)

    def for_payroll(self, connection_id: str, payroll_uuid: str) -> list[Posting]:
        """Every posting of a payroll (originals, reversals, held attempts), oldest first."""
        query = (
            select(postings)
            .where(postings.c.connection_id == connection_id, postings.c.payroll_uuid == payroll_uuid)
            .order_by(postings.c.id)
        )
        return self._fetch(query)

    def dated_between(self, connection_id: str, first: date, last: date) -> list[Posting]:
        """Every posting of a connection dated from `first` to `last` (inclusive), oldest first."""
        query = (
            select(postings)
            .where(
                postings.c.connection_id == connection_id,
                postings.c.posting_date >= first,
                postings.c.posting_date <= last,
            )
            .order_by(postings.c.id)
        )
        return self._fetch(query)

    def in_state(self, state: str, connection_id: str | None = None) -> list[Posting]:
        query = select(postings).where(postings.c.state == state).order_by(postings.c.id)
        if connection_id:
            query = query.where(postings.c.connection_id == connection_id)
        return self._fetch(query)

    def _set(self, external_reference: str, **values: Any) -> None:
        with self.engine.begin() as conn:
            result = conn.execute(
                update(postings)
                .where(postings.c.external_reference == external_reference)
                .values(updated_at=utcnow(), **values)
            )
            if result.rowcount != 1:
                raise KeyError(f"no posting with reference {external_reference!r}")

    def _fetch(self, query: Any) -> list[Posting]:
        with self.engine.connect() as conn:
            return [Posting(**row) for row in conn.execute(query).mappings()]
