"""Parsing what Gusto POSTs: events map onto the inbox columns; anything a column cannot hold is refused."""

from __future__ import annotations

import json

import pytest

from connector_assets.receiver.payload import MalformedPayload, is_handshake, parse_json, to_event, to_handshake


def test_event_fields_map_to_columns() -> None:
    """The documented sample event keeps its uuid, type, entity and raw text."""
    raw = (
        b'{"uuid":"f7397a24-57ad-4fae-b011-d258e8232900","event_type":"employee.terminated",'
        b'"resource_type":"Company","entity_type":"Employee","entity_uuid":"e-1","timestamp":1671058841}'
    )
    event = to_event(parse_json(raw), raw)
    assert (event.uuid, event.event_type, event.entity_type, event.entity_uuid) == (
        "f7397a24-57ad-4fae-b011-d258e8232900",
        "employee.terminated",
        "Employee",
        "e-1",
    )
    assert event.body == raw.decode()


@pytest.mark.parametrize(
    "raw",
    [
        b"\xff\xfe not utf-8",
        b'{"uuid": "a\x00b"}',
        b"[1, 2",
        b"1" * 5000,
        b"[" * 100_000,
    ],
)
def test_undecodable_bodies_are_malformed(raw: bytes) -> None:
    """Non-UTF-8, raw NUL, broken JSON, giant integers and deep nesting all raise MalformedPayload."""
    with pytest.raises(MalformedPayload):
        parse_json(raw)


@pytest.mark.parametrize(
    "doc",
    [
        ["not", "an", "object"],
        {"event_type": "payroll.processed"},
        {"uuid": ""},
        {"uuid": 7},
        {"uuid": "ok", "event_type": "a\u0000b"},
        {"uuid": "ok", "entity_uuid": "\ud800"},
        {"uuid": "ok", "entity_type": {"nested": True}},
        {"uuid": "ok", "entity_uuid": "e" * 65},
    ],
)
def test_events_the_inbox_cannot_hold_are_malformed(doc: object) -> None:
    """Missing uuid, wrong types, NUL, lone surrogates and over-wide values are refused before the database."""
    raw = json.dumps(doc).encode()
    with pytest.raises(MalformedPayload):
        to_event(json.loads(raw), raw)


def test_handshake_is_recognized_and_token_hidden() -> None:
    """A body with a verification token and no event uuid is a handshake; its repr hides the token."""
    doc = {"verification_token": "6590f590-3dba-495e-9bea-c361e1e2efc0"}
    assert is_handshake(doc) and not is_handshake({**doc, "uuid": "e-1"})
    handshake = to_handshake(doc)
    assert handshake.verification_token == doc["verification_token"]
    assert "6590f590" not in repr(handshake)


def test_error_messages_never_echo_the_token() -> None:
    """A refused token is described, never quoted."""
    with pytest.raises(MalformedPayload) as info:
        to_handshake({"verification_token": "secret-" + "x" * 300})
    assert "secret-" not in str(info.value)
