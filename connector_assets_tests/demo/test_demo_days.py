"""`connector demo` keeps its promises on days that used to trip the generated history.

Each day's demo runs as a user would start it (a subprocess with `CONNECTOR_TODAY` set, its own
DAGSTER_HOME, the embedded SQLite default); the three run side by side. The invariants: the journals
balance, every processed payroll (the history and the payroll run after the demo's transfer) is posted
exactly once, the held payroll is released by the mapping fix, and the terminal shows progress lines while
Dagster's event log goes to the file the demo names.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from connector_assets.sandbox.generator import generate_world

DAYS = (date(2026, 11, 30), date(2028, 2, 29), date(2026, 12, 25))  # month end, leap day, Friday holiday
EMPLOYEES, HISTORY_MONTHS = 12, 0
RUN_TIMEOUT_S = 330  # the demo also closes a month (accrual and cross-check runs)
pytestmark = pytest.mark.timeout(RUN_TIMEOUT_S + 90)  # the three demos run side by side within one fixture
# The store, connections and key of whatever deployment the suite set up must not leak into the demo.
NOT_INHERITED = ("CONNECTOR_DATABASE_URL", "CONNECTOR_CONNECTIONS", "CONNECTOR_ENCRYPTION_KEY", "DAGSTER_HOME")


@dataclass(frozen=True)
class DemoRun:
    day: date
    returncode: int
    summary: dict[str, Any]
    terminal: list[str]


def _environment(day: date, home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
    return {**env, "CONNECTOR_TODAY": day.isoformat(), "DAGSTER_HOME": str(home)}


@pytest.fixture(scope="module")
def demo_runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[date, DemoRun]]:
    connector = Path(sys.executable).with_name("connector")
    command = [str(connector), "demo", "--json", "--employees", str(EMPLOYEES), "--history-months", "0"]
    started = {}
    for day in DAYS:
        home = tmp_path_factory.mktemp(f"demo-{day}")
        started[day] = subprocess.Popen(
            command,
            env=_environment(day, home),
            cwd=home,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
    runs = {}
    try:
        for day, proc in started.items():
            out, err = proc.communicate(timeout=RUN_TIMEOUT_S)
            lines = out.strip().splitlines()
            summary = json.loads(lines[-1]) if lines and lines[-1].startswith("{") else {}
            runs[day] = DemoRun(day, proc.returncode, summary, err.splitlines())
    finally:
        for proc in started.values():
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    yield runs


@pytest.mark.parametrize("day", DAYS, ids=str)
def test_demo_invariants_hold_on_the_day(demo_runs: dict[date, DemoRun], day: date) -> None:
    """Balanced, one posting per processed payroll, the held payroll released, nothing left held."""
    run = demo_runs[day]
    assert run.returncode == 0 and run.summary, "\n".join(run.terminal[-30:])
    s = run.summary
    world = generate_world(seed=7, employees=EMPLOYEES, today=day, history_months=HISTORY_MONTHS)
    history = [p for p in world.payrolls if p.processed]
    assert s["debits_cents"] == s["credits_cents"] > 0
    # The history, the regular payroll the demo runs after its transfer, and the released one: once each.
    assert s["payrolls_posted"] == len(history) + 2, "every processed payroll and the released one, once each"
    assert len(s["documents"]) == len(set(s["documents"])) == s["payrolls_posted"]
    assert (s["payrolls_held"], len(s["released_after_fix"]), s["still_held"]) == (1, 1, 0)
    # The demo firm posts taxes itemized: each federal tax on its own expense and liability account.
    itemized = {account: cents for account, _, cents in s["itemized_accounts"]}
    assert s["taxes"] == "itemized"
    assert {"2100", "2120", "2130", "6100", "6110", "6120"} <= set(itemized), itemized
    assert all(itemized[a] > 0 for a in ("6100", "6110", "6120")) and all(
        itemized[a] < 0 for a in ("2100", "2120")
    )
    # Per payroll family the GL ties out to Gusto; the history holds hours-only PTO and company taxes.
    assert s["tie_out_differences"] == []
    assert all(s["shapes"][k] > 0 for k in ("hours-only PTO", "company taxes")), s["shapes"]
    # The month just ended is closed: its accrual and reversal posted once each (when anything was earned and
    # unpaid), and CloudSuite agrees with Gusto's payrolls and reports for it.
    closed = s["month_closed"]
    assert closed["period"] == f"{(day.replace(day=1) - timedelta(days=1)):%Y-%m}"
    assert len(closed["documents"]) in (0, 2) and len(set(closed["documents"])) == len(closed["documents"])
    # Both checks: per account and cost center, and per payroll family against Gusto's general-ledger report.
    verdict = closed["crosscheck"]
    assert verdict.count("passed: ") == 2 and "FAILED" not in verdict, verdict


@pytest.mark.parametrize("day", DAYS, ids=str)
def test_demo_terminal_is_quiet_and_names_its_event_log(demo_runs: dict[date, DemoRun], day: date) -> None:
    """Progress lines only on the terminal; Dagster's event log is in the file the demo prints."""
    run = demo_runs[day]
    log = Path(run.summary.get("event_log") or "/nonexistent")
    assert log.is_file() and "RUN_SUCCESS" in log.read_text(), run.terminal
    assert any(str(log) in line for line in run.terminal)
    assert not [line for line in run.terminal if " - DEBUG - " in line or "dagster - " in line]
    assert len(run.terminal) < 40, "\n".join(run.terminal)
