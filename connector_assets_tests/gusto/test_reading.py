"""Reading a company: paging at scale, every payroll (off-cycle and old ones), single payrolls, events."""

from __future__ import annotations

import math
from datetime import timedelta

from connector_assets_tests.fixtures.gusto_sandbox import GustoSandbox, SandboxFactory
from connector_assets_tests.gusto.conftest import ClientFactory, free_port, settings_for


def test_paging_reads_all_2500_employees_in_pages_of_100(
    make_gusto_sandbox: SandboxFactory, make_client: ClientFactory
) -> None:
    """2,500 employees arrive exactly once each, in 25 requests at the largest page size."""
    sandbox = make_gusto_sandbox(employees=2500, redirect_uri=f"http://127.0.0.1:{free_port()}/cb")
    client = make_client(sandbox)
    employees = client.list_employees()
    assert len(employees) == 2500 and len({e.uuid for e in employees}) == 2500
    assert client.counters.requests == 25
    assert all(e.jobs for e in employees)


def test_paging_follows_a_server_that_caps_the_page_size(
    make_gusto_sandbox: SandboxFactory, make_client: ClientFactory
) -> None:
    """When the server serves fewer rows than asked (X-Per-Page, X-Total-Pages), no row is lost."""
    sandbox = make_gusto_sandbox(employees=60, max_per_page=25, redirect_uri=f"http://127.0.0.1:{free_port()}/cb")
    employees = make_client(sandbox).list_employees()
    assert sorted(e.uuid for e in employees) == sorted(e.uuid for e in sandbox.world.employees)


def test_every_processed_payroll_is_found_including_off_cycle_and_old_ones(
    sandbox: GustoSandbox, make_client: ClientFactory
) -> None:
    """Off-cycle runs and payrolls beyond Gusto's default 6 months are listed; Gusto's defaults would hide them."""
    today = sandbox.world.today
    settings = settings_for(sandbox, start_date=today - timedelta(days=700))
    client = make_client(sandbox, settings=settings)
    listed = client.list_payrolls()
    expected = {p.uuid for p in sandbox.world.payrolls if p.processed}
    assert {p.uuid for p in listed} == expected
    off_cycle = [p for p in listed if p.off_cycle]
    old = [p for p in listed if p.check_date and p.check_date < today - timedelta(days=190)]
    assert off_cycle and old
    assert all(p.totals is not None and p.totals.gross_pay is not None for p in listed)
    with sandbox.client() as http:  # what an unconfigured client would have seen
        default = {p["payroll_uuid"] for p in http.get(f"/v1/companies/{sandbox.company_uuid}/payrolls").json()}
    assert not {p.uuid for p in off_cycle + old} & default


def test_payroll_listing_walks_back_in_yearly_windows(sandbox: GustoSandbox, make_client: ClientFactory) -> None:
    """A start date three years back is covered by four windows of at most a year, one request each."""
    today = sandbox.world.today
    settings = settings_for(sandbox, start_date=today - timedelta(days=3 * 365))
    client = make_client(sandbox, settings=settings)
    before = client.counters.requests
    client.list_payrolls()
    assert client.counters.requests - before == 4


def test_get_payroll_merges_all_employee_compensation_pages(
    sandbox: GustoSandbox, make_client: ClientFactory
) -> None:
    """With pages of 10, a payroll's employee_compensations are fetched page by page and merged in `raw`."""
    client = make_client(sandbox, page_size=10)
    target = next(p for p in sandbox.world.payrolls if p.processed and not p.off_cycle)
    with sandbox.client() as http:
        url = f"/v1/companies/{sandbox.company_uuid}/payrolls/{target.uuid}"
        whole = http.get(url, params={"page": 1, "per": 100, "include": "benefits,deductions,taxes,totals"}).json()
    rows = whole["employee_compensations"]
    before = client.counters.requests
    payroll = client.get_payroll(target.uuid)
    assert client.counters.requests - before == math.ceil(len(rows) / 10)
    assert payroll.raw["employee_compensations"] == rows
    assert [e.employee_uuid for e in payroll.employee_compensations] == [r["employee_uuid"] for r in rows]
    assert payroll.totals is not None and payroll.totals.gross_pay == sum(
        (e.gross_pay for e in payroll.employee_compensations if e.gross_pay is not None),
    )


def test_events_catch_up_from_a_cursor(sandbox: GustoSandbox, make_client: ClientFactory) -> None:
    """Events after a cursor are returned oldest first, exclusive of the cursor, across pages."""
    client = make_client(sandbox)
    everything = list(client.list_events())
    assert len(everything) >= 3
    assert [e.uuid for e in client.list_events(everything[1].uuid)] == [e.uuid for e in everything[2:]]
    new = sandbox.sim.emit("payroll.processed", "Payroll", sandbox.world.payrolls[0].uuid)
    assert [e.uuid for e in client.list_events(everything[-1].uuid)] == [new.uuid]
