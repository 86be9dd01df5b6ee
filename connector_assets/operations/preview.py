"""`connector preview`: the journal that would post, with its proofs, as a table or CSV."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import polars as pl

from connector_assets.cloudsuite.posting import PostingPlan, approval_key
from connector_assets.ledger.journal import Journal
from connector_assets.ledger.money import format_cents
from connector_assets.operations.context import OperatorContext
from connector_assets.operations.history import reason_text
from connector_assets.operations.money import money
from connector_assets.services.contractors import PreparedContractorJournal
from connector_assets.services.prepare import PreparedJournal
from connector_assets.subjects import approve_command


class Prepared(Protocol):
    """A payroll's or a contractor day's prepared journal, as far as a preview reads it."""

    @property
    def journal(self) -> Journal | None: ...


class Planned(Prepared, Protocol):
    """A prepared journal with what a run would do with it: what the hold reasons and approval are read from."""

    @property
    def connection_id(self) -> str: ...
    @property
    def subject(self) -> str: ...
    @property
    def plan(self) -> PostingPlan | None: ...
    def reasons(self) -> list[dict[str, Any]]: ...


COLUMNS = ("line_no", "account", "cost_center", "debit", "credit", "text", "held_because")


def preview_frame(prepared: Prepared, amount: Callable[[int], str] = money) -> pl.DataFrame:
    """The journal lines with amounts as decimal strings (exact; never floats)."""
    if prepared.journal is None:
        return pl.DataFrame(schema=dict.fromkeys(COLUMNS, pl.String))
    lines = prepared.journal.lines
    return pl.DataFrame(
        {
            "line_no": [str(n) for n in lines["line_no"]],
            "account": lines["account"].fill_null(""),
            "cost_center": lines["cost_center"].fill_null(""),
            "debit": [amount(c) if c else "" for c in lines["debit_cents"]],
            "credit": [amount(c) if c else "" for c in lines["credit_cents"]],
            "text": lines["text"].fill_null(""),
            "held_because": lines["unmapped_reason"].fill_null(""),
        }
    )


def _journal_proofs(journal: Journal) -> list[str]:
    proofs, header = journal.proofs, journal.header
    out = [
        f"reference {header.external_reference}, posting date {header.posting_date}, {header.currency}, "
        f"content {header.content_hash}",
        f"debits {money(proofs.balance.debit_cents)} / credits {money(proofs.balance.credit_cents)}: "
        + ("balanced" if proofs.balanced else "NOT BALANCED"),
        "ties out to Gusto's totals" if proofs.tied_out else "does NOT tie out to Gusto's totals",
    ]
    out += [f"  {d.describe()}" for d in proofs.differences]
    out += [f"  {n}" for n in proofs.notes]
    return out


def approval_pending(ctx: OperatorContext, prepared: Planned) -> bool:
    """Whether a run would hold the journal for approval: the connection requires one and none is recorded for
    this content. Checked after "already posted" and "awaiting confirmation", in the posting service's order."""
    journal, plan = prepared.journal, prepared.plan
    if journal is None or not ctx.connection(prepared.connection_id).posting.require_approval:
        return False
    if plan is not None and (plan.already_posted or plan.awaiting):
        return False
    return not ctx.state.get(prepared.connection_id, approval_key(prepared.subject, journal.header.content_hash))


def _plan_and_reasons(prepared: Planned, awaiting_approval: bool) -> list[str]:
    """What a run would do, then every reason it would be held (the approval it would wait for last)."""
    plan, reasons = prepared.plan, [reason_text(r) for r in prepared.reasons()]
    if awaiting_approval:
        reasons.append(f"awaiting approval: {approve_command(prepared.subject, prepared.connection_id)}")
    out: list[str] = []
    posted = plan.already_posted if plan is not None else None
    if posted:
        out.append(f"already posted as {posted.external_reference}: a run changes nothing")
    out += [f"would reverse {p.external_reference} first" for p in (plan.reverse if plan else ())]
    if reasons:
        out.append(f"HELD, {len(reasons)} reason(s):")
    elif not posted:  # "would post" after "already posted" read as a second posting
        out.append("would post")
    out += [f"  - {r}" for r in reasons]
    return out


def proofs_text(prepared: PreparedJournal, *, awaiting_approval: bool = False) -> list[str]:
    """Balance, tie-out and hold reasons, one per line."""
    if prepared.journal is None:
        return [f"nothing to post: {prepared.skip_reason}"]
    out = _journal_proofs(prepared.journal)
    out += [f"assignment used: {a}" for a in prepared.assignments]
    return out + _plan_and_reasons(prepared, awaiting_approval)


def format_table(frame: pl.DataFrame) -> str:
    """A fixed-width table; amounts right-aligned."""
    rows = [list(COLUMNS), *[[str(v) for v in row] for row in frame.iter_rows()]]
    widths = [max(len(r[i]) for r in rows) for i in range(len(COLUMNS))]
    right = {COLUMNS.index("debit"), COLUMNS.index("credit"), 0}
    return "\n".join(
        "  ".join(
            v.rjust(w) if i in right else v.ljust(w) for i, (v, w) in enumerate(zip(r, widths, strict=True))
        ).rstrip()
        for r in rows
    )


def format_preview(prepared: PreparedJournal, *, awaiting_approval: bool = False) -> str:
    """A payroll's journal as it would post now: lines, proofs and every reason it would be held, the approval
    it would wait for included (see `approval_pending`)."""
    lines = proofs_text(prepared, awaiting_approval=awaiting_approval)
    return "\n".join([format_table(preview_frame(prepared)), "", *lines])


def preview_csv(prepared: Prepared) -> str:
    """CSV with plain decimals (`2500.00`, no thousands separator) so spreadsheets read numbers."""
    return preview_frame(prepared, format_cents).write_csv()


def format_contractor_preview(prepared: PreparedContractorJournal, *, awaiting_approval: bool = False) -> str:
    """A day's contractor journal as it would post now: lines, proofs and every reason it would be held,
    the approval it would wait for included (see `approval_pending`)."""
    head = f"contractor payments {prepared.payment_date.isoformat()} ({prepared.connection_id})"
    if prepared.journal is None:
        return "\n".join([head, f"nothing to post: {prepared.skip_reason}"])
    lines = _journal_proofs(prepared.journal) + _plan_and_reasons(prepared, awaiting_approval)
    return "\n".join([head, "", format_table(preview_frame(prepared)), "", *lines])
