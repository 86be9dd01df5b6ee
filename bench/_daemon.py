"""A Dagster daemon and a persistent code server, started the way a deployment runs them (helper of benches).

The code server (`dagster code-server start`) loads the connector's Definitions once and launches every run;
the daemon (`dagster-daemon run`) ticks the sensors and dequeues runs, reaching the code through a workspace
that names the server's port. Both are children of this process and are stopped by `close()`.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import yaml

from connector_assets.demo.environment import free_port

LOCATION = "connector"
STOP_TIMEOUT_S = 30.0


class DagsterProcesses:
    """`dagster code-server start` and `dagster-daemon run` for one DAGSTER_HOME, logs under `workdir`."""

    def __init__(self, workdir: Path, env: dict[str, str]) -> None:
        self.workdir = workdir
        self.env = env
        self.port = free_port()
        self.workspace = workdir / "workspace_grpc.yaml"
        document = {
            "load_from": [{"grpc_server": {"host": "127.0.0.1", "port": self.port, "location_name": LOCATION}}]
        }
        self.workspace.write_text(yaml.safe_dump(document, sort_keys=False))
        self.children: list[tuple[str, subprocess.Popen[bytes]]] = []

    def _start(self, name: str, command: list[str]) -> None:
        log = (self.workdir / f"{name}.log").open("wb")
        # A child of its own session: a terminal's Ctrl-C reaches it through close(), in order.
        child = subprocess.Popen(
            command, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.children.append((name, child))

    def start_code_server(self, timeout_s: float = 180.0) -> float:
        """Start the code server and wait until it serves the Definitions; seconds it took."""
        from dagster._grpc.client import DagsterGrpcClient

        started = time.monotonic()
        bin_dir = Path(sys.executable).parent
        self._start("code-server", [str(bin_dir / "dagster"), "code-server", "start", "-h", "127.0.0.1",
                                    "-p", str(self.port), "-m", "connector_assets.definitions",
                                    "--location-name", LOCATION, "--log-level", "warning"])  # fmt: skip
        client = DagsterGrpcClient(port=self.port, host="127.0.0.1")
        while time.monotonic() - started < timeout_s:
            self._check_alive()
            try:
                client.list_repositories()
                return time.monotonic() - started
            except Exception:  # not listening yet, or still loading the code
                time.sleep(0.2)
        raise TimeoutError(
            f"code server not serving after {timeout_s:.0f}s; see {self.workdir / 'code-server.log'}"
        )

    def start_daemon(self) -> None:
        bin_dir = Path(sys.executable).parent
        self._start("daemon", [str(bin_dir / "dagster-daemon"), "run", "-w", str(self.workspace),
                               "--log-level", "warning"])  # fmt: skip

    def _check_alive(self) -> None:
        for name, child in self.children:
            if child.poll() is not None:
                raise RuntimeError(f"{name} exited with {child.returncode}; see {self.workdir / name}.log")

    def check(self) -> None:
        """Raise if the daemon or the code server has died."""
        self._check_alive()

    def close(self) -> None:
        """SIGINT, as a terminal would send, then SIGKILL for a child that does not stop in time."""
        for _, child in reversed(self.children):
            if child.poll() is None:
                child.send_signal(signal.SIGINT)
        for _, child in reversed(self.children):
            try:
                child.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
