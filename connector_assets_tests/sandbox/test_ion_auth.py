"""OAuth at the simulated ION authorization server: grants, expiry, refresh, revoke, auth cap, `.ionapi`."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest

from connector_assets.sandbox.ion import IonSimulator
from connector_assets_tests.fixtures.ion_sandbox import IonSandbox

ACCOUNTS = "/M3/m3api-rest/v2/execute/CRS630MI/LstAccountID"


def _password_form(sb: IonSandbox, **overrides: str) -> dict[str, str]:
    c = sb.sim.credentials
    form = {"grant_type": "password", "username": c.access_key, "password": c.secret_key,
            "client_id": c.client_id, "client_secret": c.client_secret}  # fmt: skip
    return {**form, **overrides}


def _get(sb: IonSandbox, token: str) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return sb.http.get(f"{sb.url}/{sb.tenant}{ACCOUNTS}", params={"AITP": "1"}, headers=headers)


def test_ionapi_file_has_the_real_keys_and_its_token_url_works(ion_sandbox: IonSandbox) -> None:
    """The written .ionapi file carries Infor's key names and pu+ot is a working token endpoint."""
    cfg = json.loads(ion_sandbox.ionapi_path.read_text())
    assert set(cfg) == {"ti", "cn", "dt", "ci", "cs", "iu", "pu", "oa", "ot", "or", "ev", "v", "saak", "sask"}
    assert cfg["ci"].startswith("ACME_TST~") and cfg["saak"].startswith("ACME_TST#")
    assert cfg["pu"].endswith("/ACME_TST/as/")
    form = {"grant_type": "password", "username": cfg["saak"], "password": cfg["sask"],
            "client_id": cfg["ci"], "client_secret": cfg["cs"]}  # fmt: skip
    response = ion_sandbox.http.post(cfg["pu"] + cfg["ot"], data=form)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 7200 and "refresh_token" not in body
    assert _get(ion_sandbox, body["access_token"]).status_code == 200


def test_basic_client_authentication_is_accepted(ion_sandbox: IonSandbox) -> None:
    """ci:cs in an HTTP Basic header with only grant_type/username/password in the body gets a token."""
    c = ion_sandbox.sim.credentials
    form = {"grant_type": "password", "username": c.access_key, "password": c.secret_key}
    response = ion_sandbox.http.post(ion_sandbox.token_url, data=form, auth=(c.client_id, c.client_secret))
    assert response.status_code == 200
    assert _get(ion_sandbox, response.json()["access_token"]).status_code == 200


def test_wrong_credentials_are_rejected_without_echoing_them(ion_sandbox: IonSandbox) -> None:
    """A wrong service-account secret gets invalid_grant and a wrong client secret invalid_client."""
    bad_grant = ion_sandbox.http.post(
        ion_sandbox.token_url, data=_password_form(ion_sandbox, password="not-the-sask")
    )
    assert bad_grant.status_code == 400 and bad_grant.json()["error"] == "invalid_grant"
    assert "not-the-sask" not in bad_grant.text
    bad_client = ion_sandbox.http.post(
        ion_sandbox.token_url, data=_password_form(ion_sandbox, client_secret="nope")
    )
    assert bad_client.status_code == 401 and bad_client.json()["error"] == "invalid_client"
    assert ion_sandbox.sim.counters()["token_rejected"] == 2


def test_missing_or_expired_token_gets_401_unauthorized(make_ion_sandbox: Callable[..., IonSandbox]) -> None:
    """Without a token, and once the token's lifetime has passed, the gateway answers 401 Unauthorized."""
    sb = make_ion_sandbox(token_ttl_s=60)
    token = sb.token()
    assert _get(sb, token).status_code == 200
    assert _get(sb, "").status_code == 401
    sb.sim.advance_clock(61)
    expired = _get(sb, token)
    assert expired.status_code == 401 and expired.json() == {"error": "Unauthorized"}
    assert sb.sim.counters()["status_401"] == 2


def test_admin_expire_makes_live_tokens_fail(ion_sandbox: IonSandbox) -> None:
    """POST /_sandbox/tokens/expire ends every live token at once."""
    token = ion_sandbox.token()
    expired = ion_sandbox.http.post(f"{ion_sandbox.url}/_sandbox/tokens/expire").json()
    assert expired == {"expired": 1}
    assert _get(ion_sandbox, token).status_code == 401


def test_refresh_grant_is_refused_when_refresh_tokens_are_off(ion_sandbox: IonSandbox) -> None:
    """Without 'Issue Refresh Tokens' no refresh token is issued and the refresh grant is refused."""
    body = ion_sandbox.http.post(ion_sandbox.token_url, data=_password_form(ion_sandbox)).json()
    assert "refresh_token" not in body
    c = ion_sandbox.sim.credentials
    refused = ion_sandbox.http.post(ion_sandbox.token_url, data={"grant_type": "refresh_token", "refresh_token": "x"},
                         auth=(c.client_id, c.client_secret))  # fmt: skip
    assert refused.status_code == 400 and refused.json()["error"] == "unsupported_grant_type"


def test_refresh_tokens_issue_and_rotate_when_enabled(make_ion_sandbox: Callable[..., IonSandbox]) -> None:
    """With refresh tokens on (rotating on every use) the new refresh token works and the old one is dead."""
    sb = make_ion_sandbox(issue_refresh_tokens=True, refresh_rotation_s=0)
    first = sb.http.post(sb.token_url, data=_password_form(sb)).json()
    c = sb.sim.credentials
    auth = (c.client_id, c.client_secret)
    second = sb.http.post(sb.token_url, data={"grant_type": "refresh_token", "refresh_token": first["refresh_token"]},
                        auth=auth).json()  # fmt: skip
    assert second["refresh_token"] != first["refresh_token"]
    assert _get(sb, second["access_token"]).status_code == 200
    stale = sb.http.post(sb.token_url, data={"grant_type": "refresh_token", "refresh_token": first["refresh_token"]},
                       auth=auth)  # fmt: skip
    assert stale.status_code == 400 and stale.json()["error"] == "invalid_grant"
    assert sb.sim.counters()["authentications"] == 1 and sb.sim.counters()["refreshes"] == 1


def test_revoking_a_refresh_token_revokes_its_access_tokens(make_ion_sandbox: Callable[..., IonSandbox]) -> None:
    """Revoking the refresh token ends the grant: its access token gets 401 and the refresh token is refused."""
    sb = make_ion_sandbox(issue_refresh_tokens=True)
    body = sb.http.post(sb.token_url, data=_password_form(sb)).json()
    c = sb.sim.credentials
    revoke_url = f"{sb.url}/{sb.tenant}/as/revoke_token.oauth2"
    form = {"token": body["refresh_token"], "token_type_hint": "refresh_token"}
    assert sb.http.post(revoke_url, data=form, auth=(c.client_id, c.client_secret)).status_code == 200
    assert _get(sb, body["access_token"]).status_code == 401
    again = sb.http.post(sb.token_url, data={"grant_type": "refresh_token", "refresh_token": body["refresh_token"],
                                           "client_id": c.client_id, "client_secret": c.client_secret})  # fmt: skip
    assert again.status_code == 400


def test_revoking_an_access_token_ends_only_that_token(ion_sandbox: IonSandbox) -> None:
    """An access token revoked with token_type_hint=access_token gets 401 while another token still works."""
    revoked, kept = ion_sandbox.token(), ion_sandbox.token()
    c = ion_sandbox.sim.credentials
    form = {"token": revoked, "token_type_hint": "access_token"}
    ion_sandbox.http.post(f"{ion_sandbox.url}/{ion_sandbox.tenant}/as/revoke_token.oauth2", data=form,
               auth=(c.client_id, c.client_secret)).raise_for_status()  # fmt: skip
    assert _get(ion_sandbox, revoked).status_code == 401
    assert _get(ion_sandbox, kept).status_code == 200


def test_service_account_authentications_are_capped_per_minute(
    make_ion_sandbox: Callable[..., IonSandbox],
) -> None:
    """Past the per-minute cap the token endpoint refuses; a minute later it issues tokens again."""
    sb = make_ion_sandbox(auth_cap_per_minute=3)
    statuses = [sb.http.post(sb.token_url, data=_password_form(sb)).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    capped = sb.http.post(sb.token_url, data=_password_form(sb))
    assert capped.json()["error"] == "too_many_requests" and "per minute" in capped.json()["error_description"]
    sb.sim.advance_clock(60)
    assert sb.http.post(sb.token_url, data=_password_form(sb)).status_code == 200
    assert sb.sim.counters()["authentications"] == 4


def test_client_credentials_grant_issues_a_token(ion_sandbox: IonSandbox) -> None:
    """The client-credentials grant (ci/cs only) is accepted as on newer Infor OS."""
    c = ion_sandbox.sim.credentials
    response = ion_sandbox.http.post(ion_sandbox.token_url, data={"grant_type": "client_credentials"},
                          auth=(c.client_id, c.client_secret))  # fmt: skip
    assert response.status_code == 200
    assert _get(ion_sandbox, response.json()["access_token"]).status_code == 200


def test_unknown_tenant_path_is_404(ion_sandbox: IonSandbox) -> None:
    """A path for another tenant is not served by this one."""
    response = ion_sandbox.http.get(
        f"{ion_sandbox.url}/OTHER_TST{ACCOUNTS}", headers={"Authorization": "Bearer x"}
    )
    assert response.status_code == 404


def test_token_lifetime_outside_one_second_to_24_hours_is_refused() -> None:
    """The lifetime setting accepts 1 s..24 h and names the bad value otherwise."""
    with pytest.raises(ValueError, match="token_ttl_s=90000"):
        IonSimulator(token_ttl_s=90000)
    assert IonSimulator(token_ttl_s=24 * 3600).config.token_ttl_s == 86400


def test_secrets_stay_out_of_reprs() -> None:
    """Neither the simulator nor its credentials print the client or service-account secrets."""
    sim = IonSimulator()
    text = repr(sim) + repr(sim.credentials) + repr(sim.tokens)
    assert sim.credentials.client_secret not in text and sim.credentials.secret_key not in text
