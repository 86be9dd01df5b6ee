"""One deployment for the end-to-end tests: the connector store and Dagster's storage on PostgreSQL.

Every connection (tenant) of the tests lives in the same deployment, as in production: one store, one
Dagster instance, one connections file. `Definitions` read the environment when imported, so the module is
reloaded whenever the connections file changes.
"""

from __future__ import annotations

import importlib
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
import yaml
from sqlalchemy import Engine

from connector_assets.defs import operations as ops
from connector_assets.defs.partitions import resolve_payroll_key
from connector_assets.demo.environment import SandboxEnvironment, Tenant
from connector_assets.store import create_store_engine, upgrade
from connector_assets.store.audit import AuditLog
from connector_assets.store.postings import Postings
from connector_assets.store.state import SyncState
from connector_assets_tests.e2e.confirmation import confirm_submitted

DEFINITIONS = "connector_assets.definitions"
# The strict ION tenant as the simulator defaults it: M3 vouchers appear in the background after a delay;
# a run that ends before its voucher exists is confirmed by the confirmation step (`confirmation.py`).
ION_OPTIONS: dict[str, object] = {}


def write_dagster_home(home: Path, postgres_url: str) -> Path:
    """A DAGSTER_HOME whose run, event-log and schedule storage is the given PostgreSQL database, through the
    production storage class."""
    home.mkdir(parents=True, exist_ok=True)
    storage = {
        "module": "connector_assets.defs.instance_storage", "class": "PooledPostgresStorage",
        "config": {"postgres_url": postgres_url},
    }  # fmt: skip
    config = {"storage": {"custom": storage}, "telemetry": {"enabled": False}}
    (home / "dagster.yaml").write_text(yaml.safe_dump(config))
    return home


def reload_definitions() -> None:
    """Re-import the Definitions so they read the current environment and connections file."""
    if DEFINITIONS in sys.modules:
        importlib.reload(sys.modules[DEFINITIONS])
    else:
        importlib.import_module(DEFINITIONS)


class RunFailed(AssertionError):
    """A run that a test expected to succeed failed."""


@dataclass
class Deployment:
    """The sandboxed vendors, the store and the Dagster instance, with the operator's verbs."""

    env: SandboxEnvironment
    instance: dg.DagsterInstance
    dagster_home: Path
    cursor: str | None = None
    _engine: Engine | None = field(default=None, repr=False)

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = upgrade(create_store_engine(self.env.database_url))
        return self._engine

    @property
    def postings(self) -> Postings:
        return Postings(self.engine)

    @property
    def audit(self) -> AuditLog:
        return AuditLog(self.engine)

    @property
    def state(self) -> SyncState:
        return SyncState(self.engine)

    def activate(self) -> None:
        """Point the environment and the Definitions at this deployment (other e2e modules repoint them)."""
        os.environ.update({**self.env.env(), "DAGSTER_HOME": str(self.dagster_home)})
        reload_definitions()

    def add_tenant(
        self,
        connection_id: str,
        erp: str,
        employees: int = 12,
        history_months: int = 1,
        taxes: str = "consolidated",
        accrual: bool = False,
    ) -> Tenant:
        """Start a connection's simulators, connect its Gusto grant and make it known to the Definitions."""
        self.activate()
        # A seed per connection: two companies never share employee or payroll uuids.
        seed = 100 + len(self.env.tenants)
        tenant = self.env.add_tenant(
            connection_id, erp=erp, seed=seed, employees=employees, history_months=history_months,
            ion_options=ION_OPTIONS, taxes=taxes, accrual=accrual,
        )  # fmt: skip
        self.activate()
        return tenant

    def key(self, connection_id: str, payroll_uuid: str) -> str:
        """The payroll's partition key: the one the instance has, else one built with its sandbox check date."""
        payrolls = self.env.tenants[connection_id].world.payrolls
        return resolve_payroll_key(
            self.instance, connection_id, payroll_uuid,
            lambda: next((p.check_date for p in payrolls if p.uuid == payroll_uuid), None),
        )  # fmt: skip

    def run(self, job_name: str, partition_key: str, tags: dict[str, str] | None = None) -> ops.RunOutcome:
        """One run of a job's partition, in process."""
        self.activate()
        outcome = ops.run_job(self.instance, job_name, partition_key, tags)
        confirm_submitted(self.instance, self.env.tenants.values())
        return outcome

    def run_ok(self, job_name: str, partition_key: str, tags: dict[str, str] | None = None) -> ops.RunOutcome:
        """One run that must succeed."""
        outcome = self.run(job_name, partition_key, tags)
        if not outcome.success:
            raise RunFailed(f"{job_name} {partition_key} failed: {outcome.error}")
        return outcome

    def sync(self, connection_id: str, *, read_events: bool = True) -> list[ops.RunOutcome]:
        """The fallback poll of one connection, then every run the inbox sensor asks for."""
        self.activate()
        poll = ops.poll_gusto(self.instance, [connection_id], read_events=read_events)
        if not poll.success:
            raise RunFailed(f"poll of {connection_id} failed (run {poll.run_id})")
        outcomes, self.cursor = ops.process_inbox(self.instance, self.cursor)
        confirm_submitted(self.instance, self.env.tenants.values())
        return outcomes

    def onboard(self, connection_id: str) -> list[ops.RunOutcome]:
        """What an operator does for a new connection: master data, workforce, then the payroll history."""
        self.run_ok("master_data_job", connection_id)
        self.run_ok("workforce_job", connection_id)
        return self.sync(connection_id)

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
        self.env.close()
