"""The Dagster UI as the operations console, in headless Chromium: a held payroll per partition, released by
materializing its journal partition, and the posting with its CloudSuite document id.

The webserver and the daemon (queue, sensors, automation) run on the test's own Dagster home, configured
like `make dev`'s. Skips locally without Debian's chromium; under CI (`CI=true`) a missing browser fails.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import dagster as dg
import httpx
import pytest
import yaml

from connector_assets.demo.environment import free_port
from connector_assets.demo.homes import instance_config
from connector_assets.store.postings import HELD, POSTED
from connector_assets_tests.operations.scenario import Deployment, bonus_payroll, reload_definitions

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
STARTUP_S, PAGE_TIMEOUT_MS, POSTED_WITHIN_S = 120.0, 60_000, 420.0


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    message = f"{CHROMIUM} is missing (apt-get install -y chromium)"
    if os.environ.get("CI") == "true":
        pytest.fail(message + "; CI must run the browser test")
    pytest.skip(message)


def _wait_until_serving(proc: subprocess.Popen[bytes], url: str, log: Path) -> None:
    """Poll /server_info until the webserver answers; fail with its log if it dies or never answers."""
    deadline = time.monotonic() + STARTUP_S
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/server_info", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        try:
            proc.wait(timeout=0.5)  # paces the polling and notices an early exit
        except subprocess.TimeoutExpired:
            continue
        pytest.fail(f"dagster-webserver exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
    pytest.fail(f"dagster-webserver did not answer within {STARTUP_S:.0f}s:\n{log.read_text()[-3000:]}")


def _start_webserver(home: Path) -> tuple[subprocess.Popen[bytes], str, Path]:
    """`dagster-webserver -w workspace.yaml` on a loopback port with this process's environment."""
    workspace = home / "workspace.yaml"
    workspace.write_text(yaml.safe_dump({"load_from": [{"python_module": {
        "module_name": "connector_assets.definitions", "location_name": "connector"}}]}))  # fmt: skip
    port = free_port()
    log = home / "webserver.log"
    executable = Path(sys.executable).parent / "dagster-webserver"
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            [str(executable), "-w", str(workspace), "-h", "127.0.0.1", "-p", str(port)],
            env=dict(os.environ), cwd=home, stdout=sink, stderr=subprocess.STDOUT,
        )  # fmt: skip
    return proc, f"http://127.0.0.1:{port}", log


def _start_daemon(home: Path) -> subprocess.Popen[bytes]:
    """`dagster-daemon run`: dequeues UI-launched runs and evaluates the sensors and automation."""
    executable = Path(sys.executable).parent / "dagster-daemon"
    with (home / "daemon.log").open("wb") as sink:
        return subprocess.Popen(
            [str(executable), "run", "-w", str(home / "workspace.yaml")],
            env=dict(os.environ), cwd=home, stdout=sink, stderr=subprocess.STDOUT,
        )  # fmt: skip


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@dataclass
class Console:
    """The deployment, its UI, and the two payrolls: one posted, one held on a blocked account."""

    deployed: Deployment
    url: str
    posted: str
    held: str
    account: str

    @property
    def held_key(self) -> str:
        return self.deployed.key("ui", self.held)


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    """A posted payroll, then one held because CloudSuite blocked its expense account; UI and daemon serving."""
    _require_chromium()
    saved = dict(os.environ)
    deployed = Deployment.create(tmp_path_factory.mktemp("ui"))
    # As `make dev` configures it.
    (deployed.home / "dagster.yaml").write_text(yaml.safe_dump(instance_config(deployed.home)))
    try:
        deployed.add_tenant("ui")
        # The webserver boots (loads the code location) while the payrolls run; both read the same env.
        proc, url, log = _start_webserver(deployed.home)
        daemon = _start_daemon(deployed.home)
        try:
            posted = bonus_payroll(deployed, "ui")
            assert deployed.run_payroll("ui", posted).success
            (journal,) = [p.journal for p in deployed.ctx.postings.for_payroll("ui", posted)]
            account = next(line[0] for line in (journal or {})["lines"] if line[3])  # a debited account
            deployed.env.tenants["ui"].ion.block_account(account)
            held = bonus_payroll(deployed, "ui")
            deployed.run_payroll("ui", held)
            _wait_until_serving(proc, url, log)
            # What the dialog's "Skip" does: mark the first-visit newsletter dialog seen.
            seen = httpx.post(f"{url}/graphql", json={"query": "mutation { setNuxSeen }"}, timeout=10)
            assert seen.status_code == 200 and seen.json()["data"]["setNuxSeen"], seen.text
            yield Console(deployed, url, posted, held, account)
        finally:
            _stop(daemon)
            _stop(proc)
    finally:
        deployed.close()
        os.environ.clear()
        os.environ.update(saved)
        reload_definitions()


@pytest.fixture
def page(console: Console) -> Iterator[Page]:
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=PAGE_TIMEOUT_MS)  # a loaded host renders the first page slowly
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            tab = browser.new_page(viewport={"width": 1600, "height": 1100})
            tab.set_default_timeout(PAGE_TIMEOUT_MS)
            yield tab
        finally:
            browser.close()


def _postings(console: Console, payroll: str) -> list[str]:
    return [p.state for p in console.deployed.ctx.postings.for_payroll("ui", payroll)]


def test_held_payroll_check_is_shown_per_partition(console: Console, page: Page) -> None:
    """The check view shows the held payroll's own failed check, its partition and reason, and how to release."""
    from playwright.sync_api import expect

    assert _postings(console, console.posted) == [POSTED]
    assert _postings(console, console.held) == [HELD]
    page.goto(f"{console.url}/assets/ledger/journal_lines?view=checks&checkDetail=accounts_exist_and_open")
    try:
        expect(page.get_by_text("Latest execution")).to_be_visible()
        expect(page.get_by_text(f"account {console.account} is blocked in CloudSuite").first).to_be_visible()
        expect(page.get_by_text("Failed").first).to_be_visible()
        expect(page.get_by_text(console.held_key).first).to_be_visible()  # the evaluation is this payroll's
        expect(page.get_by_text(f"connector replay payroll {console.held}")).to_be_visible()
    finally:
        page.screenshot(path=str(ARTIFACTS / "held-payroll-checks.png"), full_page=True)


# Its own deadline (POSTED_WITHIN_S, with the daemon's log) must expire before the suite's timeout does.
@pytest.mark.timeout(POSTED_WITHIN_S + 2 * PAGE_TIMEOUT_MS / 1000 + 60)
def test_materialize_in_the_ui_releases_and_posts(console: Console, page: Page) -> None:
    """Unblock the account, click Materialize on the held journal partition: the posting follows with its document."""
    from playwright.sync_api import expect

    console.deployed.env.tenants["ui"].ion.block_account(console.account, blocked=False)
    key = console.held_key
    page.goto(f"{console.url}/assets/ledger/journal_lines?view=partitions&partition={quote(key)}")
    expect(page.get_by_text("Latest materialization")).to_be_visible()
    page.get_by_role("button", name="Materialize…").click()
    confirm = page.get_by_role("button", name="Confirm")  # upstream master data came from outside Dagster
    dialog = page.locator('[role="dialog"]')
    expect(dialog.get_by_text("Launch runs to materialize").or_(confirm)).to_be_visible()
    if confirm.is_visible():
        confirm.click()
    expect(dialog.get_by_text("1 partition")).to_be_visible()
    expect(dialog.get_by_text(key).first).to_be_attached()  # shown middle-truncated; the full key is in the DOM
    page.screenshot(path=str(ARTIFACTS / "release-materialize.png"), full_page=True)
    dialog.locator("button", has_text="Launch").first.click()

    deadline = time.monotonic() + POSTED_WITHIN_S
    while POSTED not in _postings(console, console.held):
        if time.monotonic() > deadline:
            log = (console.deployed.home / "daemon.log").read_text(errors="replace")[-3000:]
            pytest.fail(
                f"payroll {key} not posted within {POSTED_WITHIN_S:.0f}s: {_postings(console, console.held)}\n{log}"
            )
        page.wait_for_timeout(2000)  # paces the polling of the store; the deadline bounds it
    postings = console.deployed.ctx.postings.for_payroll("ui", console.held)
    assert [p.state for p in postings].count(POSTED) == 1
    document = next(p.document_id for p in postings if p.state == POSTED)
    with console.deployed.instance() as instance:
        launched = instance.get_runs(dg.RunsFilter(tags={"dagster/partition": key, "dagster/from_ui": "true"}))
        assert launched and all(r.tags.get("connector/connection") == "ui" for r in launched)

    page.goto(f"{console.url}/assets/cloudsuite/journal_postings?view=partitions&partition={quote(key)}")
    try:
        expect(page.get_by_text(str(document)).first).to_be_visible()
        expect(page.get_by_text("posted").first).to_be_visible()
    finally:
        page.screenshot(path=str(ARTIFACTS / "posted-document.png"), full_page=True)
