"""A refresh answer lost after Gusto acted: the grant is marked needs attention, never replayed blindly.

One process, a real sandbox and store: the refresh is sent once; after an unclear outcome one recovery
refresh with the stored token is tried (it saves the grant under the grace rule or when Gusto did not act);
otherwise every later call stops at once, and `connector status`, the Dagster observation and the log all
say "reconnect Gusto for <connection>" with the command.
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import dagster as dg
import pytest
from sqlalchemy import Engine

from connector_assets.defs.gusto.grant import GRANT_KEY, grant_observations
from connector_assets.defs.resources import ConnectionsResource, GustoResource, StoreResource
from connector_assets.defs.sensors import gusto_inbox_sensor
from connector_assets.gusto.errors import GrantNeedsAttention, GustoUnavailable
from connector_assets.gusto.http import RetryPolicy
from connector_assets.gusto.tokens import COMPANY_PROVIDER
from connector_assets.operations.status import ConnectionStatus, format_status, token_health
from connector_assets.sandbox.faults import FaultRule
from connector_assets.store.crypto import SecretCipher
from connector_assets.store.vault import TokenVault, utcnow
from connector_assets_tests.fixtures.gusto_sandbox import GustoSandbox, SandboxFactory
from connector_assets_tests.gusto.conftest import (
    CONNECTION,
    ClientFactory,
    connect_sandbox,
    free_port,
    settings_for,
)

FAST = RetryPolicy(timeout=2.0, retry_delay=0.01, max_retry_delay=0.05, max_retries=2)
LOST = FaultRule(path="^/oauth/token$", method="POST", status=502, after=True)


def _sandbox(make_gusto_sandbox: SandboxFactory, **options: Any) -> GustoSandbox:
    return make_gusto_sandbox(redirect_uri=f"http://127.0.0.1:{free_port()}/oauth/callback", **options)


def _make_due(vault: TokenVault) -> None:
    token = vault.get(CONNECTION, COMPANY_PROVIDER)
    assert token is not None
    vault.put(CONNECTION, COMPANY_PROVIDER, dataclasses.replace(token, expires_at=utcnow() + timedelta(seconds=5)))


def _status(vault: TokenVault) -> str:
    ctx = SimpleNamespace(engine=vault.engine, vault=lambda: vault)  # what token_health reads of the context
    health = token_health(ctx, CONNECTION)  # type: ignore[arg-type]
    row = ConnectionStatus(CONNECTION, "m3", {}, None, 0, 0, health)
    return format_status([row])


def test_lost_answer_under_strict_rotation_stops_every_use(
    make_gusto_sandbox: SandboxFactory,
    make_client: ClientFactory,
    vault: TokenVault,
    caplog: pytest.LogCaptureFixture,
    sqlite_store: Engine,
) -> None:
    """Gusto rotated, the answer was lost: one recovery attempt, then needs attention everywhere."""
    sandbox = _sandbox(make_gusto_sandbox)
    client = make_client(sandbox, policy=FAST)
    _make_due(vault)
    sandbox.sim.faults.add(dataclasses.replace(LOST))
    with (
        caplog.at_level(logging.ERROR),
        pytest.raises(GrantNeedsAttention, match=f"reconnect Gusto for {CONNECTION}"),
    ):
        client.get_company()
    oauth = sandbox.sim.oauth
    assert (oauth.refreshes, oauth.replayed_refreshes) == (1, 1)  # the refresh, then the one recovery
    assert f"`connector gusto connect {CONNECTION}`" in caplog.text

    requests = sandbox.sim.counters.total_requests
    for _ in range(3):
        with pytest.raises(GrantNeedsAttention):
            client.list_departments()
    assert sandbox.sim.counters.total_requests == requests  # nothing more is sent for this grant

    stored = vault.get(CONNECTION, COMPANY_PROVIDER)
    assert stored is not None and stored.attention is not None and "lost (HTTP 502" in stored.attention
    report = _status(vault)
    assert "NEEDS ATTENTION" in report and f"reconnect Gusto for {CONNECTION}" in report
    assert f"connector gusto connect {CONNECTION}" in report

    key = SecretCipher.generate_key()  # the observation decrypts nothing, so any key will do
    store = StoreResource(database_url=sqlite_store.url.render_as_string(), encryption_key=key)
    gusto = GustoResource(store=store, connections=ConnectionsResource(path="unused"))  # no payroll to look up
    resources = {"store": store, "gusto": gusto}
    with dg.build_sensor_context(instance=dg.DagsterInstance.ephemeral(), resources=resources) as context:
        result = gusto_inbox_sensor(context)  # the daemon's tick records the observation in the UI
    assert isinstance(result, dg.SensorResult)
    (observed,) = result.asset_events or []
    assert isinstance(observed, dg.AssetObservation) and observed.asset_key == GRANT_KEY
    assert observed.metadata["state"].value == "needs attention"
    assert f"connector gusto connect {CONNECTION}" in str(observed.metadata["action"].value)
    assert grant_observations(store, [CONNECTION]) == []  # reported once, not every tick

    connect_sandbox(sandbox, vault)  # the operator reconnects
    (usable,) = grant_observations(store, [CONNECTION])
    assert usable.metadata["state"].value == "usable"
    assert client.get_company().uuid == sandbox.company_uuid


def test_lost_answer_under_grace_rule_is_recovered(
    make_gusto_sandbox: SandboxFactory, make_client: ClientFactory, vault: TokenVault
) -> None:
    """Under the grace rule the stored token still works: the recovery refresh saves the grant."""
    sandbox = _sandbox(make_gusto_sandbox, refresh_rotation="grace")
    client = make_client(sandbox, policy=FAST)
    _make_due(vault)
    sandbox.sim.faults.add(dataclasses.replace(LOST))
    assert client.get_company().uuid == sandbox.company_uuid
    assert (sandbox.sim.oauth.refreshes, sandbox.sim.oauth.replayed_refreshes) == (2, 1)
    stored = vault.get(CONNECTION, COMPANY_PROVIDER)
    assert stored is not None and stored.attention is None and stored.lease_holder is None


def test_failure_before_gusto_acted_is_recovered_without_a_replay(
    make_gusto_sandbox: SandboxFactory, make_client: ClientFactory, vault: TokenVault
) -> None:
    """A 502 that Gusto answered without acting is not resent by the request loop; the recovery succeeds."""
    sandbox = _sandbox(make_gusto_sandbox)
    client = make_client(sandbox, policy=FAST)
    _make_due(vault)
    rule = sandbox.sim.faults.add(FaultRule(path="^/oauth/token$", method="POST", status=502, count=1))
    assert client.get_company().uuid == sandbox.company_uuid
    assert rule.hits == 1
    assert (sandbox.sim.oauth.refreshes, sandbox.sim.oauth.replayed_refreshes) == (1, 0)


def test_refused_connection_is_retried_and_leaves_the_grant_usable(
    make_gusto_sandbox: SandboxFactory, make_client: ClientFactory, vault: TokenVault
) -> None:
    """A token endpoint that refuses connections never saw the token: retried, then the grant stays usable."""
    sandbox = _sandbox(make_gusto_sandbox)
    make_client(sandbox)  # connects
    closed = f"http://127.0.0.1:{free_port()}"
    client = make_client(sandbox, policy=FAST, settings=settings_for(sandbox, oauth_base_url=closed))
    _make_due(vault)
    with pytest.raises(GustoUnavailable) as info:
        client.get_company()
    assert info.value.attempts == FAST.max_retries + 1 and not info.value.reached
    stored = vault.get(CONNECTION, COMPANY_PROVIDER)
    assert stored is not None and stored.attention is None and stored.lease_holder is None
    assert sandbox.sim.oauth.refreshes == 0
