"""A small sandboxed deployment for the operator commands: SQLite store, a Dagster home, few employees.

`Definitions` read the environment when imported, so they are re-imported whenever the connections file
or the environment changes (and once more when the deployment closes, for the tests that follow).
"""

from __future__ import annotations

import datetime as dt
import importlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import yaml
from typer.testing import CliRunner, Result

from connector_assets.cli import app
from connector_assets.defs import operations as ops
from connector_assets.defs.partitions import payroll_key, resolve_payroll_key
from connector_assets.demo.environment import SandboxEnvironment, Tenant
from connector_assets.operations.context import OperatorContext
from connector_assets.store.crypto import SecretCipher

DEFINITIONS = "connector_assets.definitions"
HELD_DEPARTMENT, MISSING_COST_CENTER = "Research", "CC700"


def reload_definitions() -> None:
    """Re-import the Definitions so they read the current environment and connections file."""
    if DEFINITIONS in sys.modules:
        importlib.reload(sys.modules[DEFINITIONS])
    else:
        importlib.import_module(DEFINITIONS)


@dataclass
class Deployment:
    """Simulators, store, connections file and a Dagster home on disk (what the CLI and the UI read)."""

    env: SandboxEnvironment
    home: Path

    @classmethod
    def create(cls, root: Path) -> Deployment:
        home = root / "dagster_home"
        home.mkdir(parents=True)
        (home / "dagster.yaml").write_text(yaml.safe_dump({"telemetry": {"enabled": False}}))
        env = SandboxEnvironment(root / "work", f"sqlite:///{root / 'connector.db'}", SecretCipher.generate_key())
        (root / "work").mkdir()
        os.environ["DAGSTER_HOME"] = str(home)
        return cls(env, home)

    @property
    def ctx(self) -> OperatorContext:
        return OperatorContext(self.env.database_url, self.env.connections_path)

    def instance(self) -> dg.DagsterInstance:
        return dg.DagsterInstance.get()

    def add_tenant(self, connection_id: str, require_approval: bool = False) -> Tenant:
        """One connection with three employees and a month of history; nothing posted yet."""
        tenant = self.env.add_tenant(connection_id, employees=3, history_months=1)
        if require_approval:
            document = yaml.safe_load(self.env.connections_path.read_text())
            for conn in document["connections"]:
                if conn["id"] == connection_id:
                    conn["posting"]["require_approval"] = True
            self.env.connections_path.write_text(yaml.safe_dump(document, sort_keys=False))
        reload_definitions()
        return tenant

    def run_payroll(self, connection_id: str, payroll_uuid: str) -> ops.RunOutcome:
        with self.instance() as instance:
            key = resolve_payroll_key(
                instance, connection_id, payroll_uuid, lambda: self.check_date(connection_id, payroll_uuid)
            )
            return ops.run_job(instance, "payroll_job", key)

    def key(self, connection_id: str, payroll_uuid: str) -> str:
        """The payroll's partition key."""
        return payroll_key(connection_id, payroll_uuid, self.check_date(connection_id, payroll_uuid))

    def check_date(self, connection_id: str, payroll_uuid: str) -> dt.date | None:
        """The payroll's check date as the sandbox holds it."""
        world = self.env.tenants[connection_id].world
        return next(p.check_date for p in world.payrolls if p.uuid == payroll_uuid)

    def held_payroll(self, connection_id: str) -> str:
        """A bonus for a hire into a department mapped to a cost center CloudSuite lacks, run once (held)."""
        tenant = self.env.tenants[connection_id]
        tenant.gusto.add_department(HELD_DEPARTMENT, MISSING_COST_CENTER)
        self.env.write_mapping(connection_id, {HELD_DEPARTMENT: MISSING_COST_CENTER})
        hire = tenant.gusto.hire(first_name="Robin", last_name="Quill", department=HELD_DEPARTMENT)
        payroll = tenant.gusto.run_payroll(
            off_cycle=True, reason="Bonus", bonuses={hire.uuid: "2500.00"}, employee_uuids=[hire.uuid]
        )
        self.run_payroll(connection_id, payroll.uuid)
        return str(payroll.uuid)

    def open_cost_center(self, connection_id: str, exclude: str = "CC100") -> str:
        """A cost center CloudSuite has and that is open (for the mapping fix)."""
        world = self.env.tenants[connection_id].world
        return next(c.code for c in world.cost_centers if not c.blocked and c.code != exclude and not c.valid_to)

    def cli(self, *args: str) -> Result:
        """`connector …` in this process, with the deployment's environment."""
        return CliRunner().invoke(app, list(args), catch_exceptions=False)

    def close(self) -> None:
        self.env.close()


def bonus_payroll(deployment: Deployment, connection_id: str) -> str:
    """An off-cycle bonus for a hire into a department the mapping knows (it posts cleanly)."""
    tenant = deployment.env.tenants[connection_id]
    hire = tenant.gusto.hire(first_name="Ada", last_name="Ledger", department=tenant.world.departments[0].title)
    payroll = tenant.gusto.run_payroll(
        off_cycle=True, reason="Bonus", bonuses={hire.uuid: "1200.00"}, employee_uuids=[hire.uuid]
    )
    return str(payroll.uuid)
