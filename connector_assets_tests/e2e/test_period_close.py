"""Closing a month through the sandbox and the Dagster jobs, on M3 and SyteLine: the accrual and its reversal
post once each, and the cross-check agrees with Gusto until a posted line is edited by hand in CloudSuite."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import dagster as dg
import pytest
from typer.testing import CliRunner

from connector_assets.cli import app
from connector_assets.defs.partitions import period_key
from connector_assets.ledger.accrual import Period, accrual_entity, reversal_entity
from connector_assets.ledger.money import format_cents
from connector_assets.sandbox.generator_payroll import company_taxes, payroll_pay, payroll_totals
from connector_assets.store.postings import POSTED, REVERSED
from connector_assets_tests.e2e.conftest import ERPS
from connector_assets_tests.e2e.deployment import Deployment
from connector_assets_tests.e2e.ledger_view import document, documents, erp_key, net

CHECK, REPORT_CHECK = "posted_matches_gusto", "matches_gusto_gl_report"


def _closed_month(today: date) -> Period:
    last = today.replace(day=1) - timedelta(days=1)
    return Period(last.year, last.month)


@pytest.fixture(scope="module", params=ERPS)
def closing(request: pytest.FixtureRequest, deployment: Deployment) -> str:
    """A connection (per ERP) that accrues at month end, its month of payroll history posted."""
    connection_id = f"close-{request.param}"
    deployment.add_tenant(connection_id, request.param, employees=6, history_months=1, accrual=True)
    failed = [o for o in deployment.onboard(connection_id) if not o.success]
    assert not failed, [(o.partition_key, o.error) for o in failed]
    return connection_id


def _events(deployment: Deployment, run_id: str, kind: dg.DagsterEventType) -> list[Any]:
    return [e.dagster_event.event_specific_data for e in deployment.instance.all_logs(run_id, of_type=kind)]


def _check(deployment: Deployment, run_id: str, name: str = CHECK) -> Any:
    evaluations = _events(deployment, run_id, dg.DagsterEventType.ASSET_CHECK_EVALUATION)
    assert sorted(e.check_name for e in evaluations) == sorted([CHECK, REPORT_CHECK])
    (evaluation,) = [e for e in evaluations if e.check_name == name]
    return evaluation


def gross_pay(tenant: Any, payroll_uuid: str) -> int:
    """Gusto's gross pay of a sandbox payroll, as its report's wages carry it."""
    world = tenant.world
    payroll = world.payroll(payroll_uuid)
    return int(payroll_totals(payroll_pay(world, payroll), company_taxes(world, payroll))["gross_pay"])


def test_month_end_accrual_and_its_reversal_post_once_each(
    deployment: Deployment, closing: str, pinned_today: date
) -> None:
    tenant = deployment.env.tenants[closing]
    period = _closed_month(pinned_today)
    key = period_key(closing, str(period))
    outcome = deployment.run_ok("accrual_job", key)

    (accrual,) = deployment.postings.for_payroll(closing, accrual_entity(period))
    (reversal,) = deployment.postings.for_payroll(closing, reversal_entity(period))
    assert (accrual.state, reversal.state) == (POSTED, POSTED)
    assert accrual.posting_date == period.last_day and reversal.posting_date == period.next_first_day
    assert reversal.reverses_reference == accrual.external_reference
    posted = document(tenant, accrual.external_reference)
    undone = document(tenant, reversal.external_reference)
    assert posted and undone
    assert (accrual.debits_cents or 0) > 0 and sum(c for _, _, c in posted) == 0  # balanced, not empty
    assert net(posted) == net([(a, cc, -c) for a, cc, c in undone])  # the reversal undoes it line for line
    assert not net(posted + undone)
    # Wages and employer cost are credited to the accrued liabilities named in the connection.
    credits = {a for a, _, c in posted if c < 0}
    assert credits == {"2500", "2510"}

    (materialized,) = _events(deployment, outcome.run_id, dg.DagsterEventType.ASSET_MATERIALIZATION)
    metadata = materialized.materialization.metadata
    assert "day(s)" in metadata["computation"].value and metadata["balanced"].value is True

    # The operator's preview shows the same computation and says both entries are already posted.
    deployment.activate()
    shown = CliRunner().invoke(app, ["preview", "accrual", str(period), "--connection", closing])
    assert shown.exit_code == 0, shown.output
    assert f"accrual already posted as {accrual.external_reference}" in shown.output
    assert f"reversal already posted as {reversal.external_reference}" in shown.output
    assert metadata["accrued_wages"].value.split()[0] in shown.output
    assert "days counted as calendar days (posting.accrual_days: calendar)" in shown.output  # the default basis

    # A second run of the same month changes nothing in CloudSuite.
    before = documents(tenant)
    deployment.run_ok("accrual_job", key)
    assert documents(tenant) == before
    assert [p.state for p in deployment.postings.for_payroll(closing, accrual_entity(period))] == [POSTED]
    assert [p.state for p in deployment.postings.for_payroll(closing, reversal_entity(period))] == [POSTED]


def test_cross_check_agrees_then_names_a_hand_edited_line(
    deployment: Deployment, closing: str, pinned_today: date
) -> None:
    tenant = deployment.env.tenants[closing]
    deployment.run_ok("accrual_job", period_key(closing, str(_closed_month(pinned_today))))

    # The month of a payroll journal with a wage debit (a reversal payroll's wages are credits): the check
    # must agree with Gusto for it, then name the line someone edits by hand in CloudSuite.
    def payroll_rows(first: date, last: date) -> list[Any]:
        return [
            p for p in deployment.postings.dated_between(closing, first, last)
            if p.state in (POSTED, REVERSED) and p.kind == "journal" and p.posting_date is not None
            and not p.payroll_uuid.startswith(("accrual-", "contractor-payments:"))
        ]  # fmt: skip

    target, (account, cost_center, cents) = next(
        (r, line)
        for r in sorted(
            payroll_rows(date(2000, 1, 1), date(2100, 1, 1)), key=lambda r: r.posting_date, reverse=True
        )
        for line in document(tenant, r.external_reference) or []
        if line[0].startswith("60") and line[2] > 0
    )
    period = Period(target.posting_date.year, target.posting_date.month)
    key = period_key(closing, str(period))
    first = deployment.run_ok("crosscheck_job", key)
    agreed = _check(deployment, first.run_id)
    assert agreed.passed, agreed.description
    report_agreed = _check(deployment, first.run_id, REPORT_CHECK)
    assert report_agreed.passed, report_agreed.description
    assert report_agreed.metadata["reports_read"].value >= 1
    rows = payroll_rows(period.first_day, period.last_day)
    month = net([line for r in rows for line in document(tenant, r.external_reference) or []])
    tenant.ion.alter_posted_line(erp_key(tenant, target.external_reference), account,
                                 Decimal(cents + 1234) / 100, cost_center)  # fmt: skip

    second = deployment.run_ok("crosscheck_job", key)
    failed = _check(deployment, second.run_id)
    assert not failed.passed
    assert failed.metadata["difference_count"].value == 1
    before = month[(account, cost_center)]
    row = f"| {account} | {cost_center} | {format_cents(before + 1234)} | {format_cents(before)} | 12.34 |"
    assert failed.metadata["differences"].value.splitlines()[2:] == [row]
    # Gusto's own report of that payroll names the same 12.34, on its wages.
    report_failed = _check(deployment, second.run_id, REPORT_CHECK)
    assert not report_failed.passed
    wages = gross_pay(tenant, target.payroll_uuid)
    row = f"| {target.payroll_uuid} | wages | {format_cents(wages)} | {format_cents(wages + 1234)} | 12.34 |"
    assert report_failed.metadata["differences"].value.splitlines()[2:] == [row]


def test_gl_report_without_its_scopes_or_failed_is_said_not_a_crash(
    deployment: Deployment, closing: str, pinned_today: date
) -> None:
    """A grant without company_reports: a warning naming the scopes, the other check still runs; a report
    Gusto fails: the check fails naming the payroll."""
    tenant = deployment.env.tenants[closing]
    rows = [
        p for p in deployment.postings.dated_between(closing, date(2000, 1, 1), date(2100, 1, 1))
        if p.state == POSTED and p.kind == "journal" and p.posting_date is not None
        and not p.payroll_uuid.startswith(("accrual-", "contractor-payments:"))
    ]  # fmt: skip
    target = max(rows, key=lambda r: r.posting_date or date.min)
    assert target.posting_date is not None
    key = period_key(closing, str(Period(target.posting_date.year, target.posting_date.month)))
    options = tenant.gusto.options
    scopes = options.scopes
    options.scopes = " ".join(s for s in scopes.split() if not s.startswith("company_reports"))
    try:
        run = deployment.run_ok("crosscheck_job", key)
    finally:
        options.scopes = scopes
    warned = _check(deployment, run.run_id, REPORT_CHECK)
    assert not warned.passed and warned.severity == dg.AssetCheckSeverity.WARN
    assert warned.description.startswith("not compared: the Gusto grant lacks the company_reports:write")
    assert _check(deployment, run.run_id).metadata["period"].value  # the other check ran

    options.report_failed_payrolls = (target.payroll_uuid,)
    try:
        run = deployment.run_ok("crosscheck_job", key)
    finally:
        options.report_failed_payrolls = ()
    failed = _check(deployment, run.run_id, REPORT_CHECK)
    assert not failed.passed and failed.severity == dg.AssetCheckSeverity.ERROR
    assert f"payroll {target.payroll_uuid}: Gusto reports request" in failed.description
    assert "as failed" in failed.metadata["unreadable"].value
