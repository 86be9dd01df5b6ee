"""Serve an ASGI app on loopback from a background thread (for tests, the demo and benchmarks)."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from typing import Any

import uvicorn


class ServingClock:
    """ASGI wrapper adding up the wall time spent serving HTTP requests: what a benchmark's simulators cost."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.seconds = 0.0
        self.requests = 0

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        try:
            await self.app(scope, receive, send)
        finally:  # only the server's event loop writes these
            self.seconds += time.perf_counter() - started
            self.requests += 1


class ServerThread:
    """Run `app` with uvicorn on a pre-bound loopback socket, so the port is known before it starts."""

    def __init__(
        self, app: Any, host: str = "127.0.0.1", port: int = 0, name: str = "server", **uvicorn_options: Any
    ) -> None:
        self.app = app
        self.serving = ServingClock(app)
        self.name = name
        # Binding here, not in uvicorn, means clients may connect at once: the kernel queues them.
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Accepted sockets inherit this; without it Nagle plus delayed ACK adds ~40 ms to every keep-alive response.
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._sock.bind((host, port))
        self._sock.listen(1024)
        self.host, self.port = self._sock.getsockname()[:2]
        options = {"log_level": "warning", "lifespan": "off", "access_log": False, "timeout_keep_alive": 30}
        config = uvicorn.Config(self.serving, **{**options, **uvicorn_options})
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def _run(self) -> None:
        asyncio.run(self._server.serve(sockets=[self._sock]))

    def start(self) -> ServerThread:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._server.force_exit = True  # do not wait for idle keep-alive connections to drain
        self._thread.join(timeout=10)
        self._sock.close()

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
