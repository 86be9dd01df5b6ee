"""When the store cannot take an event the receiver answers 503, so Gusto delivers it again later."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine

from connector_assets.store import create_store_engine, upgrade
from connector_assets.store.crypto import SecretCipher
from connector_assets_tests.fixtures.database import ADMIN_URL
from connector_assets_tests.receiver.conftest import event_body, running, subscribe


def closed_port() -> int:
    """A loopback port that was bound and released, so connecting to it is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def assert_down(engine: Engine, cipher: SecretCipher) -> None:
    with running(engine, cipher) as rx:
        response = rx.post(event_body("while-down"))
        assert response.status_code == 503
        assert response.json()["error"] == "store_unavailable"
        assert rx.client.get(f"{rx.url}/healthz").status_code == 503


def test_sqlite_store_missing_then_back(tmp_path: Path, cipher: SecretCipher) -> None:
    """A store that cannot be opened gets 503; once it is there, Gusto's retry is stored."""
    url = f"sqlite:///{tmp_path / 'not-yet' / 'connector.db'}"
    engine = create_store_engine(url)
    with running(engine, cipher) as rx:
        assert rx.post(event_body("retried")).status_code == 503
        assert rx.client.get(f"{rx.url}/healthz").status_code == 503
        (tmp_path / "not-yet").mkdir()
        upgrade(engine)
        subscribe(engine, cipher)
        assert rx.client.get(f"{rx.url}/healthz").status_code == 200
        assert rx.post(event_body("retried")).status_code == 200
        assert rx.stored_uuids() == ["retried"]


def test_postgres_on_a_closed_port(cipher: SecretCipher) -> None:
    """A PostgreSQL server that refuses connections gets 503 on deliveries and on /healthz."""
    engine = sa.create_engine(f"postgresql+psycopg2://postgres@127.0.0.1:{closed_port()}/connector")
    assert_down(engine, cipher)
    engine.dispose()


@pytest.mark.postgres
def test_postgres_database_dropped(fresh_postgres_url: str, cipher: SecretCipher) -> None:
    """A PostgreSQL database dropped under a running receiver gets 503, not 500."""
    engine = upgrade(create_store_engine(fresh_postgres_url))
    subscribe(engine, cipher)
    with running(engine, cipher) as rx:
        assert rx.post(event_body("before-drop")).status_code == 200
        admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            name = sa.engine.make_url(fresh_postgres_url).database
            conn.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()
        assert rx.post(event_body("after-drop")).status_code == 503
        assert rx.client.get(f"{rx.url}/healthz").status_code == 503
    engine.dispose()
