"""Employees to M3 through the bulk MI endpoint: chunks of transactions, each error mapped to its employee."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date

import httpx
import pytest

from connector_assets.cloudsuite.employee_sync import EmployeeTarget, sync_employees
from connector_assets.cloudsuite.erp import Erp
from connector_assets.cloudsuite.errors import M3ApiError
from connector_assets.cloudsuite.m3 import M3Erp
from connector_assets.cloudsuite.m3_mi import MiCall
from connector_assets.cloudsuite.types import ErpEmployee
from connector_assets_tests.fixtures.ion_sandbox import IonSandbox

MakeErp = Callable[..., Erp]
BULK_PATH = "/M3/m3api-rest/v2/execute"


def staff(count: int, cost_center: str = "CC100") -> list[ErpEmployee]:
    return [
        ErpEmployee(f"B{n:04d}", "Test", f"Person{n}", "ENG", cost_center, date(2024, 1, 1), None)
        for n in range(count)
    ]


class Requests:
    """Counts the HTTP calls the client made, by method and path ending."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []

    def __call__(self, response: httpx.Response) -> None:
        self.seen.append((response.request.method, response.request.url.path))

    def bulk(self) -> int:
        return sum(1 for method, path in self.seen if method == "POST" and path.endswith(BULK_PATH))

    def single(self) -> int:
        return sum(1 for method, path in self.seen if method == "GET" and BULK_PATH + "/" in path)


@pytest.fixture
def counted(ion_sandbox: IonSandbox, make_erp: MakeErp) -> tuple[M3Erp, Requests]:
    requests = Requests()
    http = httpx.Client(event_hooks={"response": [requests]})
    erp = make_erp(ion_sandbox, "m3", http=http)
    assert isinstance(erp, M3Erp)
    return erp, requests


def test_many_new_employees_cost_a_few_bulk_requests(
    counted: tuple[M3Erp, Requests], ion_sandbox: IonSandbox
) -> None:
    """250 hires: reads in 3 chunks, 500 writes (add + cost center) in 5, none one by one; all stored."""
    erp, requests = counted
    hires = staff(250)
    outcomes = erp.sync_employees(hires)
    assert outcomes == {e.number: "added" for e in hires}
    assert (requests.bulk(), requests.single()) == (3 + 5, 0)
    stored = {e.number: e.cost_center for e in ion_sandbox.sim.employees()}
    assert stored == {e.number: "CC100" for e in hires}
    assert {e.number: e for e in erp.list_employees()} == {e.number: e for e in hires}


def test_a_refused_transaction_is_the_error_of_its_own_employee(counted: tuple[M3Erp, Requests]) -> None:
    """An unknown cost center fails one employee (named in the error); the others in the chunk are written."""
    erp, _ = counted
    hires = staff(5)
    hires[3] = replace(hires[3], cost_center="NOPE")
    outcomes = erp.sync_employees(hires)
    error = outcomes.pop("B0003")
    assert isinstance(error, M3ApiError)
    assert (error.transaction, error.field, error.record) == ("UpdTimeAcc", "TACC", "employee B0003")
    assert outcomes == {e.number: "added" for e in hires if e.number != "B0003"}
    assert {e.number: e.cost_center for e in erp.list_employees()}["B0002"] == "CC100"


def test_updates_unchanged_and_terminations_in_bulk(
    counted: tuple[M3Erp, Requests], ion_sandbox: IonSandbox
) -> None:
    """A second sync writes only what changed; a termination stores the date and clears the active flag."""
    erp, requests = counted
    first = staff(4)
    erp.sync_employees(first)
    before = requests.bulk()
    moved = replace(first[0], cost_center="CC200")
    leaving = replace(first[1], termination_date=date(2026, 3, 1))
    outcomes = sync_employees(
        erp, [EmployeeTarget(moved), EmployeeTarget(leaving, terminate=True), EmployeeTarget(first[2])]
    )
    assert outcomes == {"B0000": "updated", "B0001": "terminated", "B0002": "unchanged"}
    assert requests.bulk() - before == 2  # one read chunk, one write chunk
    stored = {e.number: e for e in ion_sandbox.sim.employees()}
    assert stored["B0000"].cost_center == "CC200"
    assert (stored["B0001"].term_date, stored["B0001"].active) == (date(2026, 3, 1), False)


def test_a_batch_that_stops_at_an_error_has_the_rest_redone(
    make_ion_sandbox: Callable[..., IonSandbox], make_erp: MakeErp
) -> None:
    """With a server that stops a bulk at the first error, the unprocessed employees are still written."""
    sandbox = make_ion_sandbox(bulk_stop_on_error=True)
    erp = make_erp(sandbox, "m3")
    assert isinstance(erp, M3Erp)
    hires = staff(6)
    hires[1] = replace(hires[1], cost_center="NOPE")
    outcomes = erp.sync_employees(hires)
    assert isinstance(outcomes.pop("B0001"), M3ApiError)
    assert outcomes == {e.number: "added" for e in hires if e.number != "B0001"}
    assert {e.number for e in sandbox.sim.employees()} == {e.number for e in hires}


def test_errors_reported_only_at_the_top_level_fall_back_to_one_by_one(
    make_ion_sandbox: Callable[..., IonSandbox], make_erp: MakeErp
) -> None:
    """A tenant that names no failed transaction: the chunk is redone per employee and the error still lands right."""
    sandbox = make_ion_sandbox(mi_error_shape="top_level")
    erp = make_erp(sandbox, "m3")
    assert isinstance(erp, M3Erp)
    hires = staff(3)
    hires[2] = replace(hires[2], cost_center="NOPE")
    outcomes = erp.sync_employees(hires)
    error = outcomes.pop("B0002")
    assert isinstance(error, M3ApiError) and error.record == "employee B0002"
    assert outcomes == {"B0000": "added", "B0001": "added"}


def test_bulk_chunks_keep_a_group_together(counted: tuple[M3Erp, Requests]) -> None:
    """Results come back in call order across chunks; a group of calls is never split between two requests."""
    erp, requests = counted
    calls = [MiCall("GetUserInfo", {}, group=f"g{n // 3}") for n in range(9)]
    outcomes = erp.mi.execute_bulk("CRS530MI", calls, chunk=4)
    assert len(outcomes) == 9
    assert all(isinstance(o, list) and o[0]["ZZUSID"] for o in outcomes)
    assert requests.bulk() == 2  # [g0 g0 g0 g1 g1 g1] then [g2 g2 g2]


def test_the_simulator_refuses_a_malformed_bulk_body(ion_sandbox: IonSandbox) -> None:
    """Transactions that are not objects are a 400 for the whole request, nothing run."""
    response = ion_sandbox.client().post(BULK_PATH, json={"program": "CRS530MI", "transactions": ["AddEmployee"]})
    assert response.status_code == 400
    assert ion_sandbox.sim.employees() == []
