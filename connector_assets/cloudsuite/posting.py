"""Posting plans and the journal shapes the postings ledger keeps (the state machine is `posting_service`).

A payroll whose content (or mapping) changes after posting gets a reversing entry of the posted one plus a
new entry under the next revision's reference; nothing posted is ever edited or deleted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

import polars as pl

from connector_assets.cloudsuite.types import Journal, JournalLine
from connector_assets.store.postings import HELD, PENDING, POSTED, REVERSED, SUBMITTED, Posting

APPROVAL = "approval"


def approval_key(payroll_uuid: str, content_hash: str) -> str:
    """The sync_state key under which an approval of exactly this journal content is recorded."""
    return f"approval:{payroll_uuid}:{content_hash}"


@dataclass(frozen=True)
class PostingPlan:
    """What a run must do for a payroll: reverse earlier entries, post a new one (under `revision`), or nothing."""

    reverse: tuple[Posting, ...]
    post_new: bool
    revision: int
    already_posted: Posting | None = None
    awaiting: Posting | None = None  # submitted with this content: confirm it, never submit again


def plan_posting(history: Iterable[Posting], content_hash: str | None) -> PostingPlan:
    """Decide from the payroll's posting history; `content_hash` None means the payroll must not stand
    (reversed or cancelled in Gusto): reverse what is posted, post nothing new.

    A pending row is frozen: only the same content may resume under its reference; other content takes the
    next revision once the earlier attempt is settled (found and posted, or superseded).
    """
    journals = [p for p in history if p.kind == "journal"]
    live = [p for p in journals if p.state == POSTED]
    revision = max((p.revision for p in journals), default=0)
    if content_hash is None:
        return PostingPlan(reverse=tuple(live), post_new=False, revision=revision)
    same = [p for p in live if p.content_hash == content_hash]
    if same:
        return PostingPlan(reverse=(), post_new=False, revision=revision, already_posted=same[-1])
    awaiting = [p for p in journals if p.state == SUBMITTED and p.content_hash == content_hash]
    if awaiting:
        return PostingPlan(reverse=(), post_new=False, revision=awaiting[-1].revision, awaiting=awaiting[-1])
    resumable = [p for p in journals if p.state == HELD or (p.state == PENDING and p.content_hash == content_hash)]
    if resumable and (not live or resumable[-1].revision > live[-1].revision):
        # A held attempt never reached CloudSuite, an interrupted one resumes with its own content.
        return PostingPlan(reverse=tuple(live), post_new=True, revision=resumable[-1].revision)
    return PostingPlan(reverse=tuple(live), post_new=True, revision=revision + 1)


def family_history(history: list[Posting]) -> list[Posting]:
    """The payroll's postings as the posting plan must see them within its Gusto family.

    Every processed payroll of a family (original, reversals, corrections) posts its own journal, in
    whatever order they arrive, so the family nets to what Gusto paid. An original whose Gusto reversal
    has posted is marked ``reversed``, yet its journal still stands in the GL (the reversal payroll's
    journal is what offsets it): for planning it counts as live, so a replay neither posts it again nor
    leaves it out. One reversed by the connector itself (a reversal entry names it) is really gone.
    """
    by_connector = {p.reverses_reference for p in history if p.kind == "reversal"}
    return [
        replace(p, state=POSTED)
        if p.kind == "journal" and p.state == REVERSED and p.external_reference not in by_connector
        else p
        for p in history
    ]


def _dimensions(text: str | None) -> dict[str, str]:
    if not text:
        return {}
    return dict(part.split("=", 1) for part in text.split(";") if "=" in part)


def to_erp_journal(
    lines: pl.DataFrame, *, reference: str, posting_date: dt.date, description: str, currency: str
) -> Journal:
    """The ERP's journal from journal-engine lines (integer cents all the way)."""
    erp_lines = tuple(
        JournalLine(
            account=row["account"],
            cost_center=row["cost_center"] or None,
            dimensions=_dimensions(row["dimensions"]),
            debit_cents=int(row["debit_cents"]),
            credit_cents=int(row["credit_cents"]),
            currency=currency,
            text=(row["text"] or "")[:40],
        )
        for row in lines.iter_rows(named=True)
    )
    return Journal(
        external_reference=reference,
        posting_date=posting_date,
        description=description,
        lines=erp_lines,
        currency=currency,
    )


def journal_to_json(journal: Journal) -> dict[str, object]:
    """A posted journal as kept in the postings ledger, so it can be reversed line for line later."""
    return {
        "external_reference": journal.external_reference,
        "posting_date": journal.posting_date.isoformat(),
        "description": journal.description,
        "currency": journal.currency,
        "lines": [
            [ln.account, ln.cost_center, ln.dimensions, ln.debit_cents, ln.credit_cents, ln.text]
            for ln in journal.lines
        ],
    }


def journal_from_json(data: dict[str, Any]) -> Journal:
    """The inverse of `journal_to_json`."""
    currency = str(data["currency"])
    return Journal(
        external_reference=str(data["external_reference"]),
        posting_date=dt.date.fromisoformat(str(data["posting_date"])),
        description=str(data["description"]),
        currency=currency,
        lines=tuple(
            JournalLine(account=a, cost_center=cc, dimensions=dict(dims), debit_cents=int(d), credit_cents=int(c),
                        currency=currency, text=t)
            for a, cc, dims, d, c, t in data["lines"]
        ),
    )  # fmt: skip


def reversal_of(original: Journal, reference: str, posting_date: dt.date) -> Journal:
    """The reversing entry: every line's debit and credit swapped, referencing the original."""
    return Journal(
        external_reference=reference,
        posting_date=posting_date,
        description=f"Reversal of {original.external_reference}"[:60],
        lines=tuple(
            JournalLine(
                account=line.account,
                cost_center=line.cost_center,
                dimensions=line.dimensions,
                debit_cents=line.credit_cents,
                credit_cents=line.debit_cents,
                currency=line.currency,
                text=f"Rev {line.text}"[:40],
            )
            for line in original.lines
        ),
        currency=original.currency,
    )
