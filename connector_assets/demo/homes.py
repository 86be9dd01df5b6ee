"""Where `connector demo` and `connector dev` keep their worlds: each its own Dagster instance and store.

The simulators regenerate the same company (and payroll uuids) from a seed, so a Dagster instance shared by
two sandbox worlds would show one payroll partition with two different "posted" documents. The demo
therefore starts a fresh world under `<base>/demo` on every run (and leaves it for the other commands), and
every `connector dev` session gets its own under `<base>/dev/<time>`. Tests use temporary folders.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import yaml

from connector_assets.envfile import ENV_FILE_VAR

# The same per-connection limits as the production dagster.yaml, and the coordinator that tags every run.
INSTANCE_CONFIG = {
    "run_coordinator": {
        "module": "connector_assets.defs.run_policy",
        "class": "ConnectionTaggingRunCoordinator",
        "config": {
            "max_concurrent_runs": 8,
            # Dagster's default is 5 s; a queued payroll run waits on average half of this before it starts.
            "dequeue_interval_seconds": 1,
            # A run launched from the UI stays queued while the code server is too busy to answer, not failed.
            "max_user_code_failure_retries": 3,
            "user_code_failure_retry_delay": 10,
            "tag_concurrency_limits": [
                {"key": "connector/connection", "value": {"applyLimitPerUniqueValue": True}, "limit": 1},
                {"key": "connector/gusto_grant", "value": {"applyLimitPerUniqueValue": True}, "limit": 2},
            ],
        },
    },
    # Runs forked from a process that imported Dagster and the connector once, instead of a fresh interpreter
    # per run (seconds of imports before the first step). The forked runs execute the code as it was when the
    # daemon launched its first run: restart `connector dev` after editing it. The production dagster.yaml keeps Dagster's
    # default launcher (see docs/deployment.md).
    "run_launcher": {"module": "connector_assets.defs.run_launcher", "class": "PreloadedRunLauncher"},
    "telemetry": {"enabled": False},
}


def sandbox_base() -> Path:
    """The folder holding the demo's and dev's worlds: `$DAGSTER_HOME` under `make`, else `./.dagster_home`."""
    return Path(os.environ.get("DAGSTER_HOME") or Path.cwd() / ".dagster_home").resolve()


def fresh_dir(path: Path) -> Path:
    """An empty folder at `path` (an earlier world there is removed)."""
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


def instance_config(home: Path) -> dict[str, object]:
    """The dev instance's dagster.yaml for `home`: INSTANCE_CONFIG, with Dagster's SQLite files under
    `home/storage` (where Dagster's default puts them) kept open per process (`instance_storage_sqlite.py`)."""
    storage = {
        "module": "connector_assets.defs.instance_storage_sqlite",
        "class": "PooledSqliteStorage",
        "config": {"base_dir": str(home / "storage")},
    }
    return {"storage": {"custom": storage}, **INSTANCE_CONFIG}


def instance_home(workdir: Path) -> Path:
    """`workdir/dagster_home` with a dagster.yaml: the world's own Dagster instance (SQLite)."""
    home = workdir / "dagster_home"
    home.mkdir(parents=True, exist_ok=True)
    (home / "dagster.yaml").write_text(yaml.safe_dump(instance_config(home), sort_keys=False))
    return home


def write_env_file(path: Path, values: dict[str, str]) -> Path:
    """`KEY=value` lines the CLI reads through `CONNECTOR_ENV_FILE` (sandbox credentials only; mode 0600)."""
    path.touch(mode=0o600)
    path.chmod(0o600)
    path.write_text("".join(f"{k}={v}\n" for k, v in sorted(values.items())))
    return path


def export_line(env_file: Path, dagster_home: Path) -> str:
    """The one line that points every later `connector` command (and `dagster dev`) at this world."""
    return f"export {ENV_FILE_VAR}={env_file} DAGSTER_HOME={dagster_home}"
