"""Gusto payroll families through the sandbox and the Dagster jobs: every payroll posts its own journal,
so an original and its reversal net to zero in the GL in whatever order they arrive."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from connector_assets.sandbox.generator_models import Payroll
from connector_assets.store.postings import POSTED, REVERSED
from connector_assets_tests.e2e.deployment import Deployment
from connector_assets_tests.e2e.ledger_view import document, net


@pytest.fixture(scope="module")
def family(deployment: Deployment) -> str:
    """A connection of its own (short history), onboarded before the family is created."""
    connection_id = "family-m3"
    deployment.add_tenant(connection_id, "m3", history_months=0)
    failed = [o for o in deployment.onboard(connection_id) if not o.success]
    assert not failed, [(o.partition_key, o.error) for o in failed]
    return connection_id


def _pair(deployment: Deployment, connection_id: str) -> tuple[Payroll, Payroll]:
    """A regular payroll and its Gusto reversal, both processed before the connector sees either."""
    gusto = deployment.env.tenants[connection_id].gusto
    original = gusto.run_payroll()
    return original, gusto.reverse_payroll(original.uuid)


def _reversal_first(deployment: Deployment, connection_id: str, original: str, reversal: str) -> None:
    deployment.run_ok("payroll_job", deployment.key(connection_id, reversal))
    deployment.run_ok("payroll_job", deployment.key(connection_id, original))


def _original_first(deployment: Deployment, connection_id: str, original: str, reversal: str) -> None:
    deployment.run_ok("payroll_job", deployment.key(connection_id, original))
    deployment.run_ok("payroll_job", deployment.key(connection_id, reversal))


def _one_poll(deployment: Deployment, connection_id: str, original: str, reversal: str) -> None:
    outcomes = [o for o in deployment.sync(connection_id) if o.job_name == "payroll_job"]
    assert {deployment.key(connection_id, original), deployment.key(connection_id, reversal)} <= {
        o.partition_key for o in outcomes
    }
    assert all(o.success for o in outcomes), [(o.partition_key, o.error) for o in outcomes]


@pytest.mark.parametrize("arrive", [_reversal_first, _original_first, _one_poll], ids=lambda f: f.__name__[1:])
def test_family_nets_to_zero_in_any_order_of_arrival(
    deployment: Deployment, family: str, arrive: Callable[[Deployment, str, str, str], None]
) -> None:
    """Both journals post; the original's wages equal Gusto's gross; the pair nets to zero in every account."""
    tenant = deployment.env.tenants[family]
    original, reversal = _pair(deployment, family)
    arrive(deployment, family, original.uuid, reversal.uuid)

    (first,) = [p for p in deployment.postings.for_payroll(family, original.uuid) if p.kind == "journal"]
    (second,) = deployment.postings.for_payroll(family, reversal.uuid)
    assert (first.state, second.state) == (REVERSED, POSTED)
    posted = document(tenant, first.external_reference) or []
    offset = document(tenant, second.external_reference) or []
    gross = sum(r.gross_cents for r in original.pay or [])
    assert sum(c for a, _, c in posted if a.startswith("60")) == gross > 0
    assert posted and not net(posted + offset), f"family of {original.uuid} leaves {net(posted + offset)}"

    for uuid in (original.uuid, reversal.uuid):  # a replay of either posts nothing new
        deployment.run_ok("payroll_job", deployment.key(family, uuid), {"connector/replay": "true"})
    assert len(deployment.postings.for_payroll(family, original.uuid)) == 1
    assert [p.state for p in deployment.postings.for_payroll(family, reversal.uuid)] == [POSTED]
