"""Exactly-once posting: write-ahead row → look the reference up in CloudSuite → post only if absent → record.

A payroll whose content (or mapping) changes after posting gets a reversing entry of the posted one plus a
new entry under the next revision's reference; nothing posted is ever edited or deleted.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import polars as pl

from connector_assets.cloudsuite.erp import Erp
from connector_assets.cloudsuite.errors import JournalPending, JournalRejected
from connector_assets.cloudsuite.types import Journal, JournalLine, PostedJournal, SubmittedJournal
from connector_assets.store.postings import HELD, PENDING, POSTED, Posting, Postings

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


def plan_posting(history: Iterable[Posting], content_hash: str | None) -> PostingPlan:
    """Decide from the payroll's posting history; `content_hash` None means the payroll must not stand
    (reversed or cancelled in Gusto): reverse what is posted, post nothing new."""
    rows = list(history)
    journals = [p for p in rows if p.kind == "journal"]
    live = [p for p in journals if p.state == POSTED]
    open_attempts = [p for p in journals if p.state in (PENDING, HELD)]
    revision = max((int(p.external_reference.rsplit("-", 1)[1]) for p in journals), default=0)
    if content_hash is None:
        return PostingPlan(reverse=tuple(live), post_new=False, revision=revision)
    same = [p for p in live if p.content_hash == content_hash]
    if same:
        return PostingPlan(reverse=(), post_new=False, revision=revision, already_posted=same[-1])
    if open_attempts and not live:
        # A held or interrupted attempt that never reached CloudSuite keeps its reference.
        return PostingPlan(reverse=(), post_new=True, revision=revision)
    return PostingPlan(reverse=tuple(live), post_new=True, revision=revision + 1 if journals else 1)


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


CONFIRM_DELAYS_S = (0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2)


def confirm_submitted(
    erp: Erp, submitted: SubmittedJournal, *, sleep: Callable[[float], None] = time.sleep
) -> PostedJournal:
    """Look a submitted journal up a bounded number of times; JournalPending when the ERP is not done yet."""
    for delay in (0.0, *CONFIRM_DELAYS_S):
        sleep(delay)
        found = erp.find_journal(submitted.external_reference, posting_date=submitted.posting_date)
        if found is not None:
            return found
    raise JournalPending(
        f"journal {submitted.external_reference}: submitted as {submitted.erp_key} but not posted yet; "
        "replay the payroll later to record it (it is looked up, never submitted again)"
    )


def post_once(erp: Erp, postings: Postings, journal: Journal) -> PostedJournal:
    """Post a journal whose write-ahead row exists; after a crash the reference is found, not posted again.

    An ERP that refuses lines (`JournalRejected`) leaves the posting held with its reasons."""
    if postings.get(journal.external_reference) is None:
        raise KeyError(f"posting {journal.external_reference}: write the pending row before calling the ERP")
    try:
        posted = erp.find_journal(journal.external_reference, posting_date=journal.posting_date)
    except JournalRejected:
        posted = None  # an earlier attempt was refused; posting again starts it over once the cause is fixed
    if posted is None:
        try:
            outcome = erp.post_journal(journal)
            posted = outcome if isinstance(outcome, PostedJournal) else confirm_submitted(erp, outcome)
        except JournalRejected as exc:
            postings.mark_held(journal.external_reference, exc.reasons)
            raise
    postings.mark_posted(journal.external_reference, posted.document_id)
    return posted


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
