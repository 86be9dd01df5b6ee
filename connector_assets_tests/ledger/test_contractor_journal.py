"""docs/accounting.md §9 line for line, and what holds or waits in a day's contractor journal."""

from __future__ import annotations

import copy
from typing import Any

import polars as pl
import pytest

from connector_assets.ledger.contractors import build_contractor_journal, contractor_subject
from connector_assets.ledger.validation import CASH_TIES_OUT, NO_UNMAPPED, TIES_OUT, validate_journal
from connector_assets.mapping.contractors import parse_contractors
from connector_assets.mapping.errors import MappingError
from connector_assets_tests.ledger.builders import line_tuples

MAPPING = parse_contractors(
    {
        "accounts": {"wages": "6400", "bonus": "6400", "reimbursement": "6310"},
        "credits": {"Direct Deposit": "1090", "Check": "2010"},
        "rules": {"Robin Okafor": {"department": "Engineering"}, "Northwind Design LLC": {"cost_center": "100"}},
    }
)
DEPARTMENTS = {"Engineering": "200", "Operations": "300"}
ROBIN, NORTHWIND, SAM = (
    "bc57832c-d8bc-43a7-ae99-3a03380ff037",
    "c7c0659c-21a6-4b4e-b74c-9252576fc68c",
    "0f3c1a52-9d4e-4b7a-8c1f-2e6d5a4b3c21",
)
CONTRACTORS = [
    {"uuid": ROBIN, "type": "Individual", "first_name": "Robin", "last_name": "Okafor", "business_name": None},
    {"uuid": NORTHWIND, "type": "Business", "first_name": None, "last_name": None,
     "business_name": "Northwind Design LLC"},
    {"uuid": SAM, "type": "Individual", "first_name": "Sam", "last_name": "Lee", "business_name": None},
]  # fmt: skip
EXAMPLE_LINES = [
    ("6400", "100", 200_000, 0),
    ("6400", "200", 101_063, 0),
    ("6400", "200", 25_000, 0),
    ("6310", "200", 4_250, 0),
    ("2010", None, 0, 200_000),
    ("1090", None, 0, 130_313),
]


def payment(uuid: str, contractor: str, method: str, **amounts: str) -> dict[str, Any]:
    base = {"hours": "0.000", "hourly_rate": "0.00", "wage": "0.00", "bonus": "0.00", "reimbursement": "0.00"}
    return {"uuid": uuid, "contractor_uuid": contractor, "date": "2026-03-13", "payment_method": method,
            "status": "Funded", "wage_type": "Hourly" if "hours" in amounts else "Fixed", **base, **amounts}  # fmt: skip


def example_batch() -> dict[str, Any]:
    """The payments of docs/accounting.md §9, as Gusto lists them for 2026-03-13."""
    return {
        "date": "2026-03-13",
        "total": {"wages": "3260.63", "reimbursements": "42.50"},
        "payments": [
            payment(
                "p-1",
                ROBIN,
                "Direct Deposit",
                hours="12.250",
                hourly_rate="82.50",
                bonus="250.00",
                wage_total="1260.63",
                reimbursement="42.50",
            ),
            payment("p-2", NORTHWIND, "Check", wage="2000.00", wage_total="2000.00"),
        ],
    }


def build(batch: dict[str, Any], mapping: Any = MAPPING):  # type: ignore[no-untyped-def]
    return build_contractor_journal(batch, CONTRACTORS, mapping, DEPARTMENTS, connection_id="acme")


def test_the_worked_example_line_for_line() -> None:
    """§6: expense per contractor and amount on its cost center, one credit per payment method, 3,303.13 each side."""
    journal = build(example_batch())
    assert journal is not None
    assert line_tuples(journal.lines) == EXAMPLE_LINES
    assert journal.lines["text"].to_list() == [
        "Contractor wages Northwind Design LLC", "Contractor wages Robin Okafor", "Contractor bonus Robin Okafor",
        "Contractor reimbursement Robin Okafor", "Contractors paid Check", "Contractors paid Direct Deposit",
    ]  # fmt: skip
    assert journal.proofs.balance.debit_cents == journal.proofs.balance.credit_cents == 330_313
    assert journal.postable, journal.proofs.problems()
    assert journal.header.payroll_uuid == contractor_subject("2026-03-13") == "contractor-payments:2026-03-13"
    assert str(journal.header.posting_date) == "2026-03-13"


def test_a_contractor_without_a_rule_holds_rather_than_guesses() -> None:
    """Sam Lee has no rule: his 139.75 is a held line with no cost center, and the day does not post."""
    batch = example_batch()
    batch["payments"].append(payment("p-3", SAM, "Direct Deposit", wage="139.75", wage_total="139.75"))
    batch["total"]["wages"] = "3400.38"
    journal = build(batch)
    assert journal is not None and journal.proofs.balanced and not journal.postable
    held = journal.lines.filter(pl.col("unmapped_reason").is_not_null())
    assert line_tuples(held) == [("6400", None, 13_975, 0)]
    assert (
        held["unmapped_reason"].item()
        == f"contractor Sam Lee ({SAM}) has no rule under contractors.rules; add one"
    )
    problems = validate_journal(journal, _accounts(), _cost_centers())
    assert problems["check"].to_list() == [NO_UNMAPPED]


def test_an_amount_or_method_without_an_account_holds() -> None:
    """No reimbursement account and no account for checks: those lines hold with the missing key named."""
    mapping = parse_contractors({"accounts": {"wages": "6400", "bonus": "6400"}, "credits": {"Direct Deposit": "1090"},
                                 "rules": {ROBIN: {"cost_center": "200"}, NORTHWIND: {"cost_center": "100"}}})  # fmt: skip
    journal = build(example_batch(), mapping)
    assert journal is not None and journal.proofs.balanced
    reasons = sorted(r for r in journal.lines["unmapped_reason"].to_list() if r)
    assert reasons == [
        "no account under contractors.accounts.reimbursement",
        "payment method 'Check': no account under contractors.credits",
    ]


def test_gusto_totals_that_disagree_fail_the_tie_out() -> None:
    """A cent more in Gusto's wages total fails both tie-outs with the exact difference."""
    batch = example_batch()
    batch["total"]["wages"] = "3260.64"
    journal = build(batch)
    assert journal is not None
    problems = validate_journal(journal, _accounts(), _cost_centers())
    assert set(problems["check"].to_list()) == {TIES_OUT, CASH_TIES_OUT}
    assert (
        "tie_out wages: expected 3260.64, journal carries 3260.63 (difference -0.01)"
        in problems["reason"].to_list()
    )


def test_unfunded_payments_wait_and_a_day_without_funded_ones_has_no_journal() -> None:
    """An Unfunded payment is left out (Gusto's totals less it); with only unfunded payments there is no journal."""
    batch = example_batch()
    batch["payments"][1]["status"] = "Unfunded"
    journal = build(batch)
    assert journal is not None and journal.postable, journal.proofs.problems()
    assert line_tuples(journal.lines) == [ln for ln in EXAMPLE_LINES if ln[1] != "100" and ln[0] != "2010"]
    assert "payment p-2 is Unfunded" in journal.proofs.notes[0]
    for p in batch["payments"]:
        p["status"] = "Unfunded"
    assert build(batch) is None


def test_the_journal_changes_when_a_payment_is_cancelled() -> None:
    """A cancelled payment leaves Gusto's list: the day's content (and hash) changes, so the day re-posts."""
    before = build(example_batch())
    batch = copy.deepcopy(example_batch())
    batch["payments"].pop(1)
    batch["total"] = {"wages": "1260.63", "reimbursements": "42.50"}
    after = build(batch)
    assert before is not None and after is not None and after.postable
    assert before.header.content_hash != after.header.content_hash


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"accounts": {"fees": "6400"}}, "contractors.accounts.fees: unknown amount"),
        ({"credits": {"Wire": "1090"}}, "contractors.credits.Wire: unknown payment method"),
        ({"rules": {"X": {"cost_center": "1", "department": "Sales"}}}, "both cost_center and department"),
        ({"rules": {"X": {}}}, "contractors.rules.X: empty rule"),
        ({"rules": {"X": {"cost_center": 200}}}, "quote it as '200'"),
    ],
)
def test_a_broken_contractors_section_names_the_key_and_the_fix(section: dict[str, Any], message: str) -> None:
    with pytest.raises(MappingError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_contractors(section)


def _accounts() -> pl.DataFrame:
    codes = ["6400", "6310", "1090", "2010"]
    return pl.DataFrame({"account": codes, "blocked": [False] * 4, "valid_from": [None] * 4, "valid_to": [None] * 4},
                        schema_overrides={"valid_from": pl.Date, "valid_to": pl.Date})  # fmt: skip


def _cost_centers() -> pl.DataFrame:
    codes = ["100", "200"]
    return pl.DataFrame({"cost_center": codes, "blocked": [False] * 2, "valid_from": [None] * 2,
                         "valid_to": [None] * 2}, schema_overrides={"valid_from": pl.Date, "valid_to": pl.Date})  # fmt: skip
