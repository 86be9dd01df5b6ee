"""A sandboxed deployment for end-to-end proofs: simulators, store, Dagster instance, and the whole flow.

The Definitions read the environment when imported, so `deployment` applies the sandbox's environment,
reloads them, and restores the previous environment afterwards; each test gets its own world.
"""

from __future__ import annotations

import importlib
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
import pytest
from sqlalchemy import Engine

from connector_assets import clock
from connector_assets.defs import operations as ops
from connector_assets.demo.environment import SandboxEnvironment
from connector_assets.store import create_store_engine, upgrade
from connector_assets.store.crypto import SecretCipher
from connector_assets_tests.e2e.confirmation import confirm_submitted
from connector_assets_tests.e2e.deployment import ION_OPTIONS

# The product's day (pinned by the suite's `CONNECTOR_TODAY`): the simulated worlds and the connector read one
# calendar, and a fixed day keeps two runs of one seed identical (the generator derives dates from it).
TODAY = clock.today()


@dataclass
class Deployment:
    """One sandbox environment with its Dagster instance."""

    env: SandboxEnvironment
    instance: dg.DagsterInstance
    home: Path
    outcomes: list[ops.RunOutcome] = field(default_factory=list)
    cursor: str | None = None

    def engine(self) -> Engine:
        return upgrade(create_store_engine(self.env.database_url))


def reload_definitions() -> None:
    """Re-import the Definitions so they read the current environment (store URL, connections file)."""
    import connector_assets.definitions as definitions

    importlib.reload(definitions)


@contextmanager
def deployment(workdir: Path, database_url: str | None = None, key: str | None = None) -> Iterator[Deployment]:
    """A fresh sandbox under `workdir`; add tenants with `add_tenants`, then drive it with `run_flow`."""
    saved = dict(os.environ)
    home = workdir / "dagster_home"
    home.mkdir(parents=True, exist_ok=True)
    os.environ["DAGSTER_HOME"] = str(home)
    url = database_url or f"sqlite:///{workdir / 'connector.db'}"
    env = SandboxEnvironment(workdir, url, key or SecretCipher.generate_key())
    instance = dg.DagsterInstance.local_temp(str(home))
    try:
        yield Deployment(env, instance, home)
    finally:
        env.close()
        instance.dispose()
        os.environ.clear()
        os.environ.update(saved)


def add_tenants(dep: Deployment, tenants: dict[str, tuple[str, int]], employees: int = 4, months: int = 1) -> None:
    """Add connections `{id: (erp, seed)}` and load the Definitions for them."""
    for connection_id, (erp, seed) in tenants.items():
        dep.env.add_tenant(
            connection_id, erp=erp, seed=seed, employees=employees, history_months=months, today=TODAY,
            ion_options=ION_OPTIONS,
        )  # fmt: skip
    reload_definitions()


def run_once(dep: Deployment, job: str, key: str) -> ops.RunOutcome:
    """Run a job partition once and keep its outcome; then the confirmation step."""
    outcome = ops.run_job(dep.instance, job, key)
    dep.outcomes.append(outcome)
    confirm_submitted(dep.instance, dep.env.tenants.values())
    return outcome


def run_until_ok(dep: Deployment, job: str, key: str, attempts: int = 4) -> ops.RunOutcome:
    """Run a job partition, re-running it (a replay) while it fails; the last outcome is returned."""
    outcome = ops.run_job(dep.instance, job, key)
    dep.outcomes.append(outcome)
    for _ in range(attempts - 1):
        if outcome.success:
            break
        outcome = ops.run_job(dep.instance, job, key, {"connector/replay": "true"})
        dep.outcomes.append(outcome)
    confirm_submitted(dep.instance, dep.env.tenants.values())
    return outcome


def sync_connections(dep: Deployment) -> None:
    """Master data and the workforce sync of every connection."""
    for connection_id in dep.env.tenants:
        for job in ("master_data_job", "workforce_job"):
            outcome = run_until_ok(dep, job, connection_id)
            assert outcome.success, f"{job} {connection_id}: {outcome.error}"


def process_payrolls(dep: Deployment) -> list[ops.RunOutcome]:
    """Poll Gusto into the inbox, run what the sensor asks for, and replay any partition that failed."""
    poll = ops.poll_gusto(dep.instance)
    dep.outcomes.append(poll)
    if not poll.success:
        dep.outcomes.append(ops.poll_gusto(dep.instance))
    runs, dep.cursor = ops.process_inbox(dep.instance, dep.cursor)
    dep.outcomes += runs
    confirm_submitted(dep.instance, dep.env.tenants.values())
    final = []
    for run in runs:
        final.append(run if run.success else run_until_ok(dep, run.job_name, str(run.partition_key)))
    return final


def employee_changes(dep: Deployment, connection_id: str) -> None:
    """A hire, a transfer, a termination and an off-cycle bonus payroll for the new hire (deterministic)."""
    gusto = dep.env.tenants[connection_id].gusto
    staff = sorted(gusto.world.employees, key=lambda e: e.seq)
    active = [e for e in staff if not e.terminations or e.rehires]
    departments = [d.title for d in gusto.world.departments]
    hire = gusto.hire(first_name="Dana", last_name="Chaos", department=departments[0], hire_date=TODAY)
    gusto.transfer(active[0].uuid, department=departments[-1])
    gusto.terminate(active[-1].uuid, effective_date=TODAY)
    gusto.run_payroll(off_cycle=True, reason="Bonus", bonuses={hire.uuid: "1500.00"}, employee_uuids=[hire.uuid])


class DeterministicUuids:
    """Stands in for the `uuid` module inside the Gusto simulator's admin actions, so two runs of one
    scenario create the same hires and payrolls (and so the same external references)."""

    def __init__(self, namespace: str) -> None:
        self._namespace = uuid.uuid5(uuid.NAMESPACE_URL, namespace)
        self._count = 0

    def uuid4(self) -> uuid.UUID:
        self._count += 1
        return uuid.uuid5(self._namespace, str(self._count))


def deterministic_admin_uuids(monkeypatch: pytest.MonkeyPatch, namespace: str) -> None:
    """Make the simulator's admin-created uuids a function of `namespace` for the rest of the test."""
    from connector_assets.sandbox.gusto import admin, admin_payroll

    shim = DeterministicUuids(namespace)
    monkeypatch.setattr(admin, "uuid", shim)
    monkeypatch.setattr(admin_payroll, "uuid", shim)


def failure_chain(instance: dg.DagsterInstance, run_id: str) -> list[tuple[str, str]]:
    """(exception class, message) of every step failure of a run and each of its causes, outermost first."""
    found = []
    for record in instance.all_logs(run_id, of_type=dg.DagsterEventType.STEP_FAILURE):
        event = record.dagster_event
        error = event.step_failure_data.error if event else None
        while error is not None:
            found.append((error.cls_name or "", error.message))
            error = error.cause
    return found
