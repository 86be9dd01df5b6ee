"""`connector sandbox`: both simulators on loopback with the reference firm, until interrupted.

Imports only sandbox modules (the sandbox never uses the connector's clients), so what it serves is the
vendors' side as the references describe it, independent of the code under test.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer

from connector_assets.sandbox.generator import generate_world
from connector_assets.sandbox.generator_models import World
from connector_assets.sandbox.gusto import GustoSimulator, start_gusto_sandbox
from connector_assets.sandbox.ion import IonSimulator, start_ion_sandbox
from connector_assets.sandbox.server import ServerThread


def _fields(item: Any) -> dict[str, Any]:
    return {f.name: getattr(item, f.name) for f in dataclasses.fields(item)}


@dataclass
class RunningSandbox:
    """Both simulators, their servers, and the files written for a client."""

    world: World
    gusto: GustoSimulator
    gusto_server: ServerThread
    ion: IonSimulator
    ion_server: ServerThread
    ionapi_path: Path
    app_path: Path

    def close(self) -> None:
        self.gusto_server.stop()
        self.gusto.close()
        self.ion_server.stop()


def start_sandbox(
    out: Path,
    *,
    gusto_port: int = 0,
    ion_port: int = 0,
    seed: int = 7,
    employees: int = 40,
    history_months: int = 3,
    tenant: str = "SANDBOX_TST",
    redirect_uri: str = "http://127.0.0.1:8765/oauth/callback",
) -> RunningSandbox:
    """Generate the reference firm, serve Gusto and ION for it, write `<tenant>.ionapi` and `gusto-app.json`."""
    world = generate_world(
        seed=seed, employees=employees, history_months=history_months, redirect_uri=redirect_uri
    )
    gusto, gusto_server = start_gusto_sandbox(world, port=gusto_port)
    try:
        ion, ion_server = start_ion_sandbox(tenant, seed_default=False, port=ion_port)
    except BaseException:
        gusto_server.stop()
        gusto.close()
        raise
    # CloudSuite holds the firm's chart and cost centers, so its payrolls can post.
    ion.seed_accounts([{**_fields(a), "code": a.account} for a in world.gl_accounts], replace=True)
    ion.seed_cost_centers([_fields(c) for c in world.cost_centers], replace=True)
    out.mkdir(parents=True, exist_ok=True)
    ionapi_path = ion.write_ionapi(out / f"{tenant}.ionapi", ion_server.url)
    app_path = out / "gusto-app.json"
    app_path.touch(mode=0o600)  # holds the app's client secret
    app = {
        "client_id": world.client_id,
        "client_secret": world.app.client_secret,
        "redirect_uri": world.redirect_uri,
        "company_uuid": world.company.uuid,
    }
    app_path.write_text(json.dumps(app, indent=2))
    return RunningSandbox(world, gusto, gusto_server, ion, ion_server, ionapi_path, app_path)


def sandbox(
    gusto_port: int = typer.Option(0, help="Port of the Gusto simulator (0: any free port)."),
    ion_port: int = typer.Option(0, help="Port of the ION API Gateway simulator (0: any free port)."),
    seed: int = typer.Option(7, help="Seed of the reference firm."),
    employees: int = typer.Option(40, min=1, help="Employees of the reference firm."),
    history_months: int = typer.Option(3, min=0, help="Months of processed payroll history."),
    tenant: str = typer.Option("SANDBOX_TST", help="ION tenant name (also the .ionapi file name)."),
    out: Path = typer.Option(Path(".sandbox"), "--out", help="Where to write the .ionapi and gusto-app.json."),
) -> None:
    """Serve the Gusto and Infor ION simulators on loopback until interrupted (Ctrl-C)."""
    running = start_sandbox(
        out, gusto_port=gusto_port, ion_port=ion_port, seed=seed, employees=employees,
        history_months=history_months, tenant=tenant,
    )  # fmt: skip
    try:
        typer.echo(f"gusto listening on {running.gusto_server.url}")
        typer.echo(f"ion listening on {running.ion_server.url}")
        typer.echo(f"wrote {running.ionapi_path} and {running.app_path}", err=True)
        threading.Event().wait()
    except KeyboardInterrupt:
        typer.echo("stopping the simulators", err=True)
    finally:
        running.close()
