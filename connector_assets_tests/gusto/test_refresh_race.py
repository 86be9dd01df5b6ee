"""Two processes refreshing one rotating grant at once end with one valid grant and no invalid_grant."""

from __future__ import annotations

import dataclasses
import multiprocessing
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from connector_assets.gusto.connect import connect
from connector_assets.gusto.tokens import COMPANY_PROVIDER
from connector_assets.store.crypto import SecretCipher
from connector_assets.store.vault import TokenVault, utcnow
from connector_assets_tests.fixtures.gusto_sandbox import GustoSandbox
from connector_assets_tests.gusto import race_worker
from connector_assets_tests.gusto.conftest import CONNECTION, follow_redirects, settings_for

WORKERS = 2


@pytest.fixture(params=["sqlite", "postgres"])
def race_store(request: pytest.FixtureRequest) -> Engine:
    """The store on SQLite and on PostgreSQL (row locks differ: BEGIN IMMEDIATE vs SELECT … FOR UPDATE)."""
    return request.getfixturevalue("sqlite_store" if request.param == "sqlite" else "postgres_store")


def test_concurrent_processes_share_one_refresh(sandbox: GustoSandbox, race_store: Engine) -> None:
    """Both processes find the token due; one refreshes, the other reuses its pair; the grant still works."""
    key = SecretCipher.generate_key()
    vault = TokenVault(race_store, SecretCipher([key]))
    settings = settings_for(sandbox)
    creds = (sandbox.client_id, sandbox.client_secret)
    connect(settings, CONNECTION, vault, open_url=follow_redirects, credentials=creds, timeout_s=10)
    token = vault.get(CONNECTION, COMPANY_PROVIDER)
    assert token is not None
    # Due for refresh in both processes' eyes (inside the default 300 s margin).
    vault.put(CONNECTION, COMPANY_PROVIDER, dataclasses.replace(token, expires_at=utcnow() + timedelta(seconds=5)))
    refresh_tokens_before = len(sandbox.sim.oauth.refresh)

    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(WORKERS), ctx.Queue()
    args: dict[str, Any] = {
        "database_url": race_store.url.render_as_string(hide_password=False),
        "key": key,
        "settings": settings.model_dump(mode="json"),
        "connection_id": CONNECTION,
        "credentials": list(creds),
    }
    procs = [ctx.Process(target=race_worker.run, args=(args, barrier, results)) for _ in range(WORKERS)]
    for proc in procs:
        proc.start()
    outcomes = [results.get(timeout=120) for _ in procs]
    for proc in procs:
        proc.join(timeout=30)

    assert all(o["ok"] for o in outcomes), outcomes
    assert {o["company"] for o in outcomes} == {sandbox.company_uuid}
    assert len({o["token"] for o in outcomes}) == 1  # both ended on the winner's pair
    assert len(sandbox.sim.oauth.refresh) == refresh_tokens_before + 1  # exactly one refresh was spent
    final = vault.get(CONNECTION, COMPANY_PROVIDER)
    assert final is not None and final.version == token.version + 2  # the aging write, then one refresh
    with sandbox.client({"access_token": final.access_token}) as http:
        assert http.get("/v1/token_info").status_code == 200
