"""The demo firm closes last month: the accrual and its reversal, then the cross-check against Gusto."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from connector_assets.demo.environment import ACCRUAL
from connector_assets.ledger.accrual import Period, accrual_entity, reversal_entity
from connector_assets.store.postings import POSTED, SUBMITTED, Postings


@dataclass
class MonthClose:
    """What closing the month did, in an accountant's words."""

    period: str = ""
    wages_cents: int = 0
    employer_cost_cents: int = 0
    documents: list[str] = field(default_factory=list)  # the accrual's, then its reversal's
    dates: list[str] = field(default_factory=list)
    crosscheck: str = ""
    outcomes: list[Any] = field(default_factory=list)


def closed_period(today: date) -> Period:
    """The last month that has ended."""
    last = today.replace(day=1) - timedelta(days=1)
    return Period(last.year, last.month)


def _credited(journal: dict[str, Any] | None, account: str) -> int:
    return sum(int(c) for a, _cc, _dims, _d, c, _t in (journal or {}).get("lines", []) if a == account)


def close_month(instance: Any, connection: str, postings: Postings, today: date,
                step: Callable[[str, Any], None]) -> MonthClose:  # fmt: skip
    """Run the month's accrual and cross-check jobs; read back what was posted and what the check said."""
    from connector_assets.defs import operations as ops
    from connector_assets.defs.partitions import period_key

    period = closed_period(today)
    key = period_key(connection, str(period))
    result = MonthClose(period=str(period))
    accrual = ops.run_job(instance, "accrual_job", key)
    step(f"closing {period}: accrual of earned, unpaid wages and its reversal", accrual)
    check = ops.run_job(instance, "crosscheck_job", key)
    step(f"cross-check of {period}: CloudSuite against Gusto's payrolls", check)
    result.outcomes = [accrual, check]
    for entity in (accrual_entity(period), reversal_entity(period)):
        for row in postings.for_payroll(connection, entity):
            if row.state in (POSTED, SUBMITTED):
                result.documents.append(row.document_id or f"{row.external_reference} (submitted)")
                result.dates.append(row.posting_date.isoformat() if row.posting_date else "")
                if entity == accrual_entity(period):
                    result.wages_cents = _credited(row.journal, str(ACCRUAL["accrued_wages_account"]))
                    result.employer_cost_cents = _credited(
                        row.journal, str(ACCRUAL["accrued_employer_cost_account"])
                    )
    verdicts = ops.check_verdicts(instance, check.run_id)
    result.crosscheck = "; ".join(f"{'passed' if ok else 'FAILED'}: {text}" for _name, ok, text in verdicts)
    return result
