"""Gusto's general-ledger report through the real client and the sandbox over loopback: requested, polled
while pending, downloaded from the presigned URL without the bearer token, parsed into cents; a failed report,
a spent poll budget and a grant without the report scopes are typed errors."""

from __future__ import annotations

import pytest

from connector_assets.gusto.errors import GustoApiError
from connector_assets.gusto.reports import GlReportFailed, GlReportNotReady, PollBudget, lacks_report_scope
from connector_assets.sandbox.generator_payroll import company_taxes, payroll_pay, payroll_totals
from connector_assets_tests.fixtures.gusto_sandbox import GustoSandbox, SandboxFactory
from connector_assets_tests.gusto.conftest import ClientFactory, Recorder, free_port


def _sandbox(make: SandboxFactory, **options: object) -> GustoSandbox:
    return make(employees=8, redirect_uri=f"http://127.0.0.1:{free_port()}/cb", **options)


def _processed(sandbox: GustoSandbox) -> str:
    return next(p.uuid for p in sandbox.world.payrolls if p.processed and p.reversal_of is None)


def test_pending_then_succeeded_report_is_downloaded_without_the_bearer_token(
    make_gusto_sandbox: SandboxFactory, make_client: ClientFactory
) -> None:
    sandbox = _sandbox(make_gusto_sandbox, report_pending_polls=3)
    waits = Recorder()
    client = make_client(sandbox, sleep=waits)
    payroll_uuid = _processed(sandbox)

    report = client.general_ledger_report(payroll_uuid)

    (request,) = sandbox.sim.reports.values()
    assert request.polls == 4 and waits.delays == [1.0, 2.0, 4.0]  # three pending answers, each waited out
    assert request.download_headers and all("authorization" not in h for h in request.download_headers)
    payroll = sandbox.world.payroll(payroll_uuid)
    assert payroll is not None
    totals = payroll_totals(payroll_pay(sandbox.world, payroll), company_taxes(sandbox.world, payroll))
    rows = {r.account_type: r for r in report.company_rows}
    assert rows["RegularWages"].debit_cents == totals["gross_pay"] and rows["RegularWages"].credit_cents == 0
    assert rows["DebitNetPay"].credit_cents == totals["net_pay_debit"]
    assert rows["DebitTax"].credit_cents == totals["tax_debit"]
    assert sum(r.signed_cents for r in report.company_rows) == 0  # Gusto's report balances
    assert report.check_date == payroll.check_date.isoformat()


def test_the_download_host_refuses_a_bearer_token(make_gusto_sandbox: SandboxFactory) -> None:
    """The witness: a presigned URL with an Authorization header as well is refused, as object stores do."""
    sandbox = _sandbox(make_gusto_sandbox, report_pending_polls=0)
    with sandbox.client() as http:
        created = http.post(f"/v1/payrolls/{_processed(sandbox)}/reports/general_ledger",
                            json={"aggregation": "default", "integration_type": None}).json()  # fmt: skip
        (url,) = http.get(f"/v1/reports/{created['request_uuid']}").json()["report_urls"]
        assert http.get(url).status_code == 400  # this client sends its bearer token everywhere


def test_a_failed_report_is_a_typed_error(make_gusto_sandbox: SandboxFactory, make_client: ClientFactory) -> None:
    sandbox = _sandbox(make_gusto_sandbox)
    payroll_uuid = _processed(sandbox)
    sandbox.sim.options.report_failed_payrolls = (payroll_uuid,)
    with pytest.raises(GlReportFailed, match=f"payroll {payroll_uuid}.*failed"):
        make_client(sandbox).general_ledger_report(payroll_uuid)
    assert all(not r.download_headers for r in sandbox.sim.reports.values())


def test_a_report_pending_past_the_budget_is_a_typed_error(
    make_gusto_sandbox: SandboxFactory, make_client: ClientFactory
) -> None:
    sandbox = _sandbox(make_gusto_sandbox, report_pending_polls=5)
    waits = Recorder()
    with pytest.raises(GlReportNotReady, match="still pending after 3 polls"):
        make_client(sandbox, sleep=waits).general_ledger_report(_processed(sandbox), PollBudget(polls=3))
    assert waits.delays == [1.0, 2.0]
    (request,) = sandbox.sim.reports.values()
    assert request.polls == 3


def test_unknown_account_codes_are_kept_as_written(
    make_gusto_sandbox: SandboxFactory, make_client: ClientFactory
) -> None:
    extra = (("FutureAccrual", "Something new", "12.34", None), ("FutureAccrual", "Its offset", None, "12.34"))
    sandbox = _sandbox(make_gusto_sandbox, report_pending_polls=0, report_extra_rows=extra)
    report = make_client(sandbox).general_ledger_report(_processed(sandbox))
    future = [r for r in report.company_rows if r.account_type == "FutureAccrual"]
    assert [(r.debit_cents, r.credit_cents) for r in future] == [(1234, 0), (0, 1234)]


def test_a_grant_without_report_scopes_is_recognised(
    make_gusto_sandbox: SandboxFactory, make_client: ClientFactory
) -> None:
    sandbox = _sandbox(make_gusto_sandbox)
    sandbox.sim.options.scopes = "public companies:read employees:read payrolls:read"
    with pytest.raises(GustoApiError) as caught:
        make_client(sandbox).general_ledger_report(_processed(sandbox))
    assert caught.value.status == 403 and lacks_report_scope(caught.value)
    assert not sandbox.sim.reports
