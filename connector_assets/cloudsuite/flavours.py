"""What each CloudSuite flavour offers beyond journals; light on imports, so status commands can ask cheaply."""

from __future__ import annotations

_NO_EMPLOYEES = {
    "fsm": "FSM keeps no employees (HR lives in Infor's HR products): an FSM connection posts journals and "
    "reads master data only, so the workforce sync is skipped",
}


def employee_sync_note(erp: str) -> str | None:
    """Why the workforce sync does not apply to this ERP, or None when it does."""
    return _NO_EMPLOYEES.get(erp)
