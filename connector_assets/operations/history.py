"""A record's audit history, in order, as text for an accountant or as JSON for tools."""

from __future__ import annotations

from typing import Any

from connector_assets.operations.money import money
from connector_assets.store.audit import AuditEntry
from connector_assets.subjects import entity_label

ACTIONS = {
    "read": "read from Gusto",
    "mapped": "journal built",
    "held": "held (not posted)",
    "replayed": "replayed",
    "posted": "posted to CloudSuite",
    "unchanged": "unchanged (already posted)",
    "reversed": "reversed in CloudSuite",
    "awaiting_approval": "awaiting approval",
    "approved": "approved",
    "settled": "earlier attempt found in CloudSuite and recorded",
    "superseded": "earlier attempt superseded (never reached CloudSuite)",
    "submitted": "submitted to CloudSuite (document pending)",
    "confirmed": "confirmed in CloudSuite",
    "posting_mismatch": "CloudSuite holds other lines under this reference",
    "synced": "synced to CloudSuite",
    "sync_failed": "sync to CloudSuite failed",
}


def amounts(detail: dict[str, Any]) -> dict[str, str]:
    """Every `*_cents` figure of an entry as money, keyed without the suffix."""
    return {
        key.removesuffix("_cents"): money(value)
        for key, value in detail.items()
        if key.endswith("_cents") and isinstance(value, int) and not isinstance(value, bool)
    }


def reason_text(reason: Any) -> str:
    """One hold reason as a sentence (`line 3, CC700: cost center … does not exist in CloudSuite`)."""
    if not isinstance(reason, dict):
        return str(reason)
    where = ", ".join(str(reason[k]) for k in ("line_no", "value") if reason.get(k) not in (None, ""))
    where = f"line {where}: " if reason.get("line_no") not in (None, "") else (f"{where}: " if where else "")
    return f"{where}{reason.get('reason')}"


def describe(detail: dict[str, Any]) -> list[str]:
    """The entry's details as short phrases: references and document ids, amounts as money, reasons."""
    parts: list[str] = []
    money_parts = amounts(detail)
    for key, value in detail.items():
        if value in (None, "", []) or (key.endswith("_cents") and key.removesuffix("_cents") in money_parts):
            continue
        if key == "reasons" and isinstance(value, list):
            parts.extend(f"reason: {reason_text(r)}" for r in value)
        else:
            parts.append(f"{key.replace('_', ' ')}: {value}")
    parts.extend(f"{name}: {value}" for name, value in money_parts.items())
    return parts


def history_json(entries: list[AuditEntry]) -> list[dict[str, Any]]:
    """Entries as JSON-ready dicts; amounts stay in cents in `detail` and appear as money under `amounts`."""
    return [
        {
            "id": e.id,
            "at": e.at.isoformat(),
            "connection_id": e.connection_id,
            "entity_type": e.entity_type,
            "entity_id": e.entity_id,
            "action": e.action,
            "run_id": e.run_id,
            "asset_key": e.asset_key,
            "detail": e.detail,
            "amounts": amounts(e.detail),
        }
        for e in entries
    ]


def format_history(entity_type: str, entity_id: str, entries: list[AuditEntry]) -> str:
    """The history as an indented list: time, action, run, then one line per detail."""
    record = entity_label(entity_type, entity_id)
    if not entries:
        return f"no history for {record}"
    lines = [f"History of {record} (connection {entries[0].connection_id}), times in UTC", ""]
    for e in entries:
        run = f"  run {e.run_id}" if e.run_id else ""
        lines.append(f"{e.at:%Y-%m-%d %H:%M:%S}  {ACTIONS.get(e.action, e.action)}{run}")
        lines.extend(f"    {phrase}" for phrase in describe(e.detail))
    return "\n".join(lines)
