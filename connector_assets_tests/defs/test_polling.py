"""The fallback poll enqueues only what needs a run: new payrolls, new Gusto versions, holds whose cause changed,
and days of contractor payments whose listed content differs from what their last run read."""

from __future__ import annotations

from datetime import UTC, date, datetime

from connector_assets.defs.gusto.contractor_poll import changed_days
from connector_assets.defs.gusto.polling import poll_event_uuid
from connector_assets.gusto.contractors import day_content
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


def _payment(uuid: str, day: str, wage: str = "100.00", status: str = "Funded") -> dict[str, str]:
    return {"uuid": uuid, "date": day, "wage": wage, "bonus": "0.00", "reimbursement": "0.00", "status": status}


WINDOW = (date(2026, 3, 1), date(2026, 3, 29))


def test_a_contractor_day_is_polled_only_when_its_content_differs_from_the_last_read() -> None:
    listed = {"2026-03-12": [_payment("p1", "2026-03-12"), _payment("p2", "2026-03-12")]}
    read = day_content(listed["2026-03-12"])
    assert changed_days(listed, {}, WINDOW) == [("2026-03-12", read)], "never read: polled"
    assert changed_days(listed, {"2026-03-12": read}, WINDOW) == [], "read as listed: nothing"
    # The order Gusto lists them in does not matter.
    assert day_content(listed["2026-03-12"][::-1]) == read


def test_new_amounts_status_or_a_cancelled_payment_make_the_day_differ() -> None:
    day = "2026-03-12"
    read = day_content([_payment("p1", day), _payment("p2", day)])
    for listed in (
        [_payment("p1", day), _payment("p2", day, wage="100.01")],
        [_payment("p1", day), _payment("p2", day, status="Unfunded")],
        [_payment("p1", day)],
    ):
        ((polled_day, digest),) = changed_days({day: listed}, {day: read}, WINDOW)
        assert polled_day == day and digest not in (read, day_content([]))


def test_a_day_emptied_by_cancellations_is_polled_but_one_never_read_or_outside_the_window_is_not() -> None:
    read = {"2026-03-12": day_content([_payment("p1", "2026-03-12")]), "2026-01-20": "old"}
    assert changed_days({}, read, WINDOW) == [("2026-03-12", day_content([]))]
    assert changed_days({}, {"2026-03-12": day_content([])}, WINDOW) == []
