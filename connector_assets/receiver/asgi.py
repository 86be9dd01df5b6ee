"""The receiver app built from the environment, for uvicorn worker processes (`factory=True`)."""

from __future__ import annotations

import gc
import os

from starlette.applications import Starlette

from connector_assets.receiver.app import RECEIVER_STORE_WAIT_S, create_app
from connector_assets.receiver.body import DEFAULT_MAX_BODY_BYTES
from connector_assets.settings import load_connections
from connector_assets.store import create_store_engine
from connector_assets.store.crypto import SecretCipher

MAX_BODY_ENV = "CONNECTOR_RECEIVER_MAX_BODY_BYTES"
VERIFIED_ONLY_ENV = "CONNECTOR_RECEIVER_VERIFIED_ONLY"
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
    )
    # Everything built so far lives as long as the worker: keep it out of the collector's full passes,
    # which otherwise stall the event loop for tens of milliseconds under load.
    gc.collect()
    gc.freeze()
    return app
