"""M3 CRS530MI employees over MI REST v2: add, read, update basic data, terminate, cost centre."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from connector_assets_tests.fixtures.ion_sandbox import LENIENT, IonSandbox


@pytest.fixture
def ion_sandbox(make_ion_sandbox: Callable[..., IonSandbox]) -> IonSandbox:
    """This module checks the older (lenient) shapes; the strict defaults are covered in test_ion_strict."""
    return make_ion_sandbox(**LENIENT)


def _add(sb: IonSandbox, number: str, **fields: str) -> dict[str, object]:
    params = {"EMNO": number, "EMNM": "Ada Lovelace", "DEPT": "ENG", "EBDT": "20240115", **fields}
    result: dict[str, object] = sb.m3("CRS530MI", "AddEmployee", **params)["results"][0]
    return result


def test_add_and_get_employee(ion_sandbox: IonSandbox) -> None:
    """AddEmployee stores the employee; GetEmployee returns name, department, dates and active flag."""
    assert "errorMessage" not in _add(ion_sandbox, "E1001")
    record = ion_sandbox.m3("CRS530MI", "GetEmployee", EMNO="E1001")["results"][0]["records"][0]
    assert (record["EMNM"], record["DEPT"], record["EBDT"], record["EEDT"], record["ACEM"]) == (
        "Ada Lovelace", "ENG", "20240115", "0", "1")  # fmt: skip
    assert record["DIVI"] == "AAA"


def test_duplicate_and_missing_employees_are_mi_errors(ion_sandbox: IonSandbox) -> None:
    """Adding an existing number and reading an unknown one both fail on EMNO inside HTTP 200."""
    _add(ion_sandbox, "E1002")
    duplicate = _add(ion_sandbox, "E1002")
    assert duplicate["errorField"] == "EMNO" and "already exists" in str(duplicate["errorMessage"])
    missing = ion_sandbox.m3("CRS530MI", "GetEmployee", EMNO="E9999")["results"][0]
    assert missing["errorField"] == "EMNO"


def test_terminate_with_upd_basic_data(ion_sandbox: IonSandbox) -> None:
    """UpdBasicData with EEDT and ACEM=0 terminates; fields not sent stay as they were."""
    _add(ion_sandbox, "E1003")
    result = ion_sandbox.m3("CRS530MI", "UpdBasicData", EMNO="E1003", EEDT="20250228", ACEM="0")["results"][0]
    assert "errorMessage" not in result
    [emp] = ion_sandbox.sim.employees()
    assert emp.term_date == date(2025, 2, 28) and not emp.active
    assert emp.department == "ENG" and emp.name == "Ada Lovelace"


def test_termination_before_hire_is_rejected_and_changes_nothing(ion_sandbox: IonSandbox) -> None:
    """An EEDT before EBDT fails on EEDT and leaves the employee untouched."""
    _add(ion_sandbox, "E1004")
    bad = ion_sandbox.m3("CRS530MI", "UpdBasicData", EMNO="E1004", EEDT="20230101", DEPT="OPS")["results"][0]
    assert bad["errorField"] == "EEDT"
    [emp] = ion_sandbox.sim.employees()
    assert emp.term_date is None and emp.department == "ENG"


def test_cost_center_is_set_with_upd_time_acc_and_validated(ion_sandbox: IonSandbox) -> None:
    """UpdTimeAcc sets TACC to a known cost centre and refuses an unknown one."""
    _add(ion_sandbox, "E1005")
    assert "errorMessage" not in ion_sandbox.m3("CRS530MI", "UpdTimeAcc", EMNO="E1005", TACC="CC300")["results"][0]
    unknown = ion_sandbox.m3("CRS530MI", "UpdTimeAcc", EMNO="E1005", TACC="CC999")["results"][0]
    assert unknown["errorField"] == "TACC"
    record = ion_sandbox.m3("CRS530MI", "GetEmployee", EMNO="E1005")["results"][0]["records"][0]
    assert record["TACC"] == "CC300"


def test_list_employees_by_number_range(ion_sandbox: IonSandbox) -> None:
    """LstEmployee honours the company and employee-number ranges, and the admin API reads them back."""
    for number in ("E2001", "E2002", "E2003"):
        _add(ion_sandbox, number)
    listed = ion_sandbox.m3("CRS530MI", "LstEmployee", FCOM="100", TCOM="100", FEMN="E2002", TEMN="E2003")
    assert [r["EMNO"] for r in listed["results"][0]["records"]] == ["E2002", "E2003"]
    other_company = ion_sandbox.m3("CRS530MI", "LstEmployee", FCOM="200", TCOM="300")
    assert other_company["results"][0]["records"] == []
    admin = ion_sandbox.http.get(f"{ion_sandbox.url}/_sandbox/employees").json()
    assert [e["number"] for e in admin] == ["E2001", "E2002", "E2003"]
