"""Signed events over real HTTP: stored once, refused when unsigned, tampered, malformed or misaddressed."""

from __future__ import annotations

import json
from collections.abc import Iterator

from connector_assets.gusto.signature import SIGNATURE_HEADER, sign
from connector_assets_tests.receiver.conftest import CONNECTION, TOKEN, ReceiverHandle, event_body


def test_signed_event_is_stored_with_its_columns(receiver: ReceiverHandle) -> None:
    """A signed payroll event lands in the inbox once, with type, entity and the raw body as sent."""
    body = event_body("f7397a24-57ad-4fae-b011-d258e8232900")
    response = receiver.post(body)
    assert response.status_code == 200
    assert response.json() == {"status": "stored", "event_uuid": "f7397a24-57ad-4fae-b011-d258e8232900"}
    [event] = receiver.inbox().after(0, 10)
    assert event.connection_id == CONNECTION
    assert event.event_type == "payroll.processed"
    assert (event.entity_type, event.entity_uuid) == ("Payroll", "b50e611d-8f3d-4f24-b001-46675f7b5777")
    assert event.body == body.decode()
    assert (event.source, event.state) == ("webhook", "pending")


def test_duplicate_delivery_is_acknowledged_and_stored_once(receiver: ReceiverHandle) -> None:
    """Gusto's at-least-once retry of the same event uuid gets 200 and leaves one row."""
    body = event_body("dup-0001")
    first, second = receiver.post(body), receiver.post(body)
    assert (first.status_code, second.status_code) == (200, 200)
    assert second.json()["status"] == "duplicate"
    assert receiver.stored_uuids() == ["dup-0001"]


def test_same_uuid_with_other_body_is_still_one_event(receiver: ReceiverHandle) -> None:
    """The event uuid, not the body, is the dedupe key (a re-sent event may differ in field order)."""
    receiver.post(event_body("dup-0002"))
    again = receiver.post(json.dumps({"timestamp": 1, "uuid": "dup-0002"}).encode())
    assert again.status_code == 200
    assert receiver.stored_uuids() == ["dup-0002"]


def test_tampered_body_is_refused(receiver: ReceiverHandle) -> None:
    """A body changed after signing gets 401 and nothing is stored."""
    signed = event_body("tamper-1")
    tampered = signed.replace(b"payroll.processed", b"payroll.cancelled")
    response = receiver.client.post(
        f"{receiver.url}/webhooks/gusto/{CONNECTION}",
        content=tampered,
        headers={SIGNATURE_HEADER: sign(signed, TOKEN)},
    )
    assert response.status_code == 401
    assert receiver.stored_uuids() == []


def test_wrong_key_is_refused(receiver: ReceiverHandle) -> None:
    """A signature made with another token gets 401 and nothing is stored."""
    response = receiver.post(event_body("wrong-key"), token="not-the-token")
    assert response.status_code == 401
    assert response.json()["error"] == "bad_signature"
    assert receiver.stored_uuids() == []


def test_missing_signature_is_refused(receiver: ReceiverHandle) -> None:
    """An unsigned event gets 401 and nothing is stored."""
    response = receiver.post(event_body("unsigned"), token=None)
    assert response.status_code == 401
    assert response.json()["error"] == "missing_signature"
    assert receiver.stored_uuids() == []


def test_uppercase_hex_signature_is_accepted(receiver: ReceiverHandle) -> None:
    """Hex case is not significant in the signature header."""
    body = event_body("upper-hex")
    response = receiver.client.post(
        f"{receiver.url}/webhooks/gusto/{CONNECTION}",
        content=body,
        headers={SIGNATURE_HEADER: sign(body, TOKEN).upper()},
    )
    assert response.status_code == 200
    assert receiver.stored_uuids() == ["upper-hex"]


def test_signed_malformed_json_is_bad_request(receiver: ReceiverHandle) -> None:
    """A correctly signed body that is not JSON gets 400."""
    response = receiver.post(b'{"uuid": "x", ')
    assert response.status_code == 400
    assert response.json()["error"] == "malformed_payload"
    assert receiver.stored_uuids() == []


def test_signed_event_without_uuid_is_bad_request(receiver: ReceiverHandle) -> None:
    """The event uuid is required (it is the dedupe key); pre-2024 payloads without it get 400."""
    response = receiver.post(json.dumps({"event_type": "payroll.processed", "entity_id": 7}).encode())
    assert response.status_code == 400
    assert "uuid" in response.json()["detail"]


def test_overlong_uuid_is_bad_request(receiver: ReceiverHandle) -> None:
    """Values wider than the inbox columns are refused with 400, not a database error."""
    response = receiver.post(event_body("u" * 65))
    assert response.status_code == 400


def test_event_without_type_is_kept(receiver: ReceiverHandle) -> None:
    """`uuid` is the only required field; an event without a type is stored as `unknown`."""
    response = receiver.post(json.dumps({"uuid": "typeless"}).encode())
    assert response.status_code == 200
    [event] = receiver.inbox().after(0, 10)
    assert (event.event_type, event.entity_type, event.entity_uuid) == ("unknown", None, None)


def test_unknown_connection_is_refused_like_a_bad_signature(receiver: ReceiverHandle) -> None:
    """A delivery for a connection this receiver does not serve gets 401, as an unsigned one would."""
    response = receiver.post(event_body("elsewhere"), connection="globex")
    assert response.status_code == 401
    assert receiver.stored_uuids() == []


def test_oversize_body_is_refused(receiver: ReceiverHandle) -> None:
    """A body over the limit gets 413 and nothing is stored."""
    body = event_body("big", padding="x" * 5000)
    response = receiver.post(body)
    assert response.status_code == 413
    assert receiver.stored_uuids() == []


def test_oversize_chunked_body_is_refused(receiver: ReceiverHandle) -> None:
    """A body without Content-Length is cut off at the limit with 413."""

    def chunks() -> Iterator[bytes]:
        yield b'{"uuid": "chunked", "pad": "'
        for _ in range(10):
            yield b"x" * 1000
        yield b'"}'

    response = receiver.client.post(
        f"{receiver.url}/webhooks/gusto/{CONNECTION}", content=chunks(), headers={SIGNATURE_HEADER: "00"}
    )
    assert response.status_code == 413
    assert receiver.stored_uuids() == []


def test_healthz_reports_store_up(receiver: ReceiverHandle) -> None:
    """GET /healthz answers 200 while the store answers."""
    response = receiver.client.get(f"{receiver.url}/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
