"""The webhook receiver as a real `connector receiver` process, and signed deliveries that may meet its death.

The process listens on port 0; its own log line says which port it got, so no port is guessed and no
sleep waits for it. Deliveries are sent by several threads at once, so requests are in flight when the
test sends SIGKILL; each delivery records whether it got an answer, and which.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

import httpx

from connector_assets.gusto.signature import SIGNATURE_HEADER, sign

# `connector receiver` is this typer app mounted on the top-level command; running it directly skips
# importing the Dagster layer, which the receiver never uses (seconds per start on a busy CI machine).
RECEIVER_COMMAND = [sys.executable, "-c", "from connector_assets.receiver.cli import app; app()"]
STARTED = re.compile(r"Uvicorn running on http://127\.0\.0\.1:(\d+)")
START_TIMEOUT_S = 60.0


class ReceiverDidNotStart(RuntimeError):
    """The receiver process exited or stayed silent instead of listening; the message carries its log."""


class ReceiverProcess:
    """One `connector receiver --port 0` process on loopback; its stderr is collected by a thread."""

    def __init__(self, env: dict[str, str]) -> None:
        self.lines: list[str] = []
        self.port = 0
        self._listening = threading.Event()
        self.proc = subprocess.Popen(
            [*RECEIVER_COMMAND, "--port", "0", "--verified-only"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        self._reader = threading.Thread(target=self._read, name="receiver-log", daemon=True)
        self._reader.start()
        if not self._listening.wait(START_TIMEOUT_S) or self.proc.poll() is not None:
            self.stop()
            raise ReceiverDidNotStart(
                "connector receiver did not report a listening port; its log:\n" + "".join(self.lines[-40:])
            )

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.append(line)
            found = STARTED.search(line)
            if found:
                self.port = int(found.group(1))
                self._listening.set()
        self._listening.set()  # EOF: the process is gone; the waiter checks poll()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def kill(self) -> int:
        """SIGKILL, no goodbye; returns the exit code (-SIGKILL)."""
        os.kill(self.proc.pid, signal.SIGKILL)
        return self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=30)
        self._reader.join(timeout=30)


@dataclass
class Delivery:
    """One event as Gusto sends it, and the answer it got (status None: no answer at all)."""

    uuid: str
    body: bytes
    status: int | None = None
    error: str | None = None
    answers: list[str] = field(default_factory=list)

    @property
    def acknowledged(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def post(client: httpx.Client, url: str, connection: str, delivery: Delivery, token: str) -> None:
    """Send one signed delivery and record the outcome (transport errors are outcomes too)."""
    headers = {SIGNATURE_HEADER: sign(delivery.body, token), "content-type": "application/json"}
    try:
        response = client.post(f"{url}/webhooks/gusto/{connection}", content=delivery.body, headers=headers)
    except httpx.TransportError as exc:
        delivery.status, delivery.error = None, type(exc).__name__
        return
    delivery.status, delivery.error = response.status_code, None
    delivery.answers.append(str(response.json().get("status")))


class Stream:
    """Threads sending deliveries concurrently; `acked_at_least(n)` is set once n got a 2xx."""

    def __init__(
        self, url: str, connection: str, token: str, deliveries: Iterable[Delivery], threads: int
    ) -> None:
        self._todo = iter(list(deliveries))
        self._lock = threading.Lock()
        self._acked = 0
        self._watermarks: dict[int, threading.Event] = {}
        self._args = (url, connection, token)
        self._threads = [threading.Thread(target=self._send, name=f"sender-{i}") for i in range(threads)]

    def acked_at_least(self, n: int) -> threading.Event:
        with self._lock:
            event = self._watermarks.setdefault(n, threading.Event())
            if self._acked >= n:
                event.set()
            return event

    def start(self) -> Stream:
        for thread in self._threads:
            thread.start()
        return self

    def join(self, timeout_s: float) -> None:
        for thread in self._threads:
            thread.join(timeout_s)
            assert not thread.is_alive(), "a sender thread did not finish"

    def _next(self) -> Delivery | None:
        with self._lock:
            return next(self._todo, None)

    def _send(self) -> None:
        url, connection, token = self._args
        # Short timeouts: after the kill, nothing will answer; Gusto itself gives up after 10 s.
        with httpx.Client(timeout=10) as client:
            while (delivery := self._next()) is not None:
                post(client, url, connection, delivery, token)
                if delivery.acknowledged:
                    with self._lock:
                        self._acked += 1
                        for n, event in self._watermarks.items():
                            if self._acked >= n:
                                event.set()


def raw_request(port: int, connection: str, delivery: Delivery, token: str, cut: bool) -> socket.socket:
    """Write the delivery on a bare socket without reading the answer; `cut` stops halfway through the body."""
    head = (
        f"POST /webhooks/gusto/{connection} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(delivery.body)}\r\n"
        f"{SIGNATURE_HEADER}: {sign(delivery.body, token)}\r\n\r\n"
    ).encode()
    body = delivery.body[: len(delivery.body) // 2] if cut else delivery.body
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    sock.sendall(head + body)
    return sock


def read_answer(sock: socket.socket) -> bytes:
    """Whatever the server wrote before the connection ended (b"" when it died without answering)."""
    chunks = []
    try:
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    except OSError:
        pass  # reset by the dying peer: no (more) answer
    finally:
        sock.close()
    return b"".join(chunks)
