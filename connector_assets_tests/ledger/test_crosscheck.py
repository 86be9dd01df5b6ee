"""The cross-check's comparison: net per account and cost center, each difference exact to the cent."""

from __future__ import annotations

from connector_assets.ledger.crosscheck import Difference, compare, differences_table


def test_equal_nets_pass_whatever_the_documents() -> None:
    posted = [("6010", "CC200", 300000), ("1090", "", -300000), ("6010", "CC200", -1000), ("1090", "", 1000)]
    expected = [("6010", "CC200", 299000), ("1090", "", -299000)]
    assert compare(posted, expected) == []


def test_each_difference_names_account_cost_center_and_amounts() -> None:
    posted = [("6010", "CC200", 301234), ("1090", "", -300000), ("6100", "CC300", 500)]
    expected = [("6010", "CC200", 300000), ("1090", "", -300000), ("6200", "CC300", 500)]
    found = compare(posted, expected)
    assert found == [
        Difference("6010", "CC200", 301234, 300000),
        Difference("6100", "CC300", 500, 0),
        Difference("6200", "CC300", 0, 500),
    ]
    assert [d.difference_cents for d in found] == [1234, 500, -500]
    assert differences_table(found).splitlines()[2] == "| 6010 | CC200 | 3012.34 | 3000.00 | 12.34 |"
    assert found[0].describe() == (
        "account 6010 cost center CC200: posted 3012.34, expected 3000.00, difference 12.34"
    )
