"""Mapping file parsing: the example file, versioning, and errors that name file, key path and fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from connector_assets.mapping import MappingError, load_mapping_file, parse_mapping
from connector_assets.mapping.model import DEFAULT, JOB

EXAMPLE = Path(__file__).parents[2] / "connector_assets" / "mapping" / "example_mapping.yaml"
BASE = """
defaults:
  regular: {account: "6010", cost_center: "100"}
credits:
  net_pay_direct_deposit: "1090"
  net_pay_check: "2010"
  taxes: "1090"
  benefits: "2300"
  deductions: "2400"
  reimbursement_clearing: "1090"
"""


def test_example_file_parses_with_defaults_bands_and_splits() -> None:
    """The shipped example is valid and carries every kind of rule."""
    rules = load_mapping_file(EXAMPLE)
    assert rules.source == "example_mapping.yaml"
    assert rules.cost_center_field == "cost_center"
    assert {r.label for r in rules.rules if r.level == JOB} == {
        "jobs.Field Technician[0]",
        "jobs.Field Technician[1]",
    }
    banded = next(r for r in rules.rules if r.label == "jobs.Field Technician[1]")
    assert (banded.min_rate_cents, banded.max_rate_cents, banded.accounts) == (4000, None, {"regular": "6011"})
    assert any(r.split for r in rules.rules)
    assert rules.deductions_by_name == {"Child Support": "1090"}


def test_version_ignores_comments_and_key_order_but_not_content() -> None:
    """The version is a hash of canonical content."""
    reordered = BASE.replace('  taxes: "1090"\n', "") + '  taxes: "1090"   # moved\n'
    assert parse_mapping(BASE).version == parse_mapping("# header\n" + reordered).version
    assert parse_mapping(BASE).version != parse_mapping(BASE.replace('"6010"', '"6011"')).version
    assert len(parse_mapping(BASE).version) == 12


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        (BASE + "departments:\n  Engineering: {accounts: {regular: }}\n",
         "mapping.yaml: departments.Engineering.accounts.regular: missing; write an account code such as '6000'"),
        (BASE.replace('{account: "6010", cost_center: "100"}', "{cost_center: '100'}"),
         "mapping.yaml: defaults.regular.account: missing; write an account code such as '6000'"),
        (BASE.replace('"6010"', "6010"),
         "mapping.yaml: defaults.regular.account: 6010 is a number; quote it as '6010' so leading zeros survive"),
        (BASE.replace('  taxes: "1090"\n', ""),
         "mapping.yaml: credits.taxes: missing; write a clearing or liability account code such as '1090'"),
        (BASE + "departmnets: {}\n", "mapping.yaml: departmnets: unknown key; use one of"),
        (BASE + "defaults2: 1\n", "mapping.yaml: defaults2: unknown key"),
        (BASE + "splits:\n  - {employee: e1, cost_centers: {'300': 60, '400': 39.99}}\n",
         "mapping.yaml: splits[0].cost_centers: percentages sum to 99.99; they must sum to exactly 100"),
        (BASE + "departments:\n  Sales: {}\n", "mapping.yaml: departments.Sales: empty rule; give a cost_center"),
        (BASE + "jobs:\n  Tech: [{min_rate: '50', max_rate: '40', cost_center: '1'}]\n",
         "mapping.yaml: jobs.Tech[0].max_rate: not above min_rate"),
        (BASE.replace("regular:", "regulr:"), "mapping.yaml: defaults.regulr: unknown debit key; use one of regular,"),
        ("defaults: [\n", "mapping.yaml: line 2: not valid YAML; fix the syntax"),
        (BASE + "employees:\n  e1: {cost_center: '9'}\nsplits:\n  - {employee: e1, cost_centers: {'1': 50, '2': 50}}\n",
         "mapping.yaml: splits[0]: employee e1 also has employees.e1.cost_center; keep either the split"),
    ],
)  # fmt: skip
def test_invalid_mapping_names_file_key_path_and_fix(yaml_text: str, message: str) -> None:
    """Each mistake raises MappingError with the file, the key path and what to write instead."""
    with pytest.raises(MappingError) as err:
        parse_mapping(yaml_text)
    assert str(err.value).startswith(message)


def test_defaults_are_scoped_to_their_key() -> None:
    """A default applies to its own debit key only, at the lowest precedence."""
    (default,) = parse_mapping(BASE).rules
    assert (default.level, default.scope, default.accounts) == (DEFAULT, "regular", {"regular": "6010"})


def test_missing_file_names_the_path(tmp_path: Path) -> None:
    """Loading a file that is not there says which file and what to check."""
    with pytest.raises(MappingError, match=r"nope\.yaml: cannot read the mapping file"):
        load_mapping_file(tmp_path / "nope.yaml")
