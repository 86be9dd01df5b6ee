"""Fixtures of the CloudSuite client tests: a vault, fast retries, and adapters wired to a running ION sandbox."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine

from connector_assets.cloudsuite.erp import Erp, erp_for
from connector_assets.cloudsuite.retry import RetryPolicy
from connector_assets.settings import Connection
from connector_assets.store.crypto import SecretCipher
from connector_assets.store.vault import TokenVault
from connector_assets_tests.fixtures.ion_sandbox import IonSandbox

# Backoff in microseconds: the tests check outcomes of retries, not their pacing.
FAST_RETRY = RetryPolicy(max_retries=5, backoff_base_s=0.001, backoff_max_s=0.004, timeout_s=10)


@pytest.fixture
def vault(sqlite_store: Engine) -> TokenVault:
    """An encrypted token vault on a fresh SQLite store."""
    return TokenVault(sqlite_store, SecretCipher([SecretCipher.generate_key()]))


def make_connection(
    sandbox: IonSandbox, erp: str = "m3", *, ionapi: Path | None = None, **cloudsuite: Any
) -> Connection:
    """A connection to the sandbox tenant for the given ERP flavour."""
    settings: dict[str, Any] = {"ionapi_file": str(ionapi or sandbox.ionapi_path), "erp": erp}
    if erp == "m3":
        settings |= {"company": sandbox.sim.config.company, "division": sandbox.sim.config.division}
    else:
        settings |= {"site": "MAIN", "mongoose_config": sandbox.sim.config.mongoose_config}
    settings |= cloudsuite
    return Connection.model_validate(
        {
            "id": f"acme-{erp}",
            "gusto": {"company_uuid": "c0ffee00-0000-4000-8000-000000000001"},
            "cloudsuite": settings,
            "mapping_file": "mapping.yaml",
        }
    )


@pytest.fixture
def make_erp(vault: TokenVault) -> Iterator[Callable[..., Erp]]:
    """Factory: `make_erp(sandbox, "m3" | "syteline", http=..., **erp_for options)`; closed after the test."""
    made: list[Erp] = []

    def make(sandbox: IonSandbox, erp: str = "m3", *, http: httpx.Client | None = None, **options: Any) -> Erp:
        cloudsuite = options.pop("cloudsuite", {})
        options.setdefault("retry", FAST_RETRY)
        adapter = erp_for(make_connection(sandbox, erp, **cloudsuite), vault, http=http, **options)
        made.append(adapter)
        return adapter

    yield make
    for adapter in made:
        adapter.close()


def expire_after(sandbox: IonSandbox, path_part: str, nth: int) -> Callable[[httpx.Response], None]:
    """An httpx response hook that expires every token on the sandbox after the `nth` response to `path_part`."""
    seen = {"n": 0}

    def hook(response: httpx.Response) -> None:
        if path_part in response.request.url.path:
            seen["n"] += 1
            if seen["n"] == nth:
                sandbox.sim.expire_tokens()

    return hook
