"""How many Gusto requests a full read costs, and whether the client ever causes a 429 itself.

A sandbox company of E employees and P processed payrolls runs on loopback with its per-grant rate limit
enforced. To keep the run short the window is scaled down: both the sandbox and the client's limiter allow
200 requests per 6 s instead of per 60 s (the limiter's window is 0.1 s longer, the margin for the time a
request takes to reach the server). The client connects, then reads all employees, lists all payrolls and
fetches each one. One JSON line on stdout:

    requests       API requests sent (the connect flow's token exchange and check are not counted)
    min_requests   employee pages + payroll-list pages at the largest page size (100) + the pages of each
                   payroll's employee_compensations (one per payroll when it has at most 100 rows)
    ratio          requests / min_requests (goal <= 1.05)
    self_429       429s the client received (goal 0)
    floor_seconds  requests / 200 * 6 s: the least time the rate limit allows

    python -m bench.gusto_api_efficiency [employees] [history_months]
"""

from __future__ import annotations

import json
import math
import socket
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import httpx

from connector_assets.gusto.client import GustoClient
from connector_assets.gusto.connect import connect
from connector_assets.sandbox.generator import generate_world
from connector_assets.sandbox.gusto import start_gusto_sandbox
from connector_assets.settings import GustoSettings
from connector_assets.store import create_store_engine, upgrade
from connector_assets.store.crypto import SecretCipher
from connector_assets.store.ratelimit import RollingWindowLimiter
from connector_assets.store.vault import TokenVault

LIMIT = 200
WINDOW_S = 6.0
LIMITER_MARGIN_S = 0.1
PER_PAGE = 100
CONNECTION = "bench"


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _follow(url: str) -> None:
    httpx.get(url, follow_redirects=True, timeout=10).raise_for_status()


def run(employees: int = 1000, history_months: int = 10) -> dict[str, object]:
    """Build the sandbox, read everything once, and return the figures."""
    _progress(f"generating a company of {employees} employees with {history_months} months of payrolls")
    world = generate_world(seed=11, employees=employees, history_months=history_months,
                           redirect_uri=f"http://127.0.0.1:{_free_port()}/callback")  # fmt: skip
    sim, server = start_gusto_sandbox(world, rate_limit_per_minute=LIMIT, rate_limit_window_s=WINDOW_S)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            engine = upgrade(create_store_engine(f"sqlite:///{Path(tmp) / 'bench.db'}"))
            vault = TokenVault(engine, SecretCipher([SecretCipher.generate_key()]))
            limiter = RollingWindowLimiter(engine, limit=LIMIT, window_s=WINDOW_S + LIMITER_MARGIN_S)
            first = min(p.check_date for p in world.payrolls if p.processed)
            settings = GustoSettings(company_uuid=world.company.uuid, redirect_uri=world.app.redirect_uri,
                                     api_base_url=server.url, start_date=first - timedelta(days=1))  # fmt: skip
            credentials = (world.app.client_id, world.app.client_secret)
            connect(settings, CONNECTION, vault, open_url=_follow, credentials=credentials, limiter=limiter)
            with GustoClient(settings, CONNECTION, vault, limiter, credentials=credentials) as client:
                started = time.perf_counter()
                people = client.list_employees()
                _progress(f"read {len(people)} employees in {client.counters.requests} requests")
                listed = client.list_payrolls()
                detail_pages = 0
                for n, item in enumerate(listed, 1):
                    payroll = client.get_payroll(item.uuid)
                    detail_pages += max(1, math.ceil(len(payroll.employee_compensations) / PER_PAGE))
                    if n % 10 == 0:
                        _progress(f"fetched {n}/{len(listed)} payrolls, {client.counters.requests} requests")
                seconds = time.perf_counter() - started
                counters = client.counters
    finally:
        server.stop()
        sim.close()
    requests = counters.requests
    min_requests = math.ceil(len(people) / PER_PAGE) + max(1, math.ceil(len(listed) / PER_PAGE)) + detail_pages
    return {
        "bench": "gusto_api_efficiency",
        "employees": len(people),
        "payrolls": len(listed),
        "requests": requests,
        "min_requests": min_requests,
        "ratio": round(requests / min_requests, 4),
        "self_429": counters.throttled,
        "seconds": round(seconds, 2),
        "floor_seconds": round(requests / LIMIT * WINDOW_S, 2),
        "rate_limit": f"{LIMIT} per {WINDOW_S:g} s (scaled from 200 per 60 s)",
    }


def main() -> None:
    """Run the benchmark and print one JSON line."""
    args = [int(a) for a in sys.argv[1:3]]
    print(json.dumps(run(*args)), flush=True)


if __name__ == "__main__":
    main()
