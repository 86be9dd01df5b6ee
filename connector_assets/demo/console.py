"""The demo's and `make dev`'s console: progress lines for a person, Dagster's event log in a file.

Dagster's in-process runs log every event to stderr (hundreds of DEBUG lines for one demo). Unless verbose,
everything written to `sys.stderr` while the block runs (Dagster's console logger, warnings, stray
tracebacks of background threads) goes to `$DAGSTER_HOME/logs/<name>-<time>.log` instead; the progress
callback keeps writing to the terminal.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from connector_assets import clock

Say = Callable[[str], None]


@dataclass(frozen=True)
class Console:
    """`say` prints a progress line on the terminal; `log_path` is where the event log goes (None: terminal)."""

    say: Say
    log_path: Path | None


def log_file(home: Path, name: str) -> Path:
    """A new log file under `home/logs`, named after the command and the moment it started."""
    folder = home / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{name}-{clock.now().strftime('%Y%m%dT%H%M%S')}.log"


@contextlib.contextmanager
def quiet_console(home: Path, name: str, verbose: bool, terminal: TextIO | None = None) -> Iterator[Console]:
    """Route stderr to a log file under `home` for the block (unless `verbose`); progress stays on the terminal."""
    out = terminal or sys.stderr

    def say(message: str) -> None:
        print(message, file=out, flush=True)

    if verbose:
        yield Console(say, None)
        return
    path = log_file(home, name)
    say(f"Dagster's event log: {path} (--verbose prints it here)")
    with path.open("a", encoding="utf-8", buffering=1) as sink, contextlib.redirect_stderr(sink):
        yield Console(say, path)
