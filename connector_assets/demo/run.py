"""`connector demo`: the whole product on the embedded default, narrated.

Starts the simulators with the reference firm, connects both sides, materializes everything in the local
Dagster instance, posts the payroll history, holds a payroll whose department has no valid cost center,
fixes the mapping, replays that partition, and prints what happened.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from connector_assets.demo.environment import SandboxEnvironment
from connector_assets.demo.homes import export_line, fresh_dir, instance_home, sandbox_base, write_env_file
from connector_assets.store import create_store_engine, upgrade
from connector_assets.store.crypto import ENV_KEY, SecretCipher
from connector_assets.store.postings import HELD, POSTED, Postings

CONNECTION = "northwind"
HELD_DEPARTMENT, MISSING_COST_CENTER, FIXED_COST_CENTER = "Research", "CC700", "CC100"


@dataclass
class DemoSummary:
    """What the demo did, in the words an accountant would use."""

    payrolls_posted: int = 0
    payrolls_held: int = 0
    journal_lines: int = 0
    debits_cents: int = 0
    credits_cents: int = 0
    documents: list[str] = field(default_factory=list)
    held_reasons: list[str] = field(default_factory=list)
    released_after_fix: list[str] = field(default_factory=list)
    still_held: int = 0
    employees_synced: int = 0
    runs: int = 0
    failed_runs: int = 0
    dagster_home: str = ""
    env_file: str = ""

    def as_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def demo_key(home: Path) -> str:
    """`CONNECTOR_ENCRYPTION_KEY`, or a local key kept beside the demo's store (with a warning)."""
    if os.environ.get(ENV_KEY):
        return os.environ[ENV_KEY].split(",")[0]
    path = home / "demo-encryption.key"
    if not path.exists():
        path.write_text(SecretCipher.generate_key())
        path.chmod(0o600)
        print(f"warning: {ENV_KEY} is not set; the demo made a local key in {path} (never do this in production)",
              file=sys.stderr)  # fmt: skip
    return path.read_text().strip()


def run_demo(progress: Callable[[str], None], employees: int = 40, history_months: int = 3) -> DemoSummary:
    """Run the scenario end to end; returns the summary (the caller prints it)."""
    from connector_assets.defs import operations as ops
    from connector_assets.defs.partitions import resolve_payroll_key

    base = sandbox_base()
    base.mkdir(parents=True, exist_ok=True)
    # A fresh world each run, with its own instance and store, kept afterwards for the other commands.
    workdir = fresh_dir(base / "demo")
    home = instance_home(workdir)
    os.environ["DAGSTER_HOME"] = str(home)
    env = SandboxEnvironment(workdir, f"sqlite:///{workdir / 'connector.db'}", demo_key(base))
    summary = DemoSummary(dagster_home=str(home))
    try:
        progress("starting the Gusto and Infor ION simulators with the reference firm …")
        tenant = env.add_tenant(CONNECTION, employees=employees, history_months=history_months)
        progress(
            f"connected Gusto company {tenant.world.company.name!r} (OAuth code flow) and M3 tenant {tenant.ion.tenant}"
        )
        instance = ops.local_instance()
        outcomes = []

        def step(label: str, outcome: ops.RunOutcome) -> None:
            outcomes.append(outcome)
            progress(f"{label}: {'ok' if outcome.success else 'FAILED ' + (outcome.error or '')}")

        step(
            "CloudSuite master data (GL accounts, cost centers, mapping)",
            ops.run_job(instance, "master_data_job", CONNECTION),
        )
        step(
            "workforce sync (Gusto employees → CloudSuite CRS530MI)",
            ops.run_job(instance, "workforce_job", CONNECTION),
        )
        step("fallback poll of Gusto payrolls into the inbox", ops.poll_gusto(instance))
        runs, cursor = ops.process_inbox(instance, None, lambda m: progress("  " + m))
        outcomes += runs

        progress(
            f"hiring into {HELD_DEPARTMENT!r}, whose cost center {MISSING_COST_CENTER} CloudSuite does not have …"
        )
        tenant.gusto.add_department(HELD_DEPARTMENT, MISSING_COST_CENTER)
        env.write_mapping(CONNECTION, {HELD_DEPARTMENT: MISSING_COST_CENTER})
        hire = tenant.gusto.hire(first_name="Robin", last_name="Quill", department=HELD_DEPARTMENT)
        held = tenant.gusto.run_payroll(off_cycle=True, reason="Bonus", bonuses={hire.uuid: "2500.00"},
                                        employee_uuids=[hire.uuid])  # fmt: skip
        step("fallback poll picks up the new payroll and the hire", ops.poll_gusto(instance))
        runs, cursor = ops.process_inbox(instance, cursor, lambda m: progress("  " + m))
        outcomes += runs

        postings = Postings(upgrade(create_store_engine(env.database_url)))
        held_rows = postings.in_state(HELD, CONNECTION)
        summary.payrolls_held = len({p.payroll_uuid for p in held_rows})
        reasons = [str(r["reason"]) for row in held_rows for r in row.reasons or []]
        summary.held_reasons = list(dict.fromkeys(reasons))  # one line per distinct reason
        progress("held: " + "; ".join(summary.held_reasons or ["nothing"]))

        progress(f"fixing the mapping: {HELD_DEPARTMENT} → {FIXED_COST_CENTER}; replaying the held payroll …")
        env.write_mapping(CONNECTION, {HELD_DEPARTMENT: FIXED_COST_CENTER})
        key = resolve_payroll_key(instance, CONNECTION, held.uuid, held.check_date)
        step(f"replay {key}", ops.run_job(instance, "payroll_job", key, {"connector/replay": "true"}))
        if any(p.state == POSTED for p in postings.for_payroll(CONNECTION, held.uuid)):
            summary.released_after_fix.append(held.uuid)

        posted = postings.in_state(POSTED, CONNECTION)
        summary.payrolls_posted = len({p.payroll_uuid for p in posted})
        summary.still_held = len({p.payroll_uuid for p in postings.in_state(HELD, CONNECTION)})
        summary.journal_lines = sum(p.line_count or 0 for p in posted)
        summary.debits_cents = sum(p.debits_cents or 0 for p in posted)
        summary.credits_cents = sum(p.credits_cents or 0 for p in posted)
        summary.documents = [p.document_id or "" for p in posted]
        summary.employees_synced = len(tenant.ion.employees())
        summary.runs = len(outcomes)
        summary.failed_runs = sum(not o.success for o in outcomes)
        return summary
    finally:
        values = {**env.env(), "DAGSTER_HOME": str(home)}
        summary.env_file = str(write_env_file(workdir / "demo.env", values))
        env.close()


def format_summary(s: DemoSummary) -> str:
    """The summary for a person."""

    def money(cents: int) -> str:
        return f"{cents // 100:,}.{cents % 100:02d}"

    lines = [
        "",
        "Demo summary",
        f"  payrolls posted        {s.payrolls_posted}",
        f"  payrolls held          {s.payrolls_held} (released after the mapping fix: {len(s.released_after_fix)},"
        f" still held: {s.still_held})",
        f"  journal lines posted   {s.journal_lines}",
        f"  debits / credits       {money(s.debits_cents)} / {money(s.credits_cents)} USD"
        f" ({'balanced' if s.debits_cents == s.credits_cents else 'NOT BALANCED'})",
        f"  CloudSuite documents   {', '.join(s.documents[:6])}{' …' if len(s.documents) > 6 else ''}",
        f"  employees in CloudSuite {s.employees_synced}",
        f"  Dagster runs           {s.runs} ({s.failed_runs} stopped by a held posting or a refused employee)",
        "  held reasons:",
        *[f"    - {r}" for r in s.held_reasons],
        "",
        "Every `connector` command (held, audit, status, preview, replay) works on this demo's world after:",
        f"  {export_line(Path(s.env_file), Path(s.dagster_home))}",
        "Browse it with `dagster dev -m connector_assets.definitions` → Assets → ledger/journal_lines → Checks",
        "(each payroll's checks; a held one stays failed until released: materialize its partition and the",
        "posting follows) and cloudsuite/journal_postings for each posting's document id.",
    ]
    return "\n".join(lines)
