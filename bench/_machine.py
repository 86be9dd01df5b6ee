"""What every benchmark process shares: default signal handling and the machine's figures beside each line."""

from __future__ import annotations

import json
import os
import signal
import threading
from typing import Any


def default_signals() -> None:
    """Ctrl-C interrupts again, even when the parent started this process with SIGINT ignored.

    An ignored SIGINT is inherited by every child (Dagster's log-capture processes among them), which then
    cannot be stopped by the signal Dagster sends them and each run waits out their timeout.
    """
    if threading.current_thread() is threading.main_thread():  # only the main thread may set handlers
        signal.signal(signal.SIGINT, signal.default_int_handler)


def machine() -> dict[str, Any]:
    """Core count and 1/5/15-minute load average now, to read a figure against how busy the machine was."""
    one, five, fifteen = os.getloadavg()
    return {"cores": os.cpu_count(), "load_avg": [round(one, 2), round(five, 2), round(fifteen, 2)]}


def with_machine(line: str) -> str:
    """A benchmark's JSON line with ``cores`` and ``load_avg`` added (other lines unchanged)."""
    try:
        record = json.loads(line)
    except ValueError:
        return line
    if not isinstance(record, dict) or "cores" in record:
        return line
    return json.dumps({**record, **machine()})


def emit(record: dict[str, Any]) -> None:
    """Print one benchmark line with the machine's core count and load average."""
    print(json.dumps({**record, **machine()}), flush=True)
