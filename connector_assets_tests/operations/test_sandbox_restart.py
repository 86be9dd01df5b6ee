"""After the demo stops, `connector preview` and `replay` restart its simulators from the state it left.

A demo-like world is built in-process (a posted payroll, a hire and a held bonus that exist only in that
world, then the mapping fix), its simulators are saved and stopped as `connector demo` does on exit, and
the commands run as a person runs them: a new process pointed at the world by its env file.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from connector_assets.demo.homes import write_env_file
from connector_assets.sandbox.persist import STATE_FILE, load_simulators
from connector_assets.store.postings import POSTED
from connector_assets_tests.operations.scenario import Deployment, reload_definitions

CONNECTION = "northwind"
CONTRACTORS_PAID = date(2026, 4, 17)  # paid in the demo's world, never run: only its simulators know the day
WORLD_VARS = ("CONNECTOR_ENV_FILE", "CONNECTOR_CONNECTIONS", "CONNECTOR_DATABASE_URL", "CONNECTOR_ENCRYPTION_KEY")


@dataclass
class StoppedDemo:
    """What the demo leaves behind: files, store, Dagster home, saved simulators, and nothing listening."""

    deployment: Deployment
    env_file: Path
    state_file: Path
    posted_payroll: str
    posted_document: str
    held_payroll: str


@pytest.fixture(scope="module")
def stopped_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StoppedDemo]:
    saved = dict(os.environ)
    root = tmp_path_factory.mktemp("stopped-demo")
    deployment = Deployment.create(root)
    try:
        tenant = deployment.add_tenant(CONNECTION)
        posted = str(next(p.uuid for p in tenant.world.payrolls if p.processed_date))
        assert deployment.run_payroll(CONNECTION, posted).success
        document = next(p.document_id for p in deployment.ctx.postings.for_payroll(CONNECTION, posted))
        held = deployment.held_payroll(CONNECTION)
        assert not any(p.state == POSTED for p in deployment.ctx.postings.for_payroll(CONNECTION, held))
        deployment.env.write_mapping(CONNECTION, {"Research": deployment.open_cost_center(CONNECTION)})
        tenant.gusto.pay_contractors(check_date=CONTRACTORS_PAID)
        [state_file] = deployment.env.save_simulators()
        env_file = write_env_file(
            root / "demo.env", {**deployment.env.env(), "DAGSTER_HOME": str(deployment.home)}
        )
    finally:
        deployment.close()  # the simulators stop, as they do when `connector demo` exits
        os.environ.clear()
        os.environ.update(saved)
        reload_definitions()
    yield StoppedDemo(deployment, env_file, state_file, posted, str(document), held)


def connector(world: StoppedDemo, *args: str) -> subprocess.CompletedProcess[str]:
    """`connector …` in a new process that knows the world only through the env file the demo printed."""
    env = {k: v for k, v in os.environ.items() if k not in WORLD_VARS and k != "DAGSTER_HOME"}
    env.update(CONNECTOR_ENV_FILE=str(world.env_file), DAGSTER_HOME=str(world.deployment.home))
    code = "import sys; from connector_assets.cli import app; sys.argv = ['connector', *sys.argv[1:]]; app()"
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=600, env=env
    )


def test_demo_saves_its_simulators_beside_the_connection(stopped_demo: StoppedDemo) -> None:
    assert stopped_demo.state_file.name == STATE_FILE
    assert stopped_demo.state_file.parent == stopped_demo.deployment.env.tenants[CONNECTION].mapping_path.parent
    assert stopped_demo.state_file.stat().st_mode & 0o077 == 0  # sandbox credentials: owner only


def test_preview_then_replay_serve_the_demo_world(stopped_demo: StoppedDemo) -> None:
    """The held bonus (its hire exists only in the demo's world) previews, then replays to a new document."""
    preview = connector(stopped_demo, "preview", "payroll", stopped_demo.held_payroll)
    assert preview.returncode == 0, preview.stderr
    assert "would post" in preview.stdout and "HELD" not in preview.stdout

    replay = connector(stopped_demo, "replay", "payroll", stopped_demo.held_payroll, "--json")
    assert replay.returncode == 0, replay.stderr + replay.stdout
    rows = stopped_demo.deployment.ctx.postings.for_payroll(CONNECTION, stopped_demo.held_payroll)
    [posted] = [p for p in rows if p.state == POSTED]
    assert posted.document_id and posted.document_id in replay.stdout

    # The restarted tenant kept the demo's documents and saved the new one for the next command.
    _gusto, ion = load_simulators(stopped_demo.state_file)
    vouchers = [f"{v.year}/{v.series}/{v.number}" for v in ion.vouchers()]  # M3's YEA4/VSER/VONO
    assert vouchers == [stopped_demo.posted_document, posted.document_id]


def test_contractor_preview_serves_the_demo_world(stopped_demo: StoppedDemo) -> None:
    """A day of contractor payments the demo's Gusto holds previews from the restarted simulators."""
    preview = connector(stopped_demo, "preview", "contractor-payments", CONTRACTORS_PAID.isoformat())
    assert preview.returncode == 0, preview.stderr
    assert preview.stdout.startswith(f"contractor payments {CONTRACTORS_PAID.isoformat()} ({CONNECTION})")
    assert "Contractor wages" in preview.stdout and "would post" in preview.stdout


def test_a_sandbox_without_saved_state_is_one_line(stopped_demo: StoppedDemo) -> None:
    """Without the saved state there is nothing to restart: one line naming the way forward."""
    moved = stopped_demo.state_file.with_name("elsewhere.pickle")
    stopped_demo.state_file.rename(moved)
    try:
        result = connector(stopped_demo, "preview", "payroll", stopped_demo.posted_payroll)
    finally:
        moved.rename(stopped_demo.state_file)
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1 and "make demo" in result.stderr
