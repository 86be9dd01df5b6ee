"""`connector dev`'s setup and `connector sandbox`, without a browser or a Dagster daemon."""

from __future__ import annotations

import ast
import json
import os
import shlex
import stat
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml

import connector_assets.sandbox.cli as sandbox_cli
from connector_assets.demo.dev import CONNECTION, DevDeployment, run_payroll_command, start_dev
from connector_assets.sandbox.cli import start_sandbox
from connector_assets.store import create_store_engine
from connector_assets.store.inbox import Inbox


@pytest.fixture
def dev_deployment(tmp_path: Path) -> Iterator[DevDeployment]:
    """What `connector dev` starts before `dagster dev`: sandbox, store, receiver, subscription, files."""
    saved = dict(os.environ)
    deployment = start_dev(tmp_path / "home", employees=3, history_months=0)
    yield deployment
    deployment.close()
    os.environ.clear()
    os.environ.update(saved)


def test_dev_setup_subscribes_the_receiver_and_writes_the_workspace(
    dev_deployment: DevDeployment, tmp_path: Path
) -> None:
    """The subscription is verified, the workspace loads the Definitions, the env file carries the store."""
    assert dev_deployment.subscription.status == "verified"
    workspace = yaml.safe_load(dev_deployment.workspace.read_text())
    assert workspace == {"load_from": [{"python_module": {"module_name": "connector_assets.definitions"}}]}
    lines = dict(line.split("=", 1) for line in dev_deployment.env_file.read_text().splitlines())
    assert lines["CONNECTOR_DATABASE_URL"] == dev_deployment.env.database_url
    assert lines["DAGSTER_HOME"] == str(dev_deployment.dagster_home)
    assert dev_deployment.dagster_home.is_relative_to(tmp_path / "home" / "dev")  # never the demo's instance
    assert (dev_deployment.dagster_home / "dagster.yaml").exists()
    assert stat.S_IMODE(dev_deployment.env_file.stat().st_mode) == 0o600
    assert httpx.get(f"{dev_deployment.receiver.url}/healthz").status_code == 200


def test_printed_payroll_command_lands_in_the_inbox(dev_deployment: DevDeployment) -> None:
    """The command `connector dev` prints processes a payroll whose event the receiver stores."""
    words = shlex.split(run_payroll_command(dev_deployment.env, CONNECTION))
    url = next(w for w in words if w.startswith("http"))
    response = httpx.post(url, json={})
    assert response.status_code == 200, response.text
    assert dev_deployment.env.tenants[CONNECTION].gusto.webhooks.join(timeout=30)
    stored = Inbox(create_store_engine(dev_deployment.env.database_url)).after(0, limit=10)
    assert [(e.event_type, e.entity_uuid) for e in stored] == [("payroll.processed", response.json()["uuid"])]


def test_sandbox_serves_both_simulators_and_writes_client_files(tmp_path: Path) -> None:
    """`connector sandbox` writes the .ionapi and gusto-app.json that reach the servers it started."""
    running = start_sandbox(tmp_path / "out", employees=3, history_months=0, tenant="ACME_TST")
    try:
        app = json.loads(running.app_path.read_text())
        assert set(app) == {"client_id", "client_secret", "redirect_uri", "company_uuid"}
        assert stat.S_IMODE(running.app_path.stat().st_mode) == 0o600
        world = httpx.get(f"{running.gusto_server.url}/_sandbox/world").json()
        assert (world["company_uuid"], world["client_id"]) == (app["company_uuid"], app["client_id"])
        ionapi = json.loads((tmp_path / "out" / "ACME_TST.ionapi").read_text())
        assert running.ion_server.url in json.dumps(ionapi)
    finally:
        running.close()


def test_sandbox_command_imports_only_sandbox_modules() -> None:
    """House rule: the sandbox never imports the connector's clients (a shared bug would hide itself)."""
    tree = ast.parse(Path(str(sandbox_cli.__file__)).read_text())
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    ours = {m for m in imported if m.startswith("connector_assets")}
    assert ours and all(m.startswith("connector_assets.sandbox") for m in ours), ours
