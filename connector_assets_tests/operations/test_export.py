"""`connector audit export`: a date range of one connection's audit log, as CSV or Parquet, read back intact."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert
from typer.testing import CliRunner

from connector_assets import clock
from connector_assets.cli import app
from connector_assets.operations.export import export_audit, read_export
from connector_assets.store.audit import AuditLog
from connector_assets.store.tables import audit_log


def _seed(engine: Engine) -> AuditLog:
    audit = AuditLog(engine)
    audit.append(connection_id="acme", entity_type="payroll", entity_id="p-1", action="held",
                 detail={"reasons": [{"check": "cost_centers_exist", "reason": "cost center CC700 does not exist"}]},
                 run_id="run-1", asset_key="ledger/journal_lines")  # fmt: skip
    audit.append(connection_id="acme", entity_type="payroll", entity_id="p-1", action="posted",
                 detail={"reference": "GP-X-1", "document_id": "2026/A1/1", "debits_cents": 123456},
                 run_id="run-2", asset_key="cloudsuite/journal_postings")  # fmt: skip
    audit.append(connection_id="other", entity_type="payroll", entity_id="p-9", action="posted", detail={})
    with engine.begin() as conn:  # an entry from long ago, outside the exported range
        conn.execute(insert(audit_log).values(
            at=datetime(2020, 1, 1, tzinfo=UTC), connection_id="acme", entity_type="employee", entity_id="e-1",
            action="synced", detail={},
        ))  # fmt: skip
    return audit


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_export_round_trip(sqlite_store: Engine, tmp_path: Path, fmt: str) -> None:
    """What is exported reads back with the same entries, details and amounts; other connections and dates stay out."""
    audit = _seed(sqlite_store)
    today = clock.today()
    out = tmp_path / f"audit.{fmt}"
    count = export_audit(
        audit, "acme", today - timedelta(days=1), today, "csv" if fmt == "csv" else "parquet", out
    )
    frame = read_export(out)
    assert count == frame.height == 2
    expected = [e for e in audit.history("payroll", "p-1")]
    assert frame["id"].to_list() == [e.id for e in expected]
    assert frame["action"].to_list() == ["held", "posted"]
    assert [json.loads(d) for d in frame["detail"]] == [e.detail for e in expected]
    assert json.loads(frame["amounts"][1]) == {"debits": "1,234.56"}
    assert frame["at"].to_list() == [e.at.replace(tzinfo=e.at.tzinfo or UTC) for e in expected]


def test_export_command_writes_file(sqlite_store: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI writes the export and says how many entries; a bad format exits 1 without a file."""
    _seed(sqlite_store)
    connections = tmp_path / "connections.yaml"
    connections.write_text(
        "connections:\n  - id: acme\n    gusto: {company_uuid: c-1}\n"
        "    cloudsuite: {ionapi_file: x.ionapi, erp: m3, company: '100', division: AAA}\n"
        "    mapping_file: mapping.yaml\n"
    )
    monkeypatch.setenv("CONNECTOR_DATABASE_URL", str(sqlite_store.url))
    day = clock.today().isoformat()
    args = [
        "audit",
        "export",
        "--connection",
        "acme",
        "--from",
        day,
        "--to",
        day,
        "--connections",
        str(connections),
    ]
    result = CliRunner().invoke(app, [*args, "--out", str(tmp_path / "a.csv")])
    assert result.exit_code == 0, result.output
    assert "wrote 2 audit entries" in result.stdout
    assert read_export(tmp_path / "a.csv").height == 2
    bad = CliRunner().invoke(app, [*args, "--format", "xlsx", "--out", str(tmp_path / "a.xlsx")])
    assert bad.exit_code == 1 and "csv or parquet" in bad.output
    assert not (tmp_path / "a.xlsx").exists()
