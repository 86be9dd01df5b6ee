"""A replayed payroll run reads no payroll from Gusto while Gusto shows it unchanged; a changed one is read."""

from __future__ import annotations

import pytest

from connector_assets.sandbox.faults import FaultRule
from connector_assets.store.postings import POSTED
from connector_assets_tests.e2e.deployment import Deployment
from connector_assets_tests.e2e.ledger_view import asset_value

REPLAY = {"connector/replay": "true"}


@pytest.fixture(scope="module")
def connection(deployment: Deployment) -> str:
    """An M3 connection of this module's own with its short payroll history posted."""
    connection_id = "reads-m3"
    deployment.add_tenant(connection_id, "m3", history_months=0)
    failed = [o for o in deployment.onboard(connection_id) if not o.success]
    assert not failed, [(o.partition_key, o.error) for o in failed]
    return connection_id


def _read_sources(deployment: Deployment, payroll_uuid: str, run_id: str) -> list[object]:
    history = deployment.audit.history("payroll", payroll_uuid)
    return [e.detail.get("source") for e in history if e.run_id == run_id and e.action == "read"]


def test_replay_of_a_posted_payroll_requests_no_payroll_from_gusto(
    deployment: Deployment, connection: str
) -> None:
    """The replay takes the stored read (zero GET /payrolls/{uuid}) and still finds the posting unchanged."""
    tenant = deployment.env.tenants[connection]
    posted = deployment.postings.in_state(POSTED, connection)
    uuid = sorted(p.payroll_uuid for p in posted if p.kind == "journal")[0]
    gets = tenant.gusto.faults.add(FaultRule(path=rf"/payrolls/{uuid}$", method="GET", count=None))
    outcome = deployment.run_ok("payroll_job", deployment.key(connection, uuid), REPLAY)
    assert gets.hits == 0
    assert _read_sources(deployment, uuid, outcome.run_id) == ["stored"]
    actions = [e.action for e in deployment.audit.history("payroll", uuid) if e.run_id == outcome.run_id]
    assert "unchanged" in actions and "posted" not in actions, actions


def test_replay_of_a_payroll_reversed_in_gusto_reads_it_again(deployment: Deployment, connection: str) -> None:
    """Reversed in Gusto since its last run: the replay reads the payroll, which now names its reversal."""
    tenant = deployment.env.tenants[connection]
    posted = deployment.postings.in_state(POSTED, connection)
    uuid = sorted(p.payroll_uuid for p in posted if p.kind == "journal")[-1]
    reversal = tenant.gusto.reverse_payroll(uuid)
    gets = tenant.gusto.faults.add(FaultRule(path=rf"/payrolls/{uuid}$", method="GET", count=None))
    key = deployment.key(connection, uuid)
    outcome = deployment.run_ok("payroll_job", key, REPLAY)
    assert gets.hits >= 1
    assert _read_sources(deployment, uuid, outcome.run_id) == ["gusto"]
    assert asset_value(["gusto", "payrolls"], key, deployment.instance)["reversal_payroll_uuids"] == [
        reversal.uuid
    ]
