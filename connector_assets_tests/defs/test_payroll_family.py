"""The posting plan within a Gusto payroll family: what counts as already posted, in any order of arrival."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from connector_assets.cloudsuite.posting import plan_posting
from connector_assets.services.prepare import family_history
from connector_assets.store.postings import POSTED, REVERSED, Posting

NOW = datetime(2026, 3, 20, tzinfo=UTC)


def _posting(reference: str, state: str, kind: str = "journal", reverses: str | None = None) -> Posting:
    return Posting(1, "c", "p", "1", reference, "hash-1", kind, reverses, state, "doc", None, 1, 1, 2, "run",
                   NOW, NOW)  # fmt: skip


def test_original_closed_by_its_gusto_reversal_is_not_posted_again() -> None:
    """Marked reversed because the reversal payroll posted: a replay with the same content posts nothing."""
    history = family_history([_posting("c-p-1", REVERSED)])
    plan = plan_posting(history, "hash-1")
    assert not plan.post_new and plan.already_posted is not None and not plan.reverse


def test_original_reversed_by_the_connector_is_really_gone() -> None:
    """A connector reversal entry names it: the same content must post again under a new revision."""
    rows = [_posting("c-p-1", REVERSED), _posting("c-p-1-R", POSTED, "reversal", "c-p-1")]
    plan = plan_posting(family_history(rows), "hash-1")
    assert plan.post_new and plan.revision == 2


def test_every_arrival_order_posts_each_payroll_of_the_family_exactly_once() -> None:
    """Original and reversal, either first, replayed any number of times: one journal each, never skipped."""
    for order in itertools.permutations(["original", "reversal", "original", "reversal"]):
        ledger: dict[str, list[Posting]] = {"original": [], "reversal": []}
        for payroll in order:
            plan = plan_posting(family_history(ledger[payroll]), "hash-1")
            if plan.post_new:
                ledger[payroll].append(_posting(f"c-{payroll}-{plan.revision}", POSTED))
            if ledger["reversal"] and ledger["original"]:  # the reversal's run closes the original
                ledger["original"] = [_posting(p.external_reference, REVERSED) for p in ledger["original"]]
        assert [len(v) for v in ledger.values()] == [1, 1], order
