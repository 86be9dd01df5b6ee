"""A store held by another writer: the receiver stops waiting after its own short cap and answers 503.

Gusto gives up on a delivery after 10 s; a receiver queued behind a long store lock would answer too late.
Its engine caps every wait (SQLite busy timeout, PostgreSQL lock timeout), so it answers 503 and Gusto
delivers again; the health check, a read, still answers while the writer holds its lock.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import Engine

from connector_assets.store import create_store_engine
from connector_assets.store.crypto import SecretCipher
from connector_assets_tests.receiver.conftest import event_body, running, subscribe

SHORT_WAIT_S = 0.3


def test_held_store_gets_503_then_the_retry_is_stored(store_engine: Engine, cipher: SecretCipher) -> None:
    subscribe(store_engine, cipher)
    url = store_engine.url.render_as_string(hide_password=False)
    capped = create_store_engine(url, wait_s=SHORT_WAIT_S)
    with running(capped, cipher) as rx:
        with store_engine.begin() as holder:
            if store_engine.dialect.name == "postgresql":
                holder.execute(sa.text("LOCK TABLE webhook_inbox IN EXCLUSIVE MODE"))
            else:
                holder.execute(sa.text("UPDATE webhook_subscriptions SET status = status"))
            response = rx.post(event_body("held"))
            assert response.status_code == 503 and response.json()["error"] == "store_unavailable"
            assert rx.client.get(f"{rx.url}/healthz").status_code == 200
        assert rx.post(event_body("held")).status_code == 200
        assert rx.stored_uuids() == ["held"]
