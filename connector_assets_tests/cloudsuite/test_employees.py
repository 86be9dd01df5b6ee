"""Employees in both ERPs through the one interface: added, updated, terminated, listed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date

import pytest

from connector_assets.cloudsuite.erp import Erp
from connector_assets.cloudsuite.errors import M3ApiError, RecordNotFound, SyteLineError
from connector_assets.cloudsuite.m3 import split_employee_name
from connector_assets.cloudsuite.types import ErpEmployee
from connector_assets_tests.fixtures.ion_sandbox import IonSandbox

MakeErp = Callable[..., Erp]
ADA = ErpEmployee("E0001", "Ada", "Lovelace", "ENG", "CC200", date(2024, 3, 1), None)
GRACE = ErpEmployee("E0002", "Grace", "Hopper", "ADM", "CC100", date(2023, 7, 15), None)


@pytest.fixture(params=["m3", "syteline"])
def erp(request: pytest.FixtureRequest, ion_sandbox: IonSandbox, make_erp: MakeErp) -> Erp:
    """The adapter of each flavour on a fresh sandbox."""
    adapter = make_erp(ion_sandbox, request.param)
    assert adapter.flavour == request.param
    return adapter


def comparable(employee: ErpEmployee, flavour: str) -> ErpEmployee:
    # SLEmployees has no documented cost-center property, so SyteLine does not keep one by default.
    return employee if flavour == "m3" else replace(employee, cost_center="")


def test_added_then_listed(erp: Erp) -> None:
    """New employees are added and read back with every field."""
    assert erp.upsert_employee(ADA) == "added"
    assert erp.upsert_employee(GRACE) == "added"
    listed = {e.number: e for e in erp.list_employees()}
    assert listed == {e.number: comparable(e, erp.flavour) for e in (ADA, GRACE)}


def test_updated_and_unchanged(erp: Erp, ion_sandbox: IonSandbox) -> None:
    """A changed department is written; an identical upsert writes nothing."""
    erp.upsert_employee(ADA)
    moved = replace(ADA, department="OPS", cost_center="CC300" if erp.flavour == "m3" else "")
    assert erp.upsert_employee(moved) == "updated"
    [stored] = ion_sandbox.sim.employees()
    assert stored.department == "OPS"
    if erp.flavour == "m3":
        assert stored.cost_center == "CC300"
    assert erp.upsert_employee(moved) == "unchanged"


def test_terminated(erp: Erp, ion_sandbox: IonSandbox) -> None:
    """A termination sets the date and the employee reads back terminated."""
    erp.upsert_employee(GRACE)
    erp.terminate_employee("E0002", date(2025, 2, 28))
    [stored] = ion_sandbox.sim.employees()
    assert stored.term_date == date(2025, 2, 28)
    assert not stored.active
    [listed] = erp.list_employees()
    assert listed.termination_date == date(2025, 2, 28)


def test_terminating_an_unknown_employee_fails_clearly(erp: Erp) -> None:
    """The error names the employee."""
    with pytest.raises((M3ApiError, RecordNotFound)) as err:
        erp.terminate_employee("E9999", date(2025, 2, 28))
    assert "E9999" in str(err.value)


def test_invalid_employee_data_is_a_typed_error(erp: Erp) -> None:
    """A termination before the hire date is refused by the ERP with its own typed error."""
    bad = replace(ADA, termination_date=date(2020, 1, 1))
    with pytest.raises((M3ApiError, SyteLineError), match=r"E0001|before"):
        erp.upsert_employee(bad)


def test_many_employees_are_paged(ion_sandbox: IonSandbox, make_erp: MakeErp) -> None:
    """More employees than one page are all listed (M3 start keys)."""
    erp = make_erp(ion_sandbox, "m3")
    for n in range(12):
        erp.upsert_employee(ErpEmployee(f"E{n:04d}", "Test", f"Person{n}", "ENG", "", date(2024, 1, 1), None))
    erp.options = type(erp.options)(page_size=5)  # type: ignore[attr-defined]
    assert [e.number for e in erp.list_employees()] == [f"E{n:04d}" for n in range(12)]


@pytest.mark.parametrize(
    ("name", "parts"),
    [
        ("Lovelace, Ada", ("Ada", "Lovelace")),
        ("Ada King Lovelace", ("Ada", "King Lovelace")),
        ("Cher", ("Cher", "")),
    ],
)
def test_m3_name_split(name: str, parts: tuple[str, str]) -> None:
    """EMNM written as "Last, First" splits back; names typed in M3 split at the first space."""
    assert split_employee_name(name) == parts
