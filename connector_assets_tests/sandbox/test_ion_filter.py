"""The Mongoose LoadCollection filter subset, evaluated without a server."""

from __future__ import annotations

import pytest

from connector_assets.sandbox.ion.ido_filter import FilterError, compile_filter

PROPS = ["Acct", "Ref", "DomAmount"]
ROWS = [
    {"Acct": "6000", "Ref": "GP-1", "DomAmount": "100.00"},
    {"Acct": "2100", "Ref": "GP-1", "DomAmount": "-100.00"},
    {"Acct": "6010", "Ref": "O'Brien", "DomAmount": "9.50"},
    {"Acct": "6020", "Ref": "", "DomAmount": "10"},
]


def _select(text: str) -> list[str]:
    keep = compile_filter(text, PROPS)
    return [row["Acct"] for row in ROWS if keep(row)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ref = 'GP-1'", ["6000", "2100"]),
        ("ref = 'gp-1'", ["6000", "2100"]),
        ("Acct LIKE '60_0'", ["6000", "6010", "6020"]),
        ("Acct NOT LIKE '6%'", ["2100"]),
        ("Acct IN ('6000', '6020')", ["6000", "6020"]),
        ("Ref = 'O''Brien'", ["6010"]),
        ("DomAmount > 9.5", ["6000", "6020"]),
        ("DomAmount >= 9.5 AND NOT (Acct = '6000')", ["6010", "6020"]),
        ("Acct = '2100' OR Ref IS NULL", ["2100", "6020"]),
        ("Ref IS NOT NULL AND (Acct < '3000' OR Acct > '6005')", ["2100", "6010"]),
        ("", ["6000", "2100", "6010", "6020"]),
    ],
)
def test_filter_selects_the_expected_rows(text: str, expected: list[str]) -> None:
    """Each supported operator selects exactly the rows SQL would."""
    assert _select(text) == expected


@pytest.mark.parametrize("text", ["Nope = '1'", "Acct = ", "Acct = '1' AND", "(Acct = '1'", "Acct ~ '1'"])
def test_bad_filters_raise_filter_error(text: str) -> None:
    """Unknown properties and broken syntax raise FilterError instead of matching silently."""
    with pytest.raises(FilterError):
        compile_filter(text, PROPS)
