"""Per-run overhead: one `payroll_job` on a real Dagster instance against the same domain work called directly.

For each size (`CONNECTOR_BENCH_EMPLOYEES`, default 100,1000,10000) a fresh world runs in this process:
the Gusto and ION simulators on loopback, a SQLite store and a SQLite Dagster instance in a temp
DAGSTER_HOME (the dev instance's storage class, as `connector dev` and `make demo` configure it); master
data is loaded once and one payroll goes through the job untimed (first-run costs: the employee snapshot,
imports). Then each round processes two payrolls of the same company in Gusto:
one goes through `payroll_job` (`execute_in_process`: fetch, journal, checks, posting), the other
through the same calls without Dagster (Gusto payroll read, `prepare_journal`, the posting service); then the
job's payroll is replayed (`replay_seconds`; `replay_payroll_gets` counts the single-payroll GETs the replays
made to Gusto: 0 while the payroll is unchanged, except that each round's payrolls are the next pay periods and
soon lie over 3 months ahead, past what Gusto's payroll listing accepts, and such a payroll is read again).
Prints one JSON line per size: both medians, `overhead` (job ÷ direct - 1) and the number of rounds.
Goal: overhead ≤ 0.30 at 1,000 employees. `CONNECTOR_BENCH_PROFILE=dir` writes a cProfile of each
timed job run there. `CONNECTOR_BENCH_DAGSTER_PG_URL` (a PostgreSQL server URL, e.g.
`postgresql://postgres@127.0.0.1:5432/postgres`) keeps the Dagster instance in a fresh database on that
server with the production `dagster.yaml`'s storage class, instead of SQLite; the line says which (`instance`).
"""

from __future__ import annotations

import cProfile
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench._machine import emit

SIZES = tuple(int(s) for s in os.environ.get("CONNECTOR_BENCH_EMPLOYEES", "100,1000,10000").split(","))
ROUNDS = int(os.environ.get("CONNECTOR_BENCH_ROUNDS", "3"))
PROFILE_DIR = os.environ.get("CONNECTOR_BENCH_PROFILE")
DAGSTER_PG_URL = os.environ.get("CONNECTOR_BENCH_DAGSTER_PG_URL")


def _server_url() -> str:
    from sqlalchemy import make_url

    return (
        make_url(DAGSTER_PG_URL or "").set(drivername="postgresql+psycopg2").render_as_string(hide_password=False)
    )


def _instance_yaml(home: Path, database: str) -> str:
    """The bench instance's dagster.yaml: SQLite in ``home``, or a fresh PostgreSQL database ``database``."""
    if not DAGSTER_PG_URL:  # the dev instance's storage (`connector dev`, `make demo`)
        import yaml

        from connector_assets.demo.homes import instance_config

        storage = instance_config(home)["storage"]
        return yaml.safe_dump({"telemetry": {"enabled": False}, "storage": storage})
    from sqlalchemy import create_engine, make_url, text

    server = create_engine(_server_url(), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{database}"'))
    server.dispose()
    url = make_url(_server_url()).set(database=database)
    # The production dagster.yaml's storage class (pooled connections), on the fresh database.
    storage = "  custom:\n    module: connector_assets.defs.instance_storage\n    class: PooledPostgresStorage\n"
    return (
        f"telemetry:\n  enabled: false\nstorage:\n{storage}"
        f"    config:\n      postgres_url: {url.render_as_string(hide_password=False)}\n"
    )


def _drop_database(database: str) -> None:
    if not DAGSTER_PG_URL:
        return
    from sqlalchemy import create_engine, text

    server = create_engine(_server_url(), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
    server.dispose()


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _direct(connection_id: str, payroll_uuid: str) -> str:
    """The job's domain work without Dagster: read the payroll (kept for replays, as the asset does), build and
    validate its journal, post it."""
    from connector_assets.defs.cloudsuite.posting_assets import _post
    from connector_assets.defs.resources import (
        CloudSuiteResource,
        ConnectionsResource,
        GustoResource,
        StoreResource,
    )

    store = StoreResource(
        database_url=os.environ["CONNECTOR_DATABASE_URL"], encryption_key=os.environ["CONNECTOR_ENCRYPTION_KEY"]
    )
    connections = ConnectionsResource(path=os.environ["CONNECTOR_CONNECTIONS"])
    gusto, cloudsuite = (
        GustoResource(store=store, connections=connections),
        CloudSuiteResource(store=store, connections=connections),
    )
    from connector_assets.cloudsuite.posting_service import open_service
    from connector_assets.services.payroll_reads import read_payroll
    from connector_assets.services.prepare import prepare_payroll_journal

    connection = connections.get(connection_id)
    erp = cloudsuite.erp(connection_id)
    try:
        with gusto.client(connection_id) as client:
            payroll = read_payroll(client, store.snapshots, connection_id, payroll_uuid).raw
            prepared, _ = prepare_payroll_journal(payroll, connection, client, erp, store)
        if prepared.held:
            raise RuntimeError(f"payroll {payroll_uuid} is held: {prepared.reasons()[0]['reason']}")
        service = open_service(store.engine, erp, connection, run_id="bench-direct",
                               asset_key="cloudsuite/journal_postings")  # fmt: skip
        return type(_post(service, prepared, connection)).__name__
    finally:
        erp.close()


def measure(employees: int, rounds: int = ROUNDS) -> dict[str, Any]:
    """Set up one world of ``employees`` and time ``rounds`` job runs and direct runs."""
    home = Path(tempfile.mkdtemp(prefix="bench-payroll-run-"))
    if PROFILE_DIR:
        Path(PROFILE_DIR).mkdir(parents=True, exist_ok=True)
    os.environ["DAGSTER_HOME"] = str(home)
    database = f"bench_payroll_run_{os.getpid()}_{employees}"
    (home / "dagster.yaml").write_text(_instance_yaml(home, database))

    import dagster as dg

    from connector_assets.defs import operations as ops
    from connector_assets.defs.partitions import payroll_key
    from connector_assets.demo.dev import CONNECTION, start_dev
    from connector_assets.sandbox.faults import FaultRule

    setup = time.perf_counter()
    deployment = start_dev(home, employees=employees, history_months=0, progress=_say)
    instance = dg.DagsterInstance.from_config(str(home))
    tenant = deployment.env.tenants[CONNECTION]
    try:
        master = ops.run_job(instance, "master_data_job", CONNECTION)
        if not master.success:
            raise RuntimeError(f"master data run failed: {master.error}")

        def job(uuid: str, check_date: object, profile: str | None = None, replay: bool = False) -> float:
            key = payroll_key(CONNECTION, uuid, str(check_date))
            profiler = cProfile.Profile() if profile else None
            start = time.perf_counter()
            if profiler:
                profiler.enable()
            outcome = ops.run_job(instance, "payroll_job", key, {"connector/replay": "true"} if replay else None)
            if profiler and profile:
                profiler.disable()
                profiler.dump_stats(profile)
            if not outcome.success:
                raise RuntimeError(f"payroll_job {key} failed: {outcome.error}")
            return time.perf_counter() - start

        first = tenant.gusto.run_payroll()
        job(first.uuid, first.check_date)  # untimed: the employee snapshot and first-use costs
        setup_s = time.perf_counter() - setup
        jobs, directs, replays, replay_gets = [], [], [], 0
        # Counts the single-payroll GETs (every page) the replays make; the rule injects nothing.
        gets = tenant.gusto.faults.add(FaultRule(path=r"/payrolls/[^/]+$", method="GET", count=None))
        for n in range(rounds):
            a, b = tenant.gusto.run_payroll(), tenant.gusto.run_payroll()
            start = time.perf_counter()
            outcome = _direct(CONNECTION, a.uuid)
            directs.append(time.perf_counter() - start)
            profile = str(Path(PROFILE_DIR) / f"payroll_run-{employees}-{n}.prof") if PROFILE_DIR else None
            jobs.append(job(b.uuid, b.check_date, profile))
            before = gets.hits
            replays.append(job(b.uuid, b.check_date, replay=True))
            replay_gets += gets.hits - before
            _say(
                f"payroll_run {employees}: round {n + 1}: job {jobs[-1]:.2f} s, direct {directs[-1]:.2f} s ({outcome}), "
                f"replay {replays[-1]:.2f} s ({gets.hits - before} payroll GETs)"
            )
        job_s, direct_s = statistics.median(jobs), statistics.median(directs)
        return {
            "bench": "payroll_run", "employees": employees, "rounds": rounds,
            "job_seconds": round(job_s, 3), "direct_seconds": round(direct_s, 3),
            "ratio": round(job_s / direct_s, 2), "overhead": round(job_s / direct_s - 1, 3),
            "replay_seconds": round(statistics.median(replays), 3), "replay_payroll_gets": replay_gets,
            "setup_seconds": round(setup_s, 1), "instance": "postgres" if DAGSTER_PG_URL else "sqlite",
        }  # fmt: skip
    finally:
        deployment.close()
        instance.dispose()
        _drop_database(database)


def one(employees: int) -> None:
    """Print the line of one size."""
    emit(measure(employees))


def main() -> None:
    """One JSON line per size, each world in a process of its own (definitions and settings load once per
    process); progress on stderr."""
    for employees in SIZES:
        code = f"from bench.payroll_run import one; one({employees})"
        subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parent.parent, check=True)


if __name__ == "__main__":
    main()
