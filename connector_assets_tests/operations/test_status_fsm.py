"""`connector status` says plainly that an FSM connection has no employee sync."""

from __future__ import annotations

from connector_assets.operations.status import ConnectionStatus, format_status


def _status(erp: str) -> ConnectionStatus:
    return ConnectionStatus(connection_id=f"books-{erp}", erp=erp, master_data={}, last_posted=None, held=0,
                            inbox_backlog=0)  # fmt: skip


def test_fsm_connection_shows_the_employee_sync_note() -> None:
    """The FSM block carries the note (text and JSON); an M3 block does not."""
    text = format_status([_status("fsm"), _status("m3")])
    fsm_block, m3_block = text.split("\n\n")
    assert "employee sync    not applicable: FSM keeps no employees" in fsm_block
    assert "employee sync" not in m3_block
    assert _status("fsm").as_json()["employee_sync"].startswith("FSM keeps no employees")
    assert _status("m3").as_json()["employee_sync"] == "on"
