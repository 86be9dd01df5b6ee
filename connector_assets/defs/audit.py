"""Audit entries written from Dagster runs: every record carries the run id and the asset key."""

from __future__ import annotations

from typing import Any

import dagster as dg

from connector_assets.defs.resources import StoreResource


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
    asset_key = None
    if isinstance(context, dg.AssetExecutionContext):
        asset_key = context.asset_key.to_user_string()
    store.audit.append(
        connection_id=connection_id,
        entity_type=entity_type,
        entity_id=entity_id,
        action=action,
        detail=detail,
        run_id=context.run_id if context else None,
        asset_key=asset_key,
    )
