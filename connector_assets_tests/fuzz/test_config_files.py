"""Hostile `.ionapi`, `connections.yaml` and mapping files get one typed error naming the file, never a traceback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connector_assets.cloudsuite.errors import IonApiFileError
from connector_assets.cloudsuite.ionapi import load_ionapi, parse_ionapi
from connector_assets.mapping.errors import MappingError
from connector_assets.mapping.rules import load_mapping_file, parse_mapping
from connector_assets.settings import ConnectionsFileError, load_connections
from connector_assets_tests.fuzz.strategies import JSON, replaced

FAST = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
IONAPI = {"ti": "ACME_TST", "ci": "ACME_TST~app", "cs": "client-secret-xyz", "iu": "https://ion.example/",
          "pu": "https://sso.example/ACME_TST/as/", "ot": "token.oauth2", "or": "revoke_token.oauth2",
          "saak": "ACME_TST#key", "sask": "service-secret-xyz", "cn": "connector"}  # fmt: skip
CONNECTIONS = {"connections": [{"id": "acme", "gusto": {"company_uuid": "c0ffee"}, "mapping_file": "mapping.yaml",
               "cloudsuite": {"ionapi_file": "acme.ionapi", "erp": "m3", "company": "100", "division": "AAA"}}]}  # fmt: skip
CONNECTION_PATHS = [
    ("connections",), ("connections", 0), ("connections", 0, "id"), ("connections", 0, "gusto"),
    ("connections", 0, "gusto", "company_uuid"), ("connections", 0, "gusto", "start_date"),
    ("connections", 0, "gusto", "api_version"), ("connections", 0, "cloudsuite"),
    ("connections", 0, "cloudsuite", "erp"), ("connections", 0, "cloudsuite", "cost_center_dimension"),
    ("connections", 0, "cloudsuite", "currency"), ("connections", 0, "mapping_file"), ("connections", 0, "posting"),
    ("connections", 0, "unknown_key"), ("unknown_top",),
]  # fmt: skip
MAPPING = {
    "defaults": {"regular": {"account": "6010", "cost_center": "100"}, "employer_tax": {"account": "6100"}},
    "credits": {"net_pay_direct_deposit": "1090", "net_pay_check": "2010", "taxes": "1090", "benefits": "2300",
                "deductions": "2400", "reimbursement_clearing": "1090"},
    "jobs": {"Technician": [{"cost_center": "200", "min_rate": "10", "max_rate": "30"}]},
    "departments": {"Sales": {"cost_center": "300"}},
    "splits": [{"job": "Technician", "cost_centers": {"300": 60, "400": 40}}],
    "earning_names": {"Shift Premium": "regular"},
}  # fmt: skip
MAPPING_PATHS = [
    ("defaults",), ("defaults", "regular"), ("defaults", "regular", "account"), ("credits",), ("credits", "taxes"),
    ("jobs",), ("jobs", "Technician"), ("jobs", "Technician", 0, "min_rate"), ("jobs", "Technician", 0, "max_rate"),
    ("departments", "Sales"), ("departments", "Sales", "cost_center"), ("splits",), ("splits", 0),
    ("splits", 0, "cost_centers"), ("splits", 0, "cost_centers", "300"), ("earning_names", "Shift Premium"),
    ("cost_center_field",), ("employees",), ("locations",),
]  # fmt: skip
FILE_BYTES = st.binary(max_size=200) | st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass"))


def _one_clear_line(message: str, *names: str) -> None:
    assert message.strip(), "the error has no message"
    assert any(name in message for name in names), f"{message!r} names none of {names}"


@FAST
@given(document=st.dictionaries(st.sampled_from(sorted(IONAPI)), JSON, max_size=10) | JSON, merge=st.booleans())
def test_ionapi_documents_fail_with_a_typed_error(document: Any, merge: bool) -> None:
    """Any JSON document as `.ionapi` parses or raises IonApiFileError naming the file, never a secret."""
    if merge and isinstance(document, dict):
        document = {**IONAPI, **document}
    try:
        parse_ionapi(document, "acme.ionapi")
    except IonApiFileError as exc:
        _one_clear_line(str(exc), "acme.ionapi")
        if isinstance(document, dict):
            for key in ("cs", "sask"):
                value = document.get(key)
                if isinstance(value, str) and len(value) > 3:
                    assert value not in str(exc), f"secret {key} leaked into the error"


@FAST
@given(raw=FILE_BYTES)
def test_ionapi_files_of_any_bytes_fail_with_a_typed_error(tmp_path: Path, raw: bytes) -> None:
    """Arbitrary bytes as a `.ionapi` file raise IonApiFileError naming the path."""
    path = tmp_path / "acme.ionapi"
    path.write_bytes(raw)
    try:
        load_ionapi(path)
    except IonApiFileError as exc:
        _one_clear_line(str(exc), str(path))


@FAST
@given(where=st.sampled_from(CONNECTION_PATHS), value=JSON)
def test_connections_with_a_bad_field_fail_with_a_typed_error(
    tmp_path: Path, where: tuple[Any, ...], value: Any
) -> None:
    """connections.yaml with one field replaced by any value loads or raises ConnectionsFileError naming the file."""
    path = tmp_path / "connections.yaml"
    path.write_text(yaml.safe_dump(replaced(CONNECTIONS, where, value)))
    try:
        load_connections(path)
    except ConnectionsFileError as exc:
        _one_clear_line(str(exc), "connections.yaml")


@FAST
@given(raw=FILE_BYTES)
def test_connections_files_of_any_bytes_fail_with_a_typed_error(tmp_path: Path, raw: bytes) -> None:
    """Arbitrary bytes as connections.yaml raise ConnectionsFileError naming the file."""
    path = tmp_path / "connections.yaml"
    path.write_bytes(raw)
    try:
        load_connections(path)
    except ConnectionsFileError as exc:
        _one_clear_line(str(exc), "connections.yaml")


@FAST
@given(where=st.sampled_from(MAPPING_PATHS), value=JSON)
def test_mappings_with_a_bad_field_fail_with_a_typed_error(where: tuple[Any, ...], value: Any) -> None:
    """A mapping with one field replaced by any value parses or raises MappingError naming the file."""
    text = yaml.safe_dump(replaced(MAPPING, where, value))
    try:
        parse_mapping(text, "mapping.yaml")
    except MappingError as exc:
        _one_clear_line(str(exc), "mapping.yaml")


@FAST
@given(raw=FILE_BYTES)
def test_mapping_files_of_any_bytes_fail_with_a_typed_error(tmp_path: Path, raw: bytes) -> None:
    """Arbitrary bytes as a mapping file raise MappingError naming the file."""
    path = tmp_path / "mapping.yaml"
    path.write_bytes(raw)
    try:
        load_mapping_file(path)
    except MappingError as exc:
        _one_clear_line(str(exc), "mapping.yaml")


def test_known_bad_rates_and_files_name_the_problem(tmp_path: Path) -> None:
    """The escapes fuzzing found (NaN/huge rates, non-UTF-8 files) now raise typed errors with the key path."""
    for rate in ("nan", "inf", "1e999999999"):
        document = replaced(MAPPING, ("jobs", "Technician", 0, "min_rate"), rate)
        try:
            parse_mapping(yaml.safe_dump(document), "mapping.yaml")
        except MappingError as exc:
            assert "jobs.Technician[0].min_rate" in str(exc)
        else:
            raise AssertionError(f"min_rate {rate!r} was accepted")
    binary = b"\xff\xfe\x00bad"
    for name, load, error in (
        ("acme.ionapi", load_ionapi, IonApiFileError),
        ("connections.yaml", load_connections, ConnectionsFileError),
        ("mapping.yaml", load_mapping_file, MappingError),
    ):
        path = tmp_path / name
        path.write_bytes(binary)
        try:
            load(path)
        except error as exc:
            assert "UTF-8" in str(exc) and name in str(exc)
        else:
            raise AssertionError(f"{name} of binary bytes was accepted")
