"""`connector demo`: the whole product on the embedded default, narrated.

Starts the simulators with the reference firm, connects both sides, materializes everything in the local
Dagster instance, posts the payroll history, holds a payroll whose department has no valid cost center,
fixes the mapping, replays that partition, pays the firm's two contractors (their own journal), and prints
what happened.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from connector_assets import clock
from connector_assets.demo.closing import close_month
from connector_assets.demo.environment import SandboxEnvironment, Tenant
from connector_assets.demo.homes import export_line, fresh_dir, instance_home, sandbox_base, write_env_file
from connector_assets.demo.posted_accounts import itemized_accounts
from connector_assets.demo.tie_out import family_differences, shapes_posted
from connector_assets.ledger.accrual import is_accrual_entity
from connector_assets.store import create_store_engine, upgrade
from connector_assets.store.assignments import Assignments
from connector_assets.store.crypto import ENV_KEY, SecretCipher
from connector_assets.store.postings import HELD, POSTED, REVERSED, Postings

CONNECTION = "northwind"
ERP_LABELS = {"m3": "M3", "syteline": "SyteLine", "fsm": "FSM"}
EMPLOYEE_MASTERS = {
    "m3": "CloudSuite CRS530MI",
    "syteline": "CloudSuite SLEmployees",
    "fsm": "none: FSM keeps no employees",
}
HELD_DEPARTMENT, MISSING_COST_CENTER, FIXED_COST_CENTER = "Research", "CC700", "CC100"
CONTRACTOR_SUBJECT = "contractor-payments:"  # the postings of a day's contractor payments


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
    taxes: str = "itemized"
    itemized_accounts: list[tuple[str, str, int]] = field(default_factory=list)
    still_held: int = 0
    # Payroll shapes that are easy to get wrong, and how many posted payrolls show each.
    shapes: dict[str, int] = field(default_factory=dict)
    # Per payroll family, where the GL differs from Gusto (gross, net pay and bank figures); empty = ties out.
    tie_out_differences: list[str] = field(default_factory=list)
    employees_synced: int = 0
    contractors_paid: list[str] = field(default_factory=list)
    contractor_documents: list[str] = field(default_factory=list)
    contractor_debits_cents: int = 0
    contractor_credits_cents: int = 0
    month_closed: dict[str, Any] = field(default_factory=dict)
    runs: int = 0
    failed_runs: int = 0
    dagster_home: str = ""
    event_log: str = ""
    env_file: str = ""

    def as_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def demo_home() -> Path:
    """`$DAGSTER_HOME` (set to `./.dagster_home` when unset), created if missing."""
    home = Path(os.environ.setdefault("DAGSTER_HOME", str(Path.cwd() / ".dagster_home")))
    home.mkdir(parents=True, exist_ok=True)
    return home


def demo_connection(erp: str) -> str:
    """One connection per ERP, so demos of several ERPs share a store without sharing postings."""
    return CONNECTION if erp == "m3" else f"{CONNECTION}-{erp}"


def demo_key(home: Path, warn: Callable[[str], None] = lambda m: print(m, file=sys.stderr)) -> str:
    """`CONNECTOR_ENCRYPTION_KEY`, or a local key kept beside the demo's store (with a warning)."""
    if os.environ.get(ENV_KEY):
        return os.environ[ENV_KEY].split(",")[0]
    path = home / "demo-encryption.key"
    if not path.exists():
        path.write_text(SecretCipher.generate_key())
        path.chmod(0o600)
        warn(f"warning: {ENV_KEY} is not set; the demo made a local key in {path} (never do this in production)")
    return path.read_text().strip()


def run_demo(
    progress: Callable[[str], None], employees: int = 40, history_months: int = 3, *, erp: str = "m3"
) -> DemoSummary:
    """Run the scenario end to end; returns the summary (the caller prints it)."""
    from connector_assets.defs import operations as ops
    from connector_assets.defs.partitions import resolve_payroll_key

    connection = demo_connection(erp)
    base = sandbox_base()
    base.mkdir(parents=True, exist_ok=True)
    # A fresh world each run (one per ERP), with its own instance and store, kept afterwards for the other commands.
    workdir = fresh_dir(base / ("demo" if erp == "m3" else f"demo-{erp}"))
    home = instance_home(workdir)
    os.environ["DAGSTER_HOME"] = str(home)
    env = SandboxEnvironment(workdir, f"sqlite:///{workdir / 'connector.db'}", demo_key(base, progress))
    summary = DemoSummary(dagster_home=str(home))
    try:
        progress("starting the Gusto and Infor ION simulators with the reference firm …")
        tenant = env.add_tenant(
            connection,
            erp=erp,
            employees=employees,
            history_months=history_months,
            taxes=summary.taxes,
            accrual=True,
        )
        progress(
            f"connected Gusto company {tenant.world.company.name!r} (OAuth code flow) and {ERP_LABELS[erp]} tenant "
            f"{tenant.ion.tenant}"
        )
        instance = ops.local_instance()
        postings = Postings(upgrade(create_store_engine(env.database_url)))
        outcomes = []

        def report(outcome: ops.RunOutcome) -> None:
            progress("  " + run_line(outcome, tenant, postings))

        def step(label: str, outcome: ops.RunOutcome) -> None:
            outcomes.append(outcome)
            progress(f"{label}: {'ok' if outcome.success else 'FAILED ' + (outcome.error or '')}")

        step(
            "CloudSuite master data (GL accounts, cost centers, mapping)",
            ops.run_job(instance, "master_data_job", connection),
        )
        step(
            f"workforce sync (Gusto employees → {EMPLOYEE_MASTERS[erp]})",
            ops.run_job(instance, "workforce_job", connection),
        )
        step("fallback poll of Gusto payrolls into the inbox", ops.poll_gusto(instance))
        runs, cursor = ops.process_inbox(instance, None, on_run=report)
        outcomes += runs

        # A transfer inside the current pay period: the next payroll posts with the assignment in force then.
        world = tenant.world
        mover = next(e for e in world.employees if e.pay_schedule_uuid == world.pay_schedules[0].uuid)
        target = next(d for d in world.departments if d.uuid != mover.department_uuid)
        progress(f"transferring {mover.first_name} {mover.last_name} to {target.title!r} inside the pay period …")
        tenant.gusto.transfer(mover.uuid, department=target.title)
        step("workforce sync observes the transfer", ops.run_job(instance, "workforce_job", connection))
        tenant.gusto.run_payroll()
        progress(
            f"hiring into {HELD_DEPARTMENT!r}, whose cost center {MISSING_COST_CENTER} CloudSuite does not have …"
        )
        tenant.gusto.add_department(HELD_DEPARTMENT, MISSING_COST_CENTER)
        env.write_mapping(connection, {HELD_DEPARTMENT: MISSING_COST_CENTER})
        hire = tenant.gusto.hire(first_name="Robin", last_name="Quill", department=HELD_DEPARTMENT)
        held = tenant.gusto.run_payroll(off_cycle=True, reason="Bonus", bonuses={hire.uuid: "2500.00"},
                                        employee_uuids=[hire.uuid])  # fmt: skip
        step("fallback poll picks up the new payroll and the hire", ops.poll_gusto(instance))
        runs, cursor = ops.process_inbox(instance, cursor, on_run=report)
        outcomes += runs

        held_rows = postings.in_state(HELD, connection)
        summary.payrolls_held = len({p.payroll_uuid for p in held_rows})
        reasons = [str(r["reason"]) for row in held_rows for r in row.reasons or []]
        summary.held_reasons = list(dict.fromkeys(reasons))  # one line per distinct reason
        progress("held: " + "; ".join(summary.held_reasons or ["nothing"]))

        progress(f"fixing the mapping: {HELD_DEPARTMENT} → {FIXED_COST_CENTER}; replaying the held payroll …")
        env.write_mapping(connection, {HELD_DEPARTMENT: FIXED_COST_CENTER})
        key = resolve_payroll_key(instance, connection, held.uuid, held.check_date)
        replay = ops.run_job(instance, "payroll_job", key, {"connector/replay": "true"})
        outcomes.append(replay)
        progress("  replay " + run_line(replay, tenant, postings))
        if any(p.state == POSTED for p in postings.for_payroll(connection, held.uuid)):
            summary.released_after_fix.append(held.uuid)

        names = {c.uuid: c.display_name for c in world.contractors}
        paid = tenant.gusto.pay_contractors()
        summary.contractors_paid = [names[p.contractor_uuid] for p in paid]
        progress(f"paying the firm's contractors through Gusto: {', '.join(summary.contractors_paid)} …")
        step("fallback poll picks up the contractor payment events", ops.poll_gusto(instance))
        runs, cursor = ops.process_inbox(instance, cursor, on_run=report)
        outcomes += runs

        closed = close_month(instance, connection, postings, clock.today(), step)
        outcomes += closed.outcomes
        summary.month_closed = {k: v for k, v in vars(closed).items() if k != "outcomes"}

        # A payroll reversed in Gusto keeps its posted document (marked reversed); its reversal posts its own.
        every = sorted((p for p in postings.in_state(POSTED, connection) + postings.in_state(REVERSED, connection)
                        if not is_accrual_entity(p.payroll_uuid)), key=lambda p: p.id)  # fmt: skip
        contractor_rows = [p for p in every if p.payroll_uuid.startswith(CONTRACTOR_SUBJECT)]
        posted = [p for p in every if not p.payroll_uuid.startswith(CONTRACTOR_SUBJECT)]
        summary.contractor_documents = [p.document_id or "" for p in contractor_rows]
        summary.contractor_debits_cents = sum(p.debits_cents or 0 for p in contractor_rows)
        summary.contractor_credits_cents = sum(p.credits_cents or 0 for p in contractor_rows)
        summary.payrolls_posted = len({p.payroll_uuid for p in posted})
        summary.still_held = len({p.payroll_uuid for p in postings.in_state(HELD, connection)
                                  if not is_accrual_entity(p.payroll_uuid)})  # fmt: skip
        summary.journal_lines = sum(p.line_count or 0 for p in posted)
        summary.debits_cents = sum(p.debits_cents or 0 for p in posted)
        summary.credits_cents = sum(p.credits_cents or 0 for p in posted)
        summary.documents = [p.document_id or "" for p in posted]
        history = Assignments(postings.engine).history(connection)
        summary.shapes = shapes_posted(tenant, postings, connection, history)
        summary.tie_out_differences = family_differences(tenant, postings, connection)
        summary.employees_synced = len(tenant.ion.employees())
        summary.itemized_accounts = itemized_accounts(tenant)
        summary.runs = len(outcomes)
        summary.failed_runs = sum(not o.success for o in outcomes)
        return summary
    finally:
        values = {**env.env(), "DAGSTER_HOME": str(home)}
        summary.env_file = str(write_env_file(workdir / "demo.env", values))
        try:
            env.save_simulators()  # so `connector preview`/`replay` serve this demo's world afterwards
        finally:
            env.close()


def money(cents: int) -> str:
    return f"{cents // 100:,}.{cents % 100:02d}"


def run_line(outcome: Any, tenant: Tenant, postings: Postings) -> str:
    """One line per run; a payroll's says which payroll it was and what became of its journal."""
    from connector_assets.defs.partitions import split_payroll_key

    verdict = "ok" if outcome.success else "stopped: " + (outcome.error or "see the event log")
    if outcome.job_name == "contractor_payment_job" and outcome.partition_key:
        connection, _, day = outcome.partition_key.partition(":")
        done = [p for p in postings.for_payroll(connection, CONTRACTOR_SUBJECT + day) if p.state == POSTED]
        if done:
            row = done[-1]
            return (f"contractor payments {day}: posted as {row.document_id} ({row.line_count} lines, "
                    f"{money(row.debits_cents or 0)} USD)")  # fmt: skip
        return f"contractor payments {day}: {verdict}"
    if outcome.job_name != "payroll_job" or not outcome.partition_key:
        return f"{outcome.job_name} {outcome.partition_key or ''}: {verdict}"
    connection, payroll_uuid = split_payroll_key(outcome.partition_key)
    payroll = tenant.world.payroll(payroll_uuid)
    kind = "regular" if payroll is None or not payroll.off_cycle else f"off-cycle {payroll.off_cycle_reason}"
    what = f"payroll {payroll.check_date if payroll else ''} {kind} {payroll_uuid[:8]}"
    rows = [p for p in postings.for_payroll(connection, payroll_uuid) if p.kind == "journal"]
    for row in rows:
        if row.state in (POSTED, REVERSED):
            note = ", since reversed" if row.state == REVERSED else ""
            return (
                f"{what}: posted as {row.document_id} ({row.line_count} lines, {money(row.debits_cents or 0)} USD"
                f"{note})"
            )
    for row in rows:
        if row.state == HELD:
            reasons = [str(r.get("reason", r) if isinstance(r, dict) else r) for r in row.reasons or []]
            return f"{what}: held ({'; '.join(dict.fromkeys(reasons)) or 'see `connector held`'})"
    return f"{what}: {verdict}"


def month_close_lines(m: dict[str, Any]) -> list[str]:
    """The month the demo closed: its accrual, the reversal, and the cross-check's verdict."""
    if not m:
        return []
    if not m["documents"]:
        accrued = "nothing to accrue: no pay schedule had earned, unpaid days at month end"
    else:
        docs = " / ".join(f"{d} on {day}" for d, day in zip(m["documents"], m["dates"], strict=False))
        accrued = (f"wages {money(m['wages_cents'])} + employer cost {money(m['employer_cost_cents'])} USD, "
                   f"accrual and reversal {docs}")  # fmt: skip
    return [
        f"  month closed {m['period']}  {accrued}",
        f"  cross-check {m['period']}  {m['crosscheck'] or 'not run'}",
    ]


def format_summary(s: DemoSummary) -> str:
    """The summary for a person."""
    lines = [
        "",
        "Demo summary",
        f"  payrolls posted        {s.payrolls_posted}",
        f"  payrolls held          {s.payrolls_held} (released after the mapping fix: {len(s.released_after_fix)},"
        f" still held: {s.still_held})",
        f"  journal lines posted   {s.journal_lines}",
        f"  debits / credits       {money(s.debits_cents)} / {money(s.credits_cents)} USD"
        f" ({'balanced' if s.debits_cents == s.credits_cents else 'NOT BALANCED'})",
        f"  ties out to Gusto      {'yes' if not s.tie_out_differences else 'NO'} (per payroll family: wages = gross,"
        " each clearing account = its bank figure)",
        *[f"    - {d}" for d in s.tie_out_differences[:10]],
        "  shapes posted          " + ", ".join(f"{k} {v}" for k, v in s.shapes.items()),
        f"  CloudSuite documents   {', '.join(s.documents[:6])}{' …' if len(s.documents) > 6 else ''}",
        f"  taxes                  {s.taxes} per Gusto tax; tax and benefit accounts in CloudSuite:",
        *[
            f"    {a} {name:<34} {'Dr' if c > 0 else 'Cr'} {money(abs(c)):>14}"
            for a, name, c in s.itemized_accounts
        ],
        f"  employees in CloudSuite {s.employees_synced}",
        f"  contractors paid       {len(s.contractors_paid)} ({', '.join(s.contractors_paid)}): "
        f"{len(s.contractor_documents)} document(s) {', '.join(s.contractor_documents)}, "
        f"{money(s.contractor_debits_cents)} / {money(s.contractor_credits_cents)} USD"
        f" ({'balanced' if s.contractor_debits_cents == s.contractor_credits_cents else 'NOT BALANCED'})",
        *month_close_lines(s.month_closed),
        f"  Dagster runs           {s.runs} ({s.failed_runs} stopped by a held posting or a refused employee)",
        "  held reasons:",
        *[f"    - {r}" for r in s.held_reasons],
        "",
        *([f"Dagster's event log: {s.event_log}"] if s.event_log else []),
        "Every `connector` command (held, audit, status, preview, replay) works on this demo's world after:",
        f"  {export_line(Path(s.env_file), Path(s.dagster_home))}",
        "Browse it with `dagster dev -m connector_assets.definitions` → Assets → ledger/journal_lines → Checks",
        "(each payroll's checks; a held one stays failed until released: materialize its partition and the",
        "posting follows) and cloudsuite/journal_postings for each posting's document id.",
    ]
    return "\n".join(lines)
