"""The connections file: valid files load, bad files fail with the file, the connection and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from connector_assets.settings import ConnectionsFileError, load_connections

GOOD = """
connections:
  - id: acme
    gusto:
      company_uuid: c0ffee00-0000-4000-8000-000000000001
      start_date: 2025-01-01
    cloudsuite:
      ionapi_file: tenants/acme.ionapi
      erp: m3
      company: "100"
      division: AAA
    mapping_file: mappings/acme.yaml
  - id: beta
    gusto: {company_uuid: c0ffee00-0000-4000-8000-000000000002}
    cloudsuite: {ionapi_file: b.ionapi, erp: syteline, site: S1, mongoose_config: CSI_TST}
    mapping_file: b.yaml
    posting: {date_basis: period_end, detail: per_employee, require_approval: true}
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "connections.yaml"
    path.write_text(text)
    return path


def test_valid_file_loads_with_paths_relative_to_it(tmp_path: Path) -> None:
    """Relative paths are taken from the file's folder; defaults fill the rest."""
    conns = load_connections(_write(tmp_path, GOOD))
    acme = conns.get("acme")
    assert acme.cloudsuite.ionapi_file == tmp_path.resolve() / "tenants/acme.ionapi"
    assert acme.cloudsuite.cost_center_dimension == 2
    assert acme.posting.date_basis == "check_date"
    assert conns.get("beta").posting.require_approval is True


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("erp: m3", "erp: sap"),
            "connections.yaml: connection 'acme': cloudsuite.erp must be one of m3, syteline, fsm",
        ),
        (("      division: AAA\n", ""), "connections.yaml: connection 'acme': cloudsuite erp m3 needs company"),
        (("  - id: acme", "  - id: Acme Corp"), "connection 'Acme Corp': id String should match pattern"),
        (("    mapping_file: mappings/acme.yaml\n", ""), "connection 'acme': mapping_file is required"),
        (("      start_date: 2025-01-01", "      start_date: yesterday"), "connection 'acme': gusto.start_date"),
        (
            ("      start_date: 2025-01-01", "      client_secret: hunter2"),
            "gusto.client_secret is not a known key",
        ),
        (("  - id: beta", "  - id: acme"), "connection id(s) acme appear more than once"),
    ],
)
def test_bad_files_name_the_connection_and_key(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    """Each mistake is reported with the file, the connection and the key."""
    with pytest.raises(ConnectionsFileError) as info:
        load_connections(_write(tmp_path, GOOD.replace(*change)))
    assert message in str(info.value)


def test_secret_values_are_not_echoed(tmp_path: Path) -> None:
    """A secret pasted into the file is refused without repeating it."""
    bad = GOOD.replace("      start_date: 2025-01-01", "      client_secret: hunter2")
    with pytest.raises(ConnectionsFileError) as info:
        load_connections(_write(tmp_path, bad))
    assert "hunter2" not in str(info.value)


@pytest.mark.parametrize("text", ["connections: [", "just a string", "connections: []", ""])
def test_unreadable_files_are_clear_errors(tmp_path: Path, text: str) -> None:
    """Broken YAML, a non-mapping or an empty list name the file."""
    with pytest.raises(ConnectionsFileError, match=r"connections\.yaml"):
        load_connections(_write(tmp_path, text))


def test_missing_file_says_how_to_point_at_one(tmp_path: Path) -> None:
    """A missing file names the environment variable that selects it."""
    with pytest.raises(ConnectionsFileError, match="CONNECTOR_CONNECTIONS"):
        load_connections(tmp_path / "nope.yaml")


def test_an_unchanged_file_is_parsed_once_and_a_changed_one_again(tmp_path: Path) -> None:
    """Each resource of a run loads the file: the same text gives the same parsed file, an edit is seen at once."""
    path = _write(tmp_path, GOOD)
    first = load_connections(path)
    assert load_connections(path) is first
    path.write_text(GOOD.replace("division: AAA", "division: BBB"))
    edited = load_connections(path)
    assert edited.get("acme").cloudsuite.division == "BBB"
    path.write_text(GOOD.replace("erp: m3", "erp: sap"))
    with pytest.raises(ConnectionsFileError, match="must be one of"):
        load_connections(path)
