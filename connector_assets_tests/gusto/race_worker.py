"""A separate process that uses one shared grant: the other side of the refresh-race tests.

Each worker builds its own engine, vault and client (as another Dagster run would). Every round it waits at
the barrier so all workers start together, makes API calls that need a refresh, reports the outcome, and
waits at the barrier again so the parent can check the round. It reports a digest of the token it ended
with, never the token.
"""

from __future__ import annotations

import hashlib
from typing import Any

from connector_assets.gusto.client import GustoClient
from connector_assets.gusto.http import RetryPolicy
from connector_assets.gusto.tokens import COMPANY_PROVIDER
from connector_assets.settings import GustoSettings
from connector_assets.store import create_store_engine
from connector_assets.store.crypto import SecretCipher
from connector_assets.store.vault import TokenVault

BARRIER_TIMEOUT_S = 120


def run(args: dict[str, Any], barrier: Any, results: Any) -> None:
    """Entry point for `multiprocessing` (spawn): `args["rounds"]` rounds of refresh-needing calls."""
    rounds = int(args.get("rounds", 1))
    try:
        engine = create_store_engine(args["database_url"])
        vault = TokenVault(engine, SecretCipher([args["key"]]))
        settings = GustoSettings.model_validate(args["settings"])
        policy = RetryPolicy(**args.get("policy", {}))
        client = GustoClient(
            settings, args["connection_id"], vault, None, credentials=tuple(args["credentials"]), policy=policy
        )
    except Exception as exc:  # report every failure to the parent, which asserts on it
        results.put({"ok": False, "round": 0, "error": f"{type(exc).__name__}: {exc}"})
        return
    with client as c:
        for number in range(1, rounds + 1):
            barrier.wait(timeout=BARRIER_TIMEOUT_S)
            results.put(_round(c, vault, args["connection_id"], number))
            barrier.wait(timeout=BARRIER_TIMEOUT_S)


def _round(c: GustoClient, vault: TokenVault, connection_id: str, number: int) -> dict[str, Any]:
    try:
        company = c.get_company().uuid
        c.list_departments()
    except Exception as exc:
        return {"ok": False, "round": number, "error": type(exc).__name__, "message": str(exc)}
    stored = vault.get(connection_id, COMPANY_PROVIDER)
    assert stored is not None
    digest = hashlib.sha256(stored.access_token.encode()).hexdigest()[:16]
    return {"ok": True, "round": number, "company": company, "token": digest, "version": stored.version}
