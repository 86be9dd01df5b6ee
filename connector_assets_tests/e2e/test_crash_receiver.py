"""Crash of the webhook receiver: `connector receiver` is SIGKILLed while deliveries are in flight.

Acknowledged means durable: every event that got a 2xx before the kill is in the inbox when the process is
gone. Then the receiver starts again and Gusto's retries arrive (every delivery that got no 2xx, plus some
that did): each event ends up in the inbox exactly once, none lost.
"""

from __future__ import annotations

import os
import signal
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from connector_assets.store.crypto import SecretCipher
from connector_assets.store.subscriptions import Subscriptions
from connector_assets.store.tables import webhook_inbox
from connector_assets_tests.e2e.crash_receiver import (
    Delivery,
    ReceiverProcess,
    Stream,
    raw_request,
    read_answer,
)
from connector_assets_tests.receiver.conftest import CONNECTION, SUBSCRIPTION, TOKEN, event_body

EVENTS = 240
SENDERS = 8
KILL_AFTER_ACKS = 80
DUPLICATES = 10
RETRIES = 5

CONNECTIONS = f"""
connections:
  - id: {CONNECTION}
    gusto: {{company_uuid: 5df911a0-e8e9-412d-8aaf-a46ad193dd96}}
    cloudsuite: {{ionapi_file: acme.ionapi, erp: m3, company: "100", division: AAA}}
    mapping_file: mapping.yaml
"""


@pytest.fixture
def receiver_env(store_engine: Engine, tmp_path: Path) -> Iterator[dict[str, str]]:
    """The environment of a receiver process on the store (SQLite and PostgreSQL), with a verified subscription."""
    key = SecretCipher.generate_key()
    Subscriptions(store_engine, SecretCipher([key])).save(
        subscription_uuid=SUBSCRIPTION, connection_id=CONNECTION, status="verified", verification_token=TOKEN
    )
    (tmp_path / "connections.yaml").write_text(CONNECTIONS)
    yield {
        **os.environ,
        "CONNECTOR_CONNECTIONS": str(tmp_path / "connections.yaml"),
        "CONNECTOR_DATABASE_URL": store_engine.url.render_as_string(hide_password=False),
        "CONNECTOR_ENCRYPTION_KEY": key,
    }


def stored(engine: Engine) -> Counter[str]:
    """How many inbox rows each event uuid of the connection has."""
    with engine.connect() as conn:
        query = select(webhook_inbox.c.event_uuid).where(webhook_inbox.c.connection_id == CONNECTION)
        return Counter(conn.execute(query).scalars())


def deliveries(n: int) -> list[Delivery]:
    """n distinct signed-to-be events (fresh uuids)."""
    made = []
    for _ in range(n):
        event_uuid = str(uuid.uuid4())
        made.append(Delivery(event_uuid, event_body(event_uuid)))
    return made


def redeliver(url: str, pending: list[Delivery]) -> None:
    """Gusto's retries: every delivery again, in rounds, until each got a 2xx (bounded)."""
    for _ in range(RETRIES):
        Stream(url, CONNECTION, TOKEN, pending, SENDERS).start().join(120)
        pending = [d for d in pending if not d.acknowledged]
        if not pending:
            return


def test_receiver_killed_mid_request_loses_nothing(receiver_env: dict[str, str], store_engine: Engine) -> None:
    """SIGKILL with requests in flight: acknowledged events are stored; after retries every event is stored once."""
    stream_events, cut, unread = deliveries(EVENTS), *deliveries(2)
    first = ReceiverProcess(receiver_env)
    try:
        # One request stopped halfway through its body, and (below) one sent whole but never read.
        cut_socket = raw_request(first.port, CONNECTION, cut, TOKEN, cut=True)
        stream = Stream(first.url, CONNECTION, TOKEN, stream_events, SENDERS).start()
        assert stream.acked_at_least(KILL_AFTER_ACKS).wait(120), "the receiver acknowledged too few events"
        unread_socket = raw_request(first.port, CONNECTION, unread, TOKEN, cut=False)
        assert first.kill() == -signal.SIGKILL
        stream.join(120)
    finally:
        first.stop()
    assert read_answer(cut_socket) == b"", "a request cut mid-body must get no answer"
    answer = read_answer(unread_socket)
    unread.status = 200 if answer.startswith(b"HTTP/1.1 200") else None

    every = [*stream_events, cut, unread]
    acked = {d.uuid for d in every if d.acknowledged}
    after_kill = stored(store_engine)
    assert acked <= set(after_kill), f"acknowledged but not stored: {sorted(acked - set(after_kill))[:5]}"
    assert cut.uuid not in after_kill, "half a body was stored"
    assert set(after_kill) <= {d.uuid for d in every} and max(after_kill.values()) == 1
    unanswered = [d for d in every if not d.acknowledged]
    assert len(acked) >= KILL_AFTER_ACKS and unanswered, "the kill must leave some deliveries unanswered"

    second = ReceiverProcess(receiver_env)
    try:
        duplicates = [d for d in stream_events if d.acknowledged][:DUPLICATES]
        redeliver(second.url, unanswered + duplicates)
    finally:
        second.stop()
    assert all(d.acknowledged for d in every), [(d.uuid, d.status, d.error) for d in every if not d.acknowledged]
    assert all(d.answers[-1] == "duplicate" for d in duplicates), "a re-sent stored event must be a duplicate"
    final = stored(store_engine)
    assert set(final) == {d.uuid for d in every}, "an event was lost or an unknown one appeared"
    assert set(final.values()) == {1}, f"stored twice: {[u for u, n in final.items() if n > 1][:5]}"
