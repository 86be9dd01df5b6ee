"""A sandbox connection's simulators, for the commands that call its vendors (preview, replay, approve).

The simulators run inside `connector demo` / `connector dev` and stop with them; both save their state
beside the connection's `.ionapi` file when they stop. A command that finds them stopped restarts them from
that state on their own ports for as long as it runs, then saves what it changed (a replay's new CloudSuite
document), so the next command sees the same world.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from connector_assets.operations.errors import OperationError
from connector_assets.settings import Connection

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class SandboxStopped(OperationError):
    """The connection points at loopback simulators that are not running and cannot be restarted."""


def _loopback_port(url: str) -> tuple[str, int] | None:
    parts = urlsplit(url)
    if parts.hostname not in LOOPBACK or parts.port is None:
        return None
    return parts.hostname, parts.port


def _listening(address: tuple[str, int]) -> bool:
    try:
        socket.create_connection(address, timeout=1).close()
    except OSError:
        return False
    return True


def state_file(connection: Connection) -> Path:
    """Where the demo (or dev) left the connection's simulators: beside its `.ionapi` file."""
    from connector_assets.sandbox.persist import STATE_FILE  # the simulators load only for a sandbox

    return Path(connection.cloudsuite.ionapi_file).parent / STATE_FILE


def require_sandbox_running(connection: Connection) -> None:
    """Raise `SandboxStopped` when the connection's Gusto is a loopback simulator nobody serves any more."""
    address = _loopback_port(connection.gusto.api_base_url)
    if address is None or _listening(address):
        return
    raise SandboxStopped(
        f"connection {connection.id} is a sandbox whose simulators ({address[0]}:{address[1]}) are not running "
        f"and left no state to restart from ({state_file(connection)}); run `make demo` again, or `make dev`"
    )


@contextmanager
def sandbox_serving(connection: Connection) -> Iterator[None]:
    """While the block runs, serve a stopped sandbox connection's simulators from their saved state.

    Real connections, and sandboxes already served (by `make dev`), pass through untouched.
    """
    gusto_address = _loopback_port(connection.gusto.api_base_url)
    if gusto_address is None or _listening(gusto_address) or not (path := state_file(connection)).exists():
        yield  # nothing to start (a missing state file is reported by `require_sandbox_running`)
        return
    from connector_assets.cloudsuite.ionapi import load_ionapi
    from connector_assets.sandbox.persist import SimulatorStateError, load_simulators, save_simulators
    from connector_assets.sandbox.server import ServerThread

    ion_address = _loopback_port(load_ionapi(connection.cloudsuite.ionapi_file).gateway_url)
    if ion_address is None:
        raise SandboxStopped(f"connection {connection.id}: its .ionapi file does not point at the ION simulator")
    try:
        gusto, ion = load_simulators(path)
    except SimulatorStateError as exc:
        raise SandboxStopped(f"connection {connection.id}: {exc}; run `make demo` again") from None
    servers: list[ServerThread] = []
    try:
        for app, (host, port), name in (
            (gusto.asgi_app, gusto_address, "Gusto"),
            (ion.asgi_app, ion_address, "ION"),
        ):
            try:
                servers.append(ServerThread(app, host=host, port=port, name=f"{name.lower()}-sandbox").start())
            except OSError as exc:
                raise SandboxStopped(
                    f"connection {connection.id}: cannot restart its {name} simulator on {host}:{port} "
                    f"({exc.strerror}); free the port, or run `make demo` again"
                ) from None
        yield
    finally:
        for server in servers:
            server.stop()
        gusto.close()
        if len(servers) == 2:
            save_simulators(path, gusto, ion)  # what the command changed is there for the next one
