"""`connector preview accrual <period>`: the month-end accrual that would post, with its computation."""

from __future__ import annotations

from connector_assets.ledger.accrual import Accrual, EntryLine, Period, accrual_entity, reversal_entity
from connector_assets.ledger.accrual_text import accrual_text
from connector_assets.ledger.money import format_cents
from connector_assets.operations.context import OperatorContext
from connector_assets.operations.sandbox import require_sandbox_running
from connector_assets.services.accrual import prepare_accrual
from connector_assets.store.postings import POSTED, SUBMITTED

HEADER = ("account", "cost_center", "debit", "credit", "text")


def entry_table(lines: tuple[EntryLine, ...]) -> str:
    """The entry's lines, fixed width, amounts right-aligned (exact decimals)."""
    rows = [list(HEADER)] + [
        [ln.account, ln.cost_center or "", format_cents(ln.debit_cents) if ln.debit_cents else "",
         format_cents(ln.credit_cents) if ln.credit_cents else "", ln.text]
        for ln in lines
    ]  # fmt: skip
    widths = [max(len(r[i]) for r in rows) for i in range(len(HEADER))]
    return "\n".join(
        "  ".join(
            v.rjust(w) if i in (2, 3) else v.ljust(w) for i, (v, w) in enumerate(zip(r, widths, strict=True))
        ).rstrip()
        for r in rows
    )


def build_accrual(ctx: OperatorContext, connection_id: str, period: Period) -> Accrual:
    """The period's accrual as the next run would compute it (reads Gusto and CloudSuite; posts nothing)."""
    connection = ctx.connection(connection_id)
    require_sandbox_running(connection)
    erp = ctx.erp(connection)
    try:
        with ctx.gusto(connection) as gusto:
            return prepare_accrual(period, connection, gusto, erp, ctx.snapshots, ctx.postings, ctx.assignments)
    finally:
        erp.close()


def format_accrual(ctx: OperatorContext, connection_id: str, accrual: Accrual) -> str:
    """Computation, the entry and its reversal, and what a run would do."""
    period = accrual.period
    out = accrual_text(accrual)
    if accrual.lines:
        out += ["", f"accrual, dated {accrual.posting_date}:", entry_table(accrual.lines)]
        out += ["", f"reversal, dated {accrual.reversal_date}:", entry_table(accrual.reversal_lines())]
    out.append("")
    if not ctx.connection(connection_id).posting.accrual.enabled:
        out.append("posting.accrual.enabled is false for this connection: a run posts nothing")
    for name, entity in (("accrual", accrual_entity(period)), ("reversal", reversal_entity(period))):
        done = [p for p in ctx.postings.for_payroll(connection_id, entity) if p.state in (POSTED, SUBMITTED)]
        if done:
            out.append(
                f"{name} already {done[-1].state} as {done[-1].external_reference} ({done[-1].document_id or '-'})"
            )
    return "\n".join(out)
