"""A complete sandboxed deployment on loopback: both simulators, credentials, mapping, connections, a grant.

Used by `connector demo`, `make dev`, the end-to-end tests and the benchmarks. Nothing here talks to a
real vendor: the Gusto and ION simulators stand in for them, and the OAuth flows are real exchanges.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import yaml

from connector_assets.gusto.connect import connect
from connector_assets.sandbox.generator import generate_world
from connector_assets.sandbox.generator_models import World
from connector_assets.sandbox.gusto import GustoSimulator, start_gusto_sandbox
from connector_assets.sandbox.ion import IonSimulator, start_ion_sandbox
from connector_assets.sandbox.persist import STATE_FILE, save_simulators
from connector_assets.sandbox.server import ServerThread
from connector_assets.settings import load_connections
from connector_assets.store import create_store_engine, upgrade
from connector_assets.store.crypto import SecretCipher
from connector_assets.store.vault import TokenVault

EARNING_ACCOUNTS = {
    "regular": "6010", "overtime": "6015", "double_overtime": "6016", "pto": "6017", "holiday": "6018",
    "bonus": "6020", "commission": "6025", "paycheck_tips": "6030", "cash_tips": "6031", "correction": "6035",
    "severance": "6040", "employer_tax": "6100", "employer_benefit": "6200", "reimbursement": "6310",
}  # fmt: skip
CREDITS = {
    "net_pay_direct_deposit": "1090",
    "net_pay_check": "2010",
    "taxes": "1091",
    "benefits": "2300",
    "deductions": "2410",
    "reimbursement_clearing": "1092",
    "deductions_by_name": {"Child Support": "1093"},
}

# The demo chart's accrued liabilities (posting.accrual of a connection that accrues at month end).
ACCRUAL = {"enabled": True, "accrued_wages_account": "2500", "accrued_employer_cost_account": "2510"}


CONTRACTOR_ACCOUNTS = {"wages": "6400", "bonus": "6400", "reimbursement": "6310"}
CONTRACTOR_CREDITS = {"Direct Deposit": "1090", "Check": "2010"}


def contractor_rules(world: World) -> dict[str, dict[str, str]]:
    """One rule per contractor, by name: an individual follows its Gusto department's rule, a business
    firm is general and administrative."""
    rules = {}
    for c in world.contractors:
        dept = world.department(c.department_uuid)
        rules[c.display_name] = {"department": dept.title} if dept else {"cost_center": "CC100"}
    return rules


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def itemized_sections(world: World) -> dict[str, Any]:
    """Per-tax and per-benefit accounts of the demo chart; NY MCTMT is left to the default on purpose."""
    by_name: dict[str, dict[str, str]] = {
        "Federal Income Tax": {"liability": "2100"},
        "Social Security": {"expense": "6100", "liability": "2120"},
        "Medicare": {"expense": "6110", "liability": "2120"},
        "FUTA": {"expense": "6120", "liability": "2130"},
    }
    for state in sorted({loc.state for loc in world.locations}):
        by_name[f"{state} State Income Tax"] = {"liability": "2110"}
        by_name[f"{state} SUI"] = {"expense": "6130", "liability": "2130"}
    return {
        "taxes": {"by_name": by_name, "default": {"expense": "6140", "liability": "2140"}, "receivable": "1200"},
        "benefits": {
            "Medical Insurance": {"expense": "6200", "liability": "2300"},
            "401K": {"expense": "6210", "liability": "2310"},
        },
    }


def mapping_document(
    world: World, extra_departments: dict[str, str] | None = None, itemized: bool = False
) -> dict[str, Any]:
    """The demo firm's mapping: explicit defaults, one rule per department, entity-level credits; with
    ``itemized``, accounts per Gusto tax and benefit, garnishments and owner's draw."""
    departments = {d.title: {"cost_center": d.cost_center} for d in world.departments}
    departments.update({k: {"cost_center": v} for k, v in (extra_departments or {}).items()})
    credits = {**CREDITS, "garnishments": "2400", "owners_draw": "3100"} if itemized else CREDITS
    return {
        "cost_center_field": "cost_center",
        "defaults": {k: {"account": a, "cost_center": "CC100"} for k, a in EARNING_ACCOUNTS.items()},
        "credits": credits,
        "departments": departments,
        **(itemized_sections(world) if itemized else {}),
        "contractors": {
            "accounts": CONTRACTOR_ACCOUNTS,
            "credits": CONTRACTOR_CREDITS,
            "rules": contractor_rules(world),
        },
    }


@dataclass
class Tenant:
    """One connection's simulators and files."""

    connection_id: str
    world: World
    gusto: GustoSimulator
    gusto_server: ServerThread
    ion: IonSimulator
    ion_server: ServerThread
    mapping_path: Path
    erp: str
    taxes: str = "consolidated"
    accrual: bool = False  # posting.accrual enabled for the connection


@dataclass
class SandboxEnvironment:
    """Simulators, files and a store for one or more connections."""

    workdir: Path
    database_url: str
    encryption_key: str
    tenants: dict[str, Tenant] = field(default_factory=dict)

    @property
    def connections_path(self) -> Path:
        return self.workdir / "connections.yaml"

    def env(self) -> dict[str, str]:
        """Environment variables the connector reads (the Gusto app secrets are per connection)."""
        values = {
            "CONNECTOR_CONNECTIONS": str(self.connections_path),
            "CONNECTOR_DATABASE_URL": self.database_url,
            "CONNECTOR_ENCRYPTION_KEY": self.encryption_key,
        }
        for t in self.tenants.values():
            prefix = t.connection_id.upper().replace("-", "_")
            values[f"{prefix}_GUSTO_CLIENT_ID"] = t.world.client_id
            values[f"{prefix}_GUSTO_CLIENT_SECRET"] = t.world.client_secret
        return values

    def apply_env(self) -> None:
        os.environ.update(self.env())

    def add_tenant(
        self,
        connection_id: str,
        *,
        erp: str = "m3",
        seed: int = 7,
        employees: int = 40,
        history_months: int = 3,
        today: date | None = None,
        missing_cost_centers: tuple[str, ...] = (),
        gusto_options: dict[str, Any] | None = None,
        ion_options: dict[str, Any] | None = None,
        taxes: str = "consolidated",
        accrual: bool = False,
    ) -> Tenant:
        """Generate a company, start its two simulators, write its files and connect its Gusto grant."""
        port = free_port()
        redirect = f"http://127.0.0.1:{port}/callback"
        world = generate_world(
            seed=seed, employees=employees, today=today, history_months=history_months,
            missing_cost_centers=missing_cost_centers, redirect_uri=redirect,
        )  # fmt: skip
        gusto, gusto_server = start_gusto_sandbox(world, **(gusto_options or {}))
        tenant_name = f"{connection_id.upper().replace('-', '_')}_TST"
        ion, ion_server = start_ion_sandbox(tenant_name, seed_default=False, **(ion_options or {}))
        ion.seed_accounts([{**vars_of(a), "code": a.account} for a in world.gl_accounts], replace=True)
        ion.seed_cost_centers([vars_of(c) for c in world.cost_centers], replace=True)
        folder = self.workdir / connection_id
        folder.mkdir(parents=True, exist_ok=True)
        ionapi = ion.write_ionapi(folder / f"{tenant_name}.ionapi", ion_server.url)
        (folder / "gusto-app.json").write_text(
            json.dumps({"client_id": world.client_id, "client_secret": world.client_secret,
                        "redirect_uri": redirect, "company_uuid": world.company.uuid}, indent=2)
        )  # fmt: skip
        mapping_path = folder / "mapping.yaml"
        itemized = taxes == "itemized"
        mapping_path.write_text(yaml.safe_dump(mapping_document(world, itemized=itemized), sort_keys=False))
        tenant = Tenant(
            connection_id, world, gusto, gusto_server, ion, ion_server, mapping_path, erp, taxes, accrual
        )
        self.tenants[connection_id] = tenant
        self._write_connections(ionapi_paths={connection_id: ionapi})
        self.apply_env()
        self.connect_gusto(connection_id)
        return tenant

    def _write_connections(self, ionapi_paths: dict[str, Path]) -> None:
        existing = {}
        if self.connections_path.exists():
            existing = {c["id"]: c for c in yaml.safe_load(self.connections_path.read_text())["connections"]}
        for cid, tenant in self.tenants.items():
            if cid in existing:
                continue
            prefix = cid.upper().replace("-", "_")
            cloudsuite: dict[str, Any] = {"ionapi_file": str(ionapi_paths[cid]), "erp": tenant.erp}
            if tenant.erp == "m3":
                cloudsuite.update(company="100", division="AAA")
            elif tenant.erp == "fsm":
                fsm = tenant.ion.fsm.config
                cloudsuite["fsm"] = {"finance_enterprise_group": fsm.enterprise_group,
                                     "accounting_entity": next(iter(fsm.entities))}  # fmt: skip
            else:
                cloudsuite.update(site="MAIN", mongoose_config=f"{tenant.ion.tenant}_DALS")
            first = min((p.check_date for p in tenant.world.payrolls), default=tenant.world.today)
            existing[cid] = {
                "id": cid,
                "gusto": {
                    "company_uuid": tenant.world.company.uuid,
                    "client_id_env": f"{prefix}_GUSTO_CLIENT_ID",
                    "client_secret_env": f"{prefix}_GUSTO_CLIENT_SECRET",
                    "redirect_uri": tenant.world.redirect_uri,
                    "api_base_url": tenant.gusto_server.url,
                    "start_date": first.isoformat(),
                    "cost_center_field": "cost_center",
                },
                "cloudsuite": cloudsuite,
                "mapping_file": str(tenant.mapping_path),
                "posting": {
                    "date_basis": "check_date",
                    "detail": "summarized",
                    "master_data_max_age_s": 0,
                    "taxes": tenant.taxes,
                },
            }
            if tenant.accrual:
                existing[cid]["posting"]["accrual"] = ACCRUAL
        self.connections_path.write_text(yaml.safe_dump({"connections": list(existing.values())}, sort_keys=False))

    def vault(self) -> TokenVault:
        return TokenVault(upgrade(create_store_engine(self.database_url)), SecretCipher([self.encryption_key]))

    def connect_gusto(self, connection_id: str, progress: Callable[[str], None] = lambda _m: None) -> None:
        """The real authorization-code flow; the sandbox approves consent, a 'browser' follows the redirect."""
        connection = load_connections(self.connections_path).get(connection_id)

        def browse(url: str) -> None:
            httpx.get(url, follow_redirects=True, timeout=10)

        connect(connection.gusto, connection_id, self.vault(), open_url=browse, progress=progress, timeout_s=30)

    def write_mapping(self, connection_id: str, extra_departments: dict[str, str]) -> Path:
        """Rewrite a connection's mapping with extra department rules (the demo's 'fix')."""
        tenant = self.tenants[connection_id]
        document = mapping_document(tenant.world, extra_departments, itemized=tenant.taxes == "itemized")
        tenant.mapping_path.write_text(yaml.safe_dump(document, sort_keys=False))
        return tenant.mapping_path

    def save_simulators(self) -> list[Path]:
        """Save each tenant's simulators beside its `.ionapi` file, where `connector preview`/`replay`
        restart them from when the command that started them is gone."""
        return [save_simulators(t.mapping_path.parent / STATE_FILE, t.gusto, t.ion) for t in self.tenants.values()]

    def close(self) -> None:
        for tenant in self.tenants.values():
            tenant.gusto_server.stop()
            tenant.gusto.close()
            tenant.ion_server.stop()


def vars_of(item: Any) -> dict[str, Any]:
    """Plain fields of a generator dataclass (slots or not)."""
    names = getattr(item, "__dataclass_fields__", {})
    return {name: getattr(item, name) for name in names}
