"""How histories, reasons and amounts read (no servers needed)."""

from __future__ import annotations

from datetime import UTC, datetime

from connector_assets.operations.held import release_step
from connector_assets.operations.history import format_history, history_json, reason_text
from connector_assets.operations.money import money
from connector_assets.operations.status import ConnectionStatus, TokenHealth, format_status
from connector_assets.store.audit import AuditEntry


def _entry(action: str, detail: dict[str, object], entry_id: int = 1) -> AuditEntry:
    at = datetime(2026, 3, 31, 12, 0, entry_id, tzinfo=UTC)
    return AuditEntry(entry_id, at, "acme", "payroll", "p-1", action, detail, f"run-{entry_id}", None)


def test_money_groups_thousands_and_keeps_sign() -> None:
    """Cents render with a thousands separator, two decimals and the sign."""
    assert [money(c) for c in (0, 5, 123456, -123456789)] == ["0.00", "0.05", "1,234.56", "-1,234,567.89"]


def test_history_reads_in_order_with_money_and_reasons() -> None:
    """Entries print oldest first with their run, amounts as money and each hold reason."""
    reason = {"check": "cost_centers_exist", "line_no": 2, "value": "CC700", "reason": "CC700 does not exist"}
    entries = [
        _entry("held", {"reasons": [reason]}, 1),
        _entry("posted", {"document_id": "2026/A1/9", "debits_cents": 279125}, 2),
    ]
    text = format_history("payroll", "p-1", entries)
    assert text.index("held (not posted)  run run-1") < text.index("posted to CloudSuite  run run-2")
    assert "reason: line 2, CC700: CC700 does not exist" in text
    assert "debits: 2,791.25" in text and "document id: 2026/A1/9" in text
    assert history_json(entries)[1]["amounts"] == {"debits": "2,791.25"}


def test_reason_text_without_line() -> None:
    """A reason with no line or value is printed as it stands."""
    assert (
        reason_text({"check": "ties_out_to_gusto", "line_no": None, "value": None, "reason": "net pay"})
        == "net pay"
    )


def test_release_step_depends_on_the_hold() -> None:
    """Approval holds are released by `connector approve`, all others by fixing and replaying."""
    approval = [{"check": "approval", "reason": "awaiting approval"}]
    assert release_step("acme", "p-1", approval) == "connector approve payroll p-1 --by NAME"
    other = release_step("acme", "p-1", [{"check": "cost_centers_exist", "reason": "missing"}])
    assert "connector replay payroll p-1 --connection acme" in other
    assert "acme partition ending in p-1" in other and "the posting follows" in other


def test_status_shows_submitted_postings_and_undecryptable_tokens() -> None:
    """A submitted posting shows its ERP key and, once overdue, why; a token no key decrypts is not "valid"."""
    expires = datetime(2030, 1, 1, tzinfo=UTC)
    row = ConnectionStatus(
        connection_id="acme", erp="m3", master_data={"gl_accounts": None}, last_posted=None, held=0,
        inbox_backlog=0, tokens=[TokenHealth("gusto", expires, True, 3, undecryptable=True)],
        submitted=[{"reference": "GP-X-1", "erp_key": "GPABC", "debits": "2,500.00 USD", "waiting_s": 7200,
                    "overdue": "submitted 120 min ago and CloudSuite still shows no document GPABC"}],
    )  # fmt: skip
    text = format_status([row])
    assert "submitted        GP-X-1 (ERP key GPABC, 2,500.00 USD)" in text and "OVERDUE: submitted 120 min" in text
    assert "UNDECRYPTABLE" in text and " valid until" not in text
    assert row.undecryptable == ["gusto"] and row.as_json()["tokens"][0]["undecryptable"] is True
