"""The demo's console: progress on the terminal, everything else written to stderr in the named log file."""

from __future__ import annotations

import io
import sys
from pathlib import Path

from connector_assets.demo.console import quiet_console


def test_stderr_goes_to_the_log_file_and_progress_to_the_terminal(tmp_path: Path) -> None:
    terminal = io.StringIO()
    with quiet_console(tmp_path, "demo", verbose=False, terminal=terminal) as console:
        console.say("stage one: ok")
        print("2026-11-30 - dagster - DEBUG - RUN_START", file=sys.stderr)
    assert console.log_path is not None and console.log_path.parent == tmp_path / "logs"
    log = console.log_path.read_text()
    assert "RUN_START" in log and "stage one" not in log
    lines = terminal.getvalue().splitlines()
    assert lines == [f"Dagster's event log: {console.log_path} (--verbose prints it here)", "stage one: ok"]


def test_verbose_leaves_stderr_on_the_terminal(tmp_path: Path) -> None:
    terminal = io.StringIO()
    with quiet_console(tmp_path, "dev", verbose=True, terminal=terminal) as console:
        assert sys.stderr is not None and console.log_path is None
        console.say("stage one: ok")
    assert terminal.getvalue() == "stage one: ok\n" and not (tmp_path / "logs").exists()
