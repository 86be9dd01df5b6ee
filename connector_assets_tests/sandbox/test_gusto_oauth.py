"""OAuth 2.0 of the Gusto simulator: codes, rotating refresh tokens (strict, or the grace rule), expiry,
revocation, and a refresh answer lost after the rotation."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from connector_assets.sandbox.faults import FaultRule
from connector_assets_tests.fixtures.gusto_sandbox import GustoSandbox, SandboxFactory


def _token(sb: GustoSandbox, **body: Any) -> httpx.Response:
    return sb.http.post(
        "/oauth/token", json={"client_id": sb.client_id, "client_secret": sb.client_secret, **body}
    )


def _exchange(sb: GustoSandbox, code: str) -> httpx.Response:
    return _token(sb, code=code, grant_type="authorization_code", redirect_uri=sb.redirect_uri)


def _refresh(sb: GustoSandbox, refresh_token: str) -> httpx.Response:
    return _token(sb, grant_type="refresh_token", refresh_token=refresh_token)


def _company(sb: GustoSandbox, access_token: str) -> int:
    headers = {"Authorization": f"Bearer {access_token}"}
    return sb.http.get(f"/v1/companies/{sb.company_uuid}", headers=headers).status_code


def test_authorize_redirects_with_code_and_state(gusto_sandbox: GustoSandbox) -> None:
    """Consent is automatic: 302 to the registered redirect_uri carrying code and the echoed state."""
    sb = gusto_sandbox
    params = {"client_id": sb.client_id, "redirect_uri": sb.redirect_uri, "response_type": "code", "state": "abc"}
    response = sb.http.get("/oauth/authorize", params=params)
    assert response.status_code == 302
    location = urlsplit(response.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == sb.redirect_uri
    query = parse_qs(location.query)
    assert query["state"] == ["abc"] and len(query["code"][0]) > 20


def test_authorize_rejects_unregistered_redirect(gusto_sandbox: GustoSandbox) -> None:
    """A redirect_uri other than the registered one is refused without redirecting."""
    sb = gusto_sandbox
    params = {"client_id": sb.client_id, "redirect_uri": "http://evil.example/cb", "response_type": "code"}
    response = sb.http.get("/oauth/authorize", params=params)
    assert response.status_code == 400 and "location" not in response.headers


def test_code_is_single_use(gusto_sandbox: GustoSandbox) -> None:
    """The second exchange of the same code gets 400 invalid_grant."""
    sb = gusto_sandbox
    code = sb.authorize_code()
    first = _exchange(sb, code)
    assert first.status_code == 200 and first.json()["expires_in"] == 7200
    second = _exchange(sb, code)
    assert second.status_code == 400 and second.json()["error"] == "invalid_grant"


def test_code_expires_after_ten_minutes(gusto_sandbox: GustoSandbox) -> None:
    """A code older than 10 minutes is invalid_grant."""
    sb = gusto_sandbox
    code = sb.authorize_code()
    sb.sim.clock.advance(601)
    response = _exchange(sb, code)
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"


def test_bad_client_credentials_are_invalid_client(gusto_sandbox: GustoSandbox) -> None:
    """A wrong client secret gets 401 invalid_client and the body does not echo the secret."""
    sb = gusto_sandbox
    response = sb.http.post(
        "/oauth/token",
        json={"client_id": sb.client_id, "client_secret": "nope-secret", "grant_type": "system_access"},
    )
    assert response.status_code == 401 and response.json()["error"] == "invalid_client"
    assert "nope-secret" not in response.text


def test_client_secret_in_url_is_rejected(gusto_sandbox: GustoSandbox) -> None:
    """Putting client_secret in the query string is a 400, as Gusto documents."""
    sb = gusto_sandbox
    response = sb.http.post(
        "/oauth/token",
        params={"client_secret": sb.client_secret},
        json={"client_id": sb.client_id, "grant_type": "system_access"},
    )
    assert response.status_code == 400


def test_grace_rotation_keeps_old_token_until_first_use_of_new(make_gusto_sandbox: SandboxFactory) -> None:
    """refresh_rotation="grace": the spent refresh token works until the new access token is used."""
    sb = make_gusto_sandbox(refresh_rotation="grace")
    first = sb.company_token()
    rotated = _refresh(sb, first["refresh_token"])
    assert rotated.status_code == 200
    new = rotated.json()
    assert new["refresh_token"] != first["refresh_token"] and new["access_token"] != first["access_token"]
    again = _refresh(sb, first["refresh_token"])  # grace: the new access token has not been used yet
    assert again.status_code == 200
    assert _company(sb, new["access_token"]) == 200
    dead = _refresh(sb, first["refresh_token"])
    assert dead.status_code == 400 and dead.json()["error"] == "invalid_grant"
    assert _refresh(sb, new["refresh_token"]).status_code == 200
    assert sb.sim.oauth.replayed_refreshes == 2


def test_strict_rotation_is_the_default_and_reuse_revokes_the_grant(gusto_sandbox: GustoSandbox) -> None:
    """Strict: a spent refresh token is dead at once, and presenting it again ends the whole grant."""
    sb = gusto_sandbox
    first = sb.company_token()
    new = _refresh(sb, first["refresh_token"]).json()
    assert _company(sb, new["access_token"]) == 200
    replay = _refresh(sb, first["refresh_token"])
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"
    assert _company(sb, new["access_token"]) == 401  # the grant was revoked with it
    assert _refresh(sb, new["refresh_token"]).status_code == 400
    assert sb.sim.oauth.replayed_refreshes == 1


def test_lost_answer_rotates_then_fails(gusto_sandbox: GustoSandbox) -> None:
    """An `after` fault lets Gusto rotate, then the client gets a 502: the token it sent is already spent."""
    sb = gusto_sandbox
    first = sb.company_token()
    sb.sim.faults.add(FaultRule(path="^/oauth/token$", method="POST", status=502, after=True))
    lost = _refresh(sb, first["refresh_token"])
    assert lost.status_code == 502
    assert sb.sim.oauth.refreshes == 1  # Gusto acted
    assert _refresh(sb, first["refresh_token"]).status_code == 400  # strict: the retry kills the grant
    assert sb.sim.oauth.replayed_refreshes == 1


def test_lost_answer_in_grace_mode_can_be_recovered(make_gusto_sandbox: SandboxFactory) -> None:
    """Under the grace rule the new pair was never used, so a refresh with the stored token still works."""
    sb = make_gusto_sandbox(refresh_rotation="grace")
    first = sb.company_token()
    sb.sim.faults.add(FaultRule(path="^/oauth/token$", method="POST", status=503, after=True))
    assert _refresh(sb, first["refresh_token"]).status_code == 503
    recovered = _refresh(sb, first["refresh_token"])
    assert recovered.status_code == 200
    assert _company(sb, recovered.json()["access_token"]) == 200


def test_expired_access_token_is_401_and_refresh_recovers(gusto_sandbox: GustoSandbox) -> None:
    """After expires_in seconds the access token is refused; the refresh token still yields a working one."""
    sb = gusto_sandbox
    token = sb.company_token()
    assert _company(sb, token["access_token"]) == 200
    sb.sim.clock.advance(7201)
    assert _company(sb, token["access_token"]) == 401
    fresh = _refresh(sb, token["refresh_token"]).json()
    assert _company(sb, fresh["access_token"]) == 200


def test_short_ttl_is_configurable(make_gusto_sandbox: SandboxFactory) -> None:
    """token_ttl_s sets expires_in and the actual lifetime."""
    sb = make_gusto_sandbox(token_ttl_s=5)
    token = sb.company_token()
    assert token["expires_in"] == 5
    sb.sim.clock.advance(6)
    assert _company(sb, token["access_token"]) == 401


def test_revoke_ends_access_and_refresh(gusto_sandbox: GustoSandbox) -> None:
    """POST /oauth/revoke makes both tokens of the grant unusable."""
    sb = gusto_sandbox
    token = sb.company_token()
    response = sb.http.post(
        "/oauth/revoke",
        json={"client_id": sb.client_id, "client_secret": sb.client_secret, "token": token["access_token"]},
    )
    assert response.status_code == 200
    assert _company(sb, token["access_token"]) == 401
    assert _refresh(sb, token["refresh_token"]).json()["error"] == "invalid_grant"


def test_admin_expire_and_revoke(gusto_sandbox: GustoSandbox) -> None:
    """Admin expiry makes tokens 401 but keeps refresh working; admin revoke kills the grant."""
    sb = gusto_sandbox
    token = sb.company_token()
    assert sb.http.post("/_sandbox/tokens/expire", json={}).json() == {"expired": 1}
    assert _company(sb, token["access_token"]) == 401
    fresh = _refresh(sb, token["refresh_token"]).json()
    assert _company(sb, fresh["access_token"]) == 200
    assert sb.sim.revoke_tokens() == 1
    assert _company(sb, fresh["access_token"]) == 401
    assert _refresh(sb, fresh["refresh_token"]).status_code == 400


def test_old_access_token_after_refresh_is_configurable(make_gusto_sandbox: SandboxFactory) -> None:
    """With old_access_token_valid_after_refresh=False the previous access token dies on refresh."""
    sb = make_gusto_sandbox(old_access_token_valid_after_refresh=False)
    token = sb.company_token()
    _refresh(sb, token["refresh_token"])
    assert _company(sb, token["access_token"]) == 401
    keep = make_gusto_sandbox()
    token = keep.company_token()
    _refresh(keep, token["refresh_token"])
    assert _company(keep, token["access_token"]) == 200


def test_token_kinds_and_token_info(gusto_sandbox: GustoSandbox) -> None:
    """token_info names the company; system tokens cannot read company data and vice versa for events."""
    sb = gusto_sandbox
    company, system = sb.company_token(), sb.system_token()
    info = sb.http.get("/v1/token_info", headers={"Authorization": f"Bearer {company['access_token']}"})
    assert info.json()["resource"] == {"type": "Company", "uuid": sb.company_uuid}
    assert _company(sb, system["access_token"]) == 401
    events = sb.http.get("/v1/events", headers={"Authorization": f"Bearer {company['access_token']}"})
    assert events.status_code == 401
    assert sb.http.get(f"/v1/companies/{sb.company_uuid}").status_code == 401


def test_token_for_another_company_is_403(gusto_sandbox: GustoSandbox) -> None:
    """One company per token: another company's id is forbidden."""
    sb = gusto_sandbox
    with sb.client() as client:
        response = client.get("/v1/companies/00000000-0000-4000-8000-000000000000/employees")
    assert response.status_code == 403
    assert response.json()["errors"][0]["category"] == "missing_permissions"


def test_form_encoded_token_requests_are_configurable(make_gusto_sandbox: SandboxFactory) -> None:
    """Form bodies work by default (UNVERIFIED in Gusto) and are refused when switched off."""
    data = {"grant_type": "system_access"}
    sb = make_gusto_sandbox()
    ok = sb.http.post("/oauth/token", data={**data, "client_id": sb.client_id, "client_secret": sb.client_secret})
    assert ok.status_code == 200
    strict = make_gusto_sandbox(accept_form_token_requests=False)
    refused = strict.http.post(
        "/oauth/token", data={**data, "client_id": strict.client_id, "client_secret": strict.client_secret}
    )
    assert refused.status_code == 400
