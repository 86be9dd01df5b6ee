"""The postings ledger: one row per journal sent (or held) to CloudSuite, written before the ERP call.

States: pending → posted | held; posted → reversed. A crash after `begin` leaves a pending row whose
external reference is looked up in CloudSuite on the next run, never posted blindly again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, insert, select, update

from connector_assets.store.tables import postings
from connector_assets.store.vault import utcnow

PENDING, POSTED, HELD, REVERSED = "pending", "posted", "held", "reversed"


class PostingConflict(RuntimeError):
    """A reference is already posted with different content: post a reversal and a new entry instead."""


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
    ) -> Posting:
        """Write-ahead: record the intent (pending or held) before any ERP call; idempotent per reference.

        An existing pending or held row is brought up to date; a posted one is returned unchanged
        when the content matches and refused with `PostingConflict` when it does not.
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
            elif row["state"] in (POSTED, REVERSED):
                if row["content_hash"] != content_hash:
                    raise PostingConflict(
                        f"posting {external_reference} is already {row['state']} with other content; "
                        "post a reversal and a new entry instead of editing it"
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

    def mark_posted(self, external_reference: str, document_id: str) -> None:
        self._set(external_reference, state=POSTED, document_id=document_id, reasons=None)

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
