"""`connector demo`."""

from __future__ import annotations

import json
import subprocess
import sys

import typer

from connector_assets.demo.console import quiet_console
from connector_assets.demo.run import demo_home, format_summary, run_demo

ERPS = ("m3", "syteline", "fsm")


def demo(
    as_json: bool = typer.Option(False, "--json", help="Print the summary as one JSON object."),
    employees: int = typer.Option(40, help="Employees of the reference firm."),
    history_months: int = typer.Option(3, help="Months of payroll history to post."),
    erp: str = typer.Option(
        "m3",
        "--erp",
        help="The CloudSuite ERP the firm posts to: m3, syteline, fsm, or all (one connection each).",
    ),
    verbose: bool = typer.Option(False, "--verbose", help="Print Dagster's event log here, not in a file."),
) -> None:
    """Run the whole product on the sandbox and the embedded default (SQLite), and summarize it."""
    if erp not in (*ERPS, "all"):
        raise typer.BadParameter(f"{erp!r}: use one of {', '.join(ERPS)} or all", param_hint="--erp")
    if erp == "all":
        # One process per ERP: the Dagster definitions read the connections file once per process.
        options = ["--employees", str(employees), "--history-months", str(history_months), *(["--json"] * as_json)]
        options += ["--verbose"] * verbose
        codes = [
            subprocess.run(
                [sys.executable, "-m", "connector_assets.cli", "demo", "--erp", one, *options]
            ).returncode
            for one in ERPS
        ]
        raise typer.Exit(1 if any(codes) else 0)
    home = demo_home()
    with quiet_console(home, "demo", verbose) as console:
        summary = run_demo(console.say, employees, history_months, erp=erp)
    summary.event_log = str(console.log_path or "")
    if as_json:
        typer.echo(json.dumps(summary.as_json()))
    else:
        typer.echo(format_summary(summary))
    if summary.debits_cents != summary.credits_cents or summary.payrolls_posted == 0:
        raise typer.Exit(1)
