"""The receiver app built from the environment, for uvicorn worker processes (`factory=True`)."""

from __future__ import annotations

import gc
import os

from starlette.applications import Starlette

from connector_assets.receiver.app import RECEIVER_STORE_WAIT_S, create_app
from connector_assets.receiver.body import DEFAULT_MAX_BODY_BYTES
from connector_assets.receiver.limits import (
    DEFAULT_BODY_TIMEOUT_S,
    DEFAULT_HANDSHAKES_PER_MINUTE,
    DEFAULT_MAX_CONNECTIONS,
    ReceiverLimits,
)
from connector_assets.settings import load_connections
from connector_assets.store import create_store_engine
from connector_assets.store.crypto import SecretCipher
from connector_assets.store.handshakes import DEFAULT_CAP, DEFAULT_TTL_S

MAX_BODY_ENV = "CONNECTOR_RECEIVER_MAX_BODY_BYTES"
VERIFIED_ONLY_ENV = "CONNECTOR_RECEIVER_VERIFIED_ONLY"
BODY_TIMEOUT_ENV = "CONNECTOR_RECEIVER_BODY_TIMEOUT_S"
MAX_CONNECTIONS_ENV = "CONNECTOR_RECEIVER_MAX_CONNECTIONS"
HANDSHAKES_ENV = "CONNECTOR_RECEIVER_HANDSHAKES_PER_MINUTE"
PENDING_TOKENS_ENV = "CONNECTOR_RECEIVER_PENDING_TOKENS"
PENDING_TTL_ENV = "CONNECTOR_RECEIVER_PENDING_TOKEN_TTL_S"
APP_FACTORY = "connector_assets.receiver.asgi:app_from_env"


class ReceiverConfigError(ValueError):
    """A receiver setting in the environment is invalid; the message names the variable and the fix."""


def _max_body_bytes() -> int:
    raw = os.environ.get(MAX_BODY_ENV)
    if not raw:
        return DEFAULT_MAX_BODY_BYTES
    if not raw.strip().isdigit() or int(raw) <= 0:
        raise ReceiverConfigError(f"{MAX_BODY_ENV}={raw!r} must be a positive number of bytes, e.g. 1048576")
    return int(raw)


def _positive(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1
    if value <= 0:
        raise ReceiverConfigError(f"{name}={raw!r} must be a positive number, e.g. {default:g}")
    return value


def limits_from_env() -> ReceiverLimits:
    """The receiver's limits from `CONNECTOR_RECEIVER_*` (README, configuration table)."""
    return ReceiverLimits(
        body_timeout_s=_positive(BODY_TIMEOUT_ENV, DEFAULT_BODY_TIMEOUT_S),
        max_connections=int(_positive(MAX_CONNECTIONS_ENV, DEFAULT_MAX_CONNECTIONS)),
        handshakes_per_minute=int(_positive(HANDSHAKES_ENV, DEFAULT_HANDSHAKES_PER_MINUTE)),
        pending_tokens=int(_positive(PENDING_TOKENS_ENV, DEFAULT_CAP)),
        pending_token_ttl_s=_positive(PENDING_TTL_ENV, DEFAULT_TTL_S),
    )


def app_from_env() -> Starlette:
    """The receiver for every connection in the connections file, on the store at `CONNECTOR_DATABASE_URL`.

    Migrations are not run here: `connector receiver` runs them once before starting the workers.
    """
    max_body_bytes = _max_body_bytes()
    connections = load_connections()
    app = create_app(
        create_store_engine(wait_s=RECEIVER_STORE_WAIT_S),
        SecretCipher.from_env(),
        {c.id for c in connections.connections},
        max_body_bytes=max_body_bytes,
        verified_only=os.environ.get(VERIFIED_ONLY_ENV, "1").lower() not in {"0", "false", "no"},
        limits=limits_from_env(),
    )
    # Everything built so far lives as long as the worker: keep it out of the collector's full passes,
    # which otherwise stall the event loop for tens of milliseconds under load.
    gc.collect()
    gc.freeze()
    return app
