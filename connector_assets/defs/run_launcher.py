"""A run launcher whose run processes start with Dagster and the Definitions already imported.

Dagster's default launcher asks the code server to spawn a fresh interpreter per run, which imports Dagster,
polars, SQLAlchemy and the connector again before the first step: seconds per run, most of a small payroll
run. This launcher forks each run from a `forkserver` that imported them once. It is opt-in (instance config):

    run_launcher:
      module: connector_assets.defs.run_launcher
      class: PreloadedRunLauncher

Runs execute on the daemon's host and see the code the forkserver imported: restart the daemon on deploy.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Mapping
from multiprocessing.context import ForkServerContext
from typing import Any

import dagster as dg
from dagster._core.instance.ref import InstanceRef
from dagster._core.launcher import LaunchRunContext, RunLauncher
from dagster._serdes import ConfigurableClass, ConfigurableClassData

PID_TAG = "connector/run_pid"
# A module whose import never fails: a forkserver whose preload raises cannot start any run, while a run
# that imports broken Definitions itself reports the error on the run.
PRELOAD = ["connector_assets.defs.run_preload"]
_forkserver: ForkServerContext | None = None


def _context() -> ForkServerContext:
    global _forkserver
    if _forkserver is None:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)
        _forkserver = context
    return _forkserver


def _execute(run_id: str, instance_ref: InstanceRef) -> None:
    """In the forked process: what `dagster api execute_run` does, without starting an interpreter."""
    from dagster._cli.api import _execute_run_command_body

    with dg.DagsterInstance.from_ref(instance_ref) as instance:
        _execute_run_command_body(run_id, instance, lambda _event: None, set_exit_code_on_failure=False)


class PreloadedRunLauncher(RunLauncher, ConfigurableClass):
    """Launches each run as a process forked from a server that preloaded Dagster and the connector."""

    def __init__(self, inst_data: ConfigurableClassData | None = None) -> None:
        self._inst_data = inst_data
        super().__init__()

    @property
    def inst_data(self) -> ConfigurableClassData | None:
        return self._inst_data

    @classmethod
    def config_type(cls) -> dict[str, Any]:
        return {}

    @classmethod
    def from_config_value(
        cls, inst_data: ConfigurableClassData, config_value: Mapping[str, Any]
    ) -> PreloadedRunLauncher:
        return cls(inst_data=inst_data)

    def launch_run(self, context: LaunchRunContext) -> None:
        run = context.dagster_run
        process = _context().Process(target=_execute, args=(run.run_id, self._instance.get_ref()), daemon=False)
        process.start()
        self._instance.add_run_tags(run.run_id, {PID_TAG: str(process.pid)})

    def terminate(self, run_id: str) -> bool:
        run = self._instance.get_run_by_id(run_id)
        pid = run.tags.get(PID_TAG) if run else None
        if run is None or not pid:
            return False
        self._instance.report_run_canceling(run)
        try:
            os.kill(int(pid), signal.SIGTERM)
        except ProcessLookupError:
            return False
        return True
