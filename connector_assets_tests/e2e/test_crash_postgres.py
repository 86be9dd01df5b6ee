"""PostgreSQL restarted during a payroll run: the run ends cleanly (success or failure), a later run
completes, and the payroll is posted exactly once.

Store and Dagster storage live in a private PostgreSQL cluster (see crash_postgres.py). The payroll run
executes in a subprocess; the ION simulator restarts the cluster when the posting's first GLS840MI request
arrives, i.e. after the write-ahead row is committed and before the voucher exists.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest

from connector_assets.cloudsuite.m3_gl import batch_key
from connector_assets.defs.partitions import split_payroll_key
from connector_assets_tests.e2e.chaos_env import Deployment, add_tenants, deployment, sync_connections
from connector_assets_tests.e2e.confirmation import confirm_submitted
from connector_assets_tests.e2e.crash_postgres import (
    PrivateCluster,
    RestartOnRequest,
    private_cluster,
    unavailable_reason,
)
from connector_assets_tests.e2e.deployment import write_dagster_home
from connector_assets_tests.e2e.test_crash_posting import (
    WORKER_TIMEOUT_S,
    new_payroll,
    run_worker,
    the_one_posting,
)

pytestmark = [
    pytest.mark.chaos,
    pytest.mark.skipif(unavailable_reason() is not None, reason=str(unavailable_reason())),
]

CONNECTION = "gamma"
FIRST_GLS840MI = r"GLS840MI/AddBatchHead"
CLEAN_ENDS = {dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE}


@pytest.fixture
def cluster() -> Iterator[PrivateCluster]:
    """A private PostgreSQL cluster this test may restart."""
    with private_cluster() as made:
        yield made


@pytest.fixture
def pg_deployment(cluster: PrivateCluster, tmp_path: Path) -> Iterator[Deployment]:
    """One M3 connection whose store and Dagster storage are in `cluster`, master data and workforce synced."""
    workdir = tmp_path / "deployment"
    write_dagster_home(workdir / "dagster_home", cluster.create_database("crash_dagster"))
    with deployment(workdir, database_url=cluster.create_database("crash_store")) as dep:
        add_tenants(dep, {CONNECTION: ("m3", 7)}, employees=3)
        sync_connections(dep)
        yield dep


def runs_of(dep: Deployment, key: str) -> list[dg.DagsterRun]:
    """Every run of the payroll job for one partition, oldest first."""
    runs = dep.instance.get_runs(dg.RunsFilter(job_name="payroll_job", tags={"dagster/partition": key}))
    return sorted(runs, key=lambda r: dep.instance.get_run_record_by_id(r.run_id).create_timestamp)  # type: ignore[union-attr]


@pytest.mark.parametrize("wait", [True, False], ids=["restart_before_answer", "down_while_running"])
def test_postgres_restart_mid_posting(
    pg_deployment: Deployment, cluster: PrivateCluster, tmp_path: Path, wait: bool
) -> None:
    """PostgreSQL restarts at the first GLS840MI call: the run ends cleanly, the next one posts exactly once."""
    dep = pg_deployment
    key = new_payroll(dep, CONNECTION, 1)
    ion = dep.env.tenants[CONNECTION].ion
    rule = RestartOnRequest(path=FIRST_GLS840MI, count=None, cluster=cluster, wait=wait)
    ion.faults.add(rule)
    try:
        first = run_worker(dep, key, tmp_path / "first.log").wait(timeout=WORKER_TIMEOUT_S)
    finally:
        ion.faults.clear()
    assert rule.finished() and rule.error is None and cluster.restarts == 1, rule.error or "no restart ran"
    cluster.wait_ready()

    first_runs = runs_of(dep, key)
    assert len(first_runs) == 1, (tmp_path / "first.log").read_text()[-3000:]
    assert first_runs[0].status in CLEAN_ENDS, f"first run left {first_runs[0].status}"
    assert (first == 0) == (first_runs[0].status == dg.DagsterRunStatus.SUCCESS)

    second = run_worker(dep, key, tmp_path / "second.log").wait(timeout=WORKER_TIMEOUT_S)
    log = (tmp_path / "second.log").read_text()
    assert second == 0, log[-3000:]
    assert json.loads(log.strip().splitlines()[-1])["success"]
    assert [r.status for r in runs_of(dep, key)][-1] == dg.DagsterRunStatus.SUCCESS
    confirm_submitted(dep.instance, dep.env.tenants.values())  # a voucher still in M3's background job

    posting = the_one_posting(dep, CONNECTION, split_payroll_key(key)[1])
    vouchers = [v for v in ion.vouchers() if v.key1 == batch_key(posting.external_reference)]
    assert len(vouchers) == 1, f"{len(vouchers)} vouchers for {posting.external_reference}"
    assert len(vouchers[0].lines) == posting.line_count
