"""Rebuild a payroll's (or a day's contractor payments') journal as the next run would, against freshly read
master data (reads only)."""

from __future__ import annotations

from datetime import date

from connector_assets.cloudsuite.erp import Erp
from connector_assets.operations.context import OperatorContext
from connector_assets.operations.sandbox import require_sandbox_running
from connector_assets.services.contractors import (
    PreparedContractorJournal,
    prepare_contractor_journal,
    read_contractor_day,
)
from connector_assets.services.master_data import refresh_accounts, refresh_cost_centers
from connector_assets.services.prepare import PreparedJournal, prepare_payroll_journal


def _refresh_master_data(ctx: OperatorContext, erp: Erp, connection_id: str) -> None:
    # Fresh master data: a cost center opened in CloudSuite a minute ago must count as fixed.
    refresh_accounts(erp, ctx.snapshots, connection_id)
    refresh_cost_centers(erp, ctx.snapshots, connection_id)


def rebuild_journal(ctx: OperatorContext, connection_id: str, payroll_uuid: str) -> PreparedJournal:
    """Re-read the payroll from Gusto and the chart of accounts and cost centers from CloudSuite, then build
    and validate the journal exactly as `ledger/journal_lines` does; nothing is posted."""
    connection = ctx.connection(connection_id)
    require_sandbox_running(connection)
    erp = ctx.erp(connection)
    try:
        _refresh_master_data(ctx, erp, connection_id)
        with ctx.gusto(connection) as gusto:
            payroll = gusto.get_payroll(payroll_uuid).raw
            prepared, _master = prepare_payroll_journal(payroll, connection, gusto, erp, ctx)
    finally:
        erp.close()
    return prepared


def rebuild_contractor_journal(ctx: OperatorContext, connection_id: str, day: date) -> PreparedContractorJournal:
    """Re-read the day's contractor payments from Gusto and the master data from CloudSuite, then build and
    validate the day's journal exactly as `ledger/contractor_journal` does; nothing is posted."""
    connection = ctx.connection(connection_id)
    require_sandbox_running(connection)
    erp = ctx.erp(connection)
    try:
        _refresh_master_data(ctx, erp, connection_id)
        with ctx.gusto(connection) as gusto:
            batch = read_contractor_day(gusto, day)
        # No payload digest: it only names what a posting run read, and nothing is posted from here.
        return prepare_contractor_journal(batch, connection, erp, ctx.snapshots, ctx.postings, "")
    finally:
        erp.close()
