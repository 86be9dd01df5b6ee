"""How a payroll and its journal read in the Dagster UI: business names, held lines, journal tables."""

from __future__ import annotations

from typing import Any

import polars as pl

from connector_assets.ledger.money import format_cents


def payroll_kind(payroll: dict[str, Any]) -> str:
    """regular, off-cycle or reversal, as an accountant names a pay run."""
    if payroll.get("reversal_of") or payroll.get("is_reversal") or payroll.get("off_cycle_reason") == "Reversal":
        return "reversal"
    return "off-cycle" if payroll.get("off_cycle") else "regular"


def pay_period(payroll: dict[str, Any]) -> str:
    """`start to end` of the pay period, or empty when Gusto gives none."""
    period = payroll.get("pay_period") or {}
    start, end = period.get("start_date"), period.get("end_date")
    return f"{start} to {end}" if start and end else ""


def payroll_facts(payroll: dict[str, Any], currency: str = "USD") -> dict[str, str]:
    """Check date, pay period, type and totals: the payroll's business name, for run tags and metadata."""
    totals = payroll.get("totals") or {}
    facts = {
        "check_date": str(payroll.get("check_date") or ""),
        "pay_period": pay_period(payroll),
        "payroll_type": payroll_kind(payroll),
    }
    for name in ("gross_pay", "net_pay", "employer_taxes"):
        value = totals.get(name)
        if value not in (None, ""):
            facts[name] = f"{value} {currency}"
    return facts


def held_line_rows(problems: list[dict[str, Any]], lines: pl.DataFrame) -> list[dict[str, Any]]:
    """Each problem with the journal line it names: account, cost center, amount and text beside the reason."""
    by_no = {r["line_no"]: r for r in lines.iter_rows(named=True)} if lines.height else {}
    rows = []
    for problem in problems:
        line = by_no.get(problem.get("line_no")) or {}
        debit, credit = line.get("debit_cents") or 0, line.get("credit_cents") or 0
        amount = f"{format_cents(debit)} Dr" if debit else (f"{format_cents(credit)} Cr" if credit else "")
        rows.append(
            {
                **problem,
                "account": line.get("account"),
                "cost_center": line.get("cost_center"),
                "amount": amount,
                "text": line.get("text"),
            }
        )
    return rows


def problems_markdown(rows: list[dict[str, Any]], limit: int = 50) -> str:
    """Held lines as a markdown table: line, account, cost center, amount, text and reason."""
    if not rows:
        return "none"
    head = "| check | line | account | cost center | amount | text | reason |\n|---|---|---|---|---|---|---|\n"
    body = "\n".join(
        f"| {r.get('check')} | {r.get('line_no') or ''} | {r.get('account') or ''} | {r.get('cost_center') or ''} "
        f"| {r.get('amount') or ''} | {r.get('text') or ''} | {r.get('reason')} |"
        for r in rows[:limit]
    )
    more = f"\n\n… and {len(rows) - limit} more" if len(rows) > limit else ""
    return head + body + more


def lines_markdown(lines: pl.DataFrame, limit: int = 40) -> str:
    """The first journal lines as a markdown table (amounts as money)."""
    head = "| # | account | cost center | debit | credit | text |\n|---|---|---|---|---|---|\n"
    body = "\n".join(
        f"| {r['line_no']} | {r['account'] or '—'} | {r['cost_center'] or ''} | "
        f"{format_cents(r['debit_cents']) if r['debit_cents'] else ''} | "
        f"{format_cents(r['credit_cents']) if r['credit_cents'] else ''} | {r['text']} |"
        for r in lines.head(limit).iter_rows(named=True)
    )
    return head + body
