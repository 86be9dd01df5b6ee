"""Helpers for the Gusto client tests: settings pointing at a sandbox, a vault, a connected client."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine

from connector_assets.gusto.client import GustoClient
from connector_assets.gusto.connect import connect
from connector_assets.gusto.http import RetryPolicy
from connector_assets.settings import GustoSettings
from connector_assets.store.crypto import SecretCipher
from connector_assets.store.vault import TokenVault
from connector_assets_tests.fixtures.gusto_sandbox import GustoSandbox, SandboxFactory

CONNECTION = "acme"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def settings_for(sandbox: GustoSandbox, **overrides: Any) -> GustoSettings:
    """Connection settings naming the sandbox as both API and OAuth host."""
    values: dict[str, Any] = {
        "company_uuid": sandbox.company_uuid,
        "redirect_uri": sandbox.redirect_uri,
        "api_base_url": sandbox.url,
        "start_date": date(2000, 1, 1),
    }
    return GustoSettings(**{**values, **overrides})


def follow_redirects(url: str) -> None:
    """Play the admin's browser: open the authorize URL and follow the sandbox's 302 to the listener."""
    httpx.get(url, follow_redirects=True, timeout=10).raise_for_status()


class Recorder:
    """Stands in for `time.sleep` in the request loop: records delays instead of waiting."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
def sandbox(make_gusto_sandbox: SandboxFactory) -> GustoSandbox:
    """A sandbox whose redirect URI is a free loopback port, so the connect listener can bind it."""
    return make_gusto_sandbox(redirect_uri=f"http://127.0.0.1:{free_port()}/oauth/callback")


@pytest.fixture
def cipher() -> SecretCipher:
    return SecretCipher([SecretCipher.generate_key()])


@pytest.fixture
def vault(sqlite_store: Engine, cipher: SecretCipher) -> TokenVault:
    return TokenVault(sqlite_store, cipher)


def connect_sandbox(
    sandbox: GustoSandbox, vault: TokenVault, settings: GustoSettings | None = None, limiter: Any = None
) -> None:
    """Run the real connect flow against the sandbox (auto-approved consent)."""
    connect(settings or settings_for(sandbox), CONNECTION, vault, open_url=follow_redirects, limiter=limiter,
            credentials=(sandbox.client_id, sandbox.client_secret), timeout_s=10)  # fmt: skip


ClientFactory = Callable[..., GustoClient]


@pytest.fixture
def make_client(vault: TokenVault) -> Iterator[ClientFactory]:
    """Build clients for a sandbox (connected once per sandbox); sleeping is recorded, never done."""
    made: list[GustoClient] = []
    connected: set[str] = set()

    def make(sandbox: GustoSandbox, *, limiter: Any = None, settings: GustoSettings | None = None,
             policy: RetryPolicy | None = None, sleep: Callable[[float], None] | None = None,
             page_size: int = 100) -> GustoClient:  # fmt: skip
        if sandbox.url not in connected:
            connect_sandbox(sandbox, vault, settings, limiter)
            connected.add(sandbox.url)
        client = GustoClient(settings or settings_for(sandbox), CONNECTION, vault, limiter,
                             credentials=(sandbox.client_id, sandbox.client_secret),
                             policy=policy, sleep=sleep or Recorder(), page_size=page_size)  # fmt: skip
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()
