"""More slow connections than the receiver's cap: the excess is refused and closed, and the body-read deadline
ends the slow bodies it admitted and gives their slots back. Counts and statuses only, no timing.

The receiver runs under uvicorn with the options `connector receiver` passes (`uvicorn_limits`). Each slow
connection announces a 100-byte body and sends one byte; the next is opened only once the server has decided
on the previous one (its request reached the app, or it was answered), so the counts are exact on any host.
"""

from __future__ import annotations

import select
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import Engine

from connector_assets.receiver import create_app
from connector_assets.receiver.limits import ReceiverLimits, uvicorn_limits
from connector_assets.sandbox.server import ServerThread
from connector_assets.store.crypto import SecretCipher
from connector_assets_tests.receiver.conftest import CONNECTION, SMALL_LIMIT, ReceiverHandle, event_body, subscribe

CAP = 4
EXTRA = 3
WAIT_S = 30.0  # upper bound on any single wait for the server; never reached when things work
SLOW_REQUEST = (
    f"POST /webhooks/gusto/{CONNECTION} HTTP/1.1\r\nHost: receiver\r\nContent-Length: 100\r\n\r\n{{".encode()
)


class EntryCounter:
    """ASGI wrapper counting the requests uvicorn let through to the receiver (a refused one never enters)."""

    def __init__(self, app: Any) -> None:
        self.app, self.entered, self._lock = app, 0, threading.Lock()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            with self._lock:
                self.entered += 1
        await self.app(scope, receive, send)


@contextmanager
def capped_receiver(
    engine: Engine, cipher: SecretCipher, limits: ReceiverLimits
) -> Iterator[tuple[str, EntryCounter]]:
    subscribe(engine, cipher)
    app = EntryCounter(create_app(engine, cipher, {CONNECTION}, max_body_bytes=SMALL_LIMIT, limits=limits))
    server = ServerThread(app, name="receiver", **uvicorn_limits(limits)).start()
    try:
        yield server.url, app
    finally:
        server.stop()


def wait_until(condition: Callable[[], bool], what: str) -> None:
    """Poll `condition` until it holds; fail naming `what` after WAIT_S."""
    deadline = time.monotonic() + WAIT_S
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        threading.Event().wait(0.01)


def has_answer(sock: socket.socket) -> bool:
    return bool(select.select([sock], [], [], 0)[0])


def status_then_closed(sock: socket.socket) -> int:
    """The answer's status code, read up to the server closing the connection (a connection the server kept
    open fails the read after WAIT_S)."""
    data = b""
    try:
        while chunk := sock.recv(4096):
            data += chunk
    except TimeoutError:
        raise AssertionError(f"the server answered {data[:40]!r} and kept the connection open") from None
    return int(data.split(b" ", 2)[1])


def open_slow(url: str, stack: ExitStack) -> socket.socket:
    address = urlsplit(url)
    sock = stack.enter_context(socket.create_connection((address.hostname, address.port), timeout=WAIT_S))
    sock.sendall(SLOW_REQUEST)
    return sock


def test_connections_above_the_cap_are_refused_and_closed(sqlite_store: Engine, cipher: SecretCipher) -> None:
    """CAP + EXTRA slow deliveries: CAP reach the receiver and wait for their bodies, EXTRA get 503 and EOF."""
    # A body deadline far beyond the test keeps every admitted connection open while the rest arrive.
    with (
        capped_receiver(sqlite_store, cipher, ReceiverLimits(max_connections=CAP, body_timeout_s=300)) as (
            url,
            app,
        ),
        ExitStack() as stack,
    ):
        admitted, refused = 0, Counter[int]()
        for n in range(CAP + EXTRA):
            sock = open_slow(url, stack)
            wait_until(lambda: app.entered > admitted or has_answer(sock), f"the server's decision on #{n + 1}")  # noqa: B023
            if app.entered > admitted:
                admitted += 1
            else:
                refused[status_then_closed(sock)] += 1
        assert (admitted, dict(refused)) == (CAP, {503: EXTRA})


def test_the_body_deadline_ends_slow_bodies_and_frees_their_slots(
    sqlite_store: Engine, cipher: SecretCipher
) -> None:
    """CAP slow deliveries fill the cap; each gets 408 and a closed connection at the (small) deadline, and the
    receiver then takes signed deliveries again (a slot still held would answer them 503)."""
    limits = ReceiverLimits(max_connections=CAP, body_timeout_s=0.2)
    with capped_receiver(sqlite_store, cipher, limits) as (url, app), ExitStack() as stack:
        slow = []
        for n in range(CAP):
            slow.append(open_slow(url, stack))
            wait_until(lambda: app.entered > n, f"slow delivery #{n + 1} to reach the receiver")  # noqa: B023
        assert Counter(status_then_closed(sock) for sock in slow) == {408: CAP}
        with httpx.Client(timeout=WAIT_S) as client:
            handle = ReceiverHandle(url, sqlite_store, cipher, client)
            statuses = Counter(handle.post(event_body()).status_code for _ in range(CAP))
        assert statuses == {200: CAP}
        assert len(handle.stored_uuids()) == CAP
