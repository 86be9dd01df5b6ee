"""One structured log line per receiver decision; bodies, tokens and signatures are never logged."""

from __future__ import annotations

import json
import logging
from typing import Any

logger = logging.getLogger("connector_assets.receiver")

# Path segments and payload fields come from the network: cap them so one line stays one short line.
_MAX_FIELD = 80


def _clip(value: Any) -> Any:
    if isinstance(value, str) and len(value) > _MAX_FIELD:
        return value[:_MAX_FIELD] + "…"
    return value


def log_event(level: int, event: str, **fields: Any) -> None:
    """Log `event` with `fields` as one JSON object on one line (JSON escaping keeps newlines out)."""
    if not logger.isEnabledFor(level):
        return
    record = {"event": event, **{k: _clip(v) for k, v in fields.items() if v is not None}}
    logger.log(level, json.dumps(record, ensure_ascii=True, sort_keys=True), extra={"receiver": record})


def log_rejection(status: int, reason: str, connection: str, **fields: Any) -> None:
    """A delivery refused with `status`: why, for which connection (no secrets in `fields`)."""
    log_event(logging.WARNING, "webhook_rejected", status=status, reason=reason, connection=connection, **fields)
