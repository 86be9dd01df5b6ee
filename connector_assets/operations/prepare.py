"""Rebuild a payroll's journal as the next run would, against freshly read master data (reads only)."""

from __future__ import annotations

from connector_assets.operations.context import OperatorContext
from connector_assets.operations.sandbox import require_sandbox_running
from connector_assets.services.master_data import refresh_accounts, refresh_cost_centers
from connector_assets.services.prepare import PreparedJournal, prepare_payroll_journal


def rebuild_journal(ctx: OperatorContext, connection_id: str, payroll_uuid: str) -> PreparedJournal:
    """Re-read the payroll from Gusto and the chart of accounts and cost centers from CloudSuite, then build
    and validate the journal exactly as `ledger/journal_lines` does; nothing is posted."""
    connection = ctx.connection(connection_id)
    require_sandbox_running(connection)
    erp = ctx.erp(connection)
    try:
        # Fresh master data: a cost center opened in CloudSuite a minute ago must count as fixed.
        refresh_accounts(erp, ctx.snapshots, connection_id)
        refresh_cost_centers(erp, ctx.snapshots, connection_id)
        with ctx.gusto(connection) as gusto:
            payroll = gusto.get_payroll(payroll_uuid).raw
            prepared, _master = prepare_payroll_journal(payroll, connection, gusto, erp, ctx)
    finally:
        erp.close()
    return prepared
