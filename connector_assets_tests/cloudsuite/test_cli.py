"""`connector cloudsuite check|disconnect` against the sandbox."""

from __future__ import annotations

from collections.abc import Callable
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
    assert "41 accounts (1 blocked)" in result.output and "5 cost centers" in result.output
    assert "passed CtrlBatch" in result.output
    [batch] = ion_sandbox.sim.batches()
    assert batch.status == "checked" and ion_sandbox.sim.vouchers() == []
    result = runner.invoke(app, ["disconnect", "acme", "--connections", str(env)])
    assert result.exit_code == 0 and "token revoked and deleted" in result.output
    assert ion_sandbox.sim.counters()["revocations"] == 1
    result = runner.invoke(app, ["disconnect", "acme", "--connections", str(env)])
    assert "no token was stored" in result.output


def test_unknown_connection_is_a_usage_error(env: Path) -> None:
    """An unknown id names the known ones."""
    result = CliRunner().invoke(app, ["check", "nope", "--connections", str(env)])
    assert result.exit_code == 2 and "acme" in result.output


def _connections(tmp_path: Path, sandbox: IonSandbox, erp: str, **extra: object) -> Path:
    cs: dict[str, object] = {"ionapi_file": str(sandbox.ionapi_path), "erp": erp, **extra}
    if erp == "m3":
        cs |= {"company": "100", "division": "AAA"}
    else:
        cs |= {"site": "MAIN", "mongoose_config": sandbox.sim.config.mongoose_config}
    conn = {"id": "acme", "gusto": {"company_uuid": "c1"}, "cloudsuite": cs, "mapping_file": "m.yaml"}
    path = tmp_path / f"connections-{erp}.yaml"
    path.write_text(yaml.safe_dump({"connections": [conn]}))
    return path


def test_check_names_the_template_setting_when_the_dry_batch_fails(
    env: Path, make_ion_sandbox: Callable[..., IonSandbox], tmp_path: Path
) -> None:
    """An interface GLS850 does not know fails the dry batch: exit 1, naming cloudsuite.m3.interface_name."""
    sandbox = make_ion_sandbox(interface_names=frozenset({"PAYROLL"}))
    path = _connections(tmp_path, sandbox, "m3", m3={"interface_name": "GUSTO"})
    result = CliRunner().invoke(app, ["check", "acme", "--connections", str(path)])
    assert result.exit_code == 1, result.output
    assert "FAIL" in result.output and "cloudsuite.m3.interface_name" in result.output


def test_check_prints_the_sites_property_names(env: Path, ion_sandbox: IonSandbox, tmp_path: Path) -> None:
    """SyteLine: every IDO's discovered names, master data and the journal sequence; exit 0."""
    result = CliRunner().invoke(
        app, ["check", "acme", "--connections", str(_connections(tmp_path, ion_sandbox, "syteline"))]
    )
    assert result.exit_code == 0, result.output
    assert "SLCharts: account=Acct" in result.output and "SLLedgers:" in result.output
    assert "GetNextJournalSeqSp" in result.output and "5 cost centers" in result.output


def test_check_fails_on_a_property_the_site_lacks(env: Path, ion_sandbox: IonSandbox, tmp_path: Path) -> None:
    """A named property missing from the IDO: exit 1 with the IDO's real properties and the setting."""
    path = _connections(tmp_path, ion_sandbox, "syteline", syteline={"journal": {"reference": "Reference"}})
    result = CliRunner().invoke(app, ["check", "acme", "--connections", str(path)])
    assert result.exit_code == 1, result.output
    assert "cloudsuite.syteline.journal" in result.output and "ControlNumber" in result.output


def test_check_shows_where_cost_centers_are(env: Path, ion_sandbox: IonSandbox, tmp_path: Path) -> None:
    """Cost centers asked for on an empty dimension: exit 1, and the dimensions holding values are listed."""
    path = _connections(tmp_path, ion_sandbox, "m3", cost_center_dimension=3)
    result = CliRunner().invoke(app, ["check", "acme", "--connections", str(path)])
    assert result.exit_code == 1, result.output
    assert "no cost centers in accounting dimension 3" in result.output and "2 (5 values)" in result.output
