"""The `connector` command starts light and fails in one line: lazy sub-commands, the env file, no tracebacks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HEAVY = ("dagster", "polars", "sqlalchemy", "httpx", "connector_assets.sandbox")


# What an env file sets must not already be set by an earlier test of the same process (setdefault semantics).
WORLD_VARS = ("CONNECTOR_ENV_FILE", "CONNECTOR_CONNECTIONS", "CONNECTOR_DATABASE_URL", "CONNECTOR_ENCRYPTION_KEY")


def _outside_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in WORLD_VARS}


def _connector(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    code = "import sys; from connector_assets.cli import app; sys.argv = ['connector', *sys.argv[1:]]; app()"
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120,
        env={**_outside_env(), **(env or {})}, cwd=cwd,
    )  # fmt: skip


def test_help_lists_every_command_without_loading_them() -> None:
    """`connector --help` imports no Dagster, polars, SQLAlchemy, httpx or simulator module."""
    probe = (
        "import sys, contextlib, io\n"
        "from connector_assets.cli import app\n"
        "with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()) as out:\n"
        "    app(['--help'])\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules)); print(out.getvalue())\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    loaded, _, help_text = result.stdout.partition("\n")
    assert loaded == "[]", loaded
    for command in ("demo", "held", "replay", "preview", "mapping", "status", "keygen"):
        assert f"  {command} " in help_text


def test_unreadable_env_file_is_one_line_with_the_fix(tmp_path: Path) -> None:
    """A `CONNECTOR_ENV_FILE` that is gone says so, and what to do, in one line."""
    result = _connector("held", env={"CONNECTOR_ENV_FILE": str(tmp_path / "gone.env")})
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0 and "run `make demo` again" in result.stderr


def test_env_file_points_commands_at_its_world(tmp_path: Path) -> None:
    """Variables from the env file reach the command (here: a connections file that does not exist)."""
    env_file = tmp_path / "demo.env"
    env_file.write_text(
        f"CONNECTOR_CONNECTIONS={tmp_path / 'elsewhere.yaml'}\nCONNECTOR_DATABASE_URL=sqlite:///{tmp_path}/c.db\n"
    )
    result = _connector("status", env={"CONNECTOR_ENV_FILE": str(env_file)}, cwd=tmp_path)
    assert result.returncode == 1
    assert "elsewhere.yaml" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_unexpected_errors_are_one_line(tmp_path: Path) -> None:
    """An error no command expected still prints one line (type, message, how to see more), exit code 1."""
    env_file = tmp_path / "demo.env"
    env_file.write_text("CONNECTOR_DATABASE_URL=nosuchdb://nowhere\n")
    result = _connector("held", env={"CONNECTOR_ENV_FILE": str(env_file)}, cwd=tmp_path)
    assert result.returncode == 1, result.stdout
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "CONNECTOR_DEBUG=1" in result.stderr
