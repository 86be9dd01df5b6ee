"""`connector cloudsuite ...`: the pre-flight check of a tenant, disconnect a tenant."""

from __future__ import annotations

from pathlib import Path

import typer

from connector_assets.cloudsuite.erp import disconnect, erp_for
from connector_assets.cloudsuite.errors import CloudSuiteError
from connector_assets.cloudsuite.preflight import preflight
from connector_assets.settings import Connection, ConnectionsFileError, load_connections
from connector_assets.store import create_store_engine, upgrade
from connector_assets.store.crypto import SecretCipher
from connector_assets.store.engine import default_database_url
from connector_assets.store.vault import TokenVault

app = typer.Typer(help="Infor CloudSuite: check a tenant, disconnect it.", no_args_is_help=True)

ConnectionsOption = typer.Option(None, "--connections", help="connections.yaml (default: $CONNECTOR_CONNECTIONS)")


def _open(connection_id: str, connections: Path | None) -> tuple[Connection, TokenVault]:
    try:
        connection = load_connections(connections).get(connection_id)
    except ConnectionsFileError as exc:
        # One plain line naming the file and key (a usage box would wrap and split the message).
        typer.secho(str(exc), fg=typer.colors.RED, err=True)
        raise typer.Exit(code=2) from None
    engine = upgrade(create_store_engine(default_database_url()))
    return connection, TokenVault(engine, SecretCipher.from_env())


def _fail(exc: Exception) -> typer.Exit:
    typer.secho(str(exc), fg=typer.colors.RED, err=True)
    return typer.Exit(code=1)


@app.command("check")
def check_command(
    connection_id: str = typer.Argument(..., help="connection id from connections.yaml"),
    connections: Path | None = ConnectionsOption,
    dry_batch: bool = typer.Option(True, help="M3: add and check (never update) a two-line test batch"),
) -> None:
    """Pre-flight before the first posting: what the tenant has and every setting to change (exit 1 if posting
    would fail)."""
    connection, vault = _open(connection_id, connections)
    if connection.cloudsuite.erp == "fsm":
        _check_fsm(connection, vault)
        return
    try:
        erp = erp_for(connection, vault)
        try:
            report = preflight(erp, dry_batch=dry_batch)
        finally:
            erp.close()
    except (CloudSuiteError, ValueError) as exc:
        raise _fail(exc) from None
    typer.echo(f"{connection_id} ({connection.cloudsuite.erp}):")
    for level, text in report.findings:
        typer.secho(f"  {level:<4} {text}", fg=typer.colors.RED if level == "FAIL" else None)
    if report.failed:
        typer.secho("posting would fail: change the settings named above", fg=typer.colors.RED, err=True)
        raise typer.Exit(code=1)


def _check_fsm(connection: Connection, vault: TokenVault) -> None:
    """FSM: discover the tenant's enterprise groups, entities, dimensions and classes; exit 1 on a mismatch."""
    from connector_assets.cloudsuite.fsm import FsmErp
    from connector_assets.cloudsuite.fsm_check import check_fsm

    try:
        erp = erp_for(connection, vault)
        assert isinstance(erp, FsmErp)
        try:
            found = check_fsm(erp)
        finally:
            erp.close()
    except (CloudSuiteError, ValueError) as exc:
        raise _fail(exc) from None
    typer.echo(f"{connection.id} (fsm)")
    for line in found.lines:
        typer.echo(line)
    for problem in found.problems:
        typer.secho(f"  fix: {problem}", fg=typer.colors.RED, err=True)
    if found.problems:
        raise typer.Exit(code=1)


@app.command("disconnect")
def disconnect_command(
    connection_id: str = typer.Argument(..., help="connection id from connections.yaml"),
    connections: Path | None = ConnectionsOption,
) -> None:
    """Revoke the tenant's ION grant and delete the token from the vault."""
    connection, vault = _open(connection_id, connections)
    try:
        revoked = disconnect(connection, vault)
    except CloudSuiteError as exc:
        raise _fail(exc) from None
    typer.echo(f"{connection_id}: " + ("token revoked and deleted" if revoked else "no token was stored"))
