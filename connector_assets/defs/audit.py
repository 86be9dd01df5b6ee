"""Audit entries written from Dagster runs: every record carries the run id and the asset key."""

from __future__ import annotations

from typing import Any

import dagster as dg

from connector_assets.defs.resources import StoreResource


def _where(context: dg.AssetExecutionContext | dg.OpExecutionContext | None) -> dict[str, str | None]:
    asset_key = context.asset_key.to_user_string() if isinstance(context, dg.AssetExecutionContext) else None
    return {"run_id": context.run.run_id if context else None, "asset_key": asset_key}


def record_many(
    store: StoreResource,
    connection_id: str,
    entity_type: str,
    entries: list[tuple[str, str, dict[str, Any]]],
    context: dg.AssetExecutionContext | dg.OpExecutionContext | None = None,
) -> None:
    """Append (entity id, action, detail) entries in one transaction: a run's employees, say."""
    where = _where(context)
    store.audit.append_many(
        [
            {"connection_id": connection_id, "entity_type": entity_type, "entity_id": entity_id,
             "action": action, "detail": detail, **where}
            for entity_id, action, detail in entries
        ]
    )  # fmt: skip


def record(
    store: StoreResource,
    connection_id: str,
    entity_type: str,
    entity_id: str,
    action: str,
    detail: dict[str, Any],
    context: dg.AssetExecutionContext | dg.OpExecutionContext | None = None,
) -> None:
    """Append one audit entry (nothing secret goes in `detail`)."""
    store.audit.append(
        connection_id=connection_id,
        entity_type=entity_type,
        entity_id=entity_id,
        action=action,
        detail=detail,
        **_where(context),
    )
