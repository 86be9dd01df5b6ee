"""`connector cloudsuite check|disconnect` against the sandbox."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from connector_assets.cloudsuite.cli import app
from connector_assets.store.crypto import SecretCipher
from connector_assets_tests.fixtures.ion_sandbox import IonSandbox


@pytest.fixture
def env(ion_sandbox: IonSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A connections file with one M3 connection to the sandbox, and a store in tmp_path."""
    path = tmp_path / "connections.yaml"
    cs = {"ionapi_file": str(ion_sandbox.ionapi_path), "erp": "m3", "company": "100", "division": "AAA"}
    conn = {"id": "acme", "gusto": {"company_uuid": "c1"}, "cloudsuite": cs, "mapping_file": "m.yaml"}
    path.write_text(yaml.safe_dump({"connections": [conn]}))
    monkeypatch.setenv("CONNECTOR_DATABASE_URL", f"sqlite:///{tmp_path / 'store.db'}")
    monkeypatch.setenv("CONNECTOR_ENCRYPTION_KEY", SecretCipher.generate_key())
    return path


def test_check_then_disconnect(env: Path, ion_sandbox: IonSandbox) -> None:
    """check counts master data; disconnect revokes; a second disconnect finds nothing."""
    runner = CliRunner()
    result = runner.invoke(app, ["check", "acme", "--connections", str(env)])
    assert result.exit_code == 0, result.output
    assert "41 accounts (1 blocked), 5 cost centers" in result.output
    result = runner.invoke(app, ["disconnect", "acme", "--connections", str(env)])
    assert result.exit_code == 0 and "token revoked and deleted" in result.output
    assert ion_sandbox.sim.counters()["revocations"] == 1
    result = runner.invoke(app, ["disconnect", "acme", "--connections", str(env)])
    assert "no token was stored" in result.output


def test_unknown_connection_is_a_usage_error(env: Path) -> None:
    """An unknown id names the known ones."""
    result = CliRunner().invoke(app, ["check", "nope", "--connections", str(env)])
    assert result.exit_code == 2 and "acme" in result.output
