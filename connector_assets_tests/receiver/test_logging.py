"""Every rejection is logged as one structured line, and no token or signature ever reaches the log."""

from __future__ import annotations

import json
import logging

import pytest
from sqlalchemy import Engine

from connector_assets.gusto.signature import sign
from connector_assets.store.crypto import SecretCipher
from connector_assets.store.handshakes import HandshakeQuarantine
from connector_assets_tests.receiver.conftest import TOKEN, event_body, running, subscribe

HANDSHAKE_TOKEN = "77e0c1aa-5b1d-4c8e-9f0e-1234567890ab"


def test_rejections_are_logged_without_secrets(
    sqlite_store: Engine, cipher: SecretCipher, caplog: pytest.LogCaptureFixture
) -> None:
    """401, 400 and 413 each leave one JSON line naming status and reason; tokens and signatures never."""
    caplog.set_level(logging.DEBUG, logger="connector_assets.receiver")
    subscribe(sqlite_store, cipher)
    HandshakeQuarantine(sqlite_store, cipher).open_window("acme", 60)  # a `connector gusto subscribe` waits
    forged = event_body("forged")
    signatures = [sign(forged, "guess"), sign(event_body("ok"), TOKEN), sign(b"not json", TOKEN)]
    with running(sqlite_store, cipher) as rx:
        assert rx.post(json.dumps({"verification_token": HANDSHAKE_TOKEN}).encode(), token=None).status_code == 200
        assert rx.post(forged, token="guess").status_code == 401
        assert rx.post(event_body("ok")).status_code == 200
        assert rx.post(b"not json").status_code == 400
        assert rx.post(event_body("nowhere"), connection="globex").status_code == 401
        assert rx.post(event_body("big", pad="x" * 5000)).status_code == 413
    lines = [r.getMessage() for r in caplog.records if r.name == "connector_assets.receiver"]
    text = "\n".join(lines)
    for secret in (TOKEN, HANDSHAKE_TOKEN, "guess", *signatures):
        assert secret not in text
    rejections = [json.loads(line) for line in lines if "webhook_rejected" in line]
    assert all("\n" not in line for line in lines)
    assert sorted((r["status"], r["reason"]) for r in rejections) == [
        (400, "malformed_payload"),
        (401, "bad_signature"),
        (401, "bad_signature"),  # the unknown connection: the same answer as a bad signature
        (413, "body_too_large"),
    ]
    assert {r["connection"] for r in rejections} == {"acme", "globex"}


def test_hostile_connection_name_stays_on_one_line(
    sqlite_store: Engine, cipher: SecretCipher, caplog: pytest.LogCaptureFixture
) -> None:
    """A path segment with an encoded newline cannot forge a second log line."""
    caplog.set_level(logging.WARNING, logger="connector_assets.receiver")
    with running(sqlite_store, cipher) as rx:
        assert rx.post(b"{}", connection="x%0Afake%20line").status_code == 401
    [record] = [r for r in caplog.records if r.name == "connector_assets.receiver"]
    assert "\n" not in record.getMessage()
    assert json.loads(record.getMessage())["connection"] == "x\nfake line"
