"""Audit exports for auditors: a connection's entries between two dates as CSV or Parquet."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Literal

import polars as pl

from connector_assets.operations.history import amounts
from connector_assets.store.audit import AuditLog

Format = Literal["csv", "parquet"]
SCHEMA: dict[str, pl.DataType] = {
    "id": pl.Int64(), "at": pl.Datetime("us", "UTC"), "connection_id": pl.String(), "entity_type": pl.String(),
    "entity_id": pl.String(), "action": pl.String(), "run_id": pl.String(), "asset_key": pl.String(),
    "amounts": pl.String(), "detail": pl.String(),
}  # fmt: skip


def audit_frame(audit: AuditLog, connection_id: str, start: date, end: date) -> pl.DataFrame:
    """Entries from `start` through `end` (whole UTC days, both included); details as JSON text."""
    lower = datetime.combine(start, time(), UTC)
    upper = datetime.combine(end + timedelta(days=1), time(), UTC)
    rows = [
        (e.id, e.at if e.at.tzinfo else e.at.replace(tzinfo=UTC), e.connection_id, e.entity_type, e.entity_id,
         e.action, e.run_id, e.asset_key, json.dumps(amounts(e.detail), sort_keys=True),
         json.dumps(e.detail, sort_keys=True, default=str))
        for e in audit.between(connection_id, lower, upper)
    ]  # fmt: skip
    return pl.DataFrame(rows, schema=SCHEMA, orient="row")


def export_audit(audit: AuditLog, connection_id: str, start: date, end: date, fmt: Format, out: Path) -> int:
    """Write the entries to `out`; returns how many were written."""
    if end < start:
        raise ValueError(f"audit export for {connection_id}: --to {end} is before --from {start}")
    frame = audit_frame(audit, connection_id, start, end)
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        frame.write_csv(out)
    else:
        frame.write_parquet(out)
    return frame.height


def read_export(path: Path) -> pl.DataFrame:
    """An export read back with its schema (what an auditor's tools see)."""
    if path.suffix == ".parquet":
        return pl.read_parquet(path)
    return pl.read_csv(path, schema=SCHEMA)
