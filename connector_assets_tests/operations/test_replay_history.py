"""A payroll held, fixed, replayed and later reversed: the commands and the history they leave."""

from __future__ import annotations

import json
import re

import dagster as dg
import pytest

from connector_assets.operations.errors import ReplayRefused
from connector_assets.operations.money import money
from connector_assets.operations.runs import replay_payroll
from connector_assets.store.postings import HELD, POSTED, REVERSED
from connector_assets_tests.operations.scenario import HELD_DEPARTMENT, MISSING_COST_CENTER, Deployment

# M3 takes journals asynchronously: each document (the reversal too) is submitted, then confirmed.
EXPECTED_ORDER = [
    "read", "mapped", "held",  # first run: the cost center does not exist
    "read", "replayed", "mapped", "submitted", "confirmed",  # replay after the mapping fix
    "read", "replayed", "mapped",  # replay after a mapping change:
    "submitted", "confirmed", "reversed",  # the reversing entry of the first journal,
    "submitted", "confirmed",  # then the new journal
]  # fmt: skip


def _replay_runs(deployment: Deployment, partition_key: str) -> list[dg.DagsterRun]:
    with deployment.instance() as instance:
        runs = instance.get_runs(
            dg.RunsFilter(tags={"connector/replay": "true", "dagster/partition": partition_key})
        )
    return list(runs)


def test_held_fixed_replayed_reversed_history(deployment: Deployment, connection_id: str) -> None:
    """The history of a held, fixed, replayed and later reversed payroll reads back complete and in order."""
    payroll = deployment.held_payroll(connection_id)
    ctx = deployment.ctx
    assert [p.state for p in ctx.postings.for_payroll(connection_id, payroll)] == [HELD]

    held = deployment.cli("held", "--connection", connection_id)
    assert held.exit_code == 0
    assert payroll in held.stdout and "does not exist in CloudSuite" in held.stdout
    assert f"connector replay payroll {payroll}" in held.stdout

    with pytest.raises(ReplayRefused) as refused:
        replay_payroll(ctx, connection_id, payroll)
    assert any(MISSING_COST_CENTER in r for r in refused.value.reasons)
    assert not _replay_runs(deployment, deployment.key(connection_id, payroll))

    deployment.env.write_mapping(connection_id, {HELD_DEPARTMENT: "CC100"})
    replayed = deployment.cli("replay", "payroll", payroll)
    assert replayed.exit_code == 0, replayed.output
    assert "succeeded" in replayed.stdout and "posted" in replayed.stdout
    assert len(_replay_runs(deployment, deployment.key(connection_id, payroll))) == 1
    postings = ctx.postings.for_payroll(connection_id, payroll)
    assert [(p.kind, p.state) for p in postings] == [("journal", POSTED)]
    assert len(deployment.env.tenants[connection_id].ion.vouchers()) == 1

    deployment.env.write_mapping(connection_id, {HELD_DEPARTMENT: deployment.open_cost_center(connection_id)})
    report = replay_payroll(ctx, connection_id, payroll)
    assert report.success, report.error
    assert sorted((p.kind, p.state) for p in report.postings) == [
        ("journal", POSTED), ("journal", REVERSED), ("reversal", POSTED),
    ]  # fmt: skip

    entries = ctx.audit.history("payroll", payroll)
    assert [e.action for e in entries] == EXPECTED_ORDER
    assert [e.id for e in entries] == sorted(e.id for e in entries)
    assert all(e.run_id for e in entries)

    text = deployment.cli("audit", "payroll", payroll)
    assert text.exit_code == 0
    assert text.stdout.index("held (not posted)") < text.stdout.index("confirmed in CloudSuite")
    assert "reversed in CloudSuite" in text.stdout
    assert re.search(r"debits: \d{1,3}(,\d{3})*\.\d\d\n", text.stdout)
    assert MISSING_COST_CENTER in text.stdout
    documents = [p.document_id for p in ctx.postings.for_payroll(connection_id, payroll)]
    assert all(doc and doc in text.stdout for doc in documents)

    as_json = json.loads(deployment.cli("audit", "payroll", payroll, "--json").stdout)
    assert [e["action"] for e in as_json] == EXPECTED_ORDER
    posted = next(e for e in as_json if e["action"] == "confirmed")
    assert posted["amounts"]["debits"] == money(posted["detail"]["debits_cents"])


def test_replay_refused_exits_with_reasons(deployment: Deployment, connection_id: str) -> None:
    """`connector replay` on a payroll still held exits 1, names the reason and launches no run."""
    payroll = deployment.held_payroll(connection_id)
    result = deployment.cli("replay", "payroll", payroll, "--connection", connection_id)
    assert result.exit_code == 1
    assert "would still be held" in result.output and MISSING_COST_CENTER in result.output
    assert not _replay_runs(deployment, deployment.key(connection_id, payroll))
    assert [p.state for p in deployment.ctx.postings.for_payroll(connection_id, payroll)] == [HELD]
