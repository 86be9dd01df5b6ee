"""`connector preview`: the journal that would post, with its proofs, as a table or CSV."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from connector_assets.ledger.money import format_cents
from connector_assets.operations.history import reason_text
from connector_assets.operations.money import money
from connector_assets.services.prepare import PreparedJournal

COLUMNS = ("line_no", "account", "cost_center", "debit", "credit", "text", "held_because")


def preview_frame(prepared: PreparedJournal, amount: Callable[[int], str] = money) -> pl.DataFrame:
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


def proofs_text(prepared: PreparedJournal) -> list[str]:
    """Balance, tie-out and hold reasons, one per line."""
    if prepared.journal is None:
        return [f"nothing to post: {prepared.skip_reason}"]
    journal = prepared.journal
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
    out += [f"assignment used: {a}" for a in prepared.assignments]
    if prepared.plan.already_posted:
        out.append(f"already posted as {prepared.plan.already_posted.external_reference}: a run changes nothing")
    out += [f"would reverse {p.external_reference} first" for p in prepared.plan.reverse]
    reasons = [reason_text(r) for r in prepared.reasons()]
    out.append("would post" if not reasons else f"HELD, {len(reasons)} reason(s):")
    out += [f"  - {r}" for r in reasons]
    return out


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


def format_preview(prepared: PreparedJournal) -> str:
    return "\n".join([format_table(preview_frame(prepared)), "", *proofs_text(prepared)])


def preview_csv(prepared: PreparedJournal) -> str:
    """CSV with plain decimals (`2500.00`, no thousands separator) so spreadsheets read numbers."""
    return preview_frame(prepared, format_cents).write_csv()
