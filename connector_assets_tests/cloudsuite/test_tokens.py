"""ION tokens: shared through the vault, refreshed early, re-authenticated once on 401, revoked on disconnect."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine

from connector_assets.cloudsuite.erp import Erp, disconnect, ion_session
from connector_assets.cloudsuite.errors import AuthenticationCapReached, IonAuthError, IonUnauthorized
from connector_assets.cloudsuite.ionapi import load_ionapi
from connector_assets.cloudsuite.tokens import PROVIDER, IonTokens
from connector_assets.sandbox.faults import FaultRule
from connector_assets.store.crypto import SecretCipher
from connector_assets.store.ratelimit import RollingWindowLimiter
from connector_assets.store.vault import TokenVault, utcnow
from connector_assets_tests.cloudsuite.conftest import FAST_RETRY, make_connection
from connector_assets_tests.fixtures.ion_sandbox import IonSandbox

MakeErp = Callable[..., Erp]
CONNECTION = "acme-m3"


def age_stored_token(vault: TokenVault, seconds_left: int = 10) -> None:
    """Make the vault's token look about to expire (the server still accepts it)."""
    stored = vault.get(CONNECTION, PROVIDER)
    assert stored is not None
    vault.put(CONNECTION, PROVIDER, replace(stored, expires_at=utcnow() + timedelta(seconds=seconds_left)))


def test_token_is_reused_across_clients(ion_sandbox: IonSandbox, make_erp: MakeErp, vault: TokenVault) -> None:
    """Two clients of one connection (as two processes would) authenticate once, via the vault."""
    make_erp(ion_sandbox).list_gl_accounts()
    make_erp(ion_sandbox).list_cost_centers()
    assert ion_sandbox.sim.counters()["authentications"] == 1
    stored = vault.get(CONNECTION, PROVIDER)
    assert stored is not None and stored.extra["lifetime_s"] == 7200


def test_refresh_token_grant_before_expiry(
    make_ion_sandbox: Callable[..., IonSandbox], make_erp: MakeErp, vault: TokenVault
) -> None:
    """When the tenant issues refresh tokens, an expiring token is refreshed without a 401 or a new login."""
    sandbox = make_ion_sandbox(issue_refresh_tokens=True)
    make_erp(sandbox).list_gl_accounts()
    age_stored_token(vault)
    make_erp(sandbox).list_gl_accounts()
    counters = sandbox.sim.counters()
    assert (counters["authentications"], counters["refreshes"], counters.get("status_401", 0)) == (1, 1, 0)


def test_password_grant_before_expiry_without_refresh_tokens(
    ion_sandbox: IonSandbox, make_erp: MakeErp, vault: TokenVault
) -> None:
    """Without refresh tokens an expiring token is replaced by a new password grant, before any 401."""
    make_erp(ion_sandbox).list_gl_accounts()
    age_stored_token(vault)
    make_erp(ion_sandbox).list_gl_accounts()
    counters = ion_sandbox.sim.counters()
    assert (counters["authentications"], counters.get("status_401", 0)) == (2, 0)


def test_rejected_refresh_token_falls_back_to_the_password_grant(
    make_ion_sandbox: Callable[..., IonSandbox], make_erp: MakeErp, vault: TokenVault
) -> None:
    """A revoked refresh token leads to one password grant, and work continues."""
    sandbox = make_ion_sandbox(issue_refresh_tokens=True)
    make_erp(sandbox).list_gl_accounts()
    sandbox.sim.revoke_tokens()
    age_stored_token(vault)
    assert len(make_erp(sandbox).list_gl_accounts()) > 0
    assert sandbox.sim.counters()["authentications"] == 2


def test_401_then_success(ion_sandbox: IonSandbox, make_erp: MakeErp) -> None:
    """One 401 costs one re-authentication and the call succeeds."""
    erp = make_erp(ion_sandbox)
    erp.list_cost_centers()
    ion_sandbox.sim.faults.add(FaultRule(path="LstAccountID", status=401, count=1, body={"error": "Unauthorized"}))
    assert len(erp.list_gl_accounts()) > 0
    assert ion_sandbox.sim.counters()["authentications"] == 2


def test_401_twice_fails_clearly(ion_sandbox: IonSandbox, make_erp: MakeErp) -> None:
    """A 401 with a fresh token is not retried in a loop: IonUnauthorized after one re-authentication."""
    ion_sandbox.sim.faults.add(FaultRule(path="LstAccountID", status=401, count=None))
    with pytest.raises(IonUnauthorized, match="401 again with a fresh token"):
        make_erp(ion_sandbox).list_gl_accounts()
    assert ion_sandbox.sim.counters()["authentications"] == 2


def test_authentication_cap_backs_off_then_fails(
    make_ion_sandbox: Callable[..., IonSandbox], make_erp: MakeErp
) -> None:
    """The cap's 429 is retried a bounded number of times, then AuthenticationCapReached; later it recovers."""
    sandbox = make_ion_sandbox(auth_cap_per_minute=1)
    erp = make_erp(sandbox)
    erp.list_cost_centers()
    sandbox.sim.expire_tokens()
    with pytest.raises(AuthenticationCapReached, match="authentication cap"):
        erp.list_gl_accounts()
    assert sandbox.sim.counters()["auth_capped"] == FAST_RETRY.max_retries + 1
    sandbox.sim.advance_clock(61)
    assert len(erp.list_gl_accounts()) > 0


def test_authentications_are_counted_against_the_cap_in_the_store(
    ion_sandbox: IonSandbox, make_erp: MakeErp, vault: TokenVault
) -> None:
    """Each password grant reserves a slot of the tenant's per-minute budget shared by all processes."""
    make_erp(ion_sandbox).list_gl_accounts()
    limiter = RollingWindowLimiter(vault.engine, limit=1)
    assert limiter.try_reserve(f"ion-auth:{ion_sandbox.tenant}") > 0


def test_bad_credentials_name_the_file_not_the_secret(
    ion_sandbox: IonSandbox, make_erp: MakeErp, vault: TokenVault, tmp_path: Path
) -> None:
    """A refused password grant is IonAuthError naming the .ionapi file, without any secret in it."""
    data = json.loads(ion_sandbox.ionapi_path.read_text())
    data["sask"] = "definitely-not-the-secret-key"
    wrong = tmp_path / "wrong.ionapi"
    wrong.write_text(json.dumps(data))
    with pytest.raises(IonAuthError) as err:
        make_erp(ion_sandbox, cloudsuite={"ionapi_file": str(wrong)}).list_gl_accounts()
    message = str(err.value)
    assert str(wrong) in message and "HTTP 400" in message
    for secret in (data["sask"], data["cs"], data["saak"]):
        assert secret not in message
    assert vault.get(CONNECTION, PROVIDER) is None


def test_disconnect_revokes_and_forgets(ion_sandbox: IonSandbox, make_erp: MakeErp, vault: TokenVault) -> None:
    """disconnect revokes the grant at the tenant and deletes it from the vault."""
    make_erp(ion_sandbox).list_gl_accounts()
    stored = vault.get(CONNECTION, PROVIDER)
    assert stored is not None and ion_sandbox.sim.tokens.is_valid(stored.access_token)
    assert disconnect(make_connection(ion_sandbox), vault) is True
    assert vault.get(CONNECTION, PROVIDER) is None
    assert not ion_sandbox.sim.tokens.is_valid(stored.access_token)
    assert disconnect(make_connection(ion_sandbox), vault) is False


def test_secrets_never_appear_in_reprs_or_errors(
    ion_sandbox: IonSandbox, make_erp: MakeErp, vault: TokenVault
) -> None:
    """Client objects, stored tokens and error messages never show cs, saak, sask or tokens."""
    transport = ion_session(make_connection(ion_sandbox), vault, retry=FAST_RETRY)
    erp = make_erp(ion_sandbox)
    erp.list_gl_accounts()
    stored = vault.get(CONNECTION, PROVIDER)
    assert stored is not None
    ion_sandbox.sim.faults.add(FaultRule(path="LstAccountID", status=401, count=None))
    with pytest.raises(IonUnauthorized) as err:
        erp.list_gl_accounts()
    creds = transport.tokens.credentials
    shown = [
        repr(erp),
        repr(transport),
        repr(transport.tokens),
        repr(creds),
        str(creds),
        repr(stored),
        str(err.value),
    ]
    secrets = [creds.client_secret, creds.secret_key, creds.access_key, stored.access_token]
    for text in shown:
        for secret in secrets:
            assert secret not in text
    transport.close()


def test_racing_processes_make_one_grant(ion_sandbox: IonSandbox, store_engine: Engine) -> None:
    """Six token clients (as six processes) needing a token at once share one grant through the vault lock."""
    vault = TokenVault(store_engine, SecretCipher([SecretCipher.generate_key()]))
    creds = load_ionapi(ion_sandbox.ionapi_path)
    http = httpx.Client()
    clients = [IonTokens(CONNECTION, creds, vault, http, retry=FAST_RETRY) for _ in range(6)]
    start = threading.Barrier(len(clients))
    tokens: list[str] = []

    def take(client: IonTokens) -> None:
        start.wait()
        tokens.append(client.access_token())

    threads = [threading.Thread(target=take, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    http.close()
    assert len(tokens) == 6 and len(set(tokens)) == 1
    assert ion_sandbox.sim.counters()["authentications"] == 1
