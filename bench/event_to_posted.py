"""From a payroll event in the sandbox to the voucher in CloudSuite, through the daemon as `connector dev` runs it.

The sandbox's simulators, the webhook receiver and a verified subscription run in this process (as under
`connector dev`); a persistent code server (`dagster code-server start`) and a Dagster daemon
(`dagster-daemon run`) run as child processes on the world's own SQLite instance, with the dev instance's
queued run coordinator. The real inbox sensor picks each event up on a daemon tick, the queue daemon
launches the run through the code server, and the run posts the voucher to the ION simulator.

Each payroll is processed in the Gusto simulator (which pushes `payroll.processed` to the receiver); latency
runs from that call to the moment the voucher is in the ION simulator. A first payroll warms the daemon up and
is reported apart (`first_s`). The split, medians over the measured events, from the run's own records:
`pickup_s` (event → run created by a sensor tick: webhook, inbox and the wait for the tick),
`queue_s` (created → dequeued and handed to the launcher), `start_s` (→ the run process has started: a new
Python process importing Dagster and the Definitions, or a fork of a preloaded one) and `steps_s` (→ voucher
posted).

    python -m bench event_to_posted      # BENCH_EVENTS (5) payrolls one after another, Dagster's launcher
    BENCH_RUN_LAUNCHER=preloaded python -m bench event_to_posted   # as the dev instance: runs forked

One JSON line on stdout; progress on stderr. Goal: p50 < 10 s on a quiet machine.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

EVENTS = int(os.environ.get("BENCH_EVENTS", "5"))
# "default": Dagster's launcher, the code server spawns a fresh interpreter per run; "preloaded" (what the dev
# instance uses): `PreloadedRunLauncher` forks it.
RUN_LAUNCHER = os.environ.get("BENCH_RUN_LAUNCHER", "default")
PRELOADED = {"module": "connector_assets.defs.run_launcher", "class": "PreloadedRunLauncher"}
TIMEOUT_S = float(os.environ.get("BENCH_EVENT_TIMEOUT_S", "300"))


def _say(message: str) -> None:
    print(f"event_to_posted: {message}", file=sys.stderr, flush=True)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _split(instance: Any, payroll_uuid: str, event_at: float, posted_at: float) -> dict[str, float]:
    """Where one event's time went, from its payroll run's record and events (wall-clock seconds)."""
    import dagster as dg

    records = instance.get_run_records(dg.RunsFilter(job_name="payroll_job"), limit=50)
    record = next(r for r in records if payroll_uuid in r.dagster_run.tags.get("dagster/partition", ""))
    run_id = record.dagster_run.run_id
    created = record.create_timestamp.timestamp()

    def first(kind: Any) -> float:
        logs = instance.all_logs(run_id, of_type=kind)
        return min(e.timestamp for e in logs) if logs else created

    starting = first(dg.DagsterEventType.RUN_STARTING)
    started = first(dg.DagsterEventType.RUN_START)
    return {
        "pickup_s": created - event_at,
        "queue_s": starting - created,
        "start_s": started - starting,
        "steps_s": posted_at - started,
    }


def _one_payroll(tenant: Any, processes: Any) -> tuple[str, float, float, float]:
    """Process one payroll and wait for its voucher: (uuid, latency s, event wall time, posted wall time)."""
    before = len(tenant.ion.vouchers())
    started, event_at = time.monotonic(), time.time()
    payroll = tenant.gusto.run_payroll()
    while len(tenant.ion.vouchers()) <= before:
        processes.check()
        if time.monotonic() - started > TIMEOUT_S:
            raise RuntimeError(f"payroll {payroll.uuid} not posted within {TIMEOUT_S:.0f}s")
        time.sleep(0.05)
    return payroll.uuid, time.monotonic() - started, event_at, time.time()


def main(events: int = EVENTS) -> dict[str, object]:
    """Process a warm-up payroll and then `events` payrolls one after another; print the latencies."""
    base = Path(tempfile.mkdtemp(prefix="bench-event-to-posted-"))
    os.environ["DAGSTER_HOME"] = str(base)

    import dagster as dg

    from bench._daemon import DagsterProcesses
    from connector_assets.demo.dev import CONNECTION, prime_pipeline, start_dev

    deployment = start_dev(base, employees=10, history_months=0, progress=_say)
    home = deployment.dagster_home
    config = yaml.safe_load((home / "dagster.yaml").read_text())
    config.pop("run_launcher", None)  # the dev instance's own choice is set explicitly either way
    if RUN_LAUNCHER == "preloaded":
        config["run_launcher"] = PRELOADED
    (home / "dagster.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    processes = DagsterProcesses(deployment.workspace.parent, {**os.environ, **deployment.dagster_env()})
    instance = dg.DagsterInstance.from_config(str(home))
    try:
        if not prime_pipeline(home, _say):
            raise RuntimeError("master data or workforce run failed")
        load_s = processes.start_code_server()
        _say(f"code server serving after {load_s:.1f}s")
        processes.start_daemon()
        tenant = deployment.env.tenants[CONNECTION]
        _, first_s, _, _ = _one_payroll(tenant, processes)
        _say(f"warm-up payroll posted after {first_s:.1f}s")
        latencies: list[float] = []
        splits: list[dict[str, float]] = []
        for n in range(events):
            uuid, latency, event_at, posted_at = _one_payroll(tenant, processes)
            latencies.append(latency)
            splits.append(_split(instance, uuid, event_at, posted_at))
            _say(f"payroll {n + 1}/{events}: posted after {latency:.1f}s "
                 + " ".join(f"{k}={v:.1f}" for k, v in splits[-1].items()))  # fmt: skip
        load = os.getloadavg()
        result: dict[str, object] = {
            "bench": "event_to_posted",
            "events": events,
            "p50_s": round(statistics.median(latencies), 2),
            "p95_s": round(_percentile(latencies, 0.95), 2),
            "max_s": round(max(latencies), 2),
            **{k: round(statistics.median(s[k] for s in splits), 2) for k in splits[0]},
            "first_s": round(first_s, 2),
            "code_server_load_s": round(load_s, 2),
            "path": "daemon + code server",
            "run_launcher": RUN_LAUNCHER,
            "cores": os.cpu_count(),
            "load_avg_1m": round(load[0], 2),
        }
        print(json.dumps(result), flush=True)
        return result
    finally:
        processes.close()
        deployment.close()
        instance.dispose()


if __name__ == "__main__":
    main()
