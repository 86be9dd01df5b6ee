"""Small balanced journals on the sandbox's demo chart, for posting tests."""

from __future__ import annotations

from datetime import date

from connector_assets import clock
from connector_assets.cloudsuite.types import Journal, JournalLine


def line(
    account: str, debit: int = 0, credit: int = 0, cost_center: str | None = None, text: str = ""
) -> JournalLine:
    return JournalLine(account, cost_center, {}, debit, credit, "USD", text)


def payroll_journal(
    reference: str = "gusto:acme:pr-0001:v1",
    *,
    day: date | None = None,
    wages: int = 1_234_567,
    account: str = "6000",
) -> Journal:
    """Wages split over two cost centers against taxes withheld and net pay."""
    lines = (
        line(account, debit=wages - 34_567, cost_center="CC100", text="Wages admin"),
        line(account, debit=34_567, cost_center="CC200", text="Wages eng"),
        line("2110", credit=200_001, text="FIT withheld"),
        line("2100", credit=wages - 200_001, text="Net pay"),
    )
    return Journal(reference, day or clock.today(), "Payroll 2025-01-31", lines, "USD")
