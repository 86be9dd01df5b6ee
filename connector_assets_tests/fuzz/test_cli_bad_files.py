"""The operator's commands on bad files print one clear line on stderr and exit non-zero, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from connector_assets.store.crypto import SecretCipher

CONNECTOR = Path(sys.executable).parent / "connector"
CONNECTIONS = """connections:
  - id: acme
    gusto: {{company_uuid: c0ffee}}
    cloudsuite: {{ionapi_file: {ionapi}, erp: m3, company: "100", division: AAA}}
    mapping_file: {mapping}
"""
# Each command start costs seconds (imports), so a few representative files; the parsers are fuzzed in-process.
BAD_IONAPI = {
    "binary": (b"\xff\xfe\x00\x01", "not UTF-8"),
    "wrong type": (b'{"ti": 1}', "field 'ti'"),
}
BAD_CONNECTIONS = {
    "YAML syntax": (b"connections: [\n", "not valid YAML"),
    "wrong erp": (
        CONNECTIONS.format(ionapi="a.ionapi", mapping="m.yaml").replace("erp: m3", "erp: sap").encode(),
        "erp must be one of",
    ),
}


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CONNECTOR_DATABASE_URL": f"sqlite:///{tmp_path / 'store.db'}",
           "CONNECTOR_ENCRYPTION_KEY": SecretCipher.generate_key(), "COLUMNS": "200"}  # fmt: skip
    return subprocess.run(
        [str(CONNECTOR), *args], capture_output=True, text=True, env=env, timeout=60, check=False
    )


def assert_one_clear_line(done: subprocess.CompletedProcess[str], expected: str) -> None:
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode != 0
    assert "Traceback" not in done.stderr + done.stdout
    assert len(lines) == 1, done.stderr
    assert expected in lines[0], lines[0]


@pytest.mark.parametrize("case", sorted(BAD_IONAPI))
def test_cloudsuite_check_on_a_bad_ionapi_file(tmp_path: Path, case: str) -> None:
    """`connector cloudsuite check` names the .ionapi file and its problem in one line."""
    raw, expected = BAD_IONAPI[case]
    (tmp_path / "acme.ionapi").write_bytes(raw)
    connections = tmp_path / "connections.yaml"
    connections.write_text(CONNECTIONS.format(ionapi="acme.ionapi", mapping="mapping.yaml"))
    done = run(tmp_path, "cloudsuite", "check", "acme", "--connections", str(connections))
    assert_one_clear_line(done, expected)
    assert "acme.ionapi" in done.stderr


@pytest.mark.parametrize("case", sorted(BAD_CONNECTIONS))
def test_cloudsuite_check_on_a_bad_connections_file(tmp_path: Path, case: str) -> None:
    """A broken connections.yaml is named with its problem in one line (exit 2, no usage box)."""
    raw, expected = BAD_CONNECTIONS[case]
    connections = tmp_path / "connections.yaml"
    connections.write_bytes(raw)
    done = run(tmp_path, "cloudsuite", "check", "acme", "--connections", str(connections))
    assert_one_clear_line(done, expected)
    assert done.returncode == 2 and "connections.yaml" in done.stderr


def test_mapping_check_on_a_bad_mapping_file(tmp_path: Path) -> None:
    """`connector mapping check` names the mapping file and the key path in one line."""
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("defaults: {regular: {account: 6010}}\ncredits: {}\n")
    connections = tmp_path / "connections.yaml"
    connections.write_text(CONNECTIONS.format(ionapi="acme.ionapi", mapping="mapping.yaml"))
    done = run(tmp_path, "mapping", "check", "acme", "--connections", str(connections))
    assert "Traceback" not in done.stderr and done.returncode != 0
    assert "mapping.yaml" in done.stderr and "credits.net_pay_direct_deposit" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
