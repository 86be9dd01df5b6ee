"""A sandbox connection's simulators run inside `connector demo` / `connector dev` and stop with them.

Commands that call a vendor check first, so a stopped sandbox is one sentence with the way forward, not a
series of connection retries.
"""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

from connector_assets.operations.errors import OperationError
from connector_assets.settings import Connection

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class SandboxStopped(OperationError):
    """The connection points at loopback simulators that are not running."""


def require_sandbox_running(connection: Connection) -> None:
    """Raise `SandboxStopped` when the connection's Gusto is a loopback simulator nobody serves any more."""
    parts = urlsplit(connection.gusto.api_base_url)
    if parts.hostname not in LOOPBACK or parts.port is None:
        return
    try:
        socket.create_connection((parts.hostname, parts.port), timeout=1).close()
    except OSError:
        raise SandboxStopped(
            f"connection {connection.id} is a sandbox whose simulators ({parts.netloc}) stopped with the command "
            "that started them; `connector held`, `audit` and `status` work without them, and `make dev` runs "
            "a live sandbox for preview and replay"
        ) from None
