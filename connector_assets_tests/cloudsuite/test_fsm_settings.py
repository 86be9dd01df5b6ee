"""`cloudsuite.fsm` settings: validated with messages naming the file, connection and key; `check` discovers them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from connector_assets.cloudsuite.cli import app
from connector_assets.settings import ConnectionsFileError, load_connections
from connector_assets.store.crypto import SecretCipher
from connector_assets_tests.fixtures.ion_sandbox import IonSandbox


def _write(tmp_path: Path, ionapi: Path, fsm: dict[str, Any]) -> Path:
    path = tmp_path / "connections.yaml"
    cs = {"ionapi_file": str(ionapi), "erp": "fsm", "fsm": fsm}
    conn = {"id": "books", "gusto": {"company_uuid": "c1"}, "cloudsuite": cs, "mapping_file": "m.yaml"}
    path.write_text(yaml.safe_dump({"connections": [conn]}))
    return path


def test_fsm_needs_an_enterprise_group_and_an_entity(tmp_path: Path) -> None:
    """Without them the error names the file, the connection and the keys, and how to find the values."""
    path = _write(tmp_path, tmp_path / "t.ionapi", {"finance_enterprise_group": "ACME"})
    with pytest.raises(ConnectionsFileError) as caught:
        load_connections(path)
    message = str(caught.value)
    assert "connections.yaml: connection 'books'" in message
    assert "fsm.accounting_entity" in message and "connector cloudsuite check" in message


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("cost_center_dimension", "FinanceDimension11", "cloudsuite.fsm.cost_center_dimension"),
        ("page_size", 0, "cloudsuite.fsm.page_size"),
        ("colour", "blue", "cloudsuite.fsm.colour is not a known key"),
    ],
)
def test_bad_fsm_keys_are_named(tmp_path: Path, key: str, value: object, expected: str) -> None:
    """A wrong dimension, page size or an unknown key is reported under its full key."""
    fsm = {"finance_enterprise_group": "ACME", "accounting_entity": "1000", key: value}
    with pytest.raises(ConnectionsFileError, match=expected):
        load_connections(_write(tmp_path, tmp_path / "t.ionapi", fsm))


def test_defaults_follow_the_reference(tmp_path: Path) -> None:
    """Accounting unit, the documented context path, pages of 100, PrmEditAndInterface on."""
    path = _write(
        tmp_path, tmp_path / "t.ionapi", {"finance_enterprise_group": "ACME", "accounting_entity": "1000"}
    )
    fsm = load_connections(path).get("books").cloudsuite.fsm
    assert (fsm.cost_center_dimension, fsm.context_path, fsm.page_size, fsm.edit_and_interface) == (
        "AccountingUnit", "FSM/fsm/soap", 100, True,
    )  # fmt: skip


@pytest.fixture
def store_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONNECTOR_DATABASE_URL", f"sqlite:///{tmp_path / 'store.db'}")
    monkeypatch.setenv("CONNECTOR_ENCRYPTION_KEY", SecretCipher.generate_key())


@pytest.mark.usefixtures("store_env")
def test_check_discovers_the_tenant(ion_sandbox: IonSandbox, tmp_path: Path) -> None:
    """`check` prints groups, entities, chart, cost-center fields and readable classes."""
    ion_sandbox.sim.fsm.seed_dimension("FinanceDimension2", [{"code": "P1"}, {"code": "P2"}])
    path = _write(
        tmp_path, ion_sandbox.ionapi_path, {"finance_enterprise_group": "ACME", "accounting_entity": "1000"}
    )
    result = CliRunner().invoke(app, ["check", "books", "--connections", str(path)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "ACME (tenant has: ACME)" in out and "Acme Professional Services US" in out
    assert "41 accounts in GeneralLedgerChartAccount (1 inactive)" in out
    assert "AccountingUnit: 5 values; fields: AccountingUnit, Active, Description, FinanceEnterpriseGroup" in out
    assert "FinanceDimension2 (2)" in out and "GeneralLedgerTransaction readable" in out


@pytest.mark.usefixtures("store_env")
def test_check_names_the_keys_to_fix(ion_sandbox: IonSandbox, tmp_path: Path) -> None:
    """A wrong entity and an unreadable journal class fail the check with the keys to change."""
    fsm = {"finance_enterprise_group": "ACME", "accounting_entity": "9999", "journal_class": "GLJournalLine"}
    result = CliRunner().invoke(
        app, ["check", "books", "--connections", str(_write(tmp_path, ion_sandbox.ionapi_path, fsm))]
    )
    assert result.exit_code == 1
    assert "set cloudsuite.fsm.accounting_entity to one of: 1000" in result.output
    assert "check cloudsuite.fsm.journal_class" in result.output
