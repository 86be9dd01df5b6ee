"""`connector demo`."""

from __future__ import annotations

import json
import sys

import typer

from connector_assets.demo.run import format_summary, run_demo


def demo(
    as_json: bool = typer.Option(False, "--json", help="Print the summary as one JSON object."),
    employees: int = typer.Option(40, help="Employees of the reference firm."),
    history_months: int = typer.Option(3, help="Months of payroll history to post."),
) -> None:
    """Run the whole product on the sandbox and the embedded default (SQLite), and summarize it."""
    summary = run_demo(lambda m: print(m, file=sys.stderr, flush=True), employees, history_months)
    if as_json:
        typer.echo(json.dumps(summary.as_json()))
    else:
        typer.echo(format_summary(summary))
    if summary.debits_cents != summary.credits_cents or summary.payrolls_posted == 0:
        raise typer.Exit(1)
