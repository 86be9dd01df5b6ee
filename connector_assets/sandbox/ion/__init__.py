"""Simulator of an Infor CloudSuite tenant behind the ION API Gateway (OAuth, M3 MI REST, SyteLine IDO REST)."""

from __future__ import annotations

from typing import Any

from connector_assets.sandbox.ion.config import IonConfig, SpikeArrest
from connector_assets.sandbox.ion.demo_chart import default_accounts, default_cost_centers
from connector_assets.sandbox.ion.simulator import IonSimulator
from connector_assets.sandbox.ion.tokens import Credentials
from connector_assets.sandbox.server import ServerThread

__all__ = [
    "Credentials",
    "IonConfig",
    "IonSimulator",
    "SpikeArrest",
    "default_accounts",
    "default_cost_centers",
    "start_ion_sandbox",
]


def start_ion_sandbox(
    tenant: str = "ACME_TST", *, seed_default: bool = True, host: str = "127.0.0.1", port: int = 0, **options: Any
) -> tuple[IonSimulator, ServerThread]:
    """Start a simulator on loopback (demo chart seeded unless `seed_default=False`); stop it with `server.stop()`."""
    sim = IonSimulator(tenant, **options)
    if seed_default:
        sim.seed_accounts(default_accounts())
        sim.seed_cost_centers(default_cost_centers())
    server = ServerThread(sim.asgi_app, host=host, port=port, name=f"ion-{tenant}").start()
    return sim, server
