"""A full sync of many connections on one machine: master data, workforce and one payroll per connection.

`CONNECTOR_BENCH_CONNECTIONS` (20) tenants of `CONNECTOR_BENCH_EMPLOYEES` (500) employees each run in one
SandboxEnvironment (every simulator in this process, one SQLite store, one Dagster instance in a temp
DAGSTER_HOME, created before the worker pool so the workers never race to create its tables);
`CONNECTOR_BENCH_WORKERS` (4) run processes sync connections in parallel, one connection per process at a
time, which keeps each Gusto grant far below its 200 requests/min. Each connection posts its latest processed
payroll; `posted` counts the connections whose voucher is in the ION simulator afterwards. The whole run stays
within `CONNECTOR_BENCH_BUDGET_S` (600): tenants not set up or not started in time are left out, and the
output's `note` says so. Prints one JSON line:

    {"bench": "multi_connection_sync", "connections": 20, "employees_each": 500, "seconds": .., "peak_mb": ..,
     "self_429": .., "requests": .., "latency_ms": .., "floor_seconds": .., "ratio_to_floor": ..}

`requests` are the HTTP requests both simulators served during the sync; `latency_ms` is the median round trip
of a cheap request to them, measured in the same run; `floor_seconds` = requests * latency / workers, the
time the sync would take if every request cost one round trip and the workers never waited on anything else.
`self_429` counts the 429s the Gusto simulators served (the ION gateway does not count its own).

Two more floors come from the same run, and the largest of the three binds (`binding_floor`):
`served_floor_seconds` = the simulators' serving time (each request's handling, summed over both servers of
every tenant) / workers, and `run_start_floor_seconds` = the launch of an empty in-process run on the same
instance (median of a few, after the sync) * runs / workers. `phases` splits the runs' time: `start_s`
(call → run started: instance records, planned events), `steps_s` (inside steps, HTTP included) and
`other_s` (resources, events between steps, run end), each summed over runs.

A fourth floor counts the ERP's own background work: `erp_floor_seconds` = (requests * latency + vouchers *
`voucher_delay_s`) / workers, where `vouchers` are the M3 vouchers the sync created and `voucher_delay_s` is the
simulated tenant's configured delay before a voucher exists (`IonConfig.voucher_delay_s`): a posting run cannot
end before its voucher appears. It joins the others for `binding_floor`; `floor_seconds` stays as defined above.

`CONNECTOR_BENCH_DAGSTER_PG_URL` (a PostgreSQL server URL, e.g. `postgresql://postgres@127.0.0.1:5432/postgres`)
keeps the Dagster instance in a fresh database there, with the production storage class (`PooledPostgresStorage`:
one kept connection per storage and process), instead of SQLite.
`CONNECTOR_BENCH_SYNC` picks the runs per connection: `combined` (default; `connection_sync_job` for master
data and workforce, then `payroll_job`) or `separate` (`master_data_job`, `workforce_job`, `payroll_job`).
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

import httpx

from connector_assets.demo.environment import SandboxEnvironment, Tenant
from connector_assets.store.crypto import SecretCipher

CONNECTIONS = int(os.environ.get("CONNECTOR_BENCH_CONNECTIONS", "20"))
EMPLOYEES = int(os.environ.get("CONNECTOR_BENCH_EMPLOYEES", "500"))
WORKERS = int(os.environ.get("CONNECTOR_BENCH_WORKERS", "4"))
BUDGET_S = float(os.environ.get("CONNECTOR_BENCH_BUDGET_S", "600"))
SYNC = os.environ.get("CONNECTOR_BENCH_SYNC", "combined")
DAGSTER_PG_URL = os.environ.get("CONNECTOR_BENCH_DAGSTER_PG_URL")
JOBS = {"combined": ("connection_sync_job",), "separate": ("master_data_job", "workforce_job")}[SYNC]
# Setting up tenants (generating, seeding, OAuth) may use this share of the budget; the rest is the sync.
SETUP_SHARE = 0.4
LATENCY_PROBES = 30
EMPTY_RUNS = 5


def progress(message: str) -> None:
    print(f"multi_connection_sync: {message}", file=sys.stderr, flush=True)


def sync_connection(connection_id: str, payroll_uuid: str) -> dict[str, Any]:
    """In a worker process: master data and workforce, then one payroll; each run's id and wall-clock span."""
    import dagster as dg

    from connector_assets.defs import operations as ops

    started, cpu = time.perf_counter(), cpu_seconds()
    runs = []
    with dg.DagsterInstance.get() as instance:
        for job, key in [*((j, connection_id) for j in JOBS), ("payroll_job", f"{connection_id}:{payroll_uuid}")]:
            launched = time.time()
            outcome = ops.run_job(instance, job, key)
            runs.append({"run_id": outcome.run_id, "launched": launched, "finished": time.time(),
                         "failed": None if outcome.success else f"{job}: {outcome.error}"})  # fmt: skip
    return {
        "connection": connection_id,
        "seconds": time.perf_counter() - started,
        "cpu_s": cpu_seconds() - cpu,
        "runs": runs,
        "failed": [r["failed"] for r in runs if r["failed"]],
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def cpu_seconds() -> float:
    """CPU time (user + system) this process has used so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_phases(instance: Any, runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Seconds summed over `runs`: call → run started, inside steps, and the rest (from each run's events)."""
    import dagster as dg

    start = steps = other = 0.0
    by_step: dict[str, float] = {}
    for run in runs:
        began: float | None = None
        step_start: dict[str, float] = {}
        in_steps = 0.0
        for record in instance.all_logs(run["run_id"]):
            event = record.dagster_event
            if event is None:
                continue
            if event.event_type == dg.DagsterEventType.RUN_START:
                began = record.timestamp
            elif event.event_type == dg.DagsterEventType.STEP_START and event.step_key:
                step_start[event.step_key] = record.timestamp
            elif event.is_step_success or event.is_step_failure:
                spent = record.timestamp - step_start.pop(str(event.step_key), record.timestamp)
                by_step[str(event.step_key)] = by_step.get(str(event.step_key), 0.0) + spent
                in_steps += spent
        wall = run["finished"] - run["launched"]
        start += (began or run["launched"]) - run["launched"]
        steps += in_steps
        other += wall - ((began or run["launched"]) - run["launched"]) - in_steps
    return {"start_s": round(start, 1), "steps_s": round(steps, 1), "other_s": round(other, 1),
            "by_step_s": {k: round(v, 1) for k, v in sorted(by_step.items(), key=lambda kv: -kv[1])}}  # fmt: skip


def empty_run_seconds(instance: Any) -> float:
    """Median launch-to-finish of an in-process run of one op that does nothing, on `instance`."""
    import dagster as dg

    @dg.op
    def nothing() -> None:
        return None

    @dg.job(executor_def=dg.in_process_executor)
    def empty_job() -> None:
        nothing()

    samples = []
    for i in range(EMPTY_RUNS + 1):
        started = time.perf_counter()
        empty_job.execute_in_process(instance=instance)
        if i:  # the first pays for imports
            samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def setup(env: SandboxEnvironment, deadline: float) -> dict[str, str]:
    """Tenants with one payroll each to post: connection id → payroll uuid (stops at the deadline)."""
    payrolls = {}
    for i in range(CONNECTIONS):
        if time.perf_counter() > deadline:
            break
        cid = f"bench{i:02d}"
        tenant = env.add_tenant(cid, seed=100 + i, employees=EMPLOYEES, history_months=1)
        processed = [p for p in tenant.world.payrolls if p.processed and not p.reversal_of]
        payrolls[cid] = max(processed, key=lambda p: p.check_date).uuid
        progress(f"tenant {cid} ready ({EMPLOYEES} employees)")
    return payrolls


def served_requests(env: SandboxEnvironment) -> tuple[int, int]:
    """HTTP requests served so far by every tenant's Gusto simulator and ION simulator."""
    gusto = sum(int(str(t.gusto.counters_snapshot().get("total_requests") or 0)) for t in env.tenants.values())
    return gusto, sum(t.ion.counters().get("requests", 0) for t in env.tenants.values())


def served_seconds(env: SandboxEnvironment) -> float:
    """Time every tenant's two simulator servers have spent handling requests so far."""
    return sum(t.gusto_server.serving.seconds + t.ion_server.serving.seconds for t in env.tenants.values())


def round_trip_ms(tenant: Tenant) -> float:
    """Median round trip of a cheap authenticated MI call to one ION simulator (keep-alive, one client)."""
    creds = tenant.ion.credentials
    base = f"{tenant.ion_server.url}/{tenant.ion.tenant}"
    with httpx.Client(timeout=10) as http:
        form = {"grant_type": "password", "username": creds.access_key, "password": creds.secret_key,
                "client_id": creds.client_id, "client_secret": creds.client_secret}  # fmt: skip
        token = http.post(f"{base}/as/token.oauth2", data=form).json()["access_token"]
        url = f"{base}/M3/m3api-rest/v2/execute/CRS530MI/GetUserInfo"
        samples = []
        for _ in range(LATENCY_PROBES):
            started = time.perf_counter()
            http.get(url, headers={"Authorization": f"Bearer {token}"}).raise_for_status()
            samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def _server() -> Any:
    from sqlalchemy import create_engine, make_url

    url = make_url(DAGSTER_PG_URL or "").set(drivername="postgresql+psycopg2")
    return create_engine(url, isolation_level="AUTOCOMMIT")


def instance_yaml(database: str, home: Path) -> str:
    """The bench instance's dagster.yaml: SQLite in ``home`` with the dev instance's storage class, or a fresh
    PostgreSQL database ``database``."""
    if not DAGSTER_PG_URL:
        import yaml

        from connector_assets.demo.homes import instance_config

        return yaml.safe_dump({"telemetry": {"enabled": False}, "storage": instance_config(home)["storage"]})
    from sqlalchemy import text

    server = _server()
    with server.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{database}"'))
    url = server.url.set(database=database).render_as_string(hide_password=False)
    server.dispose()
    # The production dagster.yaml's storage class: one kept connection per storage and process.
    storage = "  custom:\n    module: connector_assets.defs.instance_storage\n    class: PooledPostgresStorage\n"
    return f"telemetry:\n  enabled: false\nstorage:\n{storage}    config:\n      postgres_url: {url}\n"


def drop_database(database: str) -> None:
    if not DAGSTER_PG_URL:
        return
    from sqlalchemy import text

    server = _server()
    with server.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
    server.dispose()


def run() -> dict[str, Any]:
    root = Path(tempfile.mkdtemp(prefix="bench-multi-sync-"))
    home = root / "dagster_home"
    home.mkdir()
    database_name = f"bench_multi_{os.getpid()}"
    (home / "dagster.yaml").write_text(instance_yaml(database_name, home))
    os.environ["DAGSTER_HOME"] = str(home)
    database = os.environ.get("CONNECTOR_BENCH_POSTGRES_URL") or f"sqlite:///{root / 'store.db'}"
    env = SandboxEnvironment(root / "work", database, SecretCipher.generate_key())
    begun = time.perf_counter()
    import dagster as dg

    # Created here, before the pool: workers opening a fresh SQLite instance at once race to create its tables.
    instance = dg.DagsterInstance.get()
    instance.get_runs(limit=1)
    try:
        payrolls = setup(env, begun + BUDGET_S * SETUP_SHARE)
        setup_s = time.perf_counter() - begun
        env.apply_env()  # worker processes inherit the connections file, store and client secrets
        vouchers_before = {cid: len(env.tenants[cid].ion.vouchers()) for cid in payrolls}
        requests_before, served_before = served_requests(env), served_seconds(env)
        deadline = begun + BUDGET_S
        results: list[dict[str, Any]] = []
        started, main_cpu = time.perf_counter(), cpu_seconds()
        with ProcessPoolExecutor(max_workers=WORKERS) as pool:
            pending = {pool.submit(sync_connection, cid, uuid): cid for cid, uuid in payrolls.items()}
            for future in as_completed(pending):
                result = future.result()
                results.append(result)
                progress(f"{result['connection']} synced in {result['seconds']:.1f}s {result['failed'] or ''}")
                if time.perf_counter() > deadline:
                    for other in pending:
                        other.cancel()  # not yet started: over budget
        seconds, main_cpu = time.perf_counter() - started, cpu_seconds() - main_cpu
        gusto_after, ion_after = served_requests(env)
        gusto_requests, ion_requests = gusto_after - requests_before[0], ion_after - requests_before[1]
        requests = gusto_requests + ion_requests
        served_s = served_seconds(env) - served_before
        created = {r["connection"]: len(env.tenants[r["connection"]].ion.vouchers()) - vouchers_before[r["connection"]]
                   for r in results}  # fmt: skip
        posted = sum(1 for count in created.values() if count > 0)
        vouchers = sum(created.values())
        voucher_wait_s = sum(count * env.tenants[cid].ion.config.voucher_delay_s for cid, count in created.items())
        throttled = sum(int(str(t.gusto.counters_snapshot().get("throttled") or 0)) for t in env.tenants.values())
        latency_ms = round_trip_ms(next(iter(env.tenants.values())))
        runs = [run for r in results for run in r["runs"]]
        phases = run_phases(instance, runs)
        empty_run_s = empty_run_seconds(instance)
    finally:
        env.close()
        instance.dispose()
        drop_database(database_name)
    floor_s = requests * latency_ms / 1000 / WORKERS
    erp_floor_s = floor_s + voucher_wait_s / WORKERS
    floors = {"requests": floor_s, "served": served_s / WORKERS, "run_start": empty_run_s * len(runs) / WORKERS,
              "erp_delay": erp_floor_s}  # fmt: skip
    binding = max(floors, key=lambda name: floors[name])
    synced = len(results)
    figures: dict[str, Any] = {
        "bench": "multi_connection_sync",
        "connections": synced,
        "employees_each": EMPLOYEES,
        "seconds": round(seconds, 1),
        "peak_mb": round(max([resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024]
                             + [r["peak_mb"] for r in results]), 1),
        "self_429": throttled,
        "posted": posted,
        "requests": requests,
        "gusto_requests": gusto_requests,
        "ion_requests": ion_requests,
        "latency_ms": round(latency_ms, 2),
        "floor_seconds": round(floor_s, 2),
        "ratio_to_floor": round(seconds / floor_s, 1) if floor_s else None,
        "served_s": round(served_s, 2),
        "served_floor_seconds": round(floors["served"], 2),
        "empty_run_s": round(empty_run_s, 3),
        "runs": len(runs),
        "run_start_floor_seconds": round(floors["run_start"], 2),
        "vouchers": vouchers,
        "voucher_delay_s": round(voucher_wait_s / vouchers, 2) if vouchers else None,
        "erp_floor_seconds": round(erp_floor_s, 2),
        "ratio_to_erp_floor": round(seconds / erp_floor_s, 1) if erp_floor_s else None,
        "binding_floor": binding,
        "ratio_to_binding_floor": round(seconds / floors[binding], 1) if floors[binding] else None,
        "phases": phases,
        "worker_cpu_s": round(sum(r["cpu_s"] for r in results), 1),
        "simulators_cpu_s": round(main_cpu, 1),
        "sync": SYNC,
        "setup_seconds": round(setup_s, 1),
        "workers": WORKERS,
        "failed_runs": sum(len(r["failed"]) for r in results),
        "store": "postgresql" if database.startswith("postgresql") else "sqlite",
        "dagster_storage": "postgresql" if DAGSTER_PG_URL else "sqlite",
    }  # fmt: skip
    if synced < CONNECTIONS:
        figures["note"] = (
            f"{synced} of {CONNECTIONS} connections fit in the {BUDGET_S:.0f}s budget on this machine "
            f"({os.cpu_count()} cores); the figures are for those"
        )
    return figures


def main() -> None:
    """Run the benchmark and print one JSON line."""
    print(json.dumps(run()), flush=True)


if __name__ == "__main__":
    main()
