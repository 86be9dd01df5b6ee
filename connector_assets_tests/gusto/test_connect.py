"""Connecting a company: authorize, loopback callback or pasted URL, exchange, token_info check, vault."""

from __future__ import annotations

import httpx
import pytest

from connector_assets.gusto.client import GustoClient
from connector_assets.gusto.connect import connect, parse_redirect
from connector_assets.gusto.errors import ConnectFailed, WrongCompany
from connector_assets.gusto.tokens import COMPANY_PROVIDER
from connector_assets.store.vault import TokenVault
from connector_assets_tests.fixtures.gusto_sandbox import GustoSandbox
from connector_assets_tests.gusto.conftest import CONNECTION, follow_redirects, settings_for


def _redirect_location(url: str) -> str:
    response = httpx.get(url, follow_redirects=False, timeout=10)
    assert response.status_code == 302
    return response.headers["location"]


def test_connect_through_the_loopback_listener_stores_a_working_grant(
    sandbox: GustoSandbox, vault: TokenVault
) -> None:
    """The unattended flow ends with an encrypted grant in the vault that reads the connected company."""
    creds = (sandbox.client_id, sandbox.client_secret)
    result = connect(settings_for(sandbox), CONNECTION, vault, open_url=follow_redirects, credentials=creds,
                     timeout_s=10)  # fmt: skip
    assert result.company_uuid == sandbox.company_uuid and "payrolls:read" in result.scope
    stored = vault.get(CONNECTION, COMPANY_PROVIDER)
    assert stored is not None and stored.refresh_token and stored.extra["company_uuid"] == sandbox.company_uuid
    assert stored.access_token not in repr(result)
    with GustoClient(settings_for(sandbox), CONNECTION, vault, None, credentials=creds) as client:
        assert client.get_company().uuid == sandbox.company_uuid


def test_connect_accepts_a_pasted_redirect_url(sandbox: GustoSandbox, vault: TokenVault) -> None:
    """Without a browser on this machine, the operator pastes the URL the browser landed on."""
    connect(settings_for(sandbox), CONNECTION, vault, paste=_redirect_location,
            credentials=(sandbox.client_id, sandbox.client_secret))  # fmt: skip
    assert vault.get(CONNECTION, COMPANY_PROVIDER) is not None


def test_connect_refuses_a_grant_for_another_company(sandbox: GustoSandbox, vault: TokenVault) -> None:
    """When the admin authorized another company, nothing is stored and the error names both companies."""
    settings = settings_for(sandbox, company_uuid="00000000-0000-0000-0000-000000000000")
    with pytest.raises(WrongCompany, match=sandbox.company_uuid):
        connect(settings, CONNECTION, vault, paste=_redirect_location,
                credentials=(sandbox.client_id, sandbox.client_secret))  # fmt: skip
    assert vault.get(CONNECTION, COMPANY_PROVIDER) is None


def test_connect_rejects_a_redirect_from_another_attempt(sandbox: GustoSandbox, vault: TokenVault) -> None:
    """A redirect whose state is not this attempt's is refused before the code is spent."""

    def foreign(url: str) -> str:
        return _redirect_location(url).replace("state=", "state=other")

    with pytest.raises(ConnectFailed, match="state"):
        connect(settings_for(sandbox), CONNECTION, vault, paste=foreign,
                credentials=(sandbox.client_id, sandbox.client_secret))  # fmt: skip
    assert vault.get(CONNECTION, COMPANY_PROVIDER) is None


def test_connect_gives_up_when_no_redirect_arrives(sandbox: GustoSandbox, vault: TokenVault) -> None:
    """Nobody opened the URL: a clear error suggests --paste instead of hanging."""
    with pytest.raises(ConnectFailed, match="--paste"):
        connect(settings_for(sandbox), CONNECTION, vault, open_url=lambda _url: None,
                credentials=(sandbox.client_id, sandbox.client_secret), timeout_s=0.05)  # fmt: skip


def test_parse_redirect_reads_urls_queries_and_bare_codes() -> None:
    """Whatever the operator pastes, the code and state come out."""
    assert parse_redirect("http://127.0.0.1:8765/cb?code=abc&state=s1\n") == {"code": "abc", "state": "s1"}
    assert parse_redirect("code=abc&state=s1") == {"code": "abc", "state": "s1"}
    assert parse_redirect("  abc ") == {"code": "abc"}
