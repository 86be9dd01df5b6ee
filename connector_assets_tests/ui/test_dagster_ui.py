"""The Dagster UI shows a held payroll: its failed blocking check and the reason, in headless Chromium.

Skips locally without Debian's chromium; under CI (`CI=true`) a missing browser fails the test instead.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml

from connector_assets.demo.environment import free_port
from connector_assets.store.postings import HELD, POSTED
from connector_assets_tests.operations.scenario import (
    MISSING_COST_CENTER,
    Deployment,
    bonus_payroll,
    reload_definitions,
)

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]  # fmt: skip
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
STARTUP_S, PAGE_TIMEOUT_MS = 120.0, 60_000


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


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Deployment, str, str, str]]:
    """One connection with one posted and (run last) one held payroll, and the UI serving that Dagster home."""
    _require_chromium()
    saved = dict(os.environ)
    deployed = Deployment.create(tmp_path_factory.mktemp("ui"))
    try:
        deployed.add_tenant("ui")
        # The webserver boots (loads the code location) while the payrolls run; both read the same env.
        proc, url, log = _start_webserver(deployed.home)
        try:
            posted = bonus_payroll(deployed, "ui")
            deployed.run_payroll("ui", posted)
            held = deployed.held_payroll("ui")
            _wait_until_serving(proc, url, log)
            yield deployed, posted, held, url
        finally:
            _stop(proc)
    finally:
        deployed.close()
        os.environ.clear()
        os.environ.update(saved)
        reload_definitions()


def test_held_partition_check_visible(served: tuple[Deployment, str, str, str]) -> None:
    """The asset-check view of the held payroll shows the failed check and why it failed; a screenshot is kept."""
    from playwright.sync_api import expect, sync_playwright

    deployed, posted, held, webserver = served
    ctx = deployed.ctx
    assert [p.state for p in ctx.postings.for_payroll("ui", posted)] == [POSTED]
    assert [p.state for p in ctx.postings.for_payroll("ui", held)] == [HELD]

    # What the dialog's "Skip" does: mark the first-visit newsletter dialog seen, so it cannot cover the page.
    seen = httpx.post(f"{webserver}/graphql", json={"query": "mutation { setNuxSeen }"}, timeout=10)
    assert seen.status_code == 200 and seen.json()["data"]["setNuxSeen"], seen.text
    url = f"{webserver}/assets/ledger/journal_lines?view=checks&checkDetail=cost_centers_exist"
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1100})
            page.set_default_timeout(PAGE_TIMEOUT_MS)
            page.goto(url)
            try:
                latest = page.get_by_text("Latest execution")
                expect(latest).to_be_visible(timeout=PAGE_TIMEOUT_MS)
                expect(page.get_by_text("cost_centers_exist").first).to_be_visible()
                expect(
                    page.get_by_text(f"cost center {MISSING_COST_CENTER} does not exist in CloudSuite")
                ).to_be_visible()
                expect(page.get_by_text("Failed").first).to_be_visible()
                # The latest evaluation is the held payroll's: its release step names that payroll.
                expect(page.get_by_text(f"connector replay payroll {held}")).to_be_visible()
            finally:
                page.screenshot(path=str(ARTIFACTS / "held-payroll-checks.png"), full_page=True)
        finally:
            browser.close()
