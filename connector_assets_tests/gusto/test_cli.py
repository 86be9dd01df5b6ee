"""`connector gusto connect` and `whoami` end to end: connections file, environment, store, sandbox."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from connector_assets.gusto import cli
from connector_assets.store.crypto import SecretCipher
from connector_assets_tests.fixtures.gusto_sandbox import GustoSandbox
from connector_assets_tests.gusto.conftest import follow_redirects


@pytest.fixture
def configured(sandbox: GustoSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A connections file for the sandbox, app credentials in the environment, a fresh SQLite store."""
    connections = tmp_path / "connections.yaml"
    connections.write_text(f"""
connections:
  - id: acme
    gusto:
      company_uuid: {sandbox.company_uuid}
      api_base_url: {sandbox.url}
      redirect_uri: {sandbox.redirect_uri}
      client_id_env: ACME_GUSTO_ID
      client_secret_env: ACME_GUSTO_SECRET
    cloudsuite: {{ionapi_file: tenant.ionapi, erp: m3, company: "100", division: AAA}}
    mapping_file: mapping.yaml
""")
    monkeypatch.setenv("ACME_GUSTO_ID", sandbox.client_id)
    monkeypatch.setenv("ACME_GUSTO_SECRET", sandbox.client_secret)
    monkeypatch.setenv("CONNECTOR_DATABASE_URL", f"sqlite:///{tmp_path / 'connector.db'}")
    monkeypatch.setenv("CONNECTOR_ENCRYPTION_KEY", SecretCipher.generate_key())
    # There is no browser here: "opening" the URL follows the sandbox's auto-approved consent redirect.
    monkeypatch.setattr(cli.webbrowser, "open", follow_redirects)
    return connections


def test_cli_connect_then_whoami(configured: Path, sandbox: GustoSandbox) -> None:
    """The connect command stores the grant; whoami reads the company with it; no secret is printed."""
    runner = CliRunner()
    result = runner.invoke(cli.app, ["connect", "acme", "--connections", str(configured), "--timeout", "10"])
    assert result.exit_code == 0, result.output
    assert f"connected 'acme' to Gusto company {sandbox.company_uuid}" in result.output
    assert sandbox.client_secret not in result.output
    result = runner.invoke(cli.app, ["whoami", "acme", "--connections", str(configured)])
    assert result.exit_code == 0, result.output
    assert f"Company {sandbox.company_uuid}" in result.output


def test_cli_whoami_without_a_grant_says_how_to_connect(configured: Path) -> None:
    """Before connecting, whoami fails with exit code 1 and names the connect command."""
    result = CliRunner().invoke(cli.app, ["whoami", "acme", "--connections", str(configured)])
    assert result.exit_code == 1 and "connector gusto connect acme" in result.output
