"""The `connector` command: one entry point for operators (sandbox, receiver, connect, checks, replay, status).

Sub-commands are imported only when they run (or when their own `--help` is asked for), so `connector --help`
and the commands that need no Dagster start without loading Dagster, polars or the simulators. Every error
that reaches this level is printed as one line with what to do next; `CONNECTOR_DEBUG=1` shows the traceback.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

import typer
from typer.core import TyperGroup

# name → (module, attribute, one-line help); an attribute ending in `_app` is a group of sub-commands.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "demo": ("connector_assets.demo.cli", "demo", "Run the whole product on the sandbox and summarize it."),
    "dev": (
        "connector_assets.demo.dev",
        "dev",
        "Sandbox, receiver and `dagster dev`: run a payroll, watch it post.",
    ),
    "sandbox": (
        "connector_assets.sandbox.cli",
        "sandbox",
        "Both simulators on loopback, credentials written out.",
    ),
    "receiver": ("connector_assets.receiver.cli", "receiver", "The webhook receiver (uvicorn)."),
    "keygen": ("connector_assets.cli", "keygen", "Print a new encryption key for CONNECTOR_ENCRYPTION_KEY."),
    "store": ("connector_assets.store.cli", "store_app", "The connector's store: schema upgrade, key rotation."),
    "gusto": ("connector_assets.gusto.cli", "app", "Connect a Gusto company, subscribe to its webhooks."),
    "cloudsuite": ("connector_assets.cloudsuite.cli", "app", "Check a CloudSuite tenant's credentials and data."),
    "mapping": (
        "connector_assets.operations.mapping_cli",
        "app",
        "Check mapping rules against CloudSuite and Gusto.",
    ),
    "audit": (
        "connector_assets.operations.cli",
        "audit_app",
        "A record's history, or the audit log for auditors.",
    ),
    "held": ("connector_assets.operations.cli", "held", "Held postings, their reasons, and how to release each."),
    "replay": (
        "connector_assets.operations.cli",
        "replay_app",
        "Re-materialize a payroll once its cause is fixed.",
    ),
    "preview": ("connector_assets.operations.cli", "preview_app", "The journal that would post, with its proofs."),
    "approve": ("connector_assets.operations.cli", "approve_app", "Approve a journal waiting for approval."),
    "status": (
        "connector_assets.operations.cli",
        "status",
        "Per connection: master data, postings, tokens, inbox.",
    ),
}
# These start a sandbox world of their own; the others work on the world `CONNECTOR_ENV_FILE` names.
OWN_WORLD = {"demo", "dev", "sandbox", "keygen"}


def keygen() -> None:
    """Print a new encryption key for CONNECTOR_ENCRYPTION_KEY (put it first to rotate: NEW,OLD)."""
    from connector_assets.store.crypto import SecretCipher

    typer.echo(SecretCipher.generate_key())


def _load(name: str) -> Any:
    module, attribute, _help = COMMANDS[name]
    target = getattr(importlib.import_module(module), attribute)
    if isinstance(target, typer.Typer):
        group = typer.main.get_group(target)
        group.name = name
        return group
    single = typer.Typer()
    single.command(name)(target)
    return typer.main.get_command(single)


def one_line(exc: BaseException) -> str:
    """An unexpected error as one line: its type and message (secrets never reach exception text)."""
    text = " ".join(str(exc).split()) or "no details"
    return f"error: {type(exc).__name__}: {text} (run again with CONNECTOR_DEBUG=1 for the traceback)"


class LazyGroup(TyperGroup):
    """Lists the commands from `COMMANDS` and imports one only when it is used."""

    # Contexts and commands are typer's (its own click); typed loosely to stay off its private modules.
    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        return _load(cmd_name) if cmd_name in COMMANDS else None

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        # From `COMMANDS`: describing each command from its own module would import them all.
        with formatter.section("Commands"):
            formatter.write_dl([(name, spec[2]) for name, spec in COMMANDS.items()])

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        from connector_assets.envfile import load_env_file

        if args and args[0] not in OWN_WORLD:
            load_env_file()
        return super().resolve_command(ctx, args)

    def invoke(self, ctx: Any) -> Any:
        from connector_assets.envfile import EnvFileError

        try:
            return super().invoke(ctx)
        except EnvFileError as exc:
            typer.secho(str(exc), fg=typer.colors.RED, err=True)
        except Exception as exc:
            # Usage errors and exits (they carry an exit code) are typer's own, already one line.
            if hasattr(exc, "exit_code") or os.environ.get("CONNECTOR_DEBUG") == "1":
                raise
            from connector_assets.store.crypto import EncryptionKeyError

            if isinstance(exc, EncryptionKeyError):  # names the row no configured key decrypts
                typer.secho(str(exc), fg=typer.colors.RED, err=True)
                sys.exit(2)
            typer.secho(one_line(exc), fg=typer.colors.RED, err=True)
        sys.exit(1)


app = typer.Typer(
    name="connector",
    cls=LazyGroup,
    help="Gusto payroll → Infor CloudSuite general ledger, run as Dagster assets.",
    no_args_is_help=True,
    rich_markup_mode=None,  # plain help: listing commands must not import them
    pretty_exceptions_enable=False,  # one line per error (above); locals may hold tokens
)


@app.callback()
def root() -> None:
    """Gusto payroll → Infor CloudSuite general ledger, run as Dagster assets."""


def main() -> None:
    """The console script (`connector`)."""
    app()


if __name__ == "__main__":
    main()
