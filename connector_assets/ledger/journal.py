"""Build the balanced payroll journal from resolved legs (payroll-accounting §2, §5, §8).

Debit legs (wages by type and cost centre, employer taxes and benefits,
reimbursements) and credit legs (clearing and liability accounts at entity
level) are grouped into lines: ``summarized`` by account, cost centre,
dimensions and line category, or ``per_employee`` with the employee added. A
group that nets negative (a correction or reversal) lands on the other side.
Held legs (``unmapped_reason`` set) stay as their own lines, per employee, so
the hold list names who and why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

import polars as pl

from connector_assets.ledger import categories as c
from connector_assets.ledger.few_lines import line_groups, lines_in_python
from connector_assets.ledger.items import payroll_uuid
from connector_assets.ledger.proofs import Balance, JournalProofs, prove_balanced, prove_journal
from connector_assets.ledger.reference import external_reference, lines_content_hash
from connector_assets.ledger.unitemized import DEFAULT_TOLERANCE_CENTS

Detail = Literal["summarized", "per_employee"]
DateBasis = Literal["check_date", "period_end", "debit_date"]

LINE_SCHEMA: dict[str, pl.DataType] = {
    "line_no": pl.Int64(),
    "account": pl.String(),
    "cost_center": pl.String(),
    "dimensions": pl.String(),
    "debit_cents": pl.Int64(),
    "credit_cents": pl.Int64(),
    "employee_uuid": pl.String(),
    "category": pl.String(),
    "text": pl.String(),
    "rule": pl.String(),
    "unmapped_reason": pl.String(),
}


# Up to this many lines (a summarized journal has a hundred or so), a loop finishes them sooner than frames.
FEW_LINES = 1_000


class JournalError(ValueError):
    """The journal cannot be built (bad options, or the payroll lacks the chosen posting date)."""


@dataclass(frozen=True)
class JournalOptions:
    """Posting options of a connection."""

    detail: Detail = "summarized"
    date_basis: DateBasis = "check_date"
    connection_id: str = ""
    revision: int = 1
    currency: str = "USD"
    # Unitemized gross pay an employee without PTO hours may carry before the payroll is held.
    unitemized_tolerance_cents: int = DEFAULT_TOLERANCE_CENTS


@dataclass(frozen=True)
class JournalHeader:
    """What the ERP entry carries besides its lines."""

    payroll_uuid: str
    posting_date: dt.date
    date_basis: str
    description: str
    external_reference: str
    currency: str
    mapping_version: str | None
    content_hash: str
    reverses: str | None = None


@dataclass(frozen=True, eq=False)
class Journal:
    """A payroll journal: header, lines (``LINE_SCHEMA``) and the proofs computed with it."""

    header: JournalHeader
    lines: pl.DataFrame
    proofs: JournalProofs

    @property
    def postable(self) -> bool:
        """True when every proof holds and no line is held."""
        return self.proofs.ok


def _date(value: object, what: str, pid: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError as exc:
        raise JournalError(f"payroll {pid}: {what} {value!r} is not a date; check the payroll JSON") from exc


def posting_date(payroll: Mapping[str, Any], basis: DateBasis) -> tuple[dt.date, str]:
    """The posting date and the basis actually used; off-cycle runs without a period fall back to the check date."""
    pid = payroll_uuid(payroll)
    if basis not in ("check_date", "period_end", "debit_date"):
        raise JournalError(
            f"payroll {pid}: date_basis {basis!r} is unknown; use check_date, period_end or debit_date"
        )
    if basis == "period_end" and (payroll.get("pay_period") or {}).get("end_date"):
        return _date(payroll["pay_period"]["end_date"], "pay_period.end_date", pid), basis
    if basis == "debit_date" and (payroll.get("payroll_status_meta") or {}).get("expected_debit_time"):
        return _date(payroll["payroll_status_meta"]["expected_debit_time"], "expected_debit_time", pid), basis
    if not payroll.get("check_date"):
        raise JournalError(f"payroll {pid}: no check_date; fetch the processed payroll before building a journal")
    return _date(payroll["check_date"], "check_date", pid), "check_date"


def _description(payroll: Mapping[str, Any]) -> str:
    period = payroll.get("pay_period") or {}
    text = f"Gusto payroll {payroll.get('check_date', '')}"
    if period.get("start_date") and period.get("end_date"):
        text += f" {period['start_date']}..{period['end_date']}"
    if payroll.get("off_cycle"):
        text += f" off-cycle {payroll.get('off_cycle_reason') or ''}".rstrip()
    return text[:60]


def journal_lines(resolved: pl.DataFrame, detail: Detail) -> pl.DataFrame:
    """Group resolved legs into numbered journal lines (``LINE_SCHEMA``)."""
    if detail not in ("summarized", "per_employee"):
        raise JournalError(f"detail {detail!r} is unknown; use summarized or per_employee")
    groups = line_groups(resolved, detail == "summarized")
    if groups.height <= FEW_LINES:
        return lines_in_python(groups, LINE_SCHEMA)
    more = pl.col("rules").list.len().cast(pl.Int64) - 3
    lines = (
        groups.filter((pl.col("s") != 0) | pl.col("unmapped_reason").is_not_null())
        .with_columns(
            debit_cents=pl.when(pl.col("s") > 0).then(pl.col("s")).otherwise(0),
            credit_cents=pl.when(pl.col("s") < 0).then(-pl.col("s")).otherwise(0),
            category=pl.col("role"),
            text=pl.col("role").replace_strict(c.ROLE_TEXT, default=pl.col("role"), return_dtype=pl.String),
            _order=pl.col("role").replace_strict(c.ROLE_ORDER, default=len(c.ROLE_ORDER), return_dtype=pl.Int64),
        )
        .with_columns(
            rule=pl.when(more > 0)
            .then(pl.format("{} (+{} more)", pl.col("rules").list.head(3).list.join("; "), more))
            .otherwise(pl.col("rules").list.join("; ")),
        )
        .sort(
            ["_order", "account", "cost_center", "dimensions", "employee_uuid", "unmapped_reason"], nulls_last=True
        )
    )
    return lines.with_columns(line_no=pl.int_range(1, pl.len() + 1, dtype=pl.Int64)).select(
        [pl.col(n).cast(t) for n, t in LINE_SCHEMA.items()]
    )


def build_journal(
    payroll: Mapping[str, Any], items: pl.DataFrame, resolved: pl.DataFrame, options: JournalOptions | None = None
) -> Journal:
    """Balanced journal for one processed payroll, with its proofs (check ``journal.postable`` before posting)."""
    opts = options or JournalOptions()
    pid = payroll_uuid(payroll)
    date, basis = posting_date(payroll, opts.date_basis)
    lines = journal_lines(resolved, opts.detail)
    versions = resolved["mapping_version"].drop_nulls().unique().sort().to_list()
    header = JournalHeader(
        payroll_uuid=pid,
        posting_date=date,
        date_basis=basis,
        description=_description(payroll),
        external_reference=external_reference(opts.connection_id, pid, opts.revision),
        currency=opts.currency,
        mapping_version=",".join(versions) or None,
        content_hash=lines_content_hash(lines, date.isoformat(), opts.currency),
    )
    return Journal(
        header=header, lines=lines, proofs=prove_journal(payroll, items, lines, opts.unitemized_tolerance_cents)
    )


def reverse_journal(journal: Journal, reference: str, posting_date: dt.date | None = None) -> Journal:
    """The reversing entry of a posted journal: debits and credits swapped, pointing at the original."""
    lines = journal.lines.with_columns(
        debit_cents=pl.col("credit_cents"),
        credit_cents=pl.col("debit_cents"),
        text=pl.concat_str(pl.lit("Reversal: "), pl.col("text")).str.slice(0, 40),
    )
    date = posting_date or journal.header.posting_date
    header = replace(
        journal.header,
        posting_date=date,
        description=f"Reversal of {journal.header.external_reference}",
        external_reference=reference,
        reverses=journal.header.external_reference,
        content_hash=lines_content_hash(lines, date.isoformat(), journal.header.currency),
    )
    balance: Balance = prove_balanced(lines)
    proofs = replace(
        journal.proofs, balance=balance, differences=tuple(d.negated() for d in journal.proofs.differences)
    )
    return Journal(header=header, lines=lines, proofs=proofs)
