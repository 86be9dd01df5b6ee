"""Property: any day of Gusto-shaped contractor payments gives a balanced journal that ties out to the cent,
whatever the rules cover (uncovered contractors hold, they never unbalance the day)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from connector_assets.ledger.contractors import BONUS, CREDIT, REIMBURSEMENT, WAGES, build_contractor_journal
from connector_assets.mapping.contractors import parse_contractors

CONTRACTORS = [{"uuid": f"c-{i}", "business_name": f"Firm {i}"} for i in range(4)]
METHODS = ("Direct Deposit", "Check", "Historical Payment", "Correction Payment")


def money(cents: int) -> str:
    sign, whole, frac = "-" if cents < 0 else "", abs(cents) // 100, abs(cents) % 100
    return f"{sign}{whole}.{frac:02d}"


@st.composite
def days(draw: st.DrawFn) -> dict[str, Any]:
    """A day of payments as Gusto lists them: wage_total = round(hours x rate) + wage + bonus, and the total."""
    payments = []
    for n in range(draw(st.integers(1, 8))):
        hours_milli = draw(st.integers(0, 80_000))
        rate = draw(st.integers(0, 30_000))
        wage = draw(st.integers(0, 900_000))
        bonus = draw(st.integers(0, 100_000))
        # A correction payment may take money back.
        sign = -1 if draw(st.booleans()) and n > 0 else 1
        hourly = (hours_milli * rate * 2 + 1000) // 2000
        total = sign * (hourly + wage + bonus)
        payments.append({
            "uuid": f"p-{n}", "contractor_uuid": draw(st.sampled_from(CONTRACTORS))["uuid"], "date": "2026-03-13",
            "hours": f"{hours_milli // 1000}.{hours_milli % 1000:03d}", "hourly_rate": money(rate),
            "wage": money(sign * wage), "bonus": money(sign * bonus), "wage_total": money(total),
            "reimbursement": money(draw(st.integers(0, 50_000))), "payment_method": draw(st.sampled_from(METHODS)),
            "status": draw(st.sampled_from(("Funded", "Funded", "Unfunded"))),
        })  # fmt: skip
    wages = sum(int(p["wage_total"].replace(".", "")) for p in payments)
    reimbursed = sum(int(p["reimbursement"].replace(".", "")) for p in payments)
    return {"date": "2026-03-13", "total": {"wages": money(wages), "reimbursements": money(reimbursed)},
            "payments": payments}  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    day=days(),
    covered=st.sets(st.sampled_from([c["uuid"] for c in CONTRACTORS])),
    methods=st.sets(st.sampled_from(METHODS)),
)
def test_every_day_balances_and_ties_out(day: dict[str, Any], covered: set[str], methods: set[str]) -> None:
    mapping = parse_contractors({
        "accounts": {"wages": "6400", "bonus": "6410", "reimbursement": "6310"},
        "credits": {m: "1090" for m in methods},
        "rules": {u: {"cost_center": "100"} for u in covered},
    })  # fmt: skip
    journal = build_contractor_journal(day, CONTRACTORS, mapping, {})
    funded = [p for p in day["payments"] if p["status"] == "Funded"]
    if not funded:
        assert journal is None
        return
    assert journal is not None
    lines = journal.lines
    assert journal.proofs.balanced
    assert not journal.proofs.differences, journal.proofs.problems()  # tied out against Gusto's total
    assert (lines["debit_cents"] >= 0).all() and (lines["credit_cents"] >= 0).all()
    assert set(lines["category"].to_list()) <= {WAGES, BONUS, REIMBURSEMENT, CREDIT}
    needs_rule = {p["contractor_uuid"] for p in funded} - covered
    needs_credit = {p["payment_method"] for p in funded} - methods
    if not needs_rule and not needs_credit:
        assert journal.postable, journal.proofs.problems()
    held = lines.filter(lines["unmapped_reason"].is_not_null())
    for row in held.iter_rows(named=True):  # only what no rule covers holds
        if row["category"] == CREDIT:
            assert any(repr(m) in row["unmapped_reason"] for m in needs_credit), row
        else:
            assert row["employee_uuid"] in needs_rule, row
