"""Raw, hostile HTTP against the receiver on loopback: never a 5xx (503 only when the store is down), never an
unsigned event stored. Requests are written byte by byte so lying headers and odd framings reach the server."""

from __future__ import annotations

import gzip
import json
import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from connector_assets.gusto.signature import SIGNATURE_HEADER, sign
from connector_assets.store.crypto import SecretCipher
from connector_assets_tests.fuzz.strategies import JSON
from connector_assets_tests.receiver.conftest import CONNECTION, TOKEN, ReceiverHandle, running, subscribe

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
HEADER_TEXT = st.text(
    alphabet=st.characters(min_codepoint=33, max_codepoint=126, exclude_characters=":"), max_size=30
)


@pytest.fixture
def receiver(sqlite_store: Engine) -> Iterator[ReceiverHandle]:
    """The receiver on a SQLite store with a verified subscription holding TOKEN."""
    cipher = SecretCipher([SecretCipher.generate_key()])
    subscribe(sqlite_store, cipher)
    with running(sqlite_store, cipher) as handle:
        yield handle


def raw_request(url: str, head: bytes, body: bytes) -> int | None:
    """Send `head` + `body` on a fresh connection; the status code, or None if the server closed without one."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        try:
            sock.sendall(head + body)
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            return None  # the server refused the rest of an oversized body and closed: no answer to judge
        data = b""
        while b"\r\n" not in data:
            try:
                chunk = sock.recv(4096)
            except (ConnectionResetError, TimeoutError):
                break
            if not chunk:
                break
            data += chunk
    if not data.startswith(b"HTTP/1.1 "):
        return None
    return int(data[9:12])


def event(event_uuid: str) -> bytes:
    return json.dumps({"uuid": event_uuid, "event_type": "payroll.processed", "entity_uuid": "p1"}).encode()


@FUZZ
@given(
    method=st.sampled_from(["POST", "POST", "PUT", "GET", "DELETE", "PATCH", "OPTIONS"]),
    path=st.sampled_from([f"/webhooks/gusto/{CONNECTION}", "/webhooks/gusto/other", "/webhooks/gusto/", "/x%00"]),
    body=st.binary(max_size=600) | JSON.map(lambda v: json.dumps(v).encode()) | st.sampled_from([b"", b"{}"]),
    signing=st.sampled_from(["valid", "wrong-key", "garbage", "none", "duplicate-headers"]),
    framing=st.sampled_from(["exact", "short", "long", "bogus", "negative", "chunked", "chunked-bad", "none"]),
    encoding=st.sampled_from([None, "gzip", "identity", "br", "x" * 200]),
    content_type=st.sampled_from([None, "application/json", "text/plain; charset=latin-1", "multipart/form-data"]),
    extra=st.dictionaries(HEADER_TEXT.filter(bool), HEADER_TEXT, max_size=4),
)
def test_hostile_requests_never_get_a_5xx_or_store_unsigned_events(
    receiver: ReceiverHandle,
    method: str,
    path: str,
    body: bytes,
    signing: str,
    framing: str,
    encoding: str | None,
    content_type: str | None,
    extra: dict[str, str],
) -> None:
    """Any method, path, body, framing, encoding and signature: a 2xx/4xx or a closed socket; only signed events stored."""
    if encoding == "gzip":
        body = gzip.compress(body)
    headers = [("Host", "127.0.0.1")] + [(k, v) for k, v in extra.items() if k.lower() not in {"host"}]
    if signing in ("valid", "duplicate-headers"):
        headers.append((SIGNATURE_HEADER, sign(body, TOKEN)))
    if signing in ("duplicate-headers", "wrong-key"):
        headers.append((SIGNATURE_HEADER, sign(body, "another-token")))
    elif signing == "garbage":
        headers.append((SIGNATURE_HEADER, "sha256=" + "0" * 64))
    if encoding:
        headers.append(("Content-Encoding", encoding))
    if content_type:
        headers.append(("Content-Type", content_type))
    payload = body
    lengths = {"exact": len(body), "short": max(len(body) - 3, 0), "long": len(body) + 5}
    if framing in lengths:
        headers.append(("Content-Length", str(lengths[framing])))
    elif framing == "bogus":
        headers.append(("Content-Length", "12abc"))
    elif framing == "negative":
        headers.append(("Content-Length", "-1"))
    elif framing.startswith("chunked"):
        headers.append(("Transfer-Encoding", "chunked"))
        size = f"{len(body):x}" if framing == "chunked" else "zz"
        payload = size.encode() + b"\r\n" + body + b"\r\n0\r\n\r\n"
    head = (
        f"{method} {path} HTTP/1.1\r\n".encode()
        + b"".join(f"{k}: {v}\r\n".encode() for k, v in headers)
        + b"Connection: close\r\n\r\n"
    )
    before = receiver.inbox().count()
    status = raw_request(receiver.url, head, payload)
    stored = receiver.inbox().count() - before
    assert status is None or status < 500, f"{method} {path} framing={framing} got {status}"
    if signing not in ("valid", "duplicate-headers"):
        assert stored == 0, "an event without a valid signature was stored"
    assert stored <= 1


@FUZZ
@given(size=st.integers(min_value=0, max_value=12_000), declared=st.booleans())
def test_body_sizes_get_stored_or_413(receiver: ReceiverHandle, size: int, declared: bool) -> None:
    """A signed event padded to any size up to 3x the limit is stored (≤ limit) or refused with 413."""
    doc = {"uuid": f"size-{size}-{declared}", "event_type": "employee.updated", "pad": "x" * size}
    body = json.dumps(doc).encode()
    headers = {SIGNATURE_HEADER: sign(body, TOKEN)}
    if not declared:
        # Chunked upload: the size is only known by reading, so the cap must stop the read itself.
        response = receiver.client.post(
            f"{receiver.url}/webhooks/gusto/{CONNECTION}", content=iter([body]), headers=headers
        )
    else:
        response = receiver.client.post(
            f"{receiver.url}/webhooks/gusto/{CONNECTION}", content=body, headers=headers
        )
    assert response.status_code in (200, 413), response.text
    assert (response.status_code == 413) == (len(body) > 4096)


def test_store_outage_is_the_only_5xx(sqlite_store: Engine) -> None:
    """With the inbox table gone a signed event gets 503 (deliver again later) and an unsigned one still 401."""
    cipher = SecretCipher([SecretCipher.generate_key()])
    subscribe(sqlite_store, cipher)
    with running(sqlite_store, cipher) as handle:
        assert handle.post(event("before-outage")).status_code == 200
        with sqlite_store.begin() as conn:
            conn.exec_driver_sql("ALTER TABLE webhook_inbox RENAME TO webhook_inbox_away")
        try:
            outage = handle.post(event("during-outage"))
            unsigned = handle.post(event("unsigned"), token=None)
        finally:
            with sqlite_store.begin() as conn:
                conn.exec_driver_sql("ALTER TABLE webhook_inbox_away RENAME TO webhook_inbox")
        assert outage.status_code == 503 and outage.json()["error"] == "store_unavailable"
        assert unsigned.status_code == 401
        assert handle.post(event("during-outage")).status_code == 200
        assert sorted(handle.stored_uuids()) == ["before-outage", "during-outage"]
