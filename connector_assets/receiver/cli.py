"""`connector receiver`: serve the webhook receiver with uvicorn (httptools, uvloop, N worker processes)."""

from __future__ import annotations

import os
from pathlib import Path

import typer
import uvicorn

from connector_assets.receiver.asgi import APP_FACTORY, MAX_BODY_ENV, VERIFIED_ONLY_ENV, limits_from_env
from connector_assets.receiver.body import DEFAULT_MAX_BODY_BYTES
from connector_assets.receiver.limits import uvicorn_limits
from connector_assets.settings import CONNECTIONS_ENV, load_connections
from connector_assets.store import create_store_engine, upgrade
from connector_assets.store.crypto import SecretCipher

app = typer.Typer(help="The Gusto webhook receiver.", add_completion=False)


@app.callback(invoke_without_command=True)
def receiver(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on (0.0.0.0 behind a load balancer)."),
    port: int = typer.Option(8000, help="TCP port."),
    workers: int = typer.Option(1, min=1, help="Worker processes; the receiver is stateless."),
    connections_file: Path | None = typer.Option(
        None, "--connections", help=f"Connections file (default: ${CONNECTIONS_ENV} or connections.yaml)."
    ),
    database_url: str | None = typer.Option(
        None, help="Store URL (default: $CONNECTOR_DATABASE_URL or SQLite in $DAGSTER_HOME)."
    ),
    max_body_bytes: int = typer.Option(DEFAULT_MAX_BODY_BYTES, min=1, help="Larger bodies get 413."),
    verified_only: bool = typer.Option(
        True, "--verified-only/--accept-pending", help="Accept signatures only from verified subscriptions."
    ),
    log_level: str = typer.Option("info", help="uvicorn log level."),
) -> None:
    """Serve POST /webhooks/gusto/{connection} and GET /healthz."""
    # Worker processes build the app from the environment, so the options travel there.
    if connections_file:
        os.environ[CONNECTIONS_ENV] = str(connections_file)
    if database_url:
        os.environ["CONNECTOR_DATABASE_URL"] = database_url
    os.environ[MAX_BODY_ENV] = str(max_body_bytes)
    os.environ[VERIFIED_ONLY_ENV] = "1" if verified_only else "0"
    # Fail here, once, with a clear message rather than in every worker.
    limits = limits_from_env()
    ids = sorted(c.id for c in load_connections().connections)
    SecretCipher.from_env()
    upgrade(create_store_engine())
    typer.echo(f"receiver for {', '.join(ids)} on http://{host}:{port} ({workers} worker(s))", err=True)
    uvicorn.run(
        APP_FACTORY,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        http="httptools",
        loop="uvloop",
        access_log=False,
        log_level=log_level,
        timeout_keep_alive=30,
        # Above the cap uvicorn answers 503 at once and closes: slow strangers cannot pile up.
        **uvicorn_limits(limits),
    )
