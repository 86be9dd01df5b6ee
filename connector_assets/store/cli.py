"""`connector keygen` and `connector store ...`: schema upgrades and encryption-key rotation."""

from __future__ import annotations

import typer

from connector_assets.store import create_store_engine, upgrade
from connector_assets.store.crypto import ENV_KEY, SecretCipher
from connector_assets.store.engine import default_database_url
from connector_assets.store.subscriptions import Subscriptions
from connector_assets.store.vault import TokenVault

store_app = typer.Typer(help="The connector's store (tokens, inbox, audit log, postings).", no_args_is_help=True)


def keygen() -> None:
    """Print a new encryption key for CONNECTOR_ENCRYPTION_KEY (put it first to rotate: NEW,OLD)."""
    typer.echo(SecretCipher.generate_key())


@store_app.command("upgrade")
def upgrade_command() -> None:
    """Create or upgrade the store's tables (idempotent)."""
    engine = upgrade(create_store_engine())
    typer.echo(f"store schema is current ({engine.url.render_as_string(hide_password=True)})")


@store_app.command("reencrypt")
def reencrypt_command() -> None:
    """Re-encrypt every stored token under the first key of CONNECTOR_ENCRYPTION_KEY (all or nothing)."""
    engine = upgrade(create_store_engine(default_database_url()))
    cipher = SecretCipher.from_env()
    vault, subscriptions = TokenVault(engine, cipher), Subscriptions(engine, cipher)
    stuck = vault.undecryptable() + subscriptions.undecryptable()
    if stuck:
        for name in stuck:
            typer.secho(f"{name} is undecryptable: no key in {ENV_KEY} decrypts it", fg=typer.colors.RED, err=True)
        typer.echo("nothing was re-encrypted; add the key those were written with (after the new one) and run "
                   "`connector store reencrypt` again, or reconnect the connection", err=True)  # fmt: skip
        raise typer.Exit(code=1)
    count = vault.reencrypt()
    hooks = subscriptions.reencrypt()
    typer.echo(f"re-encrypted {count} token row(s) and {hooks} verification token(s) under the newest key")
