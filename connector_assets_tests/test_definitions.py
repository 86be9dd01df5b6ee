"""The Definitions object: a snapshot of the asset graph, checks, jobs, sensors, schedules and resources.

An accidental change to the graph (a renamed key, a lost check, a job that no longer selects an asset)
fails here first.
"""

from __future__ import annotations

import dagster as dg

from connector_assets.definitions import defs

ASSETS = {
    "cloudsuite/gl_accounts": ("cloudsuite", "connections", []),
    "cloudsuite/cost_centers": ("cloudsuite", "connections", []),
    "gusto/departments": ("gusto", "connections", []),
    "gusto/employees": ("gusto", "connections", ["gusto/departments"]),
    "workforce/changes": ("workforce", "connections", ["gusto/employees"]),
    "cloudsuite/employees": ("workforce", "connections", ["gusto/employees", "workforce/changes"]),
    "ledger/mapping": (
        "ledger",
        "connections",
        ["cloudsuite/cost_centers", "cloudsuite/gl_accounts", "gusto/departments"],
    ),
    "gusto/payrolls": ("gusto", "payrolls", []),
    "ledger/journal_lines": (
        "ledger",
        "payrolls",
        ["cloudsuite/cost_centers", "cloudsuite/gl_accounts", "gusto/payrolls", "ledger/mapping"],
    ),
    "cloudsuite/journal_postings": ("cloudsuite", "payrolls", ["ledger/journal_lines"]),
    "reports/headcount_reconciliation": ("reports", "connections", ["cloudsuite/employees", "gusto/employees"]),
    "gusto/contractor_payments": ("gusto", "contractor_payments", []),
    "ledger/contractor_journal": (
        "ledger",
        "contractor_payments",
        ["cloudsuite/cost_centers", "cloudsuite/gl_accounts", "gusto/contractor_payments", "ledger/mapping"],
    ),
    "cloudsuite/contractor_postings": ("cloudsuite", "contractor_payments", ["ledger/contractor_journal"]),
    "cloudsuite/payroll_accrual": ("cloudsuite", "periods", []),
    "reports/gusto_crosscheck": ("reports", "periods", []),
}
CHECKS = {
    "accounts_exist_and_open",
    "cost_centers_exist",
    "balanced",
    "ties_out_to_gusto",
    "cash_ties_out_to_bank",
    "no_unmapped_lines",
}


def _graph() -> dg.AssetGraph:
    return defs.resolve_asset_graph()


def test_definitions_resolve() -> None:
    """The whole repository resolves (what `dagster definitions validate` does)."""
    assert defs.get_repository_def().name


def test_asset_graph_snapshot() -> None:
    """Asset keys, groups, partitions and upstream edges are exactly as designed."""
    graph = _graph()
    found = {}
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        if not node.is_materializable:
            continue
        partitions = node.partitions_def
        found[key.to_user_string()] = (
            node.group_name,
            getattr(partitions, "name", None),
            sorted(p.to_user_string() for p in node.parent_keys),
        )
    assert found == ASSETS


def test_blocking_checks_guard_the_journal() -> None:
    """Every journal check is blocking and sits on ledger/journal_lines, and likewise on the contractor journal."""
    graph = _graph()
    for asset in (["ledger", "journal_lines"], ["ledger", "contractor_journal"]):
        keys = {k for k in graph.asset_check_keys if k.asset_key == dg.AssetKey(asset)}
        assert {k.name for k in keys} == CHECKS
        assert all(graph.get_check_spec(k).blocking for k in keys)


def test_jobs_sensors_schedules_and_resources() -> None:
    """The operational surface: jobs, the inbox sensor, schedules, and resources by name."""
    repo = defs.get_repository_def()
    assert {j.name for j in repo.get_all_jobs() if not j.name.startswith("__")} == {
        "payroll_job",
        "master_data_job",
        "workforce_job",
        "connection_sync_job",
        "headcount_job",
        "gusto_poll_job",
        "contractor_payment_job",
        "accrual_job",
        "crosscheck_job",
    }
    assert {s.name for s in repo.sensor_defs} == {
        "gusto_inbox_sensor",
        "posting_confirmation_sensor",
        "posting_follows_release",
    }
    assert {s.name for s in repo.schedule_defs} == {
        "master_data_hourly",
        "workforce_daily",
        "headcount_monthly",
        "gusto_fallback_poll",
        "accrual_monthly",
        "crosscheck_monthly",
    }
    assert {"store", "connections", "gusto", "cloudsuite", "io_manager"} <= set(defs.resources or {})


def test_blocking_checks_are_per_payroll() -> None:
    """The journal checks are partitioned like the journal, so each payroll shows its own check status."""
    graph = _graph()
    keys = {k for k in graph.asset_check_keys if k.asset_key == dg.AssetKey(["ledger", "journal_lines"])}
    assert {getattr(graph.get_check_spec(k).partitions_def, "name", None) for k in keys} == {"payrolls"}


def test_a_payroll_run_is_four_steps_with_every_journal_check_in_one() -> None:
    """Each step costs a run its own events: the six checks share one step, each still its own check key."""
    job = defs.resolve_job_def("payroll_job")
    steps = sorted(job.graph.node_names())
    assert steps == ["cloudsuite__journal_postings", "gusto__payrolls", "journal_checks", "ledger__journal_lines"]
    # Four steps and every check of the journal in the job: they run in `journal_checks`, one result each.
    keys = job.asset_layer.asset_graph.asset_check_keys
    assert {k.name for k in keys if k.asset_key == dg.AssetKey(["ledger", "journal_lines"])} == CHECKS
