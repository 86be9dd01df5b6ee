"""Operator commands: `connector audit|held|replay|preview|approve|status` (mounted by `connector_assets/cli.py`)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from connector_assets.operations.context import OperatorContext
from connector_assets.operations.errors import OperationError, ReplayRefused
from connector_assets.operations.held import format_held, held_postings
from connector_assets.operations.history import format_history, history_json
from connector_assets.operations.sandbox import sandbox_serving
from connector_assets.settings import ConnectionsFileError
from connector_assets.store.crypto import EncryptionKeyError
from connector_assets.subjects import CONTRACTOR_ENTITY, contractor_subject, entity_label

# Exports, previews, replays and status load what they need (polars, vendor clients, Dagster) when they run.
if TYPE_CHECKING:
    from connector_assets.operations.runs import RunReport

ConnectionsOption = typer.Option(None, "--connections", help="connections.yaml (default: $CONNECTOR_CONNECTIONS)")
ConnectionOption = typer.Option(None, "--connection", help="connection id (found from the audit trail if omitted)")
JsonOption = typer.Option(False, "--json", help="print JSON instead of text")

audit_app = typer.Typer(
    help="Read a record's history, or export the audit log for auditors.", no_args_is_help=True
)
replay_app = typer.Typer(
    help="Re-materialize a held or changed payroll (or contractor day) once its cause is fixed.",
    no_args_is_help=True,
)
preview_app = typer.Typer(help="Show the journal that would post, with its proofs.", no_args_is_help=True)
approve_app = typer.Typer(help="Approve a journal waiting for approval, then post it.", no_args_is_help=True)


@contextmanager
def _operator_errors() -> Iterator[None]:
    """Known failures become one red message and exit code 1 (never a traceback with locals)."""
    try:
        yield
    except ReplayRefused as exc:
        typer.secho(str(exc), fg=typer.colors.RED, err=True)
        for reason in exc.reasons:
            typer.echo(f"  - {reason}", err=True)
        raise typer.Exit(code=1) from None
    except (OperationError, ConnectionsFileError, ValueError, EncryptionKeyError) as exc:
        typer.secho(str(exc), fg=typer.colors.RED, err=True)
        raise typer.Exit(code=1) from None


def _emit(as_json: bool, data: Any, text: Callable[[], str]) -> None:
    typer.echo(json.dumps(data, indent=2, default=str) if as_json else text())


def _history(entity_type: str, uuid: str, connection: str | None, as_json: bool, connections: Path | None) -> None:
    with _operator_errors():
        ctx = OperatorContext.from_env(connections)
        entries = [e for e in ctx.audit.history(entity_type, uuid) if connection in (None, e.connection_id)]
        if not entries and not as_json:
            raise OperationError(
                f"no audit entry mentions {entity_label(entity_type, uuid)}; check it and the store"
            )
        _emit(as_json, history_json(entries), lambda: format_history(entity_type, uuid, entries))


@audit_app.command("payroll")
def audit_payroll(
    payroll_uuid: str = typer.Argument(..., help="Gusto payroll uuid"),
    connection: str | None = ConnectionOption,
    as_json: bool = JsonOption,
    connections: Path | None = ConnectionsOption,
) -> None:
    """The payroll's full history in order: read, mapped, held, approved, posted, replayed, reversed."""
    _history("payroll", payroll_uuid, connection, as_json, connections)


@audit_app.command("contractor-payments")
def audit_contractor_payments(
    payment_date: str = typer.Argument(..., help="the payment date, YYYY-MM-DD"),
    connection: str | None = ConnectionOption,
    as_json: bool = JsonOption,
    connections: Path | None = ConnectionsOption,
) -> None:
    """The day's contractor payments history in order: read, mapped, held, approved, posted, reversed."""

    with _operator_errors():
        subject = contractor_subject(date.fromisoformat(payment_date))
    _history(CONTRACTOR_ENTITY, subject, connection, as_json, connections)


@audit_app.command("employee")
def audit_employee(
    employee_uuid: str = typer.Argument(..., help="Gusto employee uuid"),
    connection: str | None = ConnectionOption,
    as_json: bool = JsonOption,
    connections: Path | None = ConnectionsOption,
) -> None:
    """The employee's full history in order: read, synced or sync failed."""
    _history("employee", employee_uuid, connection, as_json, connections)


@audit_app.command("export")
def audit_export(
    connection: str = typer.Option(..., "--connection", help="connection id"),
    start: str = typer.Option(..., "--from", help="first day, YYYY-MM-DD (UTC)"),
    end: str = typer.Option(..., "--to", help="last day, YYYY-MM-DD (UTC, included)"),
    fmt: str = typer.Option("csv", "--format", help="csv or parquet"),
    out: Path = typer.Option(..., "--out", help="file to write"),
    connections: Path | None = ConnectionsOption,
) -> None:
    """Every audit entry of a connection in a date range, for auditors."""
    from connector_assets.operations.export import export_audit

    with _operator_errors():
        if fmt not in ("csv", "parquet"):
            raise OperationError(f"--format {fmt!r} is not supported; use csv or parquet")
        ctx = OperatorContext.from_env(connections)
        ctx.connection(connection)
        count = export_audit(
            ctx.audit, connection, date.fromisoformat(start), date.fromisoformat(end),
            "csv" if fmt == "csv" else "parquet", out,
        )  # fmt: skip
        typer.echo(f"wrote {count} audit entries of {connection} ({start} … {end}) to {out}")


def held(
    connection: str | None = typer.Option(None, "--connection", help="only this connection"),
    as_json: bool = JsonOption,
    connections: Path | None = ConnectionsOption,
) -> None:
    """Held postings with their reasons and the command or UI step that releases each."""
    with _operator_errors():
        rows = held_postings(OperatorContext.from_env(connections).postings, connection)
        _emit(as_json, [h.as_json() for h in rows], lambda: format_held(rows))


def status(
    connection: str | None = typer.Option(None, "--connection", help="only this connection"),
    as_json: bool = JsonOption,
    connections: Path | None = ConnectionsOption,
) -> None:
    """Per connection: master data age, last posting, held count, token expiry (no secrets), inbox backlog."""
    from connector_assets.operations.status import connection_status, format_status

    with _operator_errors():
        ctx = OperatorContext.from_env(connections)
        ids = [connection] if connection else list(ctx.connections.by_id)
        rows = [connection_status(ctx, cid) for cid in ids]
        _emit(as_json, [s.as_json() for s in rows], lambda: format_status(rows))
    stuck = [(s.connection_id, provider) for s in rows for provider in s.undecryptable]
    for connection_id, provider in stuck:
        typer.secho(f"the {provider} token of connection {connection_id} is undecryptable: no key in "
                    "CONNECTOR_ENCRYPTION_KEY decrypts it", fg=typer.colors.RED, err=True)  # fmt: skip
    if stuck:
        raise typer.Exit(code=1)


def _print_run(report: RunReport, as_json: bool) -> None:
    def text() -> str:
        lines = [f"run {report.run_id} of {report.partition_key}: {'succeeded' if report.success else 'failed'}"]
        if report.error:
            lines.append(f"  {report.error}")
        lines += [
            f"  {p.kind} {p.external_reference}: {p.state}"
            + (f" (document {p.document_id})" if p.document_id else "")
            for p in report.postings
        ]
        return "\n".join(lines)

    _emit(as_json, report.as_json(), text)
    if not report.success:
        raise typer.Exit(code=1)


@replay_app.command("payroll")
def replay_payroll_command(
    payroll_uuid: str = typer.Argument(..., help="Gusto payroll uuid"),
    connection: str | None = ConnectionOption,
    force: bool = typer.Option(False, "--force", help="launch even if the rebuilt journal would still be held"),
    as_json: bool = JsonOption,
    connections: Path | None = ConnectionsOption,
) -> None:
    """Rebuild the journal against fresh master data; if it would post, re-materialize its partition."""
    from connector_assets.operations.runs import replay_payroll

    with _operator_errors():
        ctx = OperatorContext.from_env(connections)
        conn_id = ctx.connection_of("payroll", payroll_uuid, connection)
        with sandbox_serving(ctx.connection(conn_id)):
            report = replay_payroll(ctx, conn_id, payroll_uuid, force=force)
    _print_run(report, as_json)


@replay_app.command("contractor-payments")
def replay_contractor_payments_command(
    payment_date: str = typer.Argument(..., help="the payment date, YYYY-MM-DD"),
    connection: str | None = ConnectionOption,
    force: bool = typer.Option(False, "--force", help="launch even if the rebuilt journal would still be held"),
    as_json: bool = JsonOption,
    connections: Path | None = ConnectionsOption,
) -> None:
    """Re-read a day's Gusto contractor payments and rebuild its journal against fresh master data; if it would
    post, re-materialize its partition (posts only what changed)."""
    from connector_assets.operations.runs import replay_contractor_payments

    with _operator_errors():
        day = date.fromisoformat(payment_date)
        ctx = OperatorContext.from_env(connections)
        conn_id = ctx.connection_of(CONTRACTOR_ENTITY, contractor_subject(day), connection)
        with sandbox_serving(ctx.connection(conn_id)):
            report = replay_contractor_payments(ctx, conn_id, day, force=force)
    _print_run(report, as_json)


@preview_app.command("payroll")
def preview_payroll_command(
    payroll_uuid: str = typer.Argument(..., help="Gusto payroll uuid"),
    connection: str | None = ConnectionOption,
    csv: bool = typer.Option(False, "--csv", help="the lines as CSV (amounts as exact decimals)"),
    connections: Path | None = ConnectionsOption,
) -> None:
    """The journal that would post now, with balance, tie-out and hold reasons; nothing is posted."""
    from connector_assets.operations.prepare import rebuild_journal
    from connector_assets.operations.preview import approval_pending, format_preview, preview_csv

    with _operator_errors():
        ctx = OperatorContext.from_env(connections)
        conn_id = ctx.connection_of("payroll", payroll_uuid, connection)
        with sandbox_serving(ctx.connection(conn_id)):
            prepared = rebuild_journal(ctx, conn_id, payroll_uuid)
        if csv:
            typer.echo(preview_csv(prepared), nl=False)
            return
        typer.echo(format_preview(prepared, awaiting_approval=approval_pending(ctx, prepared)))


@preview_app.command("contractor-payments")
def preview_contractor_payments_command(
    payment_date: str = typer.Argument(..., help="the payment date, YYYY-MM-DD"),
    connection: str | None = ConnectionOption,
    csv: bool = typer.Option(False, "--csv", help="the lines as CSV (amounts as exact decimals)"),
    connections: Path | None = ConnectionsOption,
) -> None:
    """The day's contractor journal that would post now, with balance, tie-out and hold reasons; nothing is
    posted."""
    from connector_assets.operations.prepare import rebuild_contractor_journal
    from connector_assets.operations.preview import approval_pending, format_contractor_preview, preview_csv

    with _operator_errors():
        day = date.fromisoformat(payment_date)
        ctx = OperatorContext.from_env(connections)
        conn_id = ctx.connection_of(CONTRACTOR_ENTITY, contractor_subject(day), connection)
        with sandbox_serving(ctx.connection(conn_id)):
            prepared = rebuild_contractor_journal(ctx, conn_id, day)
        if csv:
            typer.echo(preview_csv(prepared), nl=False)
            return
        typer.echo(format_contractor_preview(prepared, awaiting_approval=approval_pending(ctx, prepared)))


@preview_app.command("accrual")
def preview_accrual_command(
    period: str = typer.Argument(..., help="the month, YYYY-MM"),
    connection: str | None = ConnectionOption,
    connections: Path | None = ConnectionsOption,
) -> None:
    """The month-end accrual and its reversal as they would post now, with the computation; nothing is posted."""
    from connector_assets.ledger.accrual import Period, accrual_entity
    from connector_assets.operations.accrual_preview import build_accrual, format_accrual

    with _operator_errors():
        ctx = OperatorContext.from_env(connections)
        month = Period.parse(period)
        conn_id = ctx.connection_of("payroll", accrual_entity(month), connection)
        with sandbox_serving(ctx.connection(conn_id)):
            typer.echo(format_accrual(ctx, conn_id, build_accrual(ctx, conn_id, month)))


@approve_app.command("payroll")
def approve_payroll_command(
    payroll_uuid: str = typer.Argument(..., help="Gusto payroll uuid"),
    by: str = typer.Option(..., "--by", help="who approves (recorded in the audit log)"),
    connection: str | None = ConnectionOption,
    as_json: bool = JsonOption,
    connections: Path | None = ConnectionsOption,
) -> None:
    """Record the approval of the journal as it stands now, then launch its posting run."""
    from connector_assets.operations.runs import approve_payroll

    with _operator_errors():
        ctx = OperatorContext.from_env(connections)
        conn_id = ctx.connection_of("payroll", payroll_uuid, connection)
        with sandbox_serving(ctx.connection(conn_id)):
            report = approve_payroll(ctx, conn_id, payroll_uuid, by)
    _print_run(report, as_json)


@approve_app.command("contractor-payments")
def approve_contractor_payments_command(
    payment_date: str = typer.Argument(..., help="the payment date, YYYY-MM-DD"),
    by: str = typer.Option(..., "--by", help="who approves (recorded in the audit log)"),
    connection: str | None = ConnectionOption,
    as_json: bool = JsonOption,
    connections: Path | None = ConnectionsOption,
) -> None:
    """Record the approval of the day's contractor journal as it stands now, then launch its posting run."""
    from connector_assets.operations.runs import approve_contractor_payments

    with _operator_errors():
        day = date.fromisoformat(payment_date)
        ctx = OperatorContext.from_env(connections)
        conn_id = ctx.connection_of(CONTRACTOR_ENTITY, contractor_subject(day), connection)
        with sandbox_serving(ctx.connection(conn_id)):
            report = approve_contractor_payments(ctx, conn_id, day, by)
    _print_run(report, as_json)


def mount(app: typer.Typer) -> None:
    """Add the operator commands to the top-level `connector` command."""
    app.add_typer(audit_app, name="audit")
    app.command("held")(held)
    app.add_typer(replay_app, name="replay")
    app.add_typer(preview_app, name="preview")
    app.add_typer(approve_app, name="approve")
    app.command("status")(status)
