"""The `connector` command: one entry point for operators (sandbox, receiver, connect, checks, replay, status)."""

from __future__ import annotations

import typer

from connector_assets.cloudsuite.cli import app as cloudsuite_app
from connector_assets.demo.cli import demo
from connector_assets.demo.dev import dev
from connector_assets.gusto.cli import app as gusto_app
from connector_assets.mapping.cli import app as mapping_app
from connector_assets.operations.cli import mount as mount_operations
from connector_assets.receiver.cli import receiver
from connector_assets.sandbox.cli import sandbox
from connector_assets.store.cli import keygen, store_app
from connector_assets.store.crypto import EncryptionKeyError

app = typer.Typer(
    name="connector",
    help="Gusto payroll → Infor CloudSuite general ledger, run as Dagster assets.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # locals may hold tokens
)
app.command("demo")(demo)
app.command("keygen")(keygen)
app.command("receiver")(receiver)
app.command("sandbox")(sandbox)
app.command("dev")(dev)
app.add_typer(store_app, name="store")
app.add_typer(gusto_app, name="gusto")
app.add_typer(cloudsuite_app, name="cloudsuite")
app.add_typer(mapping_app, name="mapping")
mount_operations(app)


def main() -> None:
    """The console script: a stored secret no configured key decrypts is one line naming it and exit 2,
    whichever command met it (never a traceback)."""
    try:
        app()
    except EncryptionKeyError as exc:
        typer.secho(str(exc), fg=typer.colors.RED, err=True)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
