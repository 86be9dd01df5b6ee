"""Simulator of Gusto's App Integrations API, written from Gusto's documentation and its OpenAPI spec.

Independent of `connector_assets.gusto` on purpose: a bug shared by client and simulator would hide itself.
"""

from __future__ import annotations

from typing import Any

from connector_assets.sandbox.generator_models import World
from connector_assets.sandbox.gusto.admin import AdminError
from connector_assets.sandbox.gusto.options import SimClock, SimulatorOptions
from connector_assets.sandbox.gusto.simulator import GustoSimulator
from connector_assets.sandbox.gusto.webhooks import sign
from connector_assets.sandbox.server import ServerThread

__all__ = [
    "AdminError",
    "GustoSimulator",
    "SimClock",
    "SimulatorOptions",
    "sign",
    "start_gusto_sandbox",
]


def start_gusto_sandbox(
    world: World, *, host: str = "127.0.0.1", port: int = 0, **options: Any
) -> tuple[GustoSimulator, ServerThread]:
    """Start a simulator for `world` on loopback; stop with `server.stop()` then `sim.close()`.

    `options` are GustoSimulator keyword arguments (SimulatorOptions fields, `clock`, `now`).
    """
    sim = GustoSimulator(world, **options)
    server = ServerThread(sim.asgi_app, host=host, port=port, name="gusto-sandbox").start()
    return sim, server
