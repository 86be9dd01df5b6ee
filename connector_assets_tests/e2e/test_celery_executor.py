"""A payroll run on the dagster-celery executor (two worker processes) posts exactly what an in-process run posts.

The sandbox runs in the test process; the run's launcher and the Celery workers are separate processes that
import `connector_assets.definitions` with the tenant's environment, as on a fleet of machines sharing one
store and one Dagster instance. The celery variant of the job comes from `celery_payroll_job` below (run
configuration cannot switch an asset job's executor), so the product's code needs no change.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dagster as dg
import pytest

from connector_assets.defs.partitions import payroll_key
from connector_assets.demo.environment import SandboxEnvironment, Tenant
from connector_assets.store import create_store_engine, upgrade
from connector_assets.store.crypto import SecretCipher
from connector_assets.store.postings import POSTED, Postings

BROKER_HOST, BROKER_PORT = "127.0.0.1", 5672
BROKER_URL = f"pyamqp://guest@{BROKER_HOST}:{BROKER_PORT}//"
CONNECTION = "celeryco"
BIN = Path(sys.executable).parent
RUN_TIMEOUT_S = 240


def celery_payroll_job() -> dg.JobDefinition:
    """`payroll_job` with the Celery executor; a module-level function so workers can reconstruct it."""
    from dagster_celery import celery_executor

    from connector_assets.definitions import defs

    return defs.resolve_job_def("payroll_job").with_executor_def(celery_executor)


def _postings_metadata(instance: dg.DagsterInstance, run_id: str) -> dict[str, str]:
    key = dg.AssetKey(["cloudsuite", "journal_postings"])
    records = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION).records
    for record in records:
        materialization = record.asset_materialization
        if materialization is not None and materialization.asset_key == key:
            return {k: str(v.value) for k, v in materialization.metadata.items()}
    return {}


def drive(partition_key: str) -> dict[str, Any]:
    """In a fresh process: master data and workforce, the payroll on Celery, then the same payroll in-process."""
    from connector_assets.defs import operations as ops

    instance = dg.DagsterInstance.get()
    for job in ("master_data_job", "workforce_job"):
        outcome = ops.run_job(instance, job, CONNECTION)
        assert outcome.success, outcome.error
    instance.add_dynamic_partitions("payrolls", [partition_key])
    run_config = {"execution": {"config": {"broker": BROKER_URL, "backend": "rpc://"}}}
    with dg.execute_job(
        dg.reconstructable(celery_payroll_job),
        instance=instance,
        run_config=run_config,
        tags={"dagster/partition": partition_key},
        raise_on_error=False,
    ) as result:
        celery_run: dict[str, Any] = {"run_id": result.run_id, "success": result.success}
    celery_run["metadata"] = _postings_metadata(instance, result.run_id)
    # The in-process run of the same partition builds the journal again: an equal content hash posts nothing.
    local = ops.run_job(instance, "payroll_job", partition_key, {"connector/replay": "true"})
    local_run = {"run_id": local.run_id, "success": local.success, "error": local.error}
    local_run["metadata"] = _postings_metadata(instance, local.run_id)
    return {"celery": celery_run, "in_process": local_run, "launcher_pid": os.getpid()}


def _broker_up() -> bool:
    try:
        with socket.create_connection((BROKER_HOST, BROKER_PORT), timeout=2):
            return True
    except OSError:
        return False


@dataclass
class Side:
    """One independent deployment (sandbox, store, Dagster home) for one way of running."""

    env: SandboxEnvironment
    tenant: Tenant
    home: Path

    def process_env(self) -> dict[str, str]:
        return {
            **os.environ,
            **self.env.env(),
            "DAGSTER_HOME": str(self.home),
            "DAGSTER_CELERY_BROKER_HOST": BROKER_HOST,
        }

    def run(self, partition_key: str) -> dict[str, Any]:
        code = (
            "import json, sys\n"
            "from connector_assets_tests.e2e.test_celery_executor import drive\n"
            "print('RESULT ' + json.dumps(drive(sys.argv[1])))\n"
        )
        done = subprocess.run(
            [sys.executable, "-c", code, partition_key],
            env=self.process_env(),
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT_S,
            check=False,
        )
        results = [line[7:] for line in done.stdout.splitlines() if line.startswith("RESULT ")]
        assert done.returncode == 0 and results, done.stderr[-3000:]
        return dict(json.loads(results[-1]))

    def posted(self) -> list[Any]:
        postings = Postings(upgrade(create_store_engine(self.env.database_url)))
        return postings.in_state(POSTED, CONNECTION)


@contextmanager
def side(root: Path) -> Iterator[Side]:
    """A sandbox tenant with few employees and one month of history, on SQLite."""
    saved = dict(os.environ)  # add_tenant exports the connection's variables into this process
    root.mkdir(parents=True)
    home = root / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    env = SandboxEnvironment(root / "work", f"sqlite:///{root / 'store.db'}", SecretCipher.generate_key())
    try:
        tenant = env.add_tenant(CONNECTION, seed=11, employees=4, history_months=1)
        yield Side(env, tenant, home)
    finally:
        env.close()
        os.environ.clear()
        os.environ.update(saved)


@contextmanager
def celery_workers(target: Side, count: int, logs: Path) -> Iterator[list[subprocess.Popen[bytes]]]:
    """`count` Celery worker processes on the `dagster` queue, each running one task at a time."""
    workers = []
    try:
        for i in range(count):
            log = (logs / f"worker{i}.log").open("wb")
            workers.append(
                subprocess.Popen(
                    [
                        str(BIN / "celery"),
                        "-A",
                        "dagster_celery.app",
                        "worker",
                        "-Q",
                        "dagster",
                        "--pool=solo",
                        "-n",
                        f"connector-test-{i}-{uuid.uuid4().hex[:8]}@%h",
                        "--without-gossip",
                        "--without-mingle",
                        "--loglevel=INFO",
                    ],
                    env=target.process_env(),
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
        yield workers
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()


def _step_pids(home: Path, run_id: str) -> set[int]:
    with dg.DagsterInstance.from_config(str(home)) as instance:
        records = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.STEP_START).records
        events = [r.event_log_entry.dagster_event for r in records]
        return {e.pid for e in events if e is not None and e.pid is not None}


def test_celery_run_posts_what_the_in_process_run_posts(tmp_path: Path) -> None:
    """A payroll posted by steps on two Celery workers has the content an in-process run computes for it."""
    if not _broker_up():
        if os.environ.get("CI"):
            pytest.fail(f"RabbitMQ is not reachable on {BROKER_HOST}:{BROKER_PORT}; `.ci/run` starts it")
        pytest.skip(f"RabbitMQ is not reachable on {BROKER_HOST}:{BROKER_PORT}")
    with side(tmp_path / "deployment") as target, celery_workers(target, 2, tmp_path) as workers:
        payroll = target.tenant.world.payrolls[0]
        outcome = target.run(payroll_key(CONNECTION, payroll.uuid, payroll.check_date))
        celery_run, local_run = outcome["celery"], outcome["in_process"]
        assert celery_run["success"], (tmp_path / "worker0.log").read_text(errors="replace")[-3000:]
        pids = _step_pids(target.home, celery_run["run_id"])
        posted = target.posted()
        vouchers = target.tenant.ion.vouchers()
    assert pids and pids <= {w.pid for w in workers}, f"steps ran in {pids}, not in the worker processes"
    assert len(posted) == 1 and posted[0].payroll_uuid == payroll.uuid
    assert posted[0].debits_cents == posted[0].credits_cents and posted[0].line_count
    assert celery_run["metadata"]["document_id"] == posted[0].document_id
    assert len(vouchers) == 1 and len(vouchers[0].lines) == posted[0].line_count
    # Same content hash: the in-process run finds the Celery posting and leaves CloudSuite alone.
    assert local_run["success"], local_run["error"]
    assert local_run["metadata"]["state"] == "unchanged"
    assert local_run["metadata"]["document_id"] == posted[0].document_id
