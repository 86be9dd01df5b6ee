"""The fallback poll enqueues only what needs a run: new payrolls, new Gusto versions, holds whose cause changed."""

from __future__ import annotations

from datetime import UTC, datetime

from connector_assets.defs.gusto.polling import poll_event_uuid
from connector_assets.gusto.payroll import Payroll
from connector_assets.store.postings import HELD, POSTED, REVERSED, Posting

UUID = "b50e611d-8f3d-4f24-b001-46675f7b5777"
NOW = datetime(2026, 3, 15, tzinfo=UTC)


def _payroll(version: str) -> Payroll:
    return Payroll.from_api({"uuid": UUID, "version": version, "processed": True, "check_date": "2026-03-13"})


def _posting(state: str, version: str, kind: str = "journal") -> Posting:
    return Posting(
        id=1, connection_id="acme", payroll_uuid=UUID, payroll_version=version, external_reference="GP-X-1",
        content_hash="h", kind=kind, reverses_reference=None, state=state, document_id=None, reasons=None,
        debits_cents=None, credits_cents=None, line_count=None, run_id=None, created_at=NOW, updated_at=NOW,
    )  # fmt: skip


def test_new_payroll_is_enqueued_once_per_version() -> None:
    assert poll_event_uuid(_payroll("v1"), [], "c1") == f"poll:{UUID}:v1"


def test_posted_or_reversed_at_this_version_is_left_alone() -> None:
    assert poll_event_uuid(_payroll("v1"), [_posting(POSTED, "v1")], "c1") is None
    assert poll_event_uuid(_payroll("v1"), [_posting(REVERSED, "v1")], "c1") is None


def test_new_gusto_version_of_a_posted_payroll_is_enqueued() -> None:
    assert poll_event_uuid(_payroll("v2"), [_posting(POSTED, "v1")], "c1") == f"poll:{UUID}:v2"


def test_held_payroll_is_retried_when_its_causes_change() -> None:
    """Same mapping and master data: the same event (deduplicated); changed: a new event, so a new run."""
    held = [_posting(HELD, "v1")]
    first = poll_event_uuid(_payroll("v1"), held, "causes-a")
    assert first == poll_event_uuid(_payroll("v1"), held, "causes-a")
    assert poll_event_uuid(_payroll("v1"), held, "causes-b") not in (None, first)
