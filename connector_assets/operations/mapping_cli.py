"""`connector mapping check <connection>`: the mapping against CloudSuite master data and Gusto, before posting.

Reads accounts and cost centers from CloudSuite (through the connection's ERP adapter) and departments, jobs
and contractors from Gusto, then prints every problem with its rule, value and fix. Exits 1 when any problem is an
error (it would hold postings), 2 when the connection or mapping cannot be read, 0 otherwise.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import typer

from connector_assets import clock
from connector_assets.cloudsuite.erp import erp_for
from connector_assets.cloudsuite.errors import CloudSuiteError
from connector_assets.cloudsuite.types import CostCenter, GlAccount
from connector_assets.gusto.benefits import company_benefits
from connector_assets.gusto.client import GustoClient
from connector_assets.gusto.contractors import list_contractors
from connector_assets.gusto.errors import GustoApiError, GustoError
from connector_assets.mapping.check import MappingProblem, check_mapping
from connector_assets.mapping.contractors import load_contractor_mapping
from connector_assets.mapping.contractors_check import check_contractors
from connector_assets.mapping.errors import MappingError
from connector_assets.mapping.model import DEPARTMENT
from connector_assets.mapping.rules import load_mapping_file
from connector_assets.settings import Connection, ConnectionsFileError, load_connections
from connector_assets.store import create_store_engine, upgrade
from connector_assets.store.crypto import SecretCipher
from connector_assets.store.engine import default_database_url
from connector_assets.store.vault import TokenVault

app = typer.Typer(help="Mapping rules: check them against CloudSuite and Gusto.", no_args_is_help=True)


@app.callback()
def mapping_group() -> None:
    """Mapping rules: check them against CloudSuite and Gusto."""


_DATES = {"valid_from": pl.Date, "valid_to": pl.Date}


def accounts_frame(accounts: list[GlAccount]) -> pl.DataFrame:
    """CloudSuite's chart of accounts in the shape `check_mapping` reads."""
    rows = [(a.account, a.blocked, a.valid_from, a.valid_to) for a in accounts]
    return pl.DataFrame(rows, schema={"account": pl.String, "blocked": pl.Boolean, **_DATES}, orient="row")


def cost_centers_frame(cost_centers: list[CostCenter]) -> pl.DataFrame:
    """CloudSuite's cost-center values in the shape `check_mapping` reads."""
    rows = [(c.code, c.blocked, c.valid_from, c.valid_to) for c in cost_centers]
    return pl.DataFrame(rows, schema={"cost_center": pl.String, "blocked": pl.Boolean, **_DATES}, orient="row")


def _gusto_frames(client: GustoClient) -> tuple[pl.DataFrame, pl.DataFrame]:
    departments = [(d.uuid, d.title) for d in client.list_departments()]
    jobs = [(j.uuid, j.title) for e in client.iter_employees() for j in e.jobs]
    return (
        pl.DataFrame(departments, schema={"department_uuid": pl.String, "department": pl.String}, orient="row"),
        pl.DataFrame(jobs, schema={"job_uuid": pl.String, "job_title": pl.String}, orient="row"),
    )


def tax_names_seen(client: GustoClient, on: dt.date) -> set[str]:
    """Every tax name on the company's processed payrolls of the year to ``on`` (employee and company taxes)."""
    payrolls = client.list_payrolls(on - dt.timedelta(days=365), on, include=("taxes", "payroll_taxes"))
    return {
        str(tax.get("name"))
        for p in payrolls
        for key in ("payroll_taxes", "company_taxes")
        for tax in p.raw.get(key) or []
        if isinstance(tax, dict) and tax.get("name")
    }


def benefits_seen(client: GustoClient) -> list[tuple[str, int | None]] | None:
    """The company's benefits (name as payrolls carry it, Gusto benefit type id); None when the grant may not
    read them (no company_benefits:read scope): the check then says so instead of failing."""
    try:
        listed = company_benefits(client)
    except GustoApiError as exc:
        if exc.status in (401, 403):
            return None
        raise
    return [
        (str(b["description"]), b["benefit_type"] if isinstance(b.get("benefit_type"), int) else None)
        for b in listed
        if b.get("description")
    ]


def _stop(message: str, code: int) -> typer.Exit:
    typer.secho(message, fg=typer.colors.RED, err=True)
    return typer.Exit(code=code)


def find_problems(connection: Connection, vault: TokenVault, on: dt.date) -> list[MappingProblem]:
    """Every problem of the connection's mapping file, read against both vendors now."""
    rules = load_mapping_file(connection.mapping_file)
    erp = erp_for(connection, vault)
    try:
        accounts, cost_centers = erp.list_gl_accounts(), erp.list_cost_centers()
    finally:
        erp.close()
    itemized = connection.posting.taxes == "itemized" or bool(rules.taxes.by_name)
    with GustoClient(connection.gusto, connection.id, vault, None) as client:
        departments, jobs = _gusto_frames(client)
        taxes = tax_names_seen(client, on) if itemized else None
        contractors = list_contractors(client)
        # Benefits are listed only when the mapping places benefits by name or type at all.
        per_benefit = bool(rules.benefit_expenses or rules.benefits_by_name or rules.benefit_types)
        benefits = benefits_seen(client) if per_benefit else []
    account_frame, cost_center_frame = accounts_frame(accounts), cost_centers_frame(cost_centers)
    problems = check_mapping(rules, account_frame, cost_center_frame, departments, jobs, on, taxes, benefits)
    if benefits is None:
        problems.append(MappingProblem("benefits", "company_benefits", "Gusto refused to list the company's "
                                       "benefits, so benefits without a rule are not listed",
                                       "reconnect Gusto with the company_benefits:read scope", "warning"))  # fmt: skip
    with_rules = {str(r.match_value) for r in rules.rules if r.level == DEPARTMENT and r.cost_center}
    return problems + check_contractors(
        load_contractor_mapping(connection.mapping_file), contractors, account_frame, cost_center_frame,
        with_rules, on, rules.source,
    )  # fmt: skip


def format_problem(problem: MappingProblem) -> str:
    """One line: severity, rule, value, what is wrong, and the fix."""
    return (
        f"{problem.severity.upper():7} {problem.rule} = {problem.value!r}: {problem.problem}\n"
        f"        fix: {problem.fix}"
    )


@app.command("check")
def check_command(
    connection_id: str = typer.Argument(..., help="connection id from connections.yaml"),
    connections: Path | None = typer.Option(
        None, "--connections", help="connections.yaml (default: $CONNECTOR_CONNECTIONS)"
    ),
    on: str | None = typer.Option(None, "--date", help="posting date to check validity on (default: today)"),
) -> None:
    """Print every mapping problem with its rule, value and fix; exit 1 if any would hold a posting."""
    try:
        connection = load_connections(connections).get(connection_id)
        posting_date = dt.date.fromisoformat(on) if on else clock.today()
    except (ConnectionsFileError, ValueError) as exc:
        raise _stop(str(exc), 2) from None
    vault = TokenVault(upgrade(create_store_engine(default_database_url())), SecretCipher.from_env())
    try:
        problems = find_problems(connection, vault, posting_date)
    except MappingError as exc:
        raise _stop(str(exc), 2) from None
    except (CloudSuiteError, GustoError) as exc:
        raise _stop(f"{connection_id}: cannot read master data: {exc}", 2) from None
    for problem in problems:
        typer.echo(format_problem(problem))
    errors = sum(p.severity == "error" for p in problems)
    typer.echo(
        f"{connection_id}: {errors} error(s), {len(problems) - errors} warning(s) in {connection.mapping_file}"
        f" (checked against CloudSuite and Gusto on {posting_date.isoformat()})"
    )
    if errors:
        raise typer.Exit(code=1)
