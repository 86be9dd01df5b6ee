"""The month's payrolls against Gusto's own general-ledger report of each: Gusto's figures per family against
what CloudSuite holds for the payroll, classified by the roles of the journal the connector built for it. The
comparison itself is `ledger.gl_report`.

A grant without the company_reports scopes cannot read the report: that is said once and the rest of the
cross-check goes on. A report that fails, stays pending or is refused is named per payroll; it is not a
difference. Grant errors (revoked, expired) are not caught: they stop the run as everywhere else.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from connector_assets.gusto.client import GustoClient
from connector_assets.gusto.errors import GustoApiError, GustoUnavailable
from connector_assets.gusto.reports import REPORT_SCOPES, GlReportError, lacks_report_scope
from connector_assets.ledger.gl_report import FamilyFigure, NotCompared, compare_report, connector_families
from connector_assets.services.crosscheck import Side


@dataclass
class ReportCheck:
    """The report comparison of a month: every figure, what was not compared, and what could not be read."""

    figures: list[FamilyFigure] = field(default_factory=list)
    not_compared: list[NotCompared] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)
    scope_missing: str | None = None
    reports_read: int = 0

    @property
    def differences(self) -> list[FamilyFigure]:
        return [f for f in self.figures if f.difference_cents]


def report_side(gusto: GustoClient, posted: Side, expected: Side) -> ReportCheck:
    """Per payroll rebuilt for the month: Gusto's report against what CloudSuite holds for it."""
    out = ReportCheck()
    for payroll_uuid, journal in sorted(expected.journals.items()):
        try:
            report = gusto.general_ledger_report(payroll_uuid)
        except GustoApiError as exc:
            if not lacks_report_scope(exc):
                out.unreadable.append(f"payroll {payroll_uuid}: {exc}")
                continue
            out.scope_missing = (
                f"the Gusto grant lacks the {' and '.join(REPORT_SCOPES)} scopes, so Gusto's general-ledger "
                "report was not read; reconnect Gusto granting them to compare it"
            )
            return out
        except (GlReportError, GustoUnavailable) as exc:
            out.unreadable.append(str(exc))
            continue
        out.reports_read += 1
        rows = [(row.account_type, row.signed_cents) for row in report.company_rows]
        ours = connector_families(journal, posted.by_payroll.get(payroll_uuid, []))
        comparison = compare_report(payroll_uuid, rows, ours)
        out.figures += comparison.figures
        out.not_compared += comparison.not_compared
    return out
