"""A private PostgreSQL cluster that a test may restart, and an ION fault rule that restarts it mid-run.

Restarting the machine's shared server (`main`) would break every other test using it at that moment, so
the test creates its own cluster with Debian's tools (`pg_createcluster`, root only) on a free port,
restarts that one, and drops it afterwards.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from connector_assets.sandbox.faults import FaultRule

TOOLS = ("pg_createcluster", "pg_ctlcluster", "pg_dropcluster", "pg_isready")
CONFIG_ROOT = Path("/etc/postgresql")
READY_TIMEOUT_S = 60.0


class ClusterCommandFailed(RuntimeError):
    """A pg_* cluster command failed; the message has its output."""


def unavailable_reason() -> str | None:
    """Why a private cluster cannot be made here (None when it can)."""
    if os.geteuid() != 0:
        return "restarting PostgreSQL needs root (pg_createcluster/pg_ctlcluster)"
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        return f"PostgreSQL cluster tools not installed: {', '.join(missing)} (Debian postgresql-common)"
    if not CONFIG_ROOT.is_dir() or not any(p.name[0].isdigit() for p in CONFIG_ROOT.iterdir()):
        return f"no PostgreSQL version under {CONFIG_ROOT}"
    return None


def _run(*args: str) -> str:
    done = subprocess.run(args, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise ClusterCommandFailed(f"{' '.join(args)} exited {done.returncode}: {done.stdout}{done.stderr}")
    return done.stdout


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PrivateCluster:
    """One throwaway cluster on loopback with trust auth (test data only)."""

    version: str
    name: str
    port: int
    restarts: int = 0

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg2://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, prefix: str) -> str:
        """A new database; returns its URL."""
        name = f"{prefix}_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(self.url(), isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        finally:
            admin.dispose()
        return self.url(name)

    def restart(self, mode: str = "immediate") -> None:
        """Restart the server; `immediate` skips the shutdown checkpoint, so start-up runs crash recovery."""
        _run("pg_ctlcluster", "--skip-systemctl-redirect", self.version, self.name, "restart", "-m", mode)
        self.restarts += 1

    def is_ready(self) -> bool:
        return subprocess.run(
            ["pg_isready", "-q", "-h", "127.0.0.1", "-p", str(self.port), "-t", "5"], timeout=30
        ).returncode == 0  # fmt: skip

    def wait_ready(self, timeout_s: float = READY_TIMEOUT_S) -> None:
        """Block until the server accepts connections (bounded)."""
        pause = threading.Event()  # never set: only a bounded pause between probes
        for _ in range(int(timeout_s / 0.25)):
            if self.is_ready():
                return
            pause.wait(0.25)
        raise ClusterCommandFailed(f"PostgreSQL cluster {self.name} not accepting connections after {timeout_s}s")


@contextmanager
def private_cluster() -> Iterator[PrivateCluster]:
    """Create, start and finally drop a cluster of the newest installed version."""
    version = max((p.name for p in CONFIG_ROOT.iterdir() if p.name[0].isdigit()), key=lambda v: float(v))
    cluster = PrivateCluster(version, f"connector_crash_{uuid.uuid4().hex[:6]}", _free_port())
    # --no-sync: a test's data need not survive a power cut, and initdb's fsync costs seconds.
    _run(
        "pg_createcluster", version, cluster.name, "-p", str(cluster.port), "--start",
        "--", "--auth-host=trust", "--auth-local=trust", "--no-sync",
    )  # fmt: skip
    try:
        cluster.wait_ready()
        yield cluster
    finally:
        _run("pg_dropcluster", "--stop", version, cluster.name)


@dataclass
class RestartOnRequest(FaultRule):
    """Restart `cluster` when the `nth` request whose path matches arrives; the request is then served.

    `wait=True`: the restart runs inside the simulator's request handling, so it has finished (every
    connection of the run process severed) before the run gets its answer. `wait=False`: it runs beside
    the request, so the run carries on while the server is down and its next store write meets a refused
    connection. Never alters the request itself."""

    cluster: PrivateCluster | None = None
    wait: bool = True
    nth: int = 1
    seen: int = 0
    fired: bool = False
    error: str | None = field(default=None)
    restarter: threading.Thread | None = field(default=None, repr=False)

    def matches(self, method: str, path: str) -> bool:
        if self.fired or self.cluster is None or re.search(self.path, path) is None:
            return False
        self.seen += 1
        if self.seen == self.nth:
            self.fired = True
            self.restarter = threading.Thread(target=self._restart, name="pg-restart", daemon=True)
            self.restarter.start()
            if self.wait:
                self.restarter.join()
        return False

    def _restart(self) -> None:
        assert self.cluster is not None
        try:
            self.cluster.restart()
        except ClusterCommandFailed as exc:
            self.error = str(exc)  # reported by the test; the gateway itself carries on

    def finished(self, timeout_s: float = READY_TIMEOUT_S) -> bool:
        """True once the restart has run (waits for a background one)."""
        if self.restarter is not None:
            self.restarter.join(timeout_s)
        return self.fired and self.restarter is not None and not self.restarter.is_alive()
