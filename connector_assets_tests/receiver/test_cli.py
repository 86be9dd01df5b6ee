"""`connector receiver` and the worker app factory: options reach the app built from the environment."""

from __future__ import annotations

import gc
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from connector_assets.gusto.signature import sign
from connector_assets.receiver.asgi import (
    BODY_TIMEOUT_ENV,
    HANDSHAKES_ENV,
    MAX_BODY_ENV,
    MAX_CONNECTIONS_ENV,
    ReceiverConfigError,
    app_from_env,
    limits_from_env,
)
from connector_assets.receiver.cli import app
from connector_assets.receiver.limits import ReceiverLimits
from connector_assets.sandbox.server import ServerThread
from connector_assets.store import create_store_engine, upgrade
from connector_assets.store.crypto import SecretCipher
from connector_assets.store.subscriptions import Subscriptions

CONNECTIONS = """
connections:
  - id: acme
    gusto: {company_uuid: 5df911a0-e8e9-412d-8aaf-a46ad193dd96}
    cloudsuite: {ionapi_file: acme.ionapi, erp: m3, company: "100", division: AAA}
    mapping_file: mapping.yaml
"""


def test_app_from_env_serves_the_connections_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker factory serves the file's connections on the configured store, with the body limit."""
    key = SecretCipher.generate_key()
    url = f"sqlite:///{tmp_path / 'connector.db'}"
    (tmp_path / "connections.yaml").write_text(CONNECTIONS)
    monkeypatch.setenv("CONNECTOR_CONNECTIONS", str(tmp_path / "connections.yaml"))
    monkeypatch.setenv("CONNECTOR_DATABASE_URL", url)
    monkeypatch.setenv("CONNECTOR_ENCRYPTION_KEY", key)
    monkeypatch.setenv(MAX_BODY_ENV, "200")
    engine = upgrade(create_store_engine(url))
    Subscriptions(engine, SecretCipher([key])).save(
        subscription_uuid="s-1", connection_id="acme", status="verified", verification_token="tok"
    )
    body = b'{"uuid": "from-env"}'
    try:
        served = app_from_env()
    finally:
        gc.unfreeze()  # the factory freezes the heap for a worker's lifetime; not this test process's
    with ServerThread(served) as server, httpx.Client(base_url=server.url) as client:
        assert (
            client.post(
                "/webhooks/gusto/acme", content=body, headers={"X-Gusto-Signature": sign(body, "tok")}
            ).status_code
            == 200
        )
        assert (
            client.post("/webhooks/gusto/other", content=body).status_code == 401
        )  # answered like a bad signature
        assert client.post("/webhooks/gusto/acme", content=b"x" * 201).status_code == 413


def test_bad_body_limit_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    """A malformed limit in the environment fails with the variable's name and an example."""
    monkeypatch.setenv(MAX_BODY_ENV, "lots")
    with pytest.raises(ReceiverConfigError, match=MAX_BODY_ENV):
        app_from_env()


def test_cli_refuses_a_missing_connections_file(tmp_path: Path) -> None:
    """Without a connections file the command fails before starting any server, naming the file."""
    result = CliRunner().invoke(app, ["--connections", str(tmp_path / "nope.yaml"), "--port", "0"])
    assert result.exit_code != 0
    assert "nope.yaml" in str(result.exception)


def test_receiver_limits_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every limit is configurable; a bad value names its variable."""
    monkeypatch.setenv(BODY_TIMEOUT_ENV, "5")
    monkeypatch.setenv(MAX_CONNECTIONS_ENV, "64")
    monkeypatch.setenv(HANDSHAKES_ENV, "3")
    limits = limits_from_env()
    assert (limits.body_timeout_s, limits.max_connections, limits.handshakes_per_minute) == (5.0, 64, 3)
    assert limits.pending_tokens == ReceiverLimits().pending_tokens
    monkeypatch.setenv(MAX_CONNECTIONS_ENV, "lots")
    with pytest.raises(ReceiverConfigError, match=MAX_CONNECTIONS_ENV):
        limits_from_env()
