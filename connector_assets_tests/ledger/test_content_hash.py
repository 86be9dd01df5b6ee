"""The content hash of a journal: pinned for the hand examples, equal to the CSV of its sorted lines."""

from __future__ import annotations

import hashlib

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connector_assets.ledger import JournalOptions, reverse_journal
from connector_assets.ledger.journal import LINE_SCHEMA
from connector_assets.ledger.reference import HASHED_COLUMNS, lines_content_hash
from connector_assets_tests.ledger import accounting_examples as x
from connector_assets_tests.ledger import worked_example as w
from connector_assets_tests.ledger.builders import journal_for
from connector_assets_tests.ledger.payroll_strategy import Case, payroll_cases


def _csv_hash(lines: pl.DataFrame, posting_date: str, currency: str) -> str:
    """The hash as defined: the hashed columns as text, nulls empty, sorted, written by polars as CSV."""
    canonical = lines.select([pl.col(c).cast(pl.String).fill_null("") for c in HASHED_COLUMNS]).sort(
        list(HASHED_COLUMNS)
    )
    digest = hashlib.sha256(f"{posting_date}|{currency}\n".encode())
    digest.update(canonical.write_csv(include_header=True).encode())
    return digest.hexdigest()[:16]


def test_hand_examples_keep_their_posted_hashes() -> None:
    """A hash identifies documents already posted: the hand examples' hashes never change."""
    summarized = journal_for(w.payroll())
    assert summarized.header.content_hash == "30072fd72bcd0813"
    assert reverse_journal(summarized, "RV-X").header.content_hash == "ecd9b305abd9793a"
    per_employee = journal_for(w.payroll(), options=JournalOptions(detail="per_employee"))
    assert per_employee.header.content_hash == "dbd3b36a37db5f12"
    pinned = {"pto_payroll": "c5f067a83958f547", "company_tax_payroll": "370e54a8a14b72a6",
              "cash_payroll": "56df7dc73d8be389"}  # fmt: skip
    for name, expected in pinned.items():
        assert journal_for(getattr(x, name)(), x.employees(), x.MAPPING_YAML).header.content_hash == expected


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=payroll_cases())
def test_generated_journals_hash_their_lines_csv(case: Case) -> None:
    """For generated payrolls, summarized and per employee, the hash is that of the lines' CSV."""
    for detail in ("summarized", "per_employee"):
        options = JournalOptions(connection_id="acme", detail=detail)
        journal = journal_for(case.payroll, case.employees, case.mapping_yaml, options)
        date = journal.header.posting_date.isoformat()
        assert journal.header.content_hash == _csv_hash(journal.lines, date, "USD")


_TEXT = st.one_of(
    st.none(), st.sampled_from(["", " ", ",", '"', "\n", "\r", "a,b", 'x"y', "é", "6000"]), st.text()
)
_CENTS = st.one_of(st.none(), st.integers(-(10**12), 10**12))


@settings(max_examples=300, deadline=None)
@given(rows=st.lists(st.tuples(_TEXT, _TEXT, _TEXT, _CENTS, _CENTS, _TEXT, _TEXT, _TEXT), max_size=8))
def test_any_line_text_hashes_as_its_csv(rows: list[tuple[object, ...]]) -> None:
    """Separators, quotes, line breaks, empty text and nulls are written as the CSV writes them."""
    schema = {name: LINE_SCHEMA[name] for name in HASHED_COLUMNS}
    lines = pl.DataFrame(rows, schema=schema, orient="row")
    assert lines_content_hash(lines, "2025-05-30", "USD") == _csv_hash(lines, "2025-05-30", "USD")


@pytest.mark.parametrize("dtype", [pl.Float64(), pl.UInt64()])
def test_other_amount_types_hash_as_their_csv(dtype: pl.DataType) -> None:
    """Lines whose amounts are not Int64 text the same way the CSV writer does."""
    lines = journal_for(w.payroll()).lines.with_columns(pl.col("debit_cents", "credit_cents").cast(dtype))
    assert lines_content_hash(lines, "2025-05-30", "USD") == _csv_hash(lines, "2025-05-30", "USD")
