"""Per-tenant ERP template facts come from connections.yaml, not from code."""

from __future__ import annotations

from pathlib import Path

import pytest

from connector_assets.cloudsuite.erp import m3_options_from, syteline_options_from
from connector_assets.settings import ConnectionsFileError, load_connections

FILE = """
connections:
  - id: acme
    gusto: {company_uuid: c0ffee00-0000-4000-8000-000000000001}
    cloudsuite:
      ionapi_file: acme.ionapi
      erp: m3
      company: "100"
      division: AAA
      m3: {interface_name: GUSTO, record_identity: I2, amount_style: dbcr}
      syteline: {journal_id: PR, employee_cost_center: CostCenter, journal: {amount: Amount}}
    mapping_file: mapping.yaml
"""


def test_template_sections_reach_the_adapters(tmp_path: Path) -> None:
    """`cloudsuite.m3` and `cloudsuite.syteline` become the adapters' options; unnamed properties are discovered."""
    (tmp_path / "connections.yaml").write_text(FILE)
    cs = load_connections(tmp_path / "connections.yaml").get("acme").cloudsuite
    m3 = m3_options_from(cs.m3)
    assert (m3.posting.interface_name, m3.posting.record_identity, m3.posting.amount_style) == (
        "GUSTO",
        "I2",
        "dbcr",
    )
    sl = syteline_options_from(cs.syteline)
    assert (sl.journal_id, sl.employee_cost_center) == ("PR", "CostCenter")
    assert dict(sl.journal) == {"amount": "Amount"}


def test_bad_template_value_names_the_key(tmp_path: Path) -> None:
    """A wrong amount style is refused with its key path."""
    (tmp_path / "connections.yaml").write_text(FILE.replace("amount_style: dbcr", "amount_style: plus"))
    with pytest.raises(ConnectionsFileError, match=r"cloudsuite\.m3\.amount_style must be one of signed, dbcr"):
        load_connections(tmp_path / "connections.yaml")
