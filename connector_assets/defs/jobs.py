"""Jobs: what one sensor or schedule tick launches."""

from __future__ import annotations

import dagster as dg

PAYROLL_CHAIN = [
    dg.AssetKey(["gusto", "payrolls"]),
    dg.AssetKey(["ledger", "journal_lines"]),
    dg.AssetKey(["cloudsuite", "journal_postings"]),
]
CONTRACTOR_CHAIN = [
    dg.AssetKey(["gusto", "contractor_payments"]),
    dg.AssetKey(["ledger", "contractor_journal"]),
    dg.AssetKey(["cloudsuite", "contractor_postings"]),
]
MASTER_DATA = [
    dg.AssetKey(["cloudsuite", "gl_accounts"]),
    dg.AssetKey(["cloudsuite", "cost_centers"]),
    dg.AssetKey(["ledger", "mapping"]),
]
WORKFORCE = [
    dg.AssetKey(["gusto", "departments"]),
    dg.AssetKey(["gusto", "employees"]),
    dg.AssetKey(["workforce", "changes"]),
    dg.AssetKey(["cloudsuite", "employees"]),
]

payroll_job = dg.define_asset_job(
    "payroll_job",
    selection=dg.AssetSelection.assets(*PAYROLL_CHAIN),
    description="Fetch one processed payroll, build its journal, check it, post it once.",
)
master_data_job = dg.define_asset_job(
    "master_data_job",
    selection=dg.AssetSelection.assets(*MASTER_DATA),
    description="Refresh CloudSuite GL accounts and cost centers and re-validate the mapping.",
)
workforce_job = dg.define_asset_job(
    "workforce_job",
    selection=dg.AssetSelection.assets(*WORKFORCE),
    description="Bring CloudSuite's employees in line with Gusto (hires, terminations, rehires, transfers).",
)
connection_sync_job = dg.define_asset_job(
    "connection_sync_job",
    selection=dg.AssetSelection.assets(*MASTER_DATA, *WORKFORCE),
    description="Master data and workforce of one connection in one run: what master_data_job and workforce_job "
    "do, with one run's start-up instead of two.",
)
headcount_job = dg.define_asset_job(
    "headcount_job",
    selection=dg.AssetSelection.assets(dg.AssetKey(["reports", "headcount_reconciliation"])),
    description="Compare Gusto headcount per cost center with CloudSuite's.",
)
contractor_payment_job = dg.define_asset_job(
    "contractor_payment_job",
    selection=dg.AssetSelection.assets(*CONTRACTOR_CHAIN),
    description="Fetch one day's contractor payments, build their journal, check it, post it once.",
)
accrual_job = dg.define_asset_job(
    "accrual_job",
    selection=dg.AssetSelection.assets(dg.AssetKey(["cloudsuite", "payroll_accrual"])),
    description="Post a month's accrual of earned, unpaid wages and employer cost, and its reversal, once each.",
)
crosscheck_job = dg.define_asset_job(
    "crosscheck_job",
    selection=dg.AssetSelection.assets(dg.AssetKey(["reports", "gusto_crosscheck"])),
    description="Compare what the connector posted in a month with what Gusto's payrolls say, per account and "
    "cost center.",
)
