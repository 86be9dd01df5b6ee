"""Token lifecycle against the sandbox: proactive refresh, rotation, expiry mid-sync, revoked grants."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from connector_assets.gusto.errors import GrantNeedsAttention, GrantRevoked, TokenExpired
from connector_assets.gusto.tokens import COMPANY_PROVIDER
from connector_assets.sandbox.faults import FaultRule
from connector_assets.store.vault import TokenVault, utcnow
from connector_assets_tests.fixtures.gusto_sandbox import GustoSandbox, SandboxFactory
from connector_assets_tests.gusto.conftest import CONNECTION, ClientFactory, free_port


@pytest.fixture
def short_lived(make_gusto_sandbox: SandboxFactory) -> GustoSandbox:
    """A sandbox issuing 10-minute access tokens."""
    return make_gusto_sandbox(redirect_uri=f"http://127.0.0.1:{free_port()}/cb", token_ttl_s=600)


def _age_stored_token(vault: TokenVault, left: timedelta) -> int:
    """Pretend the stored access token expires in `left` (the tokens themselves stay as issued)."""
    token = vault.get(CONNECTION, COMPANY_PROVIDER)
    assert token is not None
    return vault.put(CONNECTION, COMPANY_PROVIDER, dataclasses.replace(token, expires_at=utcnow() + left)).version


def test_refresh_happens_before_expiry_and_rotates_the_pair(
    short_lived: GustoSandbox, make_client: ClientFactory, vault: TokenVault
) -> None:
    """Within the margin the client refreshes first, stores the new pair, and the old refresh token dies."""
    client = make_client(short_lived)
    version = _age_stored_token(vault, timedelta(seconds=30))
    old = vault.get(CONNECTION, COMPANY_PROVIDER)
    assert old is not None and old.refresh_token
    assert client.get_company().uuid == short_lived.company_uuid
    new = vault.get(CONNECTION, COMPANY_PROVIDER)
    assert new is not None and new.version == version + 1
    assert new.refresh_token != old.refresh_token and new.access_token != old.access_token
    assert not new.expires_within(timedelta(seconds=300))
    assert client.counters.refreshes == 0  # proactive: no 401 was needed
    with pytest.raises(GrantRevoked):  # rotation: the spent refresh token is dead once the new one was used
        client.oauth.refresh(old.refresh_token)


def test_fresh_token_is_not_refreshed(
    sandbox: GustoSandbox, make_client: ClientFactory, vault: TokenVault
) -> None:
    """Outside the margin the stored token is used as is."""
    client = make_client(sandbox)
    before = vault.get(CONNECTION, COMPANY_PROVIDER)
    client.get_company()
    client.list_departments()
    after = vault.get(CONNECTION, COMPANY_PROVIDER)
    assert before is not None and after is not None and after.version == before.version


def test_token_expiry_mid_sync_recovers_with_one_refresh(
    sandbox: GustoSandbox, make_client: ClientFactory, vault: TokenVault
) -> None:
    """Access tokens expiring between pages cost one forced refresh; every employee is still read once."""
    client = make_client(sandbox, page_size=10)
    seen: list[str] = []
    for employee in client.iter_employees():
        seen.append(employee.uuid)
        if len(seen) == 1:
            assert sandbox.sim.expire_tokens() >= 1
    assert sorted(seen) == sorted(e.uuid for e in sandbox.world.employees)
    assert client.counters.refreshes == 1


def test_revoked_grant_raises_once_without_looping(sandbox: GustoSandbox, make_client: ClientFactory) -> None:
    """A disconnected company gives GrantRevoked naming the reconnect command after one 401 and one refresh;
    the grant is then marked needs attention and no process sends anything for it again."""
    client = make_client(sandbox)
    sandbox.sim.revoke_tokens()
    before = int(str(sandbox.sim.counters_snapshot()["total_requests"]))
    with pytest.raises(GrantRevoked, match=f"connector gusto connect {CONNECTION}"):
        client.get_company()
    after_first = int(str(sandbox.sim.counters_snapshot()["total_requests"]))
    assert after_first == before + 2  # the 401 and the refused refresh
    with pytest.raises(GrantNeedsAttention, match=f"reconnect Gusto for {CONNECTION}"):
        client.list_employees()
    assert sandbox.sim.counters_snapshot()["total_requests"] == after_first


def test_second_401_after_a_refresh_is_token_expired(sandbox: GustoSandbox, make_client: ClientFactory) -> None:
    """If Gusto refuses even the refreshed token, the client stops with TokenExpired instead of retrying."""
    client = make_client(sandbox)
    sandbox.sim.faults.add(FaultRule(path="/departments$", status=401, count=2))
    with pytest.raises(TokenExpired, match="connector gusto connect"):
        client.list_departments()
    assert client.counters.refreshes == 1


def test_errors_never_carry_tokens(sandbox: GustoSandbox, make_client: ClientFactory, vault: TokenVault) -> None:
    """Neither the access token nor the refresh token appears in an auth error's message."""
    client = make_client(sandbox)
    stored = vault.get(CONNECTION, COMPANY_PROVIDER)
    assert stored is not None and stored.refresh_token
    sandbox.sim.revoke_tokens()
    with pytest.raises(GrantRevoked) as caught:
        client.get_company()
    text = f"{caught.value!s} {caught.value!r} {caught.value.__cause__!r}"
    assert stored.access_token not in text and stored.refresh_token not in text
    assert sandbox.client_secret not in text
