"""Inbox, audit log, postings ledger, sync state and rate limiter behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine

from connector_assets.store.audit import AuditLog
from connector_assets.store.inbox import DISPATCHED, Inbox
from connector_assets.store.postings import HELD, PENDING, POSTED, PostingConflict, Postings
from connector_assets.store.ratelimit import RollingWindowLimiter
from connector_assets.store.state import SyncState


def test_inbox_drops_duplicate_event_uuids(store_engine: Engine) -> None:
    """The same event twice is stored once; ids are monotonic."""
    inbox = Inbox(store_engine)
    first = inbox.add(connection_id="acme", event_uuid="e1", event_type="payroll.processed", body="{}")
    again = inbox.add(connection_id="acme", event_uuid="e1", event_type="payroll.processed", body="{}")
    second = inbox.add(connection_id="acme", event_uuid="e2", event_type="employee.created", body="{}")
    assert first is not None and second is not None and second > first
    assert again is None
    assert inbox.count() == 2


def test_inbox_cursor_walk_and_marking(store_engine: Engine) -> None:
    """`after` walks from a cursor; marking records the run and clears the backlog."""
    inbox = Inbox(store_engine)
    ids = [inbox.add(connection_id="acme", event_uuid=f"e{i}", event_type="x", body="{}") for i in range(5)]
    page = inbox.after(ids[1] or 0, limit=2)
    assert [e.event_uuid for e in page] == ["e2", "e3"]
    inbox.mark([e.id for e in page], DISPATCHED, run_id="run-1")
    assert inbox.backlog("acme") == 3
    assert {e.run_id for e in inbox.after(0, 10) if e.state == DISPATCHED} == {"run-1"}


def test_audit_history_is_in_order(store_engine: Engine) -> None:
    """A record's history reads back in the order it was written."""
    audit = AuditLog(store_engine)
    for action in ("read", "mapped", "held", "replayed", "posted"):
        audit.append(
            connection_id="acme", entity_type="payroll", entity_id="p1", action=action, detail={"a": action}
        )
    audit.append(connection_id="acme", entity_type="payroll", entity_id="p2", action="read")
    history = audit.history("payroll", "p1")
    assert [h.action for h in history] == ["read", "mapped", "held", "replayed", "posted"]
    assert history[2].detail == {"a": "held"}


def test_postings_write_ahead_then_posted(store_engine: Engine) -> None:
    """A pending row becomes posted with its document id; `begin` again is idempotent."""
    postings = Postings(store_engine)
    row = postings.begin(
        connection_id="acme", payroll_uuid="p1", payroll_version="v1", external_reference="R1", content_hash="h1"
    )
    assert row.state == PENDING
    postings.mark_posted("R1", "VOUCHER-9")
    again = postings.begin(
        connection_id="acme", payroll_uuid="p1", payroll_version="v1", external_reference="R1", content_hash="h1"
    )
    assert (again.state, again.document_id) == (POSTED, "VOUCHER-9")


def test_posted_reference_with_new_content_is_refused(store_engine: Engine) -> None:
    """A posted journal is never edited: other content under its reference is a conflict."""
    postings = Postings(store_engine)
    postings.begin(
        connection_id="a", payroll_uuid="p", payroll_version="v", external_reference="R", content_hash="h1"
    )
    postings.mark_posted("R", "D1")
    with pytest.raises(PostingConflict, match="reversal"):
        postings.begin(
            connection_id="a", payroll_uuid="p", payroll_version="v", external_reference="R", content_hash="h2"
        )


def test_pending_write_ahead_content_is_frozen(store_engine: Engine) -> None:
    """Once written ahead, a reference keeps its content hash, journal and date: other content is refused."""
    postings = Postings(store_engine)
    first = postings.begin(
        connection_id="a", payroll_uuid="p", payroll_version="v", external_reference="F", content_hash="h1",
        journal={"lines": ["old"]}, posting_date=date(2026, 3, 13),
    )  # fmt: skip
    with pytest.raises(PostingConflict, match="frozen"):
        postings.begin(
            connection_id="a", payroll_uuid="p", payroll_version="v2", external_reference="F", content_hash="h2",
            journal={"lines": ["new"]}, posting_date=date(2026, 3, 14),
        )  # fmt: skip
    kept = postings.get("F")
    assert kept is not None
    assert (kept.content_hash, kept.journal, kept.posting_date) == ("h1", {"lines": ["old"]}, date(2026, 3, 13))
    assert kept.created_at == first.created_at


def test_held_posting_keeps_reasons_and_can_be_retried(store_engine: Engine) -> None:
    """Held rows list their reasons; after a fix the same reference goes back to pending."""
    postings = Postings(store_engine)
    postings.begin(
        connection_id="a",
        payroll_uuid="p",
        payroll_version="v",
        external_reference="R",
        content_hash="h1",
        state=HELD,
        reasons=[{"line": 3, "reason": "unknown cost center CC900"}],
    )
    assert postings.in_state(HELD)[0].reasons == [{"line": 3, "reason": "unknown cost center CC900"}]
    retried = postings.begin(
        connection_id="a", payroll_uuid="p", payroll_version="v", external_reference="R", content_hash="h2"
    )
    assert (retried.state, retried.content_hash, retried.reasons) == (PENDING, "h2", None)


def test_sync_state_upserts_json(store_engine: Engine) -> None:
    """Cursors are stored as JSON and overwritten in place."""
    state = SyncState(store_engine)
    assert state.get("acme", "events_cursor", "none") == "none"
    state.put("acme", "events_cursor", {"uuid": "u1"})
    state.put("acme", "events_cursor", {"uuid": "u2"})
    assert state.get("acme", "events_cursor") == {"uuid": "u2"}


def test_sync_state_lists_one_connections_keys_by_prefix(store_engine: Engine) -> None:
    """Only this connection's keys that start with the prefix; `_` and `%` in it are literal characters."""
    state = SyncState(store_engine)
    state.put("acme", "contractor_day_content:2026-03-12", "d1")
    state.put("acme", "contractor_day_content:2026-03-13", "d2")
    state.put("acme", "contractorXday_content:2026-03-14", "no")
    state.put("other", "contractor_day_content:2026-03-12", "theirs")
    assert state.starting_with("acme", "contractor_day_content:") == {
        "contractor_day_content:2026-03-12": "d1",
        "contractor_day_content:2026-03-13": "d2",
    }
    assert state.starting_with("acme", "nothing:") == {}


def test_rate_limiter_caps_a_window_and_says_how_long_to_wait(store_engine: Engine) -> None:
    """The 6th request in a 5-per-window limit waits until the oldest falls out of the window."""
    now = [1_000.0]
    limiter = RollingWindowLimiter(store_engine, limit=5, window_s=60, clock=lambda: now[0])
    for i in range(5):
        now[0] += 1
        assert limiter.try_reserve("gusto:acme") == 0.0, i
    wait = limiter.try_reserve("gusto:acme")
    assert 55 < wait <= 60
    assert limiter.try_reserve("gusto:other") == 0.0
    now[0] += wait + 0.01
    assert limiter.try_reserve("gusto:acme") == 0.0


def test_snapshots_round_trip_frames(store_engine: Engine) -> None:
    """A frame stored under a kind comes back equal, with a content hash that follows the content."""
    import polars as pl

    from connector_assets.store.snapshots import Snapshots

    snaps = Snapshots(store_engine)
    assert snaps.get("acme", "gl_accounts") is None
    first = snaps.put("acme", "gl_accounts", pl.DataFrame({"account": ["6000", "2100"], "blocked": [False, True]}))
    got = snaps.get("acme", "gl_accounts")
    assert got is not None and got.frame.equals(first.frame)
    second = snaps.put("acme", "gl_accounts", pl.DataFrame({"account": ["6000"], "blocked": [False]}))
    assert second.content_hash != first.content_hash
    assert snaps.get("acme", "gl_accounts").frame.height == 1  # type: ignore[union-attr]
