"""From a payroll event in the sandbox to the voucher in CloudSuite, under dev-like conditions.

`connector dev`'s pieces run in this process: both simulators, the webhook receiver (uvicorn, loopback),
a verified subscription, a SQLite store and a SQLite Dagster instance in a temp DAGSTER_HOME. Instead of
the daemon, a thread evaluates the inbox sensor every `tick_interval_s` (the sensor's minimum interval,
5 s) and executes the runs it asks for in-process. Each payroll is processed in the Gusto simulator
(which emits `payroll.processed` and pushes it); latency runs from that call to the moment the voucher
is in the ION simulator. One JSON line on stdout; progress on stderr. Goal: p50 < 30 s.

    python -m bench.event_to_posted            # or: from bench.event_to_posted import main; main()
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

EVENTS = int(os.environ.get("BENCH_EVENTS", "5"))
TICK_INTERVAL_S = float(os.environ.get("BENCH_TICK_INTERVAL_S", "5"))
TIMEOUT_S = 120.0


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main(events: int = EVENTS, tick_interval_s: float = TICK_INTERVAL_S) -> dict[str, object]:
    """Process `events` payrolls one after another and report event → posted latency."""
    home = Path(tempfile.mkdtemp(prefix="bench-event-to-posted-"))
    os.environ["DAGSTER_HOME"] = str(home)
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")

    import dagster as dg

    from connector_assets.defs import operations as ops
    from connector_assets.demo.dev import CONNECTION, start_dev

    deployment = start_dev(home, employees=10, history_months=0, progress=_say)
    instance = dg.DagsterInstance.from_config(str(home))
    stop = threading.Event()
    failures: list[str] = []

    def ticker() -> None:
        cursor: str | None = None
        while not stop.is_set():
            outcomes, cursor = ops.process_inbox(instance, cursor)
            failures.extend(f"{o.partition_key}: {o.error}" for o in outcomes if not o.success)
            stop.wait(tick_interval_s)

    try:
        master = ops.run_job(instance, "master_data_job", CONNECTION)
        if not master.success:
            raise RuntimeError(f"master data run failed: {master.error}")
        tenant = deployment.env.tenants[CONNECTION]
        thread = threading.Thread(target=ticker, name="sensor-ticks", daemon=True)
        thread.start()
        latencies: list[float] = []
        for n in range(events):
            before = len(tenant.ion.vouchers())
            started = time.monotonic()
            payroll = tenant.gusto.run_payroll()
            while len(tenant.ion.vouchers()) <= before:
                if failures or time.monotonic() - started > TIMEOUT_S:
                    raise RuntimeError(f"payroll {payroll.uuid} not posted: {failures or 'timed out'}")
                time.sleep(0.05)
            latencies.append(time.monotonic() - started)
            _say(f"payroll {n + 1}/{events} {payroll.uuid}: posted after {latencies[-1]:.1f} s")
        result: dict[str, object] = {
            "bench": "event_to_posted",
            "events": events,
            "p50_s": round(statistics.median(latencies), 2),
            "p95_s": round(_percentile(latencies, 0.95), 2),
            "max_s": round(max(latencies), 2),
            "tick_interval_s": tick_interval_s,
        }
        print(json.dumps(result), flush=True)
        return result
    finally:
        stop.set()
        deployment.close()
        instance.dispose()


if __name__ == "__main__":
    main()
