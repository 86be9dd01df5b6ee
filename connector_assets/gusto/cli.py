"""`connector gusto ...`: connect a company, manage webhook subscriptions, check a grant."""

from __future__ import annotations

import webbrowser
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import typer

from connector_assets.gusto.client import GustoClient
from connector_assets.gusto.connect import connect
from connector_assets.gusto.errors import GustoError
from connector_assets.gusto.webhooks import SUBSCRIPTION_TYPES, subscribe, unsubscribe
from connector_assets.settings import Connection, ConnectionsFileError, load_connections
from connector_assets.store import create_store_engine, upgrade
from connector_assets.store.crypto import SecretCipher
from connector_assets.store.engine import default_database_url
from connector_assets.store.ratelimit import RollingWindowLimiter
from connector_assets.store.subscriptions import Subscriptions
from connector_assets.store.vault import TokenVault

app = typer.Typer(help="Gusto: connect companies, manage webhook subscriptions.", no_args_is_help=True)

ConnectionsOption = typer.Option(None, "--connections", help="connections.yaml (default: $CONNECTOR_CONNECTIONS)")


@dataclass
class _Context:
    connection: Connection
    vault: TokenVault
    limiter: RollingWindowLimiter
    subscriptions: Subscriptions


def _open(connection_id: str, connections: Path | None) -> _Context:
    try:
        connection = load_connections(connections).get(connection_id)
    except ConnectionsFileError as exc:
        raise typer.BadParameter(str(exc)) from None
    engine = upgrade(create_store_engine(default_database_url()))
    cipher = SecretCipher.from_env()
    return _Context(
        connection, TokenVault(engine, cipher), RollingWindowLimiter(engine), Subscriptions(engine, cipher)
    )


@contextmanager
def _client(connection_id: str, connections: Path | None) -> Iterator[tuple[_Context, GustoClient]]:
    """The connection's context and an open Gusto client; vendor and file errors end the command cleanly."""
    ctx = _open(connection_id, connections)
    try:
        with GustoClient(ctx.connection.gusto, connection_id, ctx.vault, ctx.limiter) as client:
            yield ctx, client
    except (GustoError, ConnectionsFileError) as exc:
        raise _fail(exc) from None


def _fail(exc: Exception) -> typer.Exit:
    typer.secho(str(exc), fg=typer.colors.RED, err=True)
    return typer.Exit(code=1)


@app.command("connect")
def connect_command(
    connection_id: str = typer.Argument(..., help="connection id from connections.yaml"),
    paste: bool = typer.Option(False, "--paste", help="paste the redirect URL instead of listening on loopback"),
    no_browser: bool = typer.Option(False, "--no-browser", help="print the URL, do not open a browser"),
    timeout: float = typer.Option(300.0, help="seconds to wait for the redirect"),
    connections: Path | None = ConnectionsOption,
) -> None:
    """Authorize the connection's Gusto company and store the grant (encrypted) in the vault."""
    ctx = _open(connection_id, connections)

    def ask(url: str) -> str:
        typer.echo(f"Open this URL as a Gusto admin, approve, then paste the address you land on:\n{url}")
        return str(typer.prompt("redirect URL"))

    try:
        result = connect(
            ctx.connection.gusto, connection_id, ctx.vault,
            open_url=None if no_browser else webbrowser.open, paste=ask if paste else None,
            progress=typer.echo, timeout_s=timeout, limiter=ctx.limiter,
        )  # fmt: skip
    except (GustoError, ConnectionsFileError) as exc:
        raise _fail(exc) from None
    typer.echo(f"scope: {result.scope}\naccess token expires at {result.expires_at.isoformat()}")


@app.command("subscribe")
def subscribe_command(
    connection_id: str = typer.Argument(..., help="connection id from connections.yaml"),
    url: str = typer.Option(..., "--url", help="public HTTPS URL of the receiver for this connection"),
    types: list[str] = typer.Option(list(SUBSCRIPTION_TYPES), "--type", help="subscription type (repeatable)"),
    timeout: float = typer.Option(120.0, help="seconds to wait for the receiver to store the token"),
    connections: Path | None = ConnectionsOption,
) -> None:
    """Create a webhook subscription and complete Gusto's verification handshake."""
    with _client(connection_id, connections) as (ctx, client):
        sub = subscribe(
            client, ctx.subscriptions, url, subscription_types=types, timeout_s=timeout, progress=typer.echo
        )
    typer.echo(f"subscription {sub.uuid}: {sub.status}")


@app.command("subscriptions")
def list_command(
    connection_id: str = typer.Argument(..., help="connection id from connections.yaml"),
    connections: Path | None = ConnectionsOption,
) -> None:
    """List the application's webhook subscriptions at Gusto."""
    with _client(connection_id, connections) as (_ctx, client):
        subs = client.list_webhook_subscriptions()
    for sub in subs:
        typer.echo(f"{sub.uuid}  {sub.status:<11} {sub.url}  {','.join(sub.subscription_types)}")


@app.command("unsubscribe")
def unsubscribe_command(
    connection_id: str = typer.Argument(..., help="connection id from connections.yaml"),
    subscription_uuid: str = typer.Argument(..., help="subscription uuid (see `subscriptions`)"),
    connections: Path | None = ConnectionsOption,
) -> None:
    """Delete a webhook subscription at Gusto and mark it removed here."""
    with _client(connection_id, connections) as (ctx, client):
        unsubscribe(client, ctx.subscriptions, subscription_uuid)
    typer.echo(f"subscription {subscription_uuid} removed")


@app.command("whoami")
def whoami_command(
    connection_id: str = typer.Argument(..., help="connection id from connections.yaml"),
    connections: Path | None = ConnectionsOption,
) -> None:
    """Check the stored grant: refresh if due and print the company it belongs to."""
    with _client(connection_id, connections) as (_ctx, client):
        info = client.get_token_info()
    typer.echo(f"{info.resource_type} {info.resource_uuid}\nscope: {info.scope}")
