"""A separate process that uses one shared grant: the other side of the refresh-race test.

Each worker builds its own engine, vault and client (as a second Dagster run would), waits at the barrier
so both start together, then makes API calls that need a refresh. It reports a digest of the token it
ended with, never the token.
"""

from __future__ import annotations

import hashlib
from typing import Any

from connector_assets.gusto.client import GustoClient
from connector_assets.gusto.tokens import COMPANY_PROVIDER
from connector_assets.settings import GustoSettings
from connector_assets.store import create_store_engine
from connector_assets.store.crypto import SecretCipher
from connector_assets.store.vault import TokenVault


def run(args: dict[str, Any], barrier: Any, results: Any) -> None:
    """Entry point for `multiprocessing` (spawn): refresh-needing calls, then report the outcome."""
    try:
        engine = create_store_engine(args["database_url"])
        vault = TokenVault(engine, SecretCipher([args["key"]]))
        settings = GustoSettings.model_validate(args["settings"])
        with GustoClient(
            settings, args["connection_id"], vault, None, credentials=tuple(args["credentials"])
        ) as c:
            barrier.wait(timeout=60)
            company = c.get_company().uuid
            c.list_departments()
            stored = vault.get(args["connection_id"], COMPANY_PROVIDER)
            assert stored is not None
            digest = hashlib.sha256(stored.access_token.encode()).hexdigest()[:16]
            results.put({"ok": True, "company": company, "token": digest, "version": stored.version})
    except Exception as exc:  # report every failure to the parent, which asserts on it
        results.put({"ok": False, "error": f"{type(exc).__name__}: {exc}"})
