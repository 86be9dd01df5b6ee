"""Processes refreshing one rotating grant at the same moment never lose it.

Workers are separate processes released together through a barrier, round after round; before each round
the parent makes the stored token due, so every worker wants to refresh at once. Against Gusto's strict
rotation (a spent refresh token is dead, and presenting it again revokes the grant) each round must spend
exactly one refresh token. With a lost answer (Gusto rotates, then the reply dies as a 502 or a timeout)
the grant is marked needs attention after at most one recovery attempt, and no process spends a dead
token after that; under the grace rule that recovery saves the grant.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, update

from connector_assets.gusto.connect import connect
from connector_assets.gusto.tokens import COMPANY_PROVIDER
from connector_assets.sandbox.faults import FaultRule
from connector_assets.store.crypto import SecretCipher
from connector_assets.store.tables import oauth_tokens
from connector_assets.store.vault import TokenVault, utcnow
from connector_assets_tests.fixtures.gusto_sandbox import GustoSandbox, SandboxFactory
from connector_assets_tests.gusto import race_worker
from connector_assets_tests.gusto.conftest import CONNECTION, follow_redirects, free_port, settings_for

POLICY = {"timeout": 3.0, "retry_delay": 0.05, "max_retry_delay": 0.2, "max_retries": 2}


@dataclasses.dataclass(frozen=True)
class Scenario:
    rotation: str  # strict | grace
    fault: FaultRule | None = None  # added before `fault_round`
    survives: bool = True


def _lost_502() -> FaultRule:
    return FaultRule(path="^/oauth/token$", method="POST", status=502, after=True)


def _lost_timeout() -> FaultRule:
    # Gusto rotates, then the answer takes longer than the client waits (POLICY timeout 3 s).
    return FaultRule(path="^/oauth/token$", method="POST", latency_s=5.0, after=True)


SCENARIOS = {
    "strict": Scenario("strict"),
    "strict-lost-502": Scenario("strict", _lost_502(), survives=False),
    "strict-lost-timeout": Scenario("strict", _lost_timeout(), survives=False),
    "grace-lost-502": Scenario("grace", _lost_502()),
}


@pytest.fixture(params=["sqlite", "postgres"])
def race_store(request: pytest.FixtureRequest) -> Engine:
    """The store on SQLite and on PostgreSQL (leases are claimed under BEGIN IMMEDIATE vs FOR UPDATE)."""
    return request.getfixturevalue("sqlite_store" if request.param == "sqlite" else "postgres_store")


def _make_due(engine: Engine) -> None:
    """Age the stored access token without a new version, so every worker decides to refresh at once."""
    with engine.begin() as conn:
        conn.execute(
            update(oauth_tokens)
            .where(oauth_tokens.c.connection_id == CONNECTION, oauth_tokens.c.provider == COMPANY_PROVIDER)
            .values(expires_at=utcnow() + timedelta(seconds=5))
        )


def race(sandbox: GustoSandbox, store: Engine, scenario: Scenario, *, workers: int, rounds: int) -> None:
    key = SecretCipher.generate_key()
    vault = TokenVault(store, SecretCipher([key]))
    settings = settings_for(sandbox)
    creds = (sandbox.client_id, sandbox.client_secret)
    connect(settings, CONNECTION, vault, open_url=follow_redirects, credentials=creds, timeout_s=10)
    oauth = sandbox.sim.oauth
    fault_round = max(2, rounds // 2) if scenario.fault else 0

    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(workers + 1), ctx.Queue()
    args: dict[str, Any] = {
        "database_url": store.url.render_as_string(hide_password=False),
        "key": key,
        "settings": settings.model_dump(mode="json"),
        "connection_id": CONNECTION,
        "credentials": list(creds),
        "rounds": rounds,
        "policy": POLICY,
    }
    procs = [ctx.Process(target=race_worker.run, args=(args, barrier, results)) for _ in range(workers)]
    for proc in procs:
        proc.start()
    try:
        lost_at: dict[str, int] | None = None
        for number in range(1, rounds + 1):
            _make_due(store)
            if number == fault_round and scenario.fault:
                sandbox.sim.faults.add(dataclasses.replace(scenario.fault, hits=0))  # rules count their hits
            before = (oauth.refreshes, oauth.replayed_refreshes, sandbox.sim.counters.total_requests)
            barrier.wait(timeout=race_worker.BARRIER_TIMEOUT_S)
            outcomes = [results.get(timeout=race_worker.BARRIER_TIMEOUT_S) for _ in procs]
            barrier.wait(timeout=race_worker.BARRIER_TIMEOUT_S)
            spent = oauth.refreshes - before[0]
            if all(o["ok"] for o in outcomes):
                assert len({o["token"] for o in outcomes}) == 1, (number, outcomes)  # all on one pair
                assert {o["company"] for o in outcomes} == {sandbox.company_uuid}
                # One refresh per round; the lost-answer round spends one more: its recovery.
                assert spent == (2 if number == fault_round else 1), (number, spent, outcomes)
                continue
            # Only the lost answer may cost the grant, and then every worker stops with needs attention.
            assert not scenario.survives and number >= fault_round, (number, outcomes)
            assert {o["error"] for o in outcomes} == {"GrantNeedsAttention"}, outcomes
            assert all(f"connector gusto connect {CONNECTION}" in o["message"] for o in outcomes)
            if lost_at is None:
                lost_at = {"round": number, "replays": oauth.replayed_refreshes}
                assert oauth.replayed_refreshes - before[1] <= 1  # at most the one recovery attempt
            else:
                # After the marking nobody talks to Gusto for this grant again: no dead token is spent.
                assert (oauth.refreshes, oauth.replayed_refreshes) == before[:2], number
                assert sandbox.sim.counters.total_requests == before[2], number
        for proc in procs:
            proc.join(timeout=60)
    finally:
        for proc in procs:
            if proc.is_alive():
                proc.kill()

    final = vault.get(CONNECTION, COMPANY_PROVIDER)
    assert final is not None and final.lease_holder is None
    if scenario.survives:
        assert final.attention is None
        with sandbox.client({"access_token": final.access_token}) as http:
            assert http.get("/v1/token_info").status_code == 200
        assert oauth.replayed_refreshes == (1 if scenario.fault else 0)
    else:
        assert lost_at is not None and lost_at["round"] == fault_round
        assert final.attention is not None and "lost" in final.attention
        assert oauth.replayed_refreshes == 1


def _sandbox(make_gusto_sandbox: SandboxFactory, rotation: str) -> GustoSandbox:
    return make_gusto_sandbox(
        redirect_uri=f"http://127.0.0.1:{free_port()}/oauth/callback", refresh_rotation=rotation
    )


@pytest.mark.parametrize("name", ["strict", "strict-lost-502", "grace-lost-502"])
def test_concurrent_refresh_rounds(make_gusto_sandbox: SandboxFactory, race_store: Engine, name: str) -> None:
    """Four processes, three rounds: one refresh per round, and a lost answer never costs a dead-token replay
    beyond the single recovery attempt."""
    scenario = SCENARIOS[name]
    race(_sandbox(make_gusto_sandbox, scenario.rotation), race_store, scenario, workers=4, rounds=3)


@pytest.mark.chaos
@pytest.mark.timeout(1800)
@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_eight_processes_twenty_rounds(make_gusto_sandbox: SandboxFactory, race_store: Engine, name: str) -> None:
    """Eight processes released together, twenty rounds, on each store and each lost-answer variant."""
    scenario = SCENARIOS[name]
    race(_sandbox(make_gusto_sandbox, scenario.rotation), race_store, scenario, workers=8, rounds=20)
