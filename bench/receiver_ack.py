"""How fast the webhook receiver acknowledges signed events, open loop on loopback.

The receiver runs under uvicorn (httptools, uvloop) in a child process on a SQLite store in a temp
dir, and on PostgreSQL too when `CONNECTOR_BENCH_POSTGRES_URL` is set. A light asyncio client sends
signed events on a fixed schedule (open loop: a slow answer does not delay the next send) at each
rate, ~1% of them repeats, and measures each request from its scheduled send time. Afterwards the
inbox is read back: `lost` = signed events whose uuid is not stored, `duplicates` = rows beyond one
per uuid. One JSON line per rate on stdout; progress on stderr. Goal: p99 < 50 ms at 1,000 req/s.

    python -m bench.receiver_ack            # or: from bench.receiver_ack import main; main()
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import uvicorn
from sqlalchemy import Engine, func, select
from uvicorn.supervisors.multiprocess import Multiprocess

from connector_assets.gusto.signature import SIGNATURE_HEADER, sign
from connector_assets.receiver.asgi import APP_FACTORY
from connector_assets.store import create_store_engine, upgrade
from connector_assets.store.crypto import SecretCipher
from connector_assets.store.subscriptions import Subscriptions
from connector_assets.store.tables import webhook_inbox

# A fresh connection per run: tokens left in a reused store under another key must not get in the way.
CONNECTION = f"bench-{uuid.uuid4().hex[:8]}"
TOKEN = "bench-verification-token"
RATES = ((200, 2000), (1000, 5000))
DUPLICATE_EVERY = 100
WORKERS = int(os.environ.get("CONNECTOR_BENCH_RECEIVER_WORKERS", "1"))
CONNECTIONS_YAML = f"""
connections:
  - id: {CONNECTION}
    gusto: {{company_uuid: 5df911a0-e8e9-412d-8aaf-a46ad193dd96}}
    cloudsuite: {{ionapi_file: bench.ionapi, erp: m3, company: "100", division: AAA}}
    mapping_file: mapping.yaml
"""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def prepare_store(url: str, key: str) -> Engine:
    """A migrated store holding the bench connection's verification token."""
    engine = upgrade(create_store_engine(url))
    Subscriptions(engine, SecretCipher([key])).save(
        subscription_uuid=f"bench-{uuid.uuid4().hex[:8]}",
        connection_id=CONNECTION,
        status="verified",
        verification_token=TOKEN,
    )
    return engine


def start_receiver(url: str, key: str, folder: Path) -> tuple[subprocess.Popen[bytes], int, socket.socket]:
    """The production app factory under uvicorn in a child process, on a socket bound here.

    Requests sent before the child accepts wait in the kernel's queue, so no readiness polling is needed.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(4096)
    connections = folder / "connections.yaml"
    connections.write_text(CONNECTIONS_YAML)
    env = {
        **os.environ,
        "CONNECTOR_ENCRYPTION_KEY": key,
        "CONNECTOR_DATABASE_URL": url,
        "CONNECTOR_CONNECTIONS": str(connections),
    }
    child = subprocess.Popen(
        [sys.executable, "-m", "bench.receiver_ack", "--serve", str(sock.fileno())],
        pass_fds=[sock.fileno()],
        env=env,
    )
    return child, int(sock.getsockname()[1]), sock


def serve(fd: int) -> None:
    """Child process: the receiver with the options `connector receiver` uses, on the inherited socket."""
    # uvicorn's own `fd=` takes the socket for a Unix one and so skips TCP_NODELAY: wrap it here instead.
    sock = socket.socket(fileno=fd)
    config = uvicorn.Config(
        APP_FACTORY,
        factory=True,
        workers=WORKERS,
        http="httptools",
        loop="uvloop",
        access_log=False,
        log_level="warning",
        # Idle keep-alive connections must outlive the gaps of a bursty sender, as behind a load balancer.
        timeout_keep_alive=75,
    )
    if WORKERS > 1:
        Multiprocess(config, sockets=[sock]).run()
    else:
        uvicorn.Server(config).run(sockets=[sock])


def make_deliveries(run: str, count: int) -> tuple[list[tuple[bytes, str]], set[str]]:
    """Signed bodies; every DUPLICATE_EVERY-th delivery repeats an earlier event on purpose."""
    deliveries: list[tuple[bytes, str]] = []
    uuids: set[str] = set()
    for i in range(count):
        if i and i % DUPLICATE_EVERY == 0:
            deliveries.append(deliveries[i // 2])
            continue
        event_uuid = f"{run}-{i:06d}"
        body = json.dumps(
            {
                "uuid": event_uuid,
                "event_type": "payroll.processed",
                "resource_type": "Company",
                "resource_uuid": "5df911a0-e8e9-412d-8aaf-a46ad193dd96",
                "entity_type": "Payroll",
                "entity_uuid": str(uuid.uuid4()),
                "timestamp": 1671058841,
            }
        ).encode()
        deliveries.append((body, sign(body, TOKEN)))
        uuids.add(event_uuid)
    return deliveries, uuids


def read_back(engine: Engine, run: str, uuids: set[str]) -> tuple[int, int]:
    """(lost, duplicates) for one run's events."""
    query = (
        select(webhook_inbox.c.event_uuid, func.count())
        .where(webhook_inbox.c.event_uuid.like(f"{run}-%"))
        .group_by(webhook_inbox.c.event_uuid)
    )
    with engine.connect() as conn:
        counts: dict[str, int] = {u: int(n) for u, n in conn.execute(query).all()}
    lost = len(uuids - set(counts))
    duplicates = sum(c - 1 for c in counts.values())
    return lost, duplicates


@dataclass
class LoadResult:
    """Per-request latencies (ms, from the scheduled send time) and failed requests."""

    requests: int = 0
    errors: int = 0
    latencies_ms: list[float] = field(default_factory=list)

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


class _Connections:
    """Keep-alive HTTP/1.1 connections; a send never waits for one (it opens another instead)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def take(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        return self.idle.pop() if self.idle else await asyncio.open_connection(self.host, self.port)

    def close(self) -> None:
        for _, writer in self.idle:
            writer.close()


async def _exchange(pool: _Connections, request: bytes) -> int:
    reader, writer = await pool.take()
    writer.write(request)
    status_line = await reader.readline()
    length = 0
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    await reader.readexactly(length)
    pool.idle.append((reader, writer))
    return int(status_line.split()[1])


async def run_load(target: str, deliveries: list[tuple[bytes, str]], rps: int) -> LoadResult:
    """Send `deliveries` at `rps` on a fixed schedule; a hand-rolled client keeps the sender's CPU low."""
    parts = urlsplit(target)
    pool = _Connections(parts.hostname or "127.0.0.1", parts.port or 80)
    requests = [
        (
            f"POST {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\nContent-Type: application/json\r\n"
            f"{SIGNATURE_HEADER}: {signature}\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode()
        + body
        for body, signature in deliveries
    ]
    result = LoadResult(requests=len(requests))
    loop = asyncio.get_running_loop()

    async def one(request: bytes, scheduled: float) -> None:
        try:
            # A receiver that stopped answering must end the run, not hang it.
            status = await asyncio.wait_for(_exchange(pool, request), timeout=30)
        except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError, IndexError):
            status = 0
        result.latencies_ms.append((loop.time() - scheduled) * 1000)
        if status != 200:
            result.errors += 1

    start = loop.time() + 0.05
    tasks = []
    for i, request in enumerate(requests):
        scheduled = start + i / rps
        delay = scheduled - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(request, scheduled)))
    await asyncio.gather(*tasks)
    pool.close()
    return result


def figures(backend: str, rps: int, result: LoadResult, lost: int, duplicates: int) -> dict[str, object]:
    return {
        "bench": "receiver_ack",
        "backend": backend,
        "rps": rps,
        "requests": result.requests,
        "p50_ms": round(result.percentile(50), 2),
        "p99_ms": round(result.percentile(99), 2),
        "max_ms": round(result.percentile(100), 2),
        "errors": result.errors,
        "lost": lost,
        "duplicates": duplicates,
    }


def bench_backend(backend: str, url: str, folder: Path) -> None:
    key = SecretCipher.generate_key()
    engine = prepare_store(url, key)
    child, port, sock = start_receiver(url, key, folder)
    try:
        target = f"http://127.0.0.1:{port}/webhooks/gusto/{CONNECTION}"
        # Start-up (imports, first connections, the token cache) is not what is being measured.
        warm_up, _ = make_deliveries("warm-up", 200)
        asyncio.run(run_load(target, warm_up, 200))
        for rps, count in RATES:
            run = uuid.uuid4().hex[:12]
            deliveries, uuids = make_deliveries(run, count)
            log(f"{backend}: {count} requests at {rps}/s ({WORKERS} worker(s)) ...")
            result = asyncio.run(run_load(target, deliveries, rps))
            if child.poll() is not None:
                raise RuntimeError(f"the receiver exited with code {child.returncode}; see its stderr above")
            lost, duplicates = read_back(engine, run, uuids)
            print(json.dumps(figures(backend, rps, result, lost, duplicates)), flush=True)
    finally:
        child.terminate()
        child.wait(timeout=30)
        sock.close()
        engine.dispose()


def main() -> None:
    """Run the benchmark on SQLite, and on PostgreSQL when CONNECTOR_BENCH_POSTGRES_URL is set."""
    with tempfile.TemporaryDirectory(prefix="receiver-bench-") as tmp:
        bench_backend("sqlite", f"sqlite:///{Path(tmp) / 'connector.db'}", Path(tmp))
        postgres = os.environ.get("CONNECTOR_BENCH_POSTGRES_URL")
        if postgres:
            bench_backend("postgresql", postgres, Path(tmp))
        else:
            log("PostgreSQL skipped: set CONNECTOR_BENCH_POSTGRES_URL to include it")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--serve":
        serve(int(sys.argv[2]))
    else:
        main()
