"""`connector dev`: the sandbox, the webhook receiver and `dagster dev`, wired together for a person to watch.

The simulators and the receiver run in this process (threads); `dagster dev` runs as a child process with
the connector's environment. A payroll run in the sandbox is pushed to the receiver, lands in the inbox,
and the inbox sensor (on by default) launches the run that posts it to the ION simulator.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import typer
import yaml

from connector_assets import clock
from connector_assets.demo.console import quiet_console
from connector_assets.demo.environment import SandboxEnvironment
from connector_assets.demo.homes import export_line, instance_home, sandbox_base, write_env_file
from connector_assets.demo.run import demo_key
from connector_assets.gusto.client import GustoClient
from connector_assets.gusto.models import WebhookSubscription
from connector_assets.gusto.webhooks import subscribe
from connector_assets.receiver import create_app
from connector_assets.sandbox.server import ServerThread
from connector_assets.settings import load_connections
from connector_assets.store import create_store_engine, upgrade
from connector_assets.store.crypto import SecretCipher
from connector_assets.store.ratelimit import RollingWindowLimiter
from connector_assets.store.subscriptions import Subscriptions
from connector_assets.store.vault import TokenVault

CONNECTION = "northwind"
Progress = Callable[[str], None]


def webhook_url(receiver_url: str, connection_id: str) -> str:
    """Where Gusto delivers a connection's events."""
    return f"{receiver_url}/webhooks/gusto/{connection_id}"


def start_receiver(env: SandboxEnvironment, *, host: str = "127.0.0.1", port: int = 0) -> ServerThread:
    """Serve the webhook receiver for every connection of `env` on loopback (uvicorn in a thread)."""
    engine = upgrade(create_store_engine(env.database_url))
    app = create_app(engine, SecretCipher([env.encryption_key]), set(env.tenants))
    return ServerThread(app, host=host, port=port, name="receiver").start()


def subscribe_sandbox(
    env: SandboxEnvironment, connection_id: str, receiver_url: str, progress: Progress = lambda _m: None
) -> WebhookSubscription:
    """Subscribe the connection's sandbox company to the receiver and complete the verification handshake."""
    connection = load_connections(env.connections_path).get(connection_id)
    engine = upgrade(create_store_engine(env.database_url))
    cipher = SecretCipher([env.encryption_key])
    vault, limiter = TokenVault(engine, cipher), RollingWindowLimiter(engine)
    with GustoClient(connection.gusto, connection_id, vault, limiter) as client:
        return subscribe(
            client, Subscriptions(engine, cipher), webhook_url(receiver_url, connection_id),
            timeout_s=30, poll_s=0.05, progress=progress,
        )  # fmt: skip


def run_payroll_command(env: SandboxEnvironment, connection_id: str) -> str:
    """The curl command that processes the sandbox company's next regular payroll."""
    url = env.tenants[connection_id].gusto_server.url
    return f"curl -s -X POST {url}/_sandbox/payrolls -H 'Content-Type: application/json' -d '{{}}'"


@dataclass
class DevDeployment:
    """The running pieces of `connector dev`."""

    env: SandboxEnvironment
    receiver: ServerThread
    subscription: WebhookSubscription
    workspace: Path
    env_file: Path
    dagster_home: Path

    def dagster_env(self) -> dict[str, str]:
        """The environment `dagster dev` needs: the connector's variables and this session's DAGSTER_HOME."""
        return {**self.env.env(), "DAGSTER_HOME": str(self.dagster_home)}

    def close(self) -> None:
        self.receiver.stop()
        try:
            self.env.save_simulators()  # `connector preview`/`replay` can serve this world after dev stops
        finally:
            self.env.close()


def write_workspace(workdir: Path, env: SandboxEnvironment, home: Path) -> tuple[Path, Path]:
    """`workspace.yaml` loading the connector's Definitions, and `dev.env` with the variables they read."""
    workspace = workdir / "workspace.yaml"
    document = {"load_from": [{"python_module": {"module_name": "connector_assets.definitions"}}]}
    workspace.write_text(yaml.safe_dump(document, sort_keys=False))
    # Sandbox credentials and the local key only; readable by this user alone all the same.
    env_file = write_env_file(workdir / "dev.env", {**env.env(), "DAGSTER_HOME": str(home)})
    return workspace, env_file


def start_dev(
    home: Path,
    *,
    seed: int = 7,
    employees: int = 40,
    history_months: int = 2,
    receiver_port: int = 0,
    progress: Progress = lambda _m: None,
) -> DevDeployment:
    """Sandbox + store + Dagster instance + receiver + verified subscription + workspace, under `home/dev/<time>`.

    Each session has its own store and Dagster instance: the simulators start afresh from the seed, so a
    shared instance would show the same payroll partitions with an earlier session's documents.
    """
    workdir = home / "dev" / clock.now().strftime("%Y%m%dT%H%M%S%f")
    workdir.mkdir(parents=True, exist_ok=True)
    dagster_home = instance_home(workdir)
    # A fresh store per session: the simulators start empty, so postings from an earlier one would mislead.
    env = SandboxEnvironment(workdir, f"sqlite:///{workdir / 'connector.db'}", demo_key(home, progress))
    try:
        progress("starting the Gusto and ION simulators with the reference firm …")
        env.add_tenant(CONNECTION, seed=seed, employees=employees, history_months=history_months)
        receiver = start_receiver(env, port=receiver_port)
        progress(f"receiver listening on {receiver.url}")
    except BaseException:
        env.close()
        raise
    try:
        subscription = subscribe_sandbox(env, CONNECTION, receiver.url, progress)
        workspace, env_file = write_workspace(workdir, env, dagster_home)
    except BaseException:
        receiver.stop()
        env.close()
        raise
    return DevDeployment(env, receiver, subscription, workspace, env_file, dagster_home)


def prime_pipeline(home: Path, progress: Progress = lambda _m: None) -> bool:
    """Master data and the workforce sync once, recorded in `home`'s instance, so the first payroll can post."""
    from connector_assets.defs import operations as ops

    ok = True
    with ops.local_instance(str(home)) as instance:
        for job in ("master_data_job", "workforce_job"):
            outcome = ops.run_job(instance, job, CONNECTION)
            progress(f"{job} {CONNECTION}: {'ok' if outcome.success else 'FAILED ' + (outcome.error or '')}")
            ok = ok and outcome.success
    return ok


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def dev(
    port: int = typer.Option(3000, help="Port of the Dagster UI."),
    receiver_port: int = typer.Option(0, help="Port of the webhook receiver (0: any free port)."),
    seed: int = typer.Option(7, help="Seed of the reference firm."),
    employees: int = typer.Option(40, help="Employees of the reference firm."),
    history_months: int = typer.Option(2, help="Months of payroll history already in Gusto."),
    no_dagster: bool = typer.Option(False, "--no-dagster", help="Start everything but `dagster dev`; wait."),
    verbose: bool = typer.Option(False, "--verbose", help="Print the in-process runs' event log here."),
) -> None:
    """Sandbox, receiver and `dagster dev` (UI, daemon, inbox sensor on): run a payroll, watch it post."""
    home = sandbox_base()
    home.mkdir(parents=True, exist_ok=True)
    # `dagster dev` inherits the terminal's file descriptors, so its own console is untouched.
    with quiet_console(home, "dev", verbose) as console:
        _serve(home, port, receiver_port, seed, employees, history_months, no_dagster, console.say)


def _serve(
    home: Path,
    port: int,
    receiver_port: int,
    seed: int,
    employees: int,
    history_months: int,
    no_dagster: bool,
    say: Progress,
) -> None:
    deployment = start_dev(
        home, seed=seed, employees=employees, history_months=history_months, receiver_port=receiver_port,
        progress=say,
    )  # fmt: skip
    try:
        gusto_url = deployment.env.tenants[CONNECTION].gusto_server.url
        say(
            f"gusto listening on {gusto_url}; ion listening on {deployment.env.tenants[CONNECTION].ion_server.url}"
        )
        say(f"subscription {deployment.subscription.uuid} is {deployment.subscription.status}")
        say(f"for other shells:  {export_line(deployment.env_file, deployment.dagster_home)}")
        prime_pipeline(deployment.dagster_home, say)
        say(f"run a payroll:  {run_payroll_command(deployment.env, CONNECTION)}")
        if no_dagster:
            say("waiting (Ctrl-C to stop) …")
            threading.Event().wait()
            return
        say(f"starting dagster dev on http://127.0.0.1:{port} (DAGSTER_HOME={deployment.dagster_home}) …")
        dagster = Path(sys.executable).with_name("dagster")
        # Warnings only: the daemon otherwise logs every idle sensor tick at INFO (the UI lists the ticks).
        command = [str(dagster), "dev", "-w", str(deployment.workspace), "-p", str(port), "--log-level", "warning"]
        child = subprocess.Popen(command, env={**os.environ, **deployment.dagster_env()})
        signal.signal(signal.SIGTERM, _interrupt)
        try:
            child.wait()
        finally:
            if child.poll() is None:
                # SIGINT lets `dagster dev` stop its webserver, daemon and code servers itself.
                child.send_signal(signal.SIGINT)
                child.wait(timeout=60)
    except KeyboardInterrupt:
        pass
    finally:
        deployment.close()
